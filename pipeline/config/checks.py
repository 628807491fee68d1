"""The config's checks that span several keys: names, references between sections, cut order,
redaction terms, clip languages (after pydantic has validated each key on its own)."""

from __future__ import annotations

import re

from pipeline.config.faces import FacesSpec, kept_track
from pipeline.config.schema import LANG_RE, NAME_RE, ClipSpec, Config, CutSpec, RedactSpec, TermSpec
from pipeline.config.sources import FromSource
from pipeline.config.yamlsource import Loc
from pipeline.core.errors import Problem


def cross_check(config: Config) -> list[Problem]:
    """Checks that span several keys: names, references between sections, cut order."""
    project, out = config.project, []
    out += [
        config.problem((section,), f"no {section} (expected at least one)")
        for section in ("sources", "clips")
        if not getattr(project, section)
    ]
    for section in ("sources", "clips", "renditions"):
        for name in getattr(project, section):
            if not NAME_RE.match(str(name)):
                out.append(
                    config.problem(
                        (section, name),
                        f"{name!r} is not a safe name "
                        "(expected letters, digits, '-' or '_', up to 64)",
                    )
                )
    for sid, src in project.sources.items():
        out += [
            config.problem(("sources", sid, "subtitles", lang), _bad_lang(lang))
            for lang in src.subtitles
            if not LANG_RE.match(str(lang))
        ]
    for name, clip in project.clips.items():
        out += _check_clip(config, name, clip)
    out += _check_redact(config)
    out += _check_faces(config, (), project.faces)
    for name, clip in project.clips.items():
        out += _check_faces(config, ("clips", name), clip.faces)
    return out


def _check_faces(config: Config, loc: Loc, faces: FacesSpec | None) -> list[Problem]:
    """Each kept face track names a known source (its track is checked once detected)."""
    sources = config.project.sources
    return [
        config.problem(
            (*loc, "faces", "keep", i),
            f"unknown source {sid!r} in {keep!r} (expected one of: {', '.join(sources)})",
        )
        for i, keep in enumerate(faces.keep if faces else ())
        if (sid := kept_track(keep)[0]) not in sources
    ]


def _check_cut_kind(config: Config, loc: Loc, cut: CutSpec) -> list[Problem]:
    """A cut is start and end, or a quote (with near or occurrence to choose), not both."""
    if cut.quote is not None:
        extra = [k for k in ("start", "end") if getattr(cut, k) is not None]
        return [
            config.problem(
                (*loc, k), f"{k} given with quote (expected either a quote, or start and end)"
            )
            for k in extra
        ]
    missing = [k for k in ("start", "end") if getattr(cut, k) is None]
    problems = [
        config.problem(loc, f"missing required key {k!r} (expected start and end, or a quote)")
        for k in missing
    ]
    problems += [
        config.problem((*loc, k), f"{k} needs a quote (expected it only with quote)")
        for k in ("near", "occurrence")
        if getattr(cut, k) is not None
    ]
    return problems


def _check_redact(config: Config) -> list[Problem]:
    """Each redaction names a source, and a span or words; a blur box lies inside the frame."""
    out = []
    sources = config.project.sources
    for i, r in enumerate(config.project.redact):
        loc: Loc = ("redact", i)
        if r.source not in sources:
            out.append(
                config.problem(
                    (*loc, "source"),
                    f"unknown source {r.source!r} (expected one of: {', '.join(sources)})",
                )
            )
        timed = r.start is not None and r.end is not None
        if timed == bool(r.words) or (r.start is None) != (r.end is None):
            out.append(config.problem(loc, "expected start and end, or words (one of them)"))
        elif timed and r.end is not None and r.start is not None and r.end.ms <= r.start.ms:
            out.append(
                config.problem(
                    (*loc, "end"),
                    f"end {r.end} is not after start {r.start} (expected end > start)",
                )
            )
        out += _check_terms(config, loc, r)
        if r.blur is not None:
            x, y, w, h = r.blur
            if not (0 <= x < 1 and 0 <= y < 1 and 0 < w <= 1 - x and 0 < h <= 1 - y):
                out.append(
                    config.problem(
                        (*loc, "blur"),
                        f"{list(r.blur)} is not a region "
                        "of the frame (expected [x, y, w, h] as fractions "
                        "from 0 to 1)",
                    )
                )
            if not timed:
                out.append(config.problem((*loc, "blur"), "blur needs start and end"))
    return out


