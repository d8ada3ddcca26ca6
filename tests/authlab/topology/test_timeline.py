from authlab.topology import timeline


def _event(t: float, op: str = "me", status: int = 200, user: str = "u1") -> timeline.Event:
    return {"t": t, "u": user, "op": op, "s": status}


def test_per_second_counts_answers_around_the_failure() -> None:
    events = [
        _event(99.5),
        _event(100.2, status=503),
        _event(100.4, op="lost", status=401, user="u2"),
        _event(100.9),
    ]
    rows = timeline.per_second(events, 100.0, {"variant": "v"})
    assert [(r["second"], r["requests"], r["ok"], r["forced_logins"]) for r in rows] == [
        (-1, 1, 1, 0),
        (0, 2, 1, 1),
    ]
    assert rows[1]["success_rate"] == 0.5


def test_recovery_is_the_last_failure_or_none_while_failing() -> None:
    steady = [_event(100.5), _event(101.0, status=503), _event(103.0), _event(105.0)]
    assert timeline.recovery_seconds(steady, 100.0) == 1.0
    assert timeline.recovery_seconds([_event(101.0)], 100.0) == 0.0
    # A user stopped mid-request as the load ends is not a failure to recover from ...
    ending = [_event(101.0), _event(104.5), _event(105.0, status=503), _event(105.0)]
    assert timeline.recovery_seconds(ending, 100.0) == 0.0
    # ... but a store still down when the load ends is.
    failing = [_event(101.0), _event(104.5, status=503), _event(105.0, status=503)]
    assert timeline.recovery_seconds(failing, 100.0) is None


def test_forced_users_are_those_marked_lost_after_the_failure() -> None:
    events = [_event(99, "lost", 401, "a"), _event(101, "lost", 401, "b"), _event(102)]
    assert timeline.forced_users(events, 100.0) == {"b"}
