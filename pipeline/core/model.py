"""Frozen value types shared by the stages; every time is an integer number of milliseconds."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path


@dataclass(frozen=True, order=True)
class Span:
    """Half-open interval ``[start_ms, end_ms)``."""

    start_ms: int
    end_ms: int

    @property
    def duration_ms(self) -> int:
        return self.end_ms - self.start_ms

    def intersect(self, other: Span) -> Span | None:
        """The overlap of two spans, or None when they do not overlap."""
        start, end = max(self.start_ms, other.start_ms), min(self.end_ms, other.end_ms)
        return Span(start, end) if end > start else None


@dataclass(frozen=True)
class Word:
    """One transcribed word, in source time, as a reader sees it.

    ``pieces`` are the engine's own pieces when it gave the word in several (" ill" +
    "-disposed"), kept for provenance; nothing else reads them.
    """

    span: Span
    text: str
    probability: float = 1.0
    pieces: tuple[Word, ...] = ()


@dataclass(frozen=True)
class Segment:
    """A transcribed segment (roughly a sentence), in source time."""

    span: Span
    text: str
    words: tuple[Word, ...] = ()
    probability: float = 1.0
    flags: tuple[str, ...] = ()  # "repetition", "too-fast": likely hallucinations


OptionValue = str | int | float | bool | None


@dataclass(frozen=True)
class Provenance:
    """How a transcript was made: enough to tell whether a cached one still applies."""

    engine: str
    model: str
    model_sha256: str
    media_sha256: str
    options: tuple[tuple[str, OptionValue], ...] = ()


@dataclass(frozen=True)
class Transcript:
    """The word-level transcript of one source: the single source of timing truth."""

    language: str
    segments: tuple[Segment, ...]
    language_probability: float = 1.0
    duration_ms: int = 0
    provenance: Provenance | None = None

    @property
    def words(self) -> tuple[Word, ...]:
        return tuple(w for s in self.segments for w in s.words)


@dataclass(frozen=True)
class Cue:
    """One subtitle cue; source time or clip time depending on the stage."""

    span: Span
    text: str


@dataclass(frozen=True)
class MediaInfo:
    """What ffprobe says about a source, reduced to what planning needs.

    Attributes:
        width: display width (rotation and sample aspect ratio applied).
        height: display height.
        fps: the average frame rate, as an exact fraction.
        vfr: True when the stream's nominal and average rates differ (phone footage).
        rotation: degrees from the display matrix (0, 90, 180, 270).
    """

    path: Path
    duration_ms: int
    width: int
    height: int
    fps: Fraction
    has_audio: bool
    sample_rate: int = 48000
    channels: int = 2
    sar: Fraction = Fraction(1)
    rotation: int = 0
    vfr: bool = False


@dataclass(frozen=True)
class TimelineSpan:
    """One cut placed on the clip: a source span and where it lands in the clip.

    Clip positions are whole frames at the output rate, so the audio and video of every
    segment have exactly the same length and no drift accumulates over many cuts.

    With transitions, neighbouring segments overlap: ``whole`` is all of a segment's place
    on the clip, ``clip`` the part where it is the picture on screen (from the middle of one
    transition to the middle of the next), which is where its subtitles show.
    """

    source: str
    src: Span
    first_frame: int
    frames: int
    clip: Span
    whole: Span | None = None

    @property
    def shift_ms(self) -> int:
        """Clip time minus source time, inside this segment."""
        return (self.whole or self.clip).start_ms - self.src.start_ms

    def screen_frames(self, fps: Fraction) -> tuple[int, int]:
        """The first and last frame (numbered from 0 at ``fps``) where this cut is on screen.

        >>> TimelineSpan("a", Span(0, 4000), 25, 100, Span(1000, 5000)).screen_frames(Fraction(25))
        (25, 124)
        """
        return round(self.clip.start_ms * fps / 1000), round(self.clip.end_ms * fps / 1000) - 1


@dataclass(frozen=True)
class Timeline:
    """A clip: the ordered source spans and the output frame rate they are counted in.

    ``overlap`` is the length of each transition between segments, in frames.
    """

    spans: tuple[TimelineSpan, ...]
    fps: Fraction
    overlap: int = 0
    lead: int = 0  # frames before the first cut (intro bumper, title card)
    tail: int = 0  # frames after the last cut (end card, outro bumper)

    @property
    def frames(self) -> int:
        cuts = sum(s.frames for s in self.spans) - self.overlap * max(0, len(self.spans) - 1)
        return self.lead + cuts + self.tail

    @property
    def duration_ms(self) -> int:
        return round(self.frames * 1000 / self.fps)

    @property
    def duration(self) -> Fraction:
        """The exact duration in seconds."""
        return self.frames / self.fps