def _check_terms(config: Config, loc: Loc, r: RedactSpec) -> list[Problem]:
    """Every term has a letter or a digit, every pattern compiles, every text says something."""
    from pipeline.core.redaction import problem_with

    out = []
    for k, word in enumerate(r.words):
        spec = word if isinstance(word, TermSpec) else TermSpec(term=word)
        where: Loc = (*loc, "words", k) if isinstance(word, str) else (*loc, "words", k, "term")
        written = [(where, spec.term)]
        written += [
            ((*loc, "words", k, "forms", lang), f) for lang, fs in spec.forms.items() for f in fs
        ]
        for at, text in written:
            problem = problem_with(text)
            if problem is not None:
                out.append(config.problem(at, problem))
        for lang, patterns in spec.patterns.items():
            for pattern in patterns:
                try:
                    re.compile(pattern)
                except re.error as e:
                    out.append(
                        config.problem(
                            (*loc, "words", k, "patterns", lang),
                            f"{pattern!r} is not a regular expression ({e})",
                        )
                    )
    texts = r.text.items() if isinstance(r.text, dict) else [("", r.text or "x")]
    for lang, text in texts:
        if not text.strip():
            empty: Loc = (*loc, "text", lang) if lang else (*loc, "text")
            out.append(config.problem(empty, "an empty replacement (expected text to show)"))
    return out


def _bad_lang(lang: object) -> str:
    return f"{lang!r} is not a language code (expected ISO 639-1 such as en, ar, bs)"


def _check_clip(config: Config, name: str, clip: ClipSpec) -> list[Problem]:
    out = []
    sources = config.project.sources
    if not clip.cuts:
        out.append(config.problem(("clips", name, "cuts"), "no cuts (expected at least one)"))
    for i, cut in enumerate(clip.cuts):
        loc: Loc = ("clips", name, "cuts", i)
        if cut.source not in sources:
            out.append(
                config.problem(
                    (*loc, "source"),
                    f"unknown source {cut.source!r} (expected one of: {', '.join(sources)})",
                )
            )
        out += _check_cut_kind(config, loc, cut)
        if cut.start is None or cut.end is None:
            continue
        frameless = cut.start.frames == cut.end.frames == 0  # else checked once fps is known
        if frameless and cut.end.ms <= cut.start.ms:
            out.append(
                config.problem(
                    (*loc, "end"),
                    f"end {cut.end} is not after start {cut.start} (expected end > start)",
                )
            )
    subs = clip.subtitles
    for lang, mode in subs.languages.items():
        lang_loc: Loc = ("clips", name, "subtitles", "languages", lang)
        if not LANG_RE.match(str(lang)):
            out.append(config.problem(lang_loc, _bad_lang(lang)))
        elif isinstance(mode, FromSource):
            missing = sorted(
                {
                    c.source
                    for c in clip.cuts
                    if c.source in sources and lang not in sources[c.source].subtitles
                }
            )
            out += [
                config.problem(
                    lang_loc,
                    f"source {s!r} has no {lang!r} subtitles (expected "
                    f"sources.{s}.subtitles.{lang})",
                )
                for s in missing
            ]
    for i, lang in enumerate(subs.burn):
        if lang not in ("all", "nosubs") and lang not in subs.languages:
            out.append(
                config.problem(
                    ("clips", name, "subtitles", "burn", i),
                    f"cannot burn {lang!r}: not in languages (expected one "
                    f"of: {', '.join(subs.languages) or 'none defined'})",
                )
            )
    return out
