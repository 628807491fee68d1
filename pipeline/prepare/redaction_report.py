"""Where each redacted term matched in a clip: heard in its cuts, written in each language (pure).

`build-clip check` reports the counts, so that an editor sees a term that matched nothing (a
misspelt name redacts nothing), and each place a term is written in a subtitle of a cut whose
transcript never hears it there: that sound is bleeped only if it is redacted by time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pipeline.config.schema import RedactSpec
from pipeline.core.model import Cue, Span, Timeline, Transcript
from pipeline.core.redaction import Matcher, terms
from pipeline.render.redact import said


@dataclass(frozen=True)
class Tally:
    """How many places one term of ``redact[index]`` matched: words heard inside the cuts,
    and cues written, per language (mapped onto the clip)."""

    index: int
    term: str
    source: str
    audio: int = 0
    langs: tuple[tuple[str, int], ...] = ()

    def plus(self, other: Tally) -> Tally:
        """The counts of two clips together."""
        langs = dict(self.langs)
        for lang, n in other.langs:
            langs[lang] = langs.get(lang, 0) + n
        return Tally(
            self.index, self.term, self.source, self.audio + other.audio, tuple(langs.items())
        )

    @property
    def total(self) -> int:
        return self.audio + sum(n for _, n in self.langs)


@dataclass(frozen=True)
class Unheard:
    """A term of ``redact[index]`` written in a cue of ``lang`` (at ``clip_ms`` on the clip)
    whose cut never says it (in the transcript): at ``source_ms`` of ``source`` (None when
    the cue is on no cut: over a title card)."""

    index: int
    term: str
    lang: str
    clip_ms: int
    source: str | None = None
    source_ms: int | None = None


def _cut_of(span: Span, timeline: Timeline) -> int | None:
    """The cut a cue shows over (the one it overlaps most), or None."""
    overlaps = [
        (part.duration_ms, k)
        for k, ts in enumerate(timeline.spans)
        if (part := span.intersect(ts.clip)) is not None
    ]
    return max(overlaps)[1] if overlaps else None


def tally_clip(
    specs: Sequence[RedactSpec],
    timeline: Timeline,
    transcripts: Mapping[str, Transcript],
    tracks: Mapping[str, Sequence[Cue]],
) -> tuple[list[Tally], list[Unheard]]:
    """Each term's counts in one clip (``tracks``: each language's cues on the clip, before
    redaction), and every place a term whose sound is redacted (bleeped or muted) is written
    where its cut does not say it.

    A term counts where it is redacted: in a clip that uses its redaction's source.
    """
    tallies, unheard = [], []
    used = {ts.source for ts in timeline.spans}
    for index, spec in enumerate(specs):
        if not spec.words:
            continue
        audio: Counter[str] = Counter()
        heard: set[tuple[int, str]] = set()  # (cut, term)
        written = {lang: Counter[str]() for lang in tracks}
        if spec.source in used:
            for span, term in said(spec, transcripts.get(spec.source)):
                for k, ts in enumerate(timeline.spans):
                    if ts.source == spec.source and span.intersect(ts.src):
                        audio[term] += 1
                        heard.add((k, term))
            matcher = Matcher(terms(spec.words))
            for lang, cues in tracks.items():
                for cue in cues:
                    for hit in matcher.find(cue.text, lang):
                        written[lang][hit.term] += 1
                        cut = _cut_of(cue.span, timeline)
                        if spec.audio and (cut is None or (cut, hit.term) not in heard):
                            unheard.append(_unheard(index, hit.term, lang, cue, timeline, cut))
        for name in dict.fromkeys(t.term for t in terms(spec.words)):
            langs = tuple((lang, n[name]) for lang, n in written.items())
            tallies.append(Tally(index, name, spec.source, audio[name], langs))
    return tallies, list(dict.fromkeys(unheard))


def _unheard(
    index: int, term: str, lang: str, cue: Cue, timeline: Timeline, k: int | None
) -> Unheard:
    at = cue.span.start_ms
    if k is None:
        return Unheard(index, term, lang, at)
    ts = timeline.spans[k]
    at = max(at, ts.clip.start_ms)
    return Unheard(index, term, lang, at, ts.source, at - ts.shift_ms)


def add_up(tallies: Sequence[Tally]) -> list[Tally]:
    """The counts of every clip together, one per term, in the config's order."""
    out: dict[tuple[int, str], Tally] = {}
    for t in tallies:
        key = (t.index, t.term)
        out[key] = out[key].plus(t) if key in out else t
    return sorted(out.values(), key=lambda t: t.index)
