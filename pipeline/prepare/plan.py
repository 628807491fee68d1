"""One preparation: from a loaded config to the outputs to make and the findings to show.

The facts are gathered first (pipeline/prepare/facts.py: probing, transcripts, subtitle files,
the sound at the cut edges, fonts, output folders); the plan is then made from the config and
the facts, once: each clip's cuts placed in every rendition, its cues, its jobs, the fonts
checked, every language linted. A build refuses what is wrong (``plan_build``); `build-clip
check` is the same preparation collecting it instead (``collect=True``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pipeline.config.schema import Config
from pipeline.core.errors import InputError, Problem
from pipeline.core.model import Cue, MediaInfo
from pipeline.prepare.cues import ass_style, burn_font, clip_cues, layout_rules, rewrap
from pipeline.prepare.facts import (
    TranscribeProgress,
    from_problems,
    gather,
    load_transcripts,
    needs_transcripts,
    probe_sources,
)
from pipeline.prepare.jobs import (
    NOSUBS,
    XFADE,
    ClipPlan,
    Job,
    Verify,
    clip_fps,
    clip_timeline,
    plan_clip,
    verify_plan,
)
from pipeline.prepare.lint import lint_clip, matched_nothing, sorted_unique
from pipeline.prepare.redaction_report import Tally, add_up
from pipeline.prepare.refusals import check_outputs, font_findings
from pipeline.subtitles.lint import Finding

__all__ = [
    "NOSUBS",
    "XFADE",
    "ClipPlan",
    "Job",
    "Plan",
    "TranscribeProgress",
    "Verify",
    "ass_style",
    "burn_font",
    "check_outputs",
    "clip_cues",
    "clip_fps",
    "clip_timeline",
    "layout_rules",
    "load_transcripts",
    "needs_transcripts",
    "plan_build",
    "probe_sources",
    "rewrap",
    "verify_plan",
]


@dataclass(frozen=True)
class Plan:
    """Everything a build will write: MP4 jobs, subtitle sidecars (path, cues), manifests;
    and what the preparation found (sorted by file and line), with where each redacted term
    matched. A build's findings are the lint's (what it refuses, it raised); a check's are
    all of them."""

    jobs: tuple[Job, ...]
    sidecars: tuple[tuple[Path, tuple[Cue, ...]], ...]
    media: Mapping[str, MediaInfo]
    clips: tuple[ClipPlan, ...] = ()
    findings: tuple[Finding, ...] = ()
    redactions: tuple[Tally, ...] = ()


# The kinds of finding a build refuses before its lint gate (as bad input, exit status 2).
REFUSED = frozenset({"media", "transcript", "cuts", "read", "glyphs", "faces"})


def plan_build(
    config: Config,
    only_clips: tuple[str, ...] = (),
    on_transcribe: TranscribeProgress | None = None,
    collect: bool = False,
) -> Plan:
    """Gather the facts, then place every clip (each rendition once), check its fonts and
    lint it; list outputs and sidecars.

    With ``collect``, nothing is refused: every problem is a finding of the plan (the clips
    that could not be placed are left out), as `build-clip check` reports them.

    Raises:
        InputError: (unless ``collect``) every problem found, each with file and line.
    """
    facts = gather(config, only_clips, on_transcribe, collect)
    found: list[Finding] = list(facts.found)
    plans: list[ClipPlan] = []
    tallies: list[Tally] = []
    for name, clip_facts in facts.each.items():
        found += clip_facts.found
        if clip_facts.cuts is None:
            continue
        try:
            plan = plan_clip(config, name, facts.clips[name], clip_facts.cuts, facts)
        except InputError as e:  # a cut too short for the transition
            found += from_problems(e.problems, "cuts")
            continue
        found += font_findings(config, name, plan.jobs, facts.fonts)
        linted, clip_tallies = lint_clip(config, plan, facts)
        found += linted
        tallies += clip_tallies
        plans.append(plan)
    if not facts.stopped:
        used = {cut.source for name in facts.each for cut in facts.clips[name].cuts}
        tallies = add_up(tallies)
        found += [matched_nothing(config, t) for t in tallies if t.source in used and not t.total]
    if not collect:
        refused = [f for f in found if f.severity == "error" and f.rule in REFUSED]
        if refused:
            problems = [Problem(f.path, f.line, "", f.message) for f in refused]
            raise InputError(list(dict.fromkeys(problems)))
    jobs = tuple(job for c in plans for job in c.jobs)
    sidecars = tuple(
        (c.folder / f"{c.name}.{lang}.{ext}", cues)
        for c in plans
        for lang, cues in c.tracks.items()
        for ext in ("srt", "vtt")
    )
    if not collect:
        check_outputs(config, [j.output for j in jobs] + [p for p, _ in sidecars], facts.unwritable)
    return Plan(
        jobs, sidecars, facts.media, tuple(plans), tuple(sorted_unique(found)), tuple(tallies)
    )
