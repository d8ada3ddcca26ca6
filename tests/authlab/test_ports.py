"""free_port: below the kernel's ephemeral range, never a port something listens on."""

from __future__ import annotations

import socket
from collections.abc import Sequence
from pathlib import Path

import pytest

from authlab import ports


def _listening(port: int = 0) -> socket.socket:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", port))
    listener.listen()
    return listener


def test_a_free_port_lies_below_the_ephemeral_range_and_can_be_bound() -> None:
    low = ports._ephemeral_low()
    for _ in range(20):
        port = ports.free_port()
        assert ports.LOWEST_PORT <= port < low
        _listening(port).close()  # nothing listened there


def test_a_port_something_listens_on_is_passed_over(monkeypatch: pytest.MonkeyPatch) -> None:
    with _listening() as taken:
        busy = taken.getsockname()[1]
        proposals = [busy, busy + 1 if busy < 65_535 else busy - 1]

        def sample(population: Sequence[int], k: int) -> list[int]:
            return proposals

        monkeypatch.setattr(ports._RANDOM, "sample", sample)
        assert ports.free_port() == proposals[1]


def test_without_room_below_the_range_the_kernel_picks(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    squeezed = tmp_path / "ip_local_port_range"
    squeezed.write_text(f"{ports.LOWEST_PORT}\t60999\n")
    monkeypatch.setattr(ports, "EPHEMERAL_RANGE", squeezed)
    assert ports._ephemeral_low() == ports.LOWEST_PORT
    port = ports.free_port()
    assert port >= ports.LOWEST_PORT and port != 0
    _listening(port).close()


def test_an_unreadable_range_means_linuxs_default(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(ports, "EPHEMERAL_RANGE", tmp_path / "absent")
    assert ports._ephemeral_low() == 32_768
