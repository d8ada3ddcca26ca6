"""The session battery: forged, tampered, malformed, fixed and replayed session ids (OWASP's
Session Management cheat sheet), then SESSION_ATTACKS in order."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

from itsdangerous import Signer

from authlab.security.attack_lab import (
    EXPECT_ACCEPTED,
    Attack,
    AttackResult,
    Lab,
)
from authlab.security.carrier_attacks import malformed_carriers, oversized
from servers.secrets import load_or_create_secrets
from servers.strategies.session import SESSION_SALT


def _flip_first(text: str) -> str:
    return ("B" if text[0] == "A" else "A") + text[1:]


def _session_parts(credential: str) -> tuple[str, str]:
    """A signed id's raw id and signature (itsdangerous: id.signature)."""
    sid, _, signature = credential.rpartition(".")
    return sid, signature


def _session_control(lab: Lab) -> Iterator[AttackResult]:
    sid, _ = _session_parts(lab.legit.credential)
    resigned = lab.session_signer().sign(sid).decode("ascii")
    yield lab.result(
        "control_resigned_session_id",
        lab.me(resigned),
        "the live id signed here with the key directory's secret: must be accepted, so "
        "the signature probes are refused for the signature",
        expected=EXPECT_ACCEPTED,
    )


def _forged_session_ids(lab: Lab) -> Iterator[AttackResult]:
    sid, _ = _session_parts(lab.legit.credential)
    wrong_key = Signer(secrets.token_bytes(64), salt=SESSION_SALT)
    random_id = secrets.token_urlsafe(32)
    cases = {
        "random id signed with a wrong key": wrong_key.sign(random_id),
        "the live id signed with a wrong key": wrong_key.sign(sid),
        "the live id signed with the right key and another salt": Signer(
            load_or_create_secrets(Path(lab.settings.key_dir) / "session")
        ).sign(sid),
    }
    for label, credential in cases.items():
        yield lab.result("forged_session_id", lab.me(credential.decode("ascii")), label)
    unknown = lab.session_signer().sign(random_id).decode("ascii")
    yield lab.result(
        "unknown_session_id",
        lab.me(unknown),
        "a random id correctly signed (key directory's secret): no such session",
    )


def _session_tampering(lab: Lab) -> Iterator[AttackResult]:
    sid, signature = _session_parts(lab.legit.credential)
    _, other_signature = _session_parts(lab.other.credential)
    cases = {
        ("unsigned_session_id", "the raw id without a signature"): sid,
        ("unsigned_session_id", "the raw id with an empty signature"): f"{sid}.",
        (
            "tampered_signature",
            "first signature character changed",
        ): f"{sid}.{_flip_first(signature)}",
        (
            "tampered_session_id",
            "first id character changed, signature kept",
        ): f"{_flip_first(sid)}.{signature}",
        ("signature_swap", "another user's session signature"): f"{sid}.{other_signature}",
    }
    for (attack, label), credential in cases.items():
        yield lab.result(attack, lab.me(credential), label)


def _malformed_session_ids(lab: Lab) -> Iterator[AttackResult]:
    cases = {
        "a dot": ".",
        "dots only": "...",
        "three parts": "a.b.c",
        "not base64": "!!!.@@@",
        "a JWT": lab.legit.credential.replace(".", "") + ".eyJhbGciOiJub25lIn0.e30.",
        "percent-encoded NUL": "%00",
        # (Not a quoted id: RFC 6265 lets a cookie value be quoted, so that is the same id.)
        "a character appended": lab.legit.credential + "A",
        "a character removed": lab.legit.credential[:-1],
    }
    for label, credential in cases.items():
        yield lab.result("malformed_session_id", lab.me(credential), label)
    yield from malformed_carriers(lab)


def _session_fixation(lab: Lab) -> Iterator[AttackResult]:
    """OWASP: a session id the client arrives with is never the one it gets at login."""
    planted_ids = {
        "a correctly signed id the attacker made up": lab.session_signer()
        .sign(secrets.token_urlsafe(32))
        .decode("ascii"),
        "the attacker's own live session": lab.login(lab.other_username).credential,
    }
    for label, planted in planted_ids.items():
        response = lab.login_response(lab.username, planted)
        problems: list[str] = []
        if response.status_code != 200:
            problems.append(f"the victim's login answered {response.status_code}")
        else:
            issued = lab.credential_of(response)
            if issued == planted or _session_parts(issued)[0] == _session_parts(planted)[0]:
                problems.append("the planted id was kept at login")
            elif lab.me(issued) != 200:
                problems.append("the id issued at login does not work")
        yield lab.result(
            "session_fixation",
            lab.me(planted),
            f"planted {label} before login, then used it",
            problems=problems,
        )


def _session_replay_after_logout(lab: Lab) -> Iterator[AttackResult]:
    fresh = lab.login()
    logout = lab.logout(fresh)
    problems = [] if logout == 204 else [f"logout answered {logout}"]
    yield lab.result(
        "replay_after_logout",
        lab.me(fresh.credential),
        f"session id after logout ({lab.settings.store} store): the record is gone",
        problems=problems,
    )


SESSION_ATTACKS: tuple[Attack, ...] = (
    _session_control,
    _forged_session_ids,
    _session_tampering,
    _malformed_session_ids,
    oversized,
    _session_fixation,
    _session_replay_after_logout,
)
