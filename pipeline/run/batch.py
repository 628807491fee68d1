"""Many configs at once: plan each, render every stale output on a bounded pool, sum up.

The same tasks (pipeline/run/build.py) run on a local pool of threads -- each render is an ffmpeg
process, so threads are enough to keep the cores busy -- or on a Dask distributed cluster
(pipeline/run/pools.py).
A failure is a row of the summary, never the end of the batch.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pipeline.core import files
from pipeline.prepare.plan import ClipPlan, Job
from pipeline.publish.manifest import manifest_path
from pipeline.publish.output_record import Measured
from pipeline.render import thumbnails
from pipeline.run.build import Check, Planned, plan_config, render_job
from pipeline.run.pools import Done, Failure, LocalPool, OnProgress, Pool, call
from pipeline.run.publishing import publish_clip

Status = Literal["built", "up to date", "would build", "failed"]


def default_jobs() -> int:
    """One render per core: each ffmpeg keeps its own thread count (see benchmarks/batch.py)."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


@dataclass(frozen=True)
class Options:
    """What a batch does with each config."""

    clips: tuple[str, ...] = ()
    force: bool = False
    dry_run: bool = False
    verify: bool = False  # --verify: hear every output again (as ``verify: words``)
    strict: bool = False  # --strict: an output whose words are not heard fails


@dataclass(frozen=True)
class Row:
    """One line of the summary: an output (or a config that could not be planned)."""

    config: Path
    output: Path | None
    status: Status
    seconds: float = 0.0
    detail: str = ""  # why it was (or would be) built, or the error


def _ignore(*_: object) -> None:
    return None


@dataclass(frozen=True)
class Hooks:
    """What the display is told: a config planned, a render's progress, a row finished."""

    planned: Callable[[Planned], None] = _ignore
    progress: Callable[[Job, float], None] = _ignore
    row: Callable[[Row], None] = _ignore


@dataclass
class Summary:
    """The rows of a batch, every error line in full, and its wall-clock time."""

    rows: list[Row] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    traces: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, status: Status) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def failed(self) -> bool:
        return self.count("failed") > 0


def run_batch(
    configs: Sequence[Path | Planned],
    options: Options,
    pool: Pool | None = None,
    hooks: Hooks = Hooks(),
) -> Summary:
    """Build every output of every config; a config is a path to plan, or already planned.

    Ctrl-C stops the pool (renders in flight are stopped and leave no partial file) and
    raises KeyboardInterrupt.
    """
    own = pool is None
    if not options.dry_run:  # the temp folders of builds that were killed (a dry run writes
        files.remove_stale(Path(tempfile.gettempdir()), False, files.TEMP_PREFIX)  # nothing)
    pool = pool if pool is not None else LocalPool(default_jobs())
    batch = _Batch(pool, options, hooks)
    start = time.monotonic()
    try:
        for item in configs:
            if isinstance(item, Planned):
                batch.planned(item.config, Done(item, 0.0))
            else:
                args = (item, options.clips, options.force, options.verify, options.strict)
                batch.submit(plan_config, args, item, batch.planned)
        batch.drain()
    except BaseException:
        pool.stop()
        raise
    finally:
        if own:
            pool.close()
    batch.summary.seconds = time.monotonic() - start
    order = {p.config if isinstance(p, Planned) else p: i for i, p in enumerate(configs)}
    batch.summary.rows.sort(key=lambda r: (order.get(r.config, 0), str(r.output or "")))
    return batch.summary


Then = Callable[[Path, Done | Failure], None]


