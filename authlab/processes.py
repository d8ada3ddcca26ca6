"""The processes a run starts: tracked, pinned to cores, and all stopped at the end.

Every child asks the kernel to end it when authlab dies (PR_SET_PDEATHSIG),
so even a SIGKILLed run leaves no orphan; a normal end, an error, SIGTERM and
Ctrl-C stop them through ProcessGroup.stop_all().
"""

from __future__ import annotations

import functools
import itertools
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType, TracebackType

import psutil

from authlab.redis_server import die_with_parent


@dataclass
class Tracked:
    role: str  # server | redis | locust | ...
    name: str
    process: subprocess.Popen[bytes]
    cpus: tuple[int, ...] | None = None
    log: Path | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    def tree(self) -> list[psutil.Process]:
        """The process and its children (uvicorn workers, Locust workers)."""
        try:
            root = psutil.Process(self.pid)
            return [root, *root.children(recursive=True)]
        except psutil.Error:
            return []


def core_plan() -> dict[str, tuple[int, ...] | None]:
    """Which cores each role gets, so generator and server do not fight over one core.

    Two cores: the generator gets core 0, the server and its store core 1.
    One core: nothing is pinned (and the run records it).
    """
    try:
        cores = sorted(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return {"locust": None, "server": None, "redis": None}
    if len(cores) < 2:
        return {"locust": None, "server": None, "redis": None}
    if len(cores) < 4:
        return {"locust": (cores[0],), "server": (cores[1],), "redis": (cores[1],)}
    half = len(cores) // 2
    return {
        "locust": tuple(cores[:half]),
        "server": tuple(cores[half:-1]),
        "redis": (cores[-1],),
    }


@dataclass
class ProcessGroup:
    tracked: list[Tracked] = field(default_factory=list)
    _previous_sigterm: object = None

    def start(
        self,
        role: str,
        name: str,
        argv: Sequence[str],
        env: dict[str, str] | None = None,
        cpus: tuple[int, ...] | None = None,
        log: Path | None = None,
        cwd: Path | None = None,
        own_session: bool = False,
    ) -> Tracked:
        """own_session: the terminal's Ctrl-C (sent to the whole foreground process group)
        does not reach the child, which then gets one signal only, from stop()."""
        handle = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - closed with the process
        try:
            process = subprocess.Popen(
                list(argv),
                env={**os.environ, **(env or {})},
                stdout=handle,
                stderr=subprocess.STDOUT,
                cwd=cwd,
                start_new_session=own_session,
                preexec_fn=functools.partial(die_with_parent, os.getpid()),
            )
        finally:
            if log:
                handle.close()  # type: ignore[union-attr]
        if cpus:
            try:
                os.sched_setaffinity(process.pid, cpus)
            except OSError:
                cpus = None
        tracked = Tracked(role, name, process, cpus, log)
        self.tracked.append(tracked)
        return tracked

    def pin_tree(self, tracked: Tracked) -> None:
        """Pin children started after the parent (uvicorn workers) like the parent."""
        if not tracked.cpus:
            return
        for process in tracked.tree():
            try:
                process.cpu_affinity(list(tracked.cpus))
            except psutil.Error:
                continue

    def stop(self, tracked: Tracked, timeout: float = 10.0) -> int | None:
        return self._stop_together([tracked], timeout)[0]

    def stop_all(self) -> None:
        """Newest first, a role at a time (Locust before the servers it loads, the servers
        before their store); the processes of one role stop together: each is sent its
        signal, then each is waited for (a lab's seventeen servers one after another took
        6 s, a third of a second each)."""
        newest_first = list(reversed(self.tracked))
        for _role, same in itertools.groupby(newest_first, key=lambda t: t.role):
            self._stop_together(list(same))

    def _stop_together(self, tracked: list[Tracked], timeout: float = 10.0) -> list[int | None]:
        """Signal every one, then wait for each (at most timeout from the signal), killing
        what is still there then with its children."""
        for one in tracked:
            if one.process.poll() is None:
                one.process.send_signal(signal.SIGINT if one.role == "locust" else signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for one in tracked:
            try:
                one.process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                for child in one.tree():
                    try:
                        child.kill()
                    except psutil.Error:
                        continue
                one.process.wait()
            if one in self.tracked:
                self.tracked.remove(one)
        return [one.process.returncode for one in tracked]

    def _on_sigterm(self, signum: int, frame: FrameType | None) -> None:
        # Turn SIGTERM into the same path as Ctrl-C: unwind, stop all, keep results.
        raise KeyboardInterrupt

    def __enter__(self) -> ProcessGroup:
        if sys.platform != "win32":
            self._previous_sigterm = signal.signal(signal.SIGTERM, self._on_sigterm)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        try:
            self.stop_all()
        finally:
            if self._previous_sigterm is not None:
                signal.signal(signal.SIGTERM, self._previous_sigterm)  # type: ignore[arg-type]
