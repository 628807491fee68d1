"""SIGTERM and SIGHUP end a build as Ctrl-C does: what `docker stop` and a closed terminal send.

Python turns only SIGINT into an exception; the others kill it outright, and its ffmpeg runs
finished hidden partial files in the output folders that never went through the privacy
scan (issue 15). Here they raise ``Ended``, a KeyboardInterrupt, so that the clean-up paths
of Ctrl-C run: the pool kills the ffmpeg runs in flight, the partial files and temp folders
go, and cli.py exits with 128 + the signal's number.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

ENDING = (signal.SIGTERM, signal.SIGHUP)


class Ended(KeyboardInterrupt):
    """The build was told to end by ``signum`` (SIGTERM or SIGHUP)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name


@contextlib.contextmanager
def ending_signals() -> Iterator[None]:
    """Within the block, SIGTERM and SIGHUP raise ``Ended`` in the main thread (Python runs
    signal handlers only there); the handlers before are put back after. A second signal
    while the first one's clean-up runs is ignored: cutting it short would leave files."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    heard: list[int] = []

    def handler(signum: int, frame: FrameType | None) -> None:
        if not heard:
            heard.append(signum)
            raise Ended(signum)

    previous = {s: signal.signal(s, handler) for s in ENDING}
    try:
        yield
    finally:
        for s, before in previous.items():
            signal.signal(s, before)
