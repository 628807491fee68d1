"""The config file: YAML -> validated, frozen Project; every problem reported with file:line."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from pipeline.config.faces import FacesSpec
from pipeline.config.sources import LanguageSource, language_source
from pipeline.config.voice import VoiceSpec
from pipeline.config.yamlsource import Loc, Locator, line_of
from pipeline.core.errors import Problem
from pipeline.core.timecode import Timecode, parse_timecode

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
LANG_RE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?$")
SUBTITLE_MODES = ("source", "transcript")


def _timecode(value: object) -> Timecode:
    if isinstance(value, Timecode):
        return value
    try:
        return parse_timecode(value)
    except ValueError as e:
        raise PydanticCustomError("timecode", str(e)) from None


def _path(value: object, info: ValidationInfo) -> Path:
    if not isinstance(value, str) or not value.strip():
        raise PydanticCustomError("path", f"{value!r} is not a file path (expected a string)")
    base: Path = (info.context or {}).get("base", Path("."))
    return Path(os.path.normpath(base / value))


def _size(value: object) -> tuple[int, int]:
    if isinstance(value, tuple):  # already parsed (a default)
        value = "x".join(map(str, value))
    m = re.fullmatch(r"(\d{2,5})x(\d{2,5})", str(value)) if isinstance(value, str) else None
    if not m or int(m.group(1)) % 2 or int(m.group(2)) % 2:
        raise PydanticCustomError(
            "size",
            f"{value!r} is not a frame size (expected WIDTHxHEIGHT in even numbers, "
            "e.g. 1920x1080)",
        )
    return int(m.group(1)), int(m.group(2))


TimecodeField = Annotated[Timecode, BeforeValidator(_timecode)]
PathField = Annotated[Path, BeforeValidator(_path)]
SizeField = Annotated[tuple[int, int], BeforeValidator(_size)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)


class SourceSpec(_Model):
    """A source file, its whole-interview subtitle files (source time) per language, and
    how its speaker's voice is disguised (pipeline/config/voice.py), if at all."""

    file: PathField
    subtitles: dict[str, PathField] = Field(default_factory=dict)
    voice: VoiceSpec | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        return {"file": value} if isinstance(value, str) else value


class CutSpec(_Model):
    """One cut: a span of a source in source time, given by timecodes or by a quote.

    A quote is found in the source's transcript; ``near`` or ``occurrence`` pick one when it
    is said more than once. ``snap: none`` keeps timecodes exactly as written, even inside
    a word.
    """

    source: str
    start: TimecodeField | None = None
    end: TimecodeField | None = None
    quote: str | None = Field(default=None, min_length=1)
    near: TimecodeField | None = None
    occurrence: int | None = Field(default=None, ge=1)
    snap: Literal["words", "none"] = "words"


class SubtitleSpec(_Model):
    """Which languages a clip has, where each comes from, and which are burned in."""

    burn: tuple[str, ...] = ()
    languages: dict[
        str, Annotated[LanguageSource, PlainValidator(language_source), PlainSerializer(str)]
    ] = Field(default_factory=dict)

    @field_validator("burn", mode="before")
    @classmethod
    def _burn(cls, value: Any) -> Any:
        if value is None or value == "none":
            return ()
        return (value,) if isinstance(value, str) else value

    @field_validator("languages", mode="before")
    @classmethod
    def _languages(cls, value: Any, info: ValidationInfo) -> Any:
        if not isinstance(value, dict):
            return value
        base: Path = (info.context or {}).get("base", Path("."))
        return {
            k: v if v in SUBTITLE_MODES or not isinstance(v, str) else str(base / v)
            for k, v in value.items()
        }


class TransitionSpec(_Model):
    """A transition between every two cuts: a dissolve, or a dip to black."""

    type: Literal["dissolve", "fade-black"] = "dissolve"
    duration: float = Field(default=0.3, ge=0.04, le=2.0)


class ClipSpec(_Model):
    """A clip: cuts in order, its subtitles, and transitions between cuts (none: hard cuts).

    ``voice`` disguises every cut's voice, overriding its source's ``voice``; ``faces``
    replaces the project's ``faces`` (pipeline/config/faces.py)."""

    cuts: tuple[CutSpec, ...]
    subtitles: SubtitleSpec = SubtitleSpec()
    transition: TransitionSpec | None = None
    title: CardSpec | None = None
    end: CardSpec | None = None
    voice: VoiceSpec | None = None
    faces: FacesSpec | None = None


class LayoutSpec(_Model):
    """Subtitle layout in one rendition; unset values come from the style and the frame.

    ``size`` and ``margin`` are shares of the frame height; ``chars`` is the longest line.
    """

    size: float | None = Field(default=None, gt=0.01, le=0.2)
    margin: float | None = Field(default=None, ge=0, le=0.4)
    chars: int | None = Field(default=None, ge=10, le=80)
    lines: int | None = Field(default=None, ge=1, le=4)


class RenditionSpec(_Model):
    """An output frame: size, how the picture fits it, frame rate and encoder settings.

    ``fit``: pad (bars), crop (fill, cut the edges; ``focus`` is the point kept in view as
    fractions of the frame), or blur (the picture fitted over a blurred copy of itself).
    """

    size: SizeField
    fit: Literal["pad", "crop", "blur"] = "pad"
    focus: tuple[float, float] = (0.5, 0.5)
    subtitles: LayoutSpec = LayoutSpec()
    fps: float | None = Field(default=None, gt=0, le=120)
    preset: Literal[
        "ultrafast",
        "superfast",
        "veryfast",
        "faster",
        "fast",
        "medium",
        "slow",
        "slower",
        "veryslow",
    ] = "veryfast"
    crf: int = Field(default=20, ge=0, le=51)
    audio_bitrate: Literal["96k", "128k", "160k", "192k", "256k", "320k"] = "160k"


