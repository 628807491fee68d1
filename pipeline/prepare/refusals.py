"""What a build refuses before rendering, besides bad cuts and files: characters no font
draws, and outputs that would overwrite an input or cannot be written (pure, on the facts)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from pipeline.analysis.fonts import Glyphs, check_card_glyphs, check_glyphs
from pipeline.config.schema import Config
from pipeline.config.sources import FromFile
from pipeline.core.errors import InputError
from pipeline.core.model import Cue
from pipeline.prepare.cues import burn_font
from pipeline.prepare.facts import from_problems, unwritable
from pipeline.prepare.jobs import Job
from pipeline.render.branding import card_font, shown
from pipeline.subtitles.lint import Finding


def font_findings(config: Config, clip: str, jobs: Sequence[Job], fonts: Glyphs) -> list[Finding]:
    """Every character that its font cannot draw (it would show as an empty box): in the
    burned cues of each language (their font, then the Latin one for the names and words in
    Latin letters), and on the clip's title and end cards (language ""). ``fonts``: what
    each family draws, as gathered. The build refuses them; ``build-clip check`` reports
    them (rule ``glyphs``)."""
    burned: Mapping[str, Sequence[Cue]] = {j.lang: j.cues for j in jobs if j.cues}
    style = config.project.style
    latin = style.font
    found = [
        f
        for lang, cues in burned.items()
        for p in check_glyphs(cues, (burn_font(style, lang), latin), lang, fonts)
        for f in from_problems(
            [config.problem(("clips", clip, "subtitles", "languages", lang), p.message)],
            "glyphs",
            lang,
        )
    ]
    spec = config.project.clips[clip]
    for key, card in (("title", spec.title), ("end", spec.end)):
        if card is None:
            continue
        field = f"clips.{clip}.{key}.font"
        text = shown(config.project.redact, spec, card).text
        message = check_card_glyphs(text, (card_font(card, latin), latin), field, fonts)
        if message:
            found += from_problems(
                [config.problem(("clips", clip, key, "text"), message)], "glyphs"
            )
    return found


def check_outputs(
    config: Config, outputs: list[Path], unwritable_folders: Mapping[Path, str] | None = None
) -> None:
    """Refuse to write over any source or subtitle input, or where nothing can be written.
    ``unwritable_folders``: as gathered (pipeline/prepare/facts.py); asked now when None."""
    for folder in sorted({p.parent for p in outputs}):
        if unwritable_folders is None:
            reason = unwritable(folder)
        else:
            reason = unwritable_folders.get(folder)
        if reason:
            raise InputError(
                [
                    config.problem(
                        ("output",),
                        f"{folder}: cannot create the output "
                        f"folder ({reason}; expected a folder that can "
                        "be written to)",
                    )
                ]
            )
    inputs = {
        p.resolve()
        for s in config.project.sources.values()
        for p in (s.file, *s.subtitles.values())
    }
    inputs |= {
        m.path.resolve()
        for c in config.project.clips.values()
        for m in c.subtitles.languages.values()
        if isinstance(m, FromFile)
    }
    clash = [p for p in outputs if p.resolve() in inputs]
    if clash:
        raise InputError(
            [
                config.problem(
                    ("output",),
                    f"output {p} would overwrite an input "
                    "(expected an output folder apart from the sources)",
                )
                for p in clash
            ]
        )
