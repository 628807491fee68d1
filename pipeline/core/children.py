"""The only place that starts a program (ffmpeg, ffprobe, fc-match): each one dies with us.

A build stopped by a signal kills its ffmpeg runs itself (pipeline/core/signals.py), but a build
killed outright (SIGKILL, the OOM killer) runs no code at all: on Linux each child asks the
kernel for SIGKILL when its parent goes (prctl PR_SET_PDEATHSIG), so that no orphaned ffmpeg
finishes a partial file in an output folder (issue 15).

PR_SET_PDEATHSIG fires when the *thread* that started the child exits, not the process: a
pool's worker thread that ended while its ffmpeg ran would kill a healthy render. That cannot
happen here: every thread that starts a child waits for it (``run``; ``ffmpeg.run`` kills its
child in ``finally``), so a child outlives its thread only when the whole process ends, which
is exactly when it must die. The child also checks that its parent is still the one that
started it, for a parent that died between fork and the request.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence
from typing import Any

_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


@functools.cache
def _prctl() -> Any:
    """libc's prctl, looked up once in the parent: the child only calls it."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


def _dies_with_parent() -> Callable[[], None] | None:
    """A ``preexec_fn`` that makes the child die with this process, or None where it cannot."""
    prctl = _prctl()
    if prctl is None:
        return None
    parent = os.getpid()

    def in_child() -> None:  # runs between fork and exec: no imports, no locks, no logging
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the request: too late to ask
            os._exit(1)

    return in_child


def popen(argv: Sequence[str], **kwargs: Any) -> subprocess.Popen[Any]:
    """``subprocess.Popen(argv, **kwargs)``, the child made to die with this process."""
    return subprocess.Popen(list(argv), preexec_fn=_dies_with_parent(), **kwargs)


def run(argv: Sequence[str], **kwargs: Any) -> subprocess.CompletedProcess[Any]:
    """``subprocess.run(argv, **kwargs)``, the child made to die with this process (and
    killed if this thread is interrupted while it runs: a stopped build)."""
    return subprocess.run(list(argv), preexec_fn=_dies_with_parent(), **kwargs)
