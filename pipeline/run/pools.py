"""Where the tasks of a batch run: a pool of threads on this machine, or a Dask cluster.

Both are a ``concurrent.futures`` Executor behind one small interface, ``Pool``: ``submit``
a task (a ``call`` of a module-level function, so that a cluster can send it), ``wait`` for
the next one to finish, ``progress`` to watch a render, ``stop`` (Ctrl-C) and ``close``.
A task's outcome is a value, ``Done`` or ``Failure``, never an exception: exceptions travel
badly between processes, and a failure is a row of the batch's summary.
"""

from __future__ import annotations

import functools
import importlib
import queue
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

from pipeline.core import ffmpeg
from pipeline.core.errors import BuildError, InputError, PipelineError, problem

OnProgress = Callable[[float], None]
P = ParamSpec("P")
T = TypeVar("T")
Item = tuple[Future[Any], Callable[[], Any]]  # a task of DaemonThreads, and its future


@dataclass(frozen=True)
class Failure:
    """A task that raised: the error's lines, and the traceback of a bug."""

    lines: tuple[str, ...]
    trace: str = ""


@dataclass(frozen=True)
class Done:
    """What a task returned, and how long it ran (on its worker)."""

    value: Any
    seconds: float


def call(fn: Callable[..., Any], args: tuple[Any, ...]) -> Done | Failure:
    """Run a task; a user error or a bug becomes a Failure (exceptions travel badly)."""
    start = time.monotonic()
    try:
        return Done(fn(*args), time.monotonic() - start)
    except PipelineError as e:
        return Failure(tuple(str(e).splitlines()) or (type(e).__name__,))
    except Exception as e:
        return Failure((f"internal error: {type(e).__name__}: {e}",), traceback.format_exc())


class Stopped(KeyboardInterrupt):
    """Raised in a render's progress callback when its pool is stopping."""


class Pool:
    """Tasks on an Executor: ``submit`` gives the task's future (its ticket), ``wait`` the
    next future that finished and its outcome, in the order they finish."""

    def __init__(self, executor: Executor) -> None:
        self.executor = executor
        self.finished: queue.SimpleQueue[Future[Any]] = queue.SimpleQueue()

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        future = self.executor.submit(fn, *args)
        future.add_done_callback(self.finished.put)
        return future

    def wait(self) -> tuple[Future[Any], Done | Failure]:
        """The next finished task: (its future, its outcome). Ctrl-C interrupts the wait."""
        future = self.finished.get()
        if future.cancelled():
            return future, Failure(("stopped",))
        error = future.exception()
        return future, future.result() if error is None else self.failure(error)

    def failure(self, error: BaseException) -> Failure:
        """The outcome of a task that raised instead of returning one."""
        return Failure((f"internal error: {type(error).__name__}: {error}",))

    def progress(self, on_progress: OnProgress) -> OnProgress | None:
        """What a render reports its progress to (None: nothing comes back)."""
        return None

    def stop(self) -> None:
        """Give up the tasks not yet finished (Ctrl-C); ``wait`` no more after it."""

    def close(self) -> None:
        self.executor.shutdown(wait=False)


class DaemonThreads(Executor):
    """``workers`` daemon threads that run what is submitted, in order.

    ThreadPoolExecutor's threads are joined when the interpreter exits, even after
    ``shutdown(wait=False)``: a batch interrupted during a long transcription would wait
    for it to end. Daemon threads are left behind instead.
    """

    def __init__(self, workers: int, name: str = "build-clip") -> None:
        self.work: queue.SimpleQueue[Item | None] = queue.SimpleQueue()
        self.threads = [
            threading.Thread(target=self.run, name=f"{name}-{i}", daemon=True)
            for i in range(workers)
        ]
        for thread in self.threads:
            thread.start()

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        future: Future[T] = Future()
        self.work.put((future, functools.partial(fn, *args, **kwargs)))
        return future

    def run(self) -> None:
        while (item := self.work.get()) is not None:
            future, task = item
            if not future.set_running_or_notify_cancel():
                continue  # cancelled while queued
            try:
                result = task()
            except BaseException as e:  # the future carries it, as ThreadPoolExecutor's do
                future.set_exception(e)
            else:
                future.set_result(result)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """End the threads once the queued tasks ran (``cancel_futures``: cancel those)."""
        try:
            while cancel_futures and (item := self.work.get_nowait()) is not None:
                item[0].cancel()
        except queue.Empty:
            pass
        for _ in self.threads:
            self.work.put(None)
        for thread in self.threads if wait else ():
            thread.join()


