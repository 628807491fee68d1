"""What a transcription run is asked to do, and the decoding options that follow from it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

from pipeline.core.errors import InputError, problem
from pipeline.core.model import OptionValue

if TYPE_CHECKING:
    from pipeline.config.schema import TranscriptionSpec

EngineName = Literal["faster-whisper", "openai-whisper"]
Task = Literal["transcribe", "translate"]
ENGINES: tuple[EngineName, ...] = ("faster-whisper", "openai-whisper")

# Bump when post-processing (word tidying, flags) or the way of decoding changes, so cached
# transcripts are redone. 2: VAD parts of at most 30 s, decoded in batches by faster-whisper.
# 3: segments split after sentence ends; the silence threshold applied after decoding.
# 4: Whisper's word pieces joined into words ("ill" + "-disposed"); abbreviations no ends.
REVISION = 4

# The languages Whisper knows (whisper/tokenizer.py LANGUAGES), checked before any model loads.
_LANGUAGE_CODES = """
en zh de es ru ko fr ja pt tr pl ca nl ar sv it id hi fi vi he uk el ms cs ro da hu ta no th ur
hr bg lt la mi ml cy sk te fa lv bn sr az sl kn et mk br eu is hy ne mn bs kk sq sw gl mr pa si
km sn yo so af oc ka be tg sd gu am yi lo uz fo ht ps tk nn mt sa lb my bo tl mg as tt haw ln ha
ba jw su yue"""
WHISPER_LANGUAGES = frozenset(_LANGUAGE_CODES.split())


@dataclass(frozen=True)
class TranscribeSettings:
    """How to transcribe a source.

    Attributes:
        engine: faster-whisper (default) or openai-whisper.
        model: a bundled model name (``base``), a model folder or file, or a hub name.
        language: ISO 639-1 code of the speech, or ``auto`` to detect it over several windows.
        task: ``transcribe``, or ``translate`` for English text from any language.
        vad: drop non-speech before decoding (Silero VAD) -- the main guard against
            hallucinated text in silence and music (SYSTRAN/faster-whisper#949).
        hallucination_silence_s: drop a segment of anomalous words with silences longer than
            this on both sides (openai/whisper#1838); needs word timestamps. Applied after
            decoding, in source time, for every engine (pipeline/analysis/transcribe/checks.py).
        beam_size: 1 for greedy decoding; None for the engine's default (5 for faster-whisper;
            greedy for openai-whisper on the CPU, where beam search is 7-10x slower).
        device: ``auto`` (CUDA when present), ``cpu`` or ``cuda``.
    """

    engine: EngineName = "faster-whisper"
    model: str = "base"
    language: str = "auto"
    task: Task = "transcribe"
    vad: bool = True
    hallucination_silence_s: float = 2.0
    beam_size: int | None = None
    device: str = "auto"

    def __post_init__(self) -> None:
        problems = []
        if self.engine not in ENGINES:
            problems.append(
                problem(f"unknown engine {self.engine!r} (expected one of: {', '.join(ENGINES)})")
            )
        if self.language != "auto" and self.language not in WHISPER_LANGUAGES:
            problems.append(
                problem(
                    f"unknown language {self.language!r} (expected an ISO "
                    "639-1 code Whisper knows, such as en, ar, bs, or auto)"
                )
            )
        if self.task not in ("transcribe", "translate"):
            problems.append(
                problem(f"unknown task {self.task!r} (expected transcribe or translate)")
            )
        if problems:
            raise InputError(problems)

    def options(self) -> tuple[tuple[str, OptionValue], ...]:
        """The decoding options that change the result: part of the cache key and the JSON."""
        values: dict[str, OptionValue] = {
            "language": self.language,
            "task": self.task,
            "vad": self.vad,
            "condition_on_previous_text": False,
            "word_timestamps": True,
            "hallucination_silence_threshold": self.hallucination_silence_s,
            "beam_size": self.beam_size,
            "revision": REVISION,
        }
        return tuple(sorted(values.items()))


def settings_for(spec: TranscriptionSpec | None) -> TranscribeSettings:
    """Settings from a config's ``transcription`` section, or the defaults.

    >>> settings_for(None).model
    'base'
    """
    if spec is None:
        return TranscribeSettings()
    return replace(
        TranscribeSettings(), engine=spec.engine, model=spec.model, language=spec.language
    )
