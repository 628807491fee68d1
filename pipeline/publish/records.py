"""The parts of a clip's manifest, as frozen records: each reads its JSON and writes it back.

``from_json`` takes what ``json.loads`` gave and raises ``Unreadable`` for a value of the
wrong type; an entry that is missing takes its default (None: not recorded), so the review
page can tell a missing entry from an empty one. ``to_json`` writes the keys and values the
manifest has always had. The records of outputs are in pipeline/publish/output_record.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from pipeline.config.schema import CutSpec
from pipeline.core.model import Span, TimelineSpan
from pipeline.core.timecode import format_ms
from pipeline.edit.cuts import ResolvedCut

Json = dict[str, Any]


class Unreadable(ValueError):
    """A manifest value of the wrong type."""


def field_of(data: Mapping[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    """``data[key]`` when it is a ``kind`` (a bool is no number), None when missing or null."""
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, kind) or (isinstance(value, bool) and bool not in kinds_of(kind)):
        raise Unreadable(f"{key}: expected {kind}, got {type(value).__name__}")
    return value


def kinds_of(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def mapping_of(value: object, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise Unreadable(f"{what}: expected an object, got {type(value).__name__}")
    return value


def list_of(data: Mapping[str, Any], key: str) -> list[Any] | None:
    found: list[Any] | None = field_of(data, key, list)
    return found


NUMBER = (int, float)


@dataclass(frozen=True)
class SpanRecord:
    """A span as timecodes and milliseconds."""

    start: str
    end: str
    start_ms: int
    end_ms: int

    @classmethod
    def of(cls, span: Span) -> SpanRecord:
        return cls(format_ms(span.start_ms), format_ms(span.end_ms), span.start_ms, span.end_ms)

    def to_json(self) -> Json:
        return {
            "start": self.start,
            "end": self.end,
            "start_ms": self.start_ms,
            "end_ms": self.end_ms,
        }

    @classmethod
    def from_json(cls, value: object) -> SpanRecord | None:
        if value is None:
            return None
        data = mapping_of(value, "span")
        start_ms, end_ms = field_of(data, "start_ms", int) or 0, field_of(data, "end_ms", int) or 0
        start = field_of(data, "start", str) or format_ms(start_ms)
        return cls(start, field_of(data, "end", str) or format_ms(end_ms), start_ms, end_ms)


@dataclass(frozen=True)
class WordRecord:
    """A word kept by a cut, in source time (None: not recorded)."""

    text: str
    start_ms: int | None = None
    end_ms: int | None = None

    def to_json(self) -> Json:
        return {"text": self.text, "start_ms": self.start_ms, "end_ms": self.end_ms}

    @classmethod
    def from_json(cls, value: object) -> WordRecord:
        data = mapping_of(value, "word")
        return cls(
            field_of(data, "text", str) or "",
            field_of(data, "start_ms", int),
            field_of(data, "end_ms", int),
        )


@dataclass(frozen=True)
class CutRecord:
    """Where one cut came from: as written, as found, as cut, and what was said around it.

    ``written``: the config's words -- ``{"quote": ...}`` or ``{"start": ..., "end": ...}``.
    ``verification``: the cut's words heard again (pipeline/verify/words.py ``record``), or
    None when it was not verified.
    """

    source: str = "?"
    written: Mapping[str, str] | None = None
    requested: SpanRecord | None = None  # the timecodes, or the quote's words
    source_span: SpanRecord | None = None  # after snapping to word edges
    snapped: bool = False
    clip_span: SpanRecord | None = None
    frames: int | None = None
    clip_frames: tuple[int, ...] | None = None
    quote: str | None = None
    words: tuple[WordRecord, ...] | None = None
    text: str | None = None
    context_before: str | None = None
    context_after: str | None = None
    verification: Mapping[str, Any] | None = None

    @classmethod
    def of(cls, spec: CutSpec, cut: ResolvedCut, ts: TimelineSpan, fps: Fraction) -> CutRecord:
        written = (
            {"quote": spec.quote}
            if spec.quote is not None
            else {"start": str(spec.start), "end": str(spec.end)}
        )
        return cls(
            source=cut.source,
            written=written,
            requested=SpanRecord.of(cut.requested),
            source_span=SpanRecord.of(cut.span),
            snapped=cut.requested != cut.span,
            clip_span=SpanRecord.of(ts.clip),
            frames=ts.frames,
            clip_frames=tuple(ts.screen_frames(fps)),
            quote=cut.quote,
            words=tuple(
                WordRecord(w.text.strip(), w.span.start_ms, w.span.end_ms) for w in cut.words
            ),
            text=" ".join(w.text.strip() for w in cut.words),
            context_before=cut.before,
            context_after=cut.after,
        )

    @property
    def recorded(self) -> bool:
        """Whether the manifest records the cut's words and context."""
        return any(v is not None for v in (self.words, self.context_before, self.context_after))

    def to_json(self) -> Json:
        data: Json = {
            "source": self.source,
            "written": dict(self.written or {}),
            "requested": _span_json(self.requested),
            "source_span": _span_json(self.source_span),
            "snapped": self.snapped,
            "clip_span": _span_json(self.clip_span),
            "frames": self.frames,
            "clip_frames": None if self.clip_frames is None else list(self.clip_frames),
            "quote": self.quote,
            "words": None if self.words is None else [w.to_json() for w in self.words],
            "text": self.text,
            "context_before": self.context_before,
            "context_after": self.context_after,
        }
        if self.verification is not None:
            data["verification"] = dict(self.verification)
        return data

    @classmethod
    def from_json(cls, value: object) -> CutRecord:
        data = mapping_of(value, "cut")
        written = field_of(data, "written", Mapping)
        if written is not None and not all(isinstance(v, str) for v in written.values()):
            raise Unreadable("written: expected text")
        words = list_of(data, "words")
        frames = list_of(data, "clip_frames")
        return cls(
            source=field_of(data, "source", str) or "?",
            written=None if written is None else dict(written),
            requested=SpanRecord.from_json(data.get("requested")),
            source_span=SpanRecord.from_json(data.get("source_span")),
            snapped=bool(field_of(data, "snapped", bool)),
            clip_span=SpanRecord.from_json(data.get("clip_span")),
            frames=field_of(data, "frames", int),
            clip_frames=None if frames is None else tuple(int(f) for f in frames),
            quote=field_of(data, "quote", str),
            words=None if words is None else tuple(_word(w) for w in words),
            text=field_of(data, "text", str),
            context_before=field_of(data, "context_before", str),
            context_after=field_of(data, "context_after", str),
            verification=field_of(data, "verification", Mapping),
        )


