"""Where a clip's language comes from: a tagged type, not a string compared in many places.

In the config, ``languages: {en: source, de: transcript, ar: clip.ar.srt}``: each source's own
subtitle file, cues made from the transcript's words, or a translator's file in clip time.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic_core import PydanticCustomError


@dataclass(frozen=True)
class FromSource:
    """A language whose cues are each source's own file (``sources.<id>.subtitles.<lang>``),
    in source time, mapped through the clip's timeline (``languages: {en: source}``)."""

    def __str__(self) -> str:
        return "source"


@dataclass(frozen=True)
class FromTranscript:
    """A language whose cues are made from the transcript's words (``{en: transcript}``)."""

    def __str__(self) -> str:
        return "transcript"


@dataclass(frozen=True)
class FromFile:
    """A language whose cues are a translator's file on the clip's timeline, in clip time
    (``{ar: clip.ar.srt}``; relative to the config)."""

    path: Path

    def __str__(self) -> str:
        return str(self.path)


LanguageSource = FromSource | FromTranscript | FromFile


def language_source(value: object) -> LanguageSource:
    """A ``languages`` value of the config as its tagged type (its text is ``str(...)``)."""
    if isinstance(value, FromSource | FromTranscript | FromFile):
        return value
    if not isinstance(value, str):
        raise PydanticCustomError("string_type", "Input should be a valid string")
    if value == "source":
        return FromSource()
    return FromTranscript() if value == "transcript" else FromFile(Path(value))


__all__ = ["FromFile", "FromSource", "FromTranscript", "LanguageSource", "language_source"]
