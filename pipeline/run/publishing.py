"""After a clip's renders: its sidecars, its manifest and review page, and the last check
that its folder names no one redacted (README, Protection)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.core.errors import BuildError
from pipeline.core.files import write_text
from pipeline.core.stamps import cache_root
from pipeline.prepare.plan import ClipPlan, Plan
from pipeline.publish.manifest import (
    Shared,
    built,
    lint_records,
    manifest,
    read_manifest,
    same_text,
    write_manifest,
)
from pipeline.publish.output_record import Measured
from pipeline.publish.review import write_index, write_review
from pipeline.publish.shareable import private_folder, redactor
from pipeline.subtitles.formats import by_path
from pipeline.verify import leaks

if TYPE_CHECKING:
    pass

from pipeline.run.build import Planned
from pipeline.run.hearing import clip_verification

log = logging.getLogger(__name__)


def sidecar_changes(plan: Plan, folder: Path | None = None) -> list[tuple[Path, str]]:
    """The SRT and WebVTT sidecars (of one clip folder) whose files do not hold their text."""
    changes = []
    for path, cues in plan.sidecars:
        if folder is None or path.parent == folder:
            text = by_path(path).text(cues)
            changes += [] if same_text(path, text) else [(path, text)]
    return changes


def write_sidecars(plan: Plan, folder: Path | None = None) -> list[Path]:
    """Write the sidecars (of one clip folder) that changed, in clip time; return them."""
    changes = sidecar_changes(plan, folder)
    for path, text in changes:
        write_text(path, text)
        log.info("wrote %s", path)
    return [path for path, _ in changes]


def publish_clip(
    planned: Planned,
    clip: ClipPlan,
    failed: frozenset[Path],
    measured: Mapping[Path, Measured] | None = None,
) -> None:
    """After a clip's renders: its sidecars and its manifest (a task of a batch).

    Outputs in ``failed`` are recorded without inputs, so the next run builds them again;
    ``measured``: what the renders of this run measured of their outputs.
    """
    wrote = bool(write_sidecars(planned.plan, clip.folder))
    inputs = {
        c.job.output.name: None if c.job.output in failed else c.inputs
        for c in planned.clip_checks(clip)
    }
    last = read_manifest(clip)
    outputs = built(clip, inputs, {p.name: m for p, m in (measured or {}).items()}, last)
    lint = lint_records(None if planned.lint is None else planned.lint.get(clip.name, ()), last)
    verification = clip_verification(clip, planned.plan)
    media, config = planned.plan.media, planned.config
    shared = shared_for(planned, clip)
    record = manifest(clip, media, config, outputs, lint, verification)
    if write_manifest(clip, record, shared):
        log.info("wrote %s manifest", clip.name)
        wrote = True
    # The pages follow the manifest and the sidecars: a clip whose files did not change keeps
    # its page, so that a no-op rebuild stays cheap.
    page = read_manifest(clip)  # the shareable one, as written
    if page is not None and (wrote or not (clip.folder / "review.html").exists()):
        write_review(clip.folder, page)
        write_index(clip.folder.parent)
    check_shareable(clip, shared)


def shared_for(planned: Planned, clip: ClipPlan) -> Shared:
    """The redactor of the config's terms and its private folder (README, Protection)."""
    root = clip.folder.parent
    return Shared(redactor(planned.redact), private_folder(planned.config, root, cache_root()))


def check_shareable(clip: ClipPlan, shared: Shared) -> None:
    """Fail the build when a file of the clip's folder, or of the output folder itself (the
    index), says a redacted term; such files are moved to the private folder first, so that
    what is left can be shared."""
    matcher = shared.redactor.matcher
    if not matcher.terms:
        return
    root = clip.folder.parent
    found = leaks.scan_files(matcher, root, leaks.written(clip.folder) + leaks.written(root, False))
    if not found:
        log.info("%s: no redacted term in its files", clip.folder)
        return
    moved = leaks.quarantine(root, found, shared.private / "leaked")
    lines = [leak.line() for leak in found]
    lines.append(
        f"{clip.name}: {len(moved)} file(s) that say a redacted term were moved out of the "
        f"output folder to {shared.private / 'leaked'} (expected every form of the name in "
        "the redaction's words, forms or patterns)"
    )
    raise BuildError("\n".join(lines))