class StyleSpec(_Model):
    """Burned subtitle look; sizes are shares of the frame height."""

    font: str = "Noto Sans"
    fonts: dict[str, str] = Field(default_factory=dict)  # per language, e.g. {ar: ...}
    size: float = Field(default=0.055, gt=0.01, le=0.2)
    margin: float = Field(default=0.08, ge=0, le=0.4)
    outline: float = Field(default=0.1, ge=0, le=0.5)


class LogoSpec(_Model):
    """A watermark: a PNG in a corner, its width a share of the frame's, at some opacity."""

    file: PathField
    position: Literal["top-left", "top-right", "bottom-left", "bottom-right"] = "top-right"
    width: float = Field(default=0.12, gt=0.01, le=1)
    opacity: float = Field(default=0.85, ge=0, le=1)
    margin: float = Field(default=0.03, ge=0, le=0.4)


COLOUR_RE = re.compile(r"^#[0-9A-Fa-f]{6}$")


def _colour(value: object) -> str:
    names = {"black": "#000000", "white": "#FFFFFF", "yellow": "#FFFF00", "grey": "#808080"}
    if isinstance(value, str) and (value.lower() in names or COLOUR_RE.match(value)):
        return names.get(value.lower(), value).upper()
    raise PydanticCustomError(
        "colour", f"{value!r} is not a colour (expected #RRGGBB, or black, white, yellow or grey)"
    )


ColourField = Annotated[str, BeforeValidator(_colour)]


class CardSpec(_Model):
    """A title or end card: text (any script) on a colour or an image, for some seconds."""

    text: str = Field(min_length=1)
    duration: float = Field(default=2.5, ge=0.5, le=15)
    color: ColourField = "#FFFFFF"
    background: ColourField = "#000000"
    image: PathField | None = None
    font: str | None = None


class BrandingSpec(_Model):
    """What every clip carries: a logo watermark, and bumper videos before and after."""

    logo: LogoSpec | None = None
    intro: PathField | None = None
    outro: PathField | None = None


class AudioSpec(_Model):
    """Loudness of the output: two-pass EBU R128 normalisation (``loudness: null`` is off)."""

    loudness: float | None = Field(default=-16.0, ge=-40, le=-5)
    true_peak: float = Field(default=-1.5, ge=-9, le=0)


class TermSpec(_Model):
    """A redacted term with its other forms: ``{term: Haris, forms: {bs: [Harisa], ar:
    [هاريس]}, patterns: {bs: ["haris\\w{1,3}"]}}`` (patterns: regular expressions over the
    folded text, see pipeline/core/redaction.py)."""

    term: str
    forms: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    patterns: dict[str, tuple[str, ...]] = Field(default_factory=dict)


class RedactSpec(_Model):
    """Something to hide, in source time: a span (``start``/``end``) or every use of ``words``.

    ``audio``: bleep (a tone replaces the sound) or mute; ``text`` replaces the subtitle text of
    every language over the span; ``blur`` is a region ``[x, y, w, h]`` in frame fractions.
    """

    source: str
    start: TimecodeField | None = None
    end: TimecodeField | None = None
    words: tuple[str | TermSpec, ...] = ()
    audio: Literal["bleep", "mute"] | None = None
    # Plain text, one for all languages or one per language; default: pipeline/core/redaction.py
    # DEFAULT_TEXT in the language, where words or sound are redacted.
    text: str | dict[str, str] | None = None
    blur: tuple[float, float, float, float] | None = None


class TranscriptionSpec(_Model):
    """How sources are transcribed (see `build-clip transcribe`)."""

    engine: Literal["faster-whisper", "openai-whisper"] = "faster-whisper"
    model: str = "base"
    language: str = "auto"


class Project(_Model):
    """A validated config. Paths are resolved against the config file's folder."""

    version: Literal[1]
    output: PathField = Field(default="out", validate_default=True)
    sources: dict[str, SourceSpec]
    clips: dict[str, ClipSpec]
    renditions: dict[str, RenditionSpec] = Field(
        default_factory=lambda: {"main": RenditionSpec(size=(1280, 720))}
    )
    style: StyleSpec = StyleSpec()
    transcription: TranscriptionSpec | None = None
    audio: AudioSpec = AudioSpec()
    branding: BrandingSpec = BrandingSpec()
    redact: tuple[RedactSpec, ...] = ()
    faces: FacesSpec | None = None  # every face hidden but those kept (config/faces.py)
    # After rendering, transcribe each output again and check that it says its cuts' words
    # (pipeline/verify/words.py); `build-clip CONFIG --verify` turns it on for one build.
    verify: Literal["words", "none"] = "none"


@dataclass(frozen=True)
class Config:
    """A loaded config: the project, the file it came from, and where each key is."""

    path: Path
    project: Project
    lines: dict[Loc, int]

    @property
    def at(self) -> Locator:
        """Where each key is: what a stage that reports problems is given."""
        return Locator(self.path, self.lines)

    def line(self, loc: Loc) -> int | None:
        return line_of(self.lines, loc)

    def problem(self, loc: Loc, message: str) -> Problem:
        """A problem located at ``loc`` in this config."""
        return self.at.problem(loc, message)
