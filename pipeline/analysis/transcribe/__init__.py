"""Transcription: a word-level transcript of each source, made once and cached.

The build needs two calls: :func:`transcript_for` (a source's transcript in the language a
clip asks for) and :func:`pipeline.subtitles.segment.timeline_cues` (cues from its words).
Importing this package loads no model and no engine.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.analysis.transcribe.protocol import Progress
from pipeline.analysis.transcribe.run import load_or_transcribe
from pipeline.analysis.transcribe.settings import TranscribeSettings, settings_for
from pipeline.core.errors import InputError, problem
from pipeline.core.model import Cue, Transcript

if TYPE_CHECKING:
    from pipeline.config.schema import TranscriptionSpec

__all__ = [
    "Progress",
    "TranscribeSettings",
    "cues_for_source",
    "load_or_transcribe",
    "settings_for",
    "transcript_for",
]


def transcript_for(
    media: Path,
    spec: TranscriptionSpec | None,
    lang: str,
    on_progress: Progress | None = None,
) -> Transcript:
    """The transcript of ``media`` whose text is in ``lang``.

    The speech is transcribed in the configured language (or the detected one, for
    ``auto``). When that is not ``lang`` and ``lang`` is English, Whisper translates;
    any other mismatch is an input error (a translator's file is needed).

    Raises:
        InputError: ``lang`` cannot come from this source's transcript.
    """
    settings = settings_for(spec)
    transcript = load_or_transcribe(media, settings, on_progress)
    if transcript.language == lang or not transcript.segments:
        return transcript
    if lang == "en":
        translate = replace(settings, language=transcript.language, task="translate")
        return load_or_transcribe(media, translate, on_progress)
    raise InputError(
        [
            problem(
                f"is spoken in {transcript.language!r}, so its transcript cannot give {lang!r} "
                f"subtitles (expected {lang}: a translator's file, or {transcript.language}: "
                "transcript)",
                media,
            )
        ]
    )


def cues_for_source(
    spec: TranscriptionSpec | None,
    media: Path,
    on_progress: Progress | None = None,
    lang: str | None = None,
) -> tuple[Cue, ...]:
    """Subtitle cues for a whole source, in source time, built from its words.

    ``lang`` defaults to the language of the speech.
    """
    from pipeline.subtitles.segment import cues_from_words

    if lang is None:
        transcript = load_or_transcribe(media, settings_for(spec), on_progress)
    else:
        transcript = transcript_for(media, spec, lang, on_progress)
    language = lang or transcript.language
    return cues_from_words(transcript.words, language, end_ms=transcript.duration_ms or None)
