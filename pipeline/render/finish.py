"""A clip's finish: what is done to it after cutting (redactions, loudness, transitions,
branding, cards and bumpers), planned before the render and applied by its one encode.

"Finish" names this and only this in build-clip: ``Finish`` and the ``finish`` of a job.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.analysis.faces.values import Track
from pipeline.config.schema import LogoSpec
from pipeline.core.model import MediaInfo, Span
from pipeline.render.voice import Disguise


@dataclass(frozen=True)
class Redaction:
    """Something hidden in the clip: a clip-time span, its sound replaced and/or a region blurred.

    ``blur`` is ``(x, y, w, h)`` as fractions of the source frame.
    """

    span: Span
    audio: str | None = None
    blur: tuple[float, float, float, float] | None = None


@dataclass(frozen=True)
class Card:
    """A title or end card: a colour (``#RRGGBB``) or an image, for ``frames`` frames; its
    text comes as an ASS file at render time."""

    frames: int
    background: str
    image: Path | None = None


@dataclass(frozen=True)
class Bumper:
    """An intro or outro video, played whole, normalised like any cut."""

    info: MediaInfo
    frames: int


Extra = Card | Bumper


@dataclass(frozen=True)
class Finish:
    """What is done to a clip after cutting: redactions, and the loudness filter, if any
    (pass 2 of loudness normalisation: a gain, or loudnorm when the peaks need it).

    ``disguise``: the voices shifted, as (source id, semitones), applied to each cut of a
    listed source before anything else hears its sound (pipeline/render/voice.py)."""

    redactions: tuple[Redaction, ...] = ()
    loudness: str | None = None
    transition: str = "fade"  # xfade's name for the transitions of an overlapping timeline
    logo: LogoSpec | None = None
    lead: tuple[Extra, ...] = ()  # before the first cut: intro, title card
    tail: tuple[Extra, ...] = ()  # after the last cut: end card, outro
    disguise: Disguise = ()
    # The face tracks hidden, as (source id, track), and how (blur, pixelate or box):
    # pipeline/render/faces.py.
    faces: tuple[tuple[str, Track], ...] = ()
    face_mode: str = "blur"