class _Batch:
    """The scheduler: runs in the calling thread, submits tasks, reacts to their results."""

    def __init__(self, pool: Pool, options: Options, hooks: Hooks) -> None:
        self.pool, self.options, self.hooks = pool, options, hooks
        self.summary = Summary()
        self.waiting: dict[object, tuple[Path, Then]] = {}
        self.left: dict[tuple[Path, str], set[Path]] = {}  # renders left per clip
        self.failed: dict[tuple[Path, str], set[Path]] = {}
        self.measured: dict[tuple[Path, str], dict[Path, Measured]] = {}  # what renders measured
        self.claimed: dict[Path, Path] = {}  # clip folder -> the config that writes it

    def submit(
        self, fn: Callable[..., Any], args: tuple[Any, ...], config: Path, then: Then
    ) -> None:
        self.waiting[self.pool.submit(call, fn, args)] = (config, then)

    def drain(self) -> None:
        while self.waiting:
            ticket, result = self.pool.wait()
            config, then = self.waiting.pop(ticket)
            then(config, result)

    def add(self, row: Row, failure: Failure | None = None) -> None:
        self.summary.rows.append(row)
        if failure is not None:
            self.summary.errors += failure.lines
            self.summary.traces += [failure.trace] if failure.trace else []
        self.hooks.row(row)

    def planned(self, config: Path, result: Done | Failure) -> None:
        if isinstance(result, Failure):
            self.add(Row(config, None, "failed", 0.0, result.lines[0]), result)
            return
        planned: Planned = result.value
        self.hooks.planned(planned)
        for clip in planned.plan.clips:
            self.start_clip(planned, clip)

    def start_clip(self, planned: Planned, clip: ClipPlan) -> None:
        key = (planned.config, clip.name)
        self.left[key], self.failed[key], self.measured[key] = set(), set(), {}
        if self.clash(planned, clip):
            return
        if not self.options.dry_run:  # what builds that were killed left in the folder
            files.remove_stale(clip.folder, True, thumbnails.TEMP_PREFIX)
        for check in planned.clip_checks(clip):
            if check.why is None:
                self.add(Row(planned.config, check.job.output, "up to date"))
            elif self.options.dry_run:
                self.add(Row(planned.config, check.job.output, "would build", 0.0, check.why))
            else:
                self.left[key].add(check.job.output)
                on_progress = self.pool.progress(_bind(self.hooks.progress, check.job))
                args = (check.job, planned.plan, on_progress, self.options.strict)
                self.submit(render_job, args, planned.config, self.rendered(planned, clip, check))
        self.maybe_finish(planned, clip)

    def clash(self, planned: Planned, clip: ClipPlan) -> bool:
        """Two configs that write the same clip folder: the second one's outputs fail."""
        owner = self.claimed.setdefault(clip.folder.resolve(), planned.config)
        if owner == planned.config:
            return False
        for check in planned.clip_checks(clip):
            why = f"{check.job.output}: also written by {owner} (expected one config per output)"
            self.add(Row(planned.config, check.job.output, "failed", 0.0, why), Failure((why,)))
        return True

    def rendered(self, planned: Planned, clip: ClipPlan, check: Check) -> Then:
        def then(config: Path, result: Done | Failure) -> None:
            key, output = (config, clip.name), check.job.output
            self.left[key].discard(output)
            if isinstance(result, Failure):
                self.failed[key].add(output)
                self.add(Row(config, output, "failed", 0.0, result.lines[0]), result)
            else:
                if isinstance(result.value, Measured):
                    self.measured[key][output] = result.value
                self.add(Row(config, output, "built", result.seconds, check.why or ""))
            self.maybe_finish(planned, clip)

        return then

    def maybe_finish(self, planned: Planned, clip: ClipPlan) -> None:
        key = (planned.config, clip.name)
        if self.left[key] or self.options.dry_run:
            return
        args = (planned, clip, frozenset(self.failed[key]), dict(self.measured[key]))
        self.submit(publish_clip, args, planned.config, self.finished(clip))

    def finished(self, clip: ClipPlan) -> Then:
        def then(config: Path, result: Done | Failure) -> None:
            if isinstance(result, Failure):
                self.add(Row(config, manifest_path(clip), "failed", 0.0, result.lines[0]), result)

        return then


def _bind(progress: Callable[[Job, float], None], job: Job) -> OnProgress:
    def on_progress(fraction: float) -> None:
        progress(job, fraction)

    return on_progress