class LocalPool(Pool):
    """A bounded pool of worker threads on this machine (each render is an ffmpeg process).

    The threads are daemons, so an interrupted batch does not wait for a long transcription
    to end; renders in flight are stopped from their progress callback, which makes ffmpeg
    exit and the temp file go (see ``stop``).
    """

    def __init__(self, workers: int) -> None:
        self.workers = max(1, workers)
        super().__init__(DaemonThreads(self.workers))
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._busy = 0
        self._working: set[int] = set()  # threads running a task
        self._rendering: set[int] = set()  # threads whose render has reported progress

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        return super().submit(self.run_task, fn, args)

    def run_task(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> Any:
        """Run one task on a worker thread, unless the pool is stopping."""
        me = threading.get_ident()
        with self._lock:
            self._busy += 1
            self._working.add(me)
        try:
            return Failure(("stopped",)) if self._stop.is_set() else fn(*args)
        except BaseException:  # Stopped, or a Ctrl-C that reached this thread
            return Failure(("stopped",))
        finally:
            with self._lock:
                self._busy -= 1
                self._working.discard(me)
            self._rendering.discard(me)

    def failure(self, error: BaseException) -> Failure:
        return Failure(("stopped",))

    def progress(self, on_progress: OnProgress) -> OnProgress:
        """``on_progress``, made to stop its render when the pool stops (every ffmpeg run of a
        render reports progress, so a render gives up within one report, about 0.5 s)."""

        def watched(fraction: float) -> None:
            self._rendering.add(threading.get_ident())
            if self._stop.is_set():
                raise Stopped
            on_progress(fraction)

        return watched

    def stop(self, grace_s: float = 5.0, render_grace_s: float = 120.0) -> None:
        """Drop queued tasks, kill the workers' ffmpeg runs, and wait for the tasks in flight
        to give up: renders always (up to ``render_grace_s``: a thread killed mid-render
        would leave its temp file and its ffmpeg behind), other tasks -- a long transcription
        -- up to ``grace_s``. A render whose ffmpeg was killed fails at once and removes its
        temp file; one about to start ffmpeg is refused by its progress callback."""
        self._stop.set()
        self.executor.shutdown(wait=False, cancel_futures=True)
        with self._lock:
            working = list(self._working)
        ffmpeg.kill_runs(working)
        start = time.monotonic()
        while self._busy:
            waited = time.monotonic() - start
            if waited > render_grace_s or (waited > grace_s and not self._rendering):
                break
            time.sleep(0.02)


class ClusterPool(Pool):
    """Tasks on a Dask distributed cluster whose workers see the same files at the same paths.

    Progress comes back per finished task only; a stopped batch cancels the tasks not yet
    started (a render already running finishes, and its output appears whole).
    """

    def __init__(self, address: str) -> None:
        try:  # typed as Any: Dask ships no type hints
            distributed: Any = importlib.import_module("distributed")
        except ImportError:
            raise BuildError(
                "--cluster needs Dask (expected it installed: pip install 'build-clip[cluster]')"
            ) from None
        try:
            self.client: Any = distributed.Client(address, timeout="10s")
        except ValueError as e:
            raise InputError(
                [problem(f"--cluster {address!r}: {e} (expected tcp://HOST:8786)")]
            ) from None
        except (OSError, TimeoutError) as e:
            raise BuildError(f"{address}: cannot reach the Dask scheduler ({e})") from None
        super().__init__(self.client.get_executor(pure=False))

    def failure(self, error: BaseException) -> Failure:
        # a worker died, or the task could not be sent or run
        return Failure((f"on the cluster: {type(error).__name__}: {error}",))

    def stop(self) -> None:
        self.executor.shutdown(wait=False)  # Dask's: cancels every task not finished

    def close(self) -> None:
        self.client.close()
