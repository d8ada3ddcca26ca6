"""The note a Locust process leaves once every user of its phase runs."""

from __future__ import annotations

from pathlib import Path

from loadtests.running_note import read_running_note, write_running_note


def test_the_note_is_read_back_and_absent_until_written(tmp_path: Path) -> None:
    note = tmp_path / "running.json"
    assert read_running_note(note) is None
    write_running_note(note, 1005.25, test_started=1004.5)
    assert read_running_note(note) == 1005.25
    assert list(tmp_path.iterdir()) == [note]  # no temporary file left beside it


def test_the_first_note_stands(tmp_path: Path) -> None:
    # With Locust workers every process hears that spawning is complete.
    note = tmp_path / "running.json"
    write_running_note(note, 1005.0, test_started=None)
    write_running_note(note, 1009.0, test_started=None)
    assert read_running_note(note) == 1005.0


def test_a_note_that_is_not_one_reads_as_not_yet(tmp_path: Path) -> None:
    note = tmp_path / "running.json"
    for text in ("", "{", '{"test_started": 1}', '{"running": null}', "[]"):
        note.write_text(text)
        assert read_running_note(note) is None, text