def _word(value: object) -> WordRecord:
    return WordRecord(value) if isinstance(value, str) else WordRecord.from_json(value)


def _span_json(span: SpanRecord | None) -> Json | None:
    return None if span is None else span.to_json()


@dataclass(frozen=True)
class SourceRecord:
    """A source file a clip was cut from, and its content hash."""

    file: str = ""
    sha256: str | None = None
    duration_ms: int | None = None

    def to_json(self) -> Json:
        return {"file": self.file, "sha256": self.sha256, "duration_ms": self.duration_ms}

    @classmethod
    def from_json(cls, value: object) -> SourceRecord:
        data = mapping_of(value, "source")
        return cls(
            field_of(data, "file", str) or "",
            field_of(data, "sha256", str),
            field_of(data, "duration_ms", int),
        )


@dataclass(frozen=True)
class LanguageRecord:
    """Where one language's subtitles came from (``from``: source, transcript or a file)."""

    made_from: str = ""
    cues: int | None = None

    def to_json(self) -> Json:
        return {"from": self.made_from, "cues": self.cues}

    @classmethod
    def from_json(cls, value: object) -> LanguageRecord:
        data = mapping_of(value, "language")
        return cls(field_of(data, "from", str) or "", field_of(data, "cues", int))


@dataclass(frozen=True)
class LintRecord:
    """A warning of the build's lint (pipeline/subtitles/lint.py ``Finding``)."""

    rule: str
    severity: str
    lang: str
    where: str
    message: str

    def to_json(self) -> Json:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "lang": self.lang,
            "where": self.where,
            "message": self.message,
        }

    @classmethod
    def from_json(cls, value: object) -> LintRecord:
        data = mapping_of(value, "lint")
        rule, severity, lang, where, message = (
            field_of(data, k, str) or "" for k in ("rule", "severity", "lang", "where", "message")
        )
        return cls(rule, severity, lang, where, message)


@dataclass(frozen=True)
class RedactionRecord:
    """Something hidden in the clip, in clip time: its sound (bleep, mute) and/or a region."""

    clip_span: SpanRecord
    audio: str | None = None
    blur: tuple[float, ...] | None = None

    def to_json(self) -> Json:
        blur = None if self.blur is None else list(self.blur)
        return {"clip_span": self.clip_span.to_json(), "audio": self.audio, "blur": blur}

    @classmethod
    def from_json(cls, value: object) -> RedactionRecord:
        data = mapping_of(value, "redaction")
        span = SpanRecord.from_json(data.get("clip_span"))
        if span is None:
            raise Unreadable("redaction: no clip_span")
        blur = list_of(data, "blur")
        if blur is not None and not all(isinstance(v, NUMBER) for v in blur):
            raise Unreadable("blur: expected numbers")
        return cls(span, field_of(data, "audio", str), None if blur is None else tuple(blur))


def records(values: object, read: Any, what: str) -> tuple[Any, ...] | None:
    """A list of records read one by one with ``read`` (None: not recorded)."""
    if values is None:
        return None
    if not isinstance(values, Sequence) or isinstance(values, str):
        raise Unreadable(f"{what}: expected a list")
    return tuple(read(v) for v in values)
