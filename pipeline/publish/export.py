"""A clip's edit as an OpenTimelineIO timeline, for an editor to finish it in an NLE (pure).

Each cut becomes a clip that references the original source file at its source timecodes,
counted in frames of the clip's output rate, so an EDL, FCP XML or OTIO file conforms to the
very frames the MP4 holds. Quotes and redactions become markers on the cuts they fall in.

A clip with redactions references its rendered, redacted MP4 instead (``rendered``): each cut
at its place in that file, so that the edit can be reworked but the unredacted source is never
what a shared timeline points at.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import opentimelineio as otio

from pipeline.core.errors import BuildError
from pipeline.core.model import MediaInfo, Span, Timeline, TimelineSpan

RT = otio.opentime.RationalTime
TR = otio.opentime.TimeRange


@dataclass(frozen=True)
class Format:
    """An export format: the OpenTimelineIO adapter that writes it and the file suffix."""

    adapter: str
    suffix: str
    description: str
    whole_rates: bool = False  # the adapter cannot write 29.97 or 23.976 fps


FORMATS = {
    "otio": Format("otio_json", ".otio", "OpenTimelineIO JSON"),
    "edl": Format("cmx_3600", ".edl", "CMX 3600 EDL (video events only)"),
    "fcpxml": Format(
        "fcpx_xml", ".fcpxml", "Final Cut Pro X XML (also DaVinci Resolve)", whole_rates=True
    ),
    "xml": Format("fcp_xml", ".xml", "Final Cut Pro 7 XML (Premiere Pro, Resolve)"),
}


@dataclass(frozen=True)
class Mark:
    """Something to flag on the edit, in source time: a quote or a redaction."""

    kind: str  # "quote" or "redaction"
    source: str
    span: Span
    label: str


COLOURS = {"quote": otio.schema.MarkerColor.GREEN, "redaction": otio.schema.MarkerColor.RED}


def to_frame(ms: int, fps: Fraction) -> int:
    """The frame (at ``fps``) nearest to a time in milliseconds.

    >>> to_frame(17000, Fraction(25)), to_frame(1001, Fraction(30000, 1001))
    (425, 30)
    """
    return round(Fraction(ms) * fps / 1000)


def reel_names(sources: Sequence[str]) -> dict[str, str]:
    """A CMX 3600 reel name for each source id: up to 8 letters and digits, all different.

    >>> reel_names(["interview", "interview_2", "b-roll", "интервью"])
    {'interview': 'INTERVIE', 'interview_2': 'INTERV01', 'b-roll': 'BROLL', 'интервью': 'REEL03'}
    """
    reels: dict[str, str] = {}
    for i, sid in enumerate(sources):
        base = "".join(c for c in sid.upper() if c.isascii() and c.isalnum())[:8] or f"REEL{i:02d}"
        reel, n = base, 0
        while reel in reels.values():
            n += 1
            suffix = f"{n:02d}"
            reel = base[: 8 - len(suffix)] + suffix
        reels[sid] = reel
    return reels


def build_otio(
    name: str,
    timeline: Timeline,
    media: Mapping[str, MediaInfo],
    marks: Sequence[Mark] = (),
    rendered: MediaInfo | None = None,
) -> Any:
    """The clip as an ``otio.schema.Timeline``: a video and an audio track of its cuts (a gap
    in the audio for a silent source), the markers on the video clips. With ``rendered`` (the
    clip's own MP4), every cut references that file at its place on the clip."""
    rate = float(timeline.fps)
    reels = reel_names(list(dict.fromkeys(ts.source for ts in timeline.spans)))
    result = otio.schema.Timeline(name=name, global_start_time=RT(0, rate))
    video = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    sound = otio.schema.Track(name="A1", kind=otio.schema.TrackKind.Audio)
    for ts in timeline.spans:
        cut = ts if rendered is None else on_clip(ts, timeline.fps)
        info = media[ts.source] if rendered is None else rendered
        reel = reels[ts.source] if rendered is None else reel_names(["clip"])["clip"]
        clip = _clip(cut, info, timeline.fps, reel)
        for mark in marks:
            marker = _marker(mark if rendered is None else _shifted(mark, ts), cut, timeline.fps)
            if marker is not None:
                clip.markers.append(marker)
        video.append(clip)
        if info.has_audio:
            sound.append(_clip(cut, info, timeline.fps, reel))
        else:
            sound.append(otio.schema.Gap(source_range=TR(RT(0, rate), RT(cut.frames, rate))))
    result.tracks.append(video)
    result.tracks.append(sound)
    return result


def on_clip(ts: TimelineSpan, fps: Fraction) -> TimelineSpan:
    """A cut as a span of the rendered clip: its frames on screen, in the clip's time.

    >>> cut = on_clip(TimelineSpan("a", Span(9000, 13000), 25, 100, Span(1000, 5000)), 25)
    >>> cut.src, cut.first_frame, cut.frames
    (Span(start_ms=1000, end_ms=5000), 25, 100)
    """
    first, last = ts.screen_frames(fps)
    return TimelineSpan(ts.source, ts.clip, first, last - first + 1, ts.clip)


def _shifted(mark: Mark, ts: TimelineSpan) -> Mark:
    """A mark in source time moved to the clip's time, inside the cut ``ts``."""
    if mark.source != ts.source:
        return mark
    shift = ts.shift_ms
    span = Span(mark.span.start_ms + shift, mark.span.end_ms + shift)
    return Mark(mark.kind, mark.source, span, mark.label)


def _clip(ts: TimelineSpan, info: MediaInfo, fps: Fraction, reel: str) -> Any:
    """One cut: the source file, from the cut's first source frame, for the cut's frames."""
    rate = float(fps)
    length = max(
        math.ceil(info.duration_ms * fps / 1000), to_frame(ts.src.start_ms, fps) + ts.frames
    )
    reference = otio.schema.ExternalReference(
        target_url=info.path.resolve().as_uri(),
        available_range=TR(RT(0, rate), RT(length, rate)),
    )
    return otio.schema.Clip(
        name=info.path.name,
        media_reference=reference,
        source_range=TR(RT(to_frame(ts.src.start_ms, fps), rate), RT(ts.frames, rate)),
        metadata={"cmx_3600": {"reel": reel}, "build_clip": {"source": ts.source}},
    )


def _marker(mark: Mark, ts: TimelineSpan, fps: Fraction) -> Any | None:
    """A marker for the part of ``mark`` inside one cut (in the source's time), or None."""
    if mark.source != ts.source:
        return None
    part = mark.span.intersect(ts.src) if mark.span.duration_ms else None
    if part is None and not (ts.src.start_ms <= mark.span.start_ms < ts.src.end_ms):
        return None
    part = part or mark.span
    first = to_frame(ts.src.start_ms, fps)
    start = min(max(first, to_frame(part.start_ms, fps)), first + ts.frames - 1)
    end = min(max(start, to_frame(part.end_ms, fps)), first + ts.frames)
    rate = float(fps)
    return otio.schema.Marker(
        name=(f"{mark.kind}: {mark.label}" if mark.label else mark.kind)[:80],
        marked_range=TR(RT(start, rate), RT(end - start, rate)),
        color=COLOURS.get(mark.kind, otio.schema.MarkerColor.YELLOW),
        metadata={"build_clip": {"kind": mark.kind, "text": mark.label}},
    )


def quote_marks(quotes: Sequence[str | None], timeline: Timeline) -> list[Mark]:
    """A mark over each cut that was found by a quote (``quotes``: each cut's, or None)."""
    return [
        Mark("quote", ts.source, ts.src, q)
        for q, ts in zip(quotes, timeline.spans, strict=True)
        if q
    ]


def redaction_marks(entries: object, timeline: Timeline) -> list[Mark]:
    """Marks from the manifest's ``redactions``: records with ``source`` and ``source_span``
    (source time), or with ``clip_span`` (clip time); ``start_ms``/``end_ms`` in the record
    itself stand for the span. Records of another shape are left out."""
    marks = []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        label = next((str(entry[k]) for k in ("label", "reason", "kind", "text") if k in entry), "")
        if "source" in entry and (span := _span(entry.get("source_span", entry))):
            marks.append(Mark("redaction", str(entry["source"]), span, label))
        elif span := _span(entry.get("clip_span", entry)):
            marks += [
                Mark("redaction", sid, part, label) for sid, part in _to_source(span, timeline)
            ]
    return marks


def clip_redaction_marks(spans: Sequence[Span], timeline: Timeline) -> list[Mark]:
    """Marks of the redactions a plan placed on the clip (``spans``, clip time), on the
    source spans they hide."""
    return [
        Mark("redaction", sid, part, "")
        for span in spans
        for sid, part in _to_source(span, timeline)
    ]


def _to_source(span: Span, timeline: Timeline) -> list[tuple[str, Span]]:
    """A clip-time span as the source spans it shows (a point in time: the one it falls in)."""
    found = []
    for ts in timeline.spans:
        part = span.intersect(ts.clip) if span.duration_ms else None
        if part is None and ts.clip.start_ms <= span.start_ms < ts.clip.end_ms:
            part = span
        if part is not None:
            offset = ts.src.start_ms - ts.clip.start_ms
            found.append((ts.source, Span(part.start_ms + offset, part.end_ms + offset)))
    return found


def _span(value: object) -> Span | None:
    if isinstance(value, dict) and {"start_ms", "end_ms"} <= value.keys():
        with contextlib.suppress(TypeError, ValueError):
            return Span(int(value["start_ms"]), int(value["end_ms"]))
    return None


def to_string(timeline: Any, fmt: str) -> str:
    """The timeline written by the adapter of ``fmt`` (a key of FORMATS).

    Raises:
        BuildError: the adapter cannot write this timeline.
    """
    rate = float(timeline.duration().rate)
    if FORMATS[fmt].whole_rates and rate != int(rate):
        raise BuildError(
            f"cannot write {fmt} at {rate:.3f} fps: OpenTimelineIO's FCP X XML adapter handles "
            "only whole frame rates (expected a rendition fps such as 25 or 30, or --format xml)"
        )
    try:
        text: str = otio.adapters.write_to_string(timeline, FORMATS[fmt].adapter)
    except otio.exceptions.OTIOError as e:
        raise BuildError(f"cannot write {fmt}: {e}") from None
    return text
