"""What a Whisper engine must do; both engines give the same raw result, in speech time."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from pipeline.core.model import OptionValue

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from pipeline.analysis.transcribe.settings import EngineName, TranscribeSettings

# Seconds of audio done, seconds in all: what a progress bar shows.
Progress = Callable[[float, float], None]


@dataclass(frozen=True)
class RawWord:
    """A word as the engine reports it: seconds from the start of the audio it was given."""

    start: float
    end: float
    text: str
    probability: float


@dataclass(frozen=True)
class RawSegment:
    """A decoded segment in the engine's own seconds, with its mean token log probability."""

    start: float
    end: float
    text: str
    avg_logprob: float
    words: tuple[RawWord, ...]


class Engine(Protocol):
    """A loaded Whisper model behind one interface (faster-whisper, openai-whisper)."""

    name: EngineName
    multilingual: bool

    def details(self) -> Mapping[str, OptionValue]:
        """What to record about the run beyond the settings (version, device, precision)."""
        ...

    def language_probs(self, samples: npt.NDArray[np.float32]) -> Mapping[str, float]:
        """The probability of each language for one window of at most 30 s."""
        ...

    def decode(
        self,
        samples: npt.NDArray[np.float32],
        language: str,
        settings: TranscribeSettings,
        on_progress: Callable[[float], None],
        windows: Sequence[tuple[int, int]] = (),
    ) -> list[RawSegment]:
        """Decode 16 kHz speech; report progress in seconds of ``samples`` done.

        ``windows`` cut ``samples`` into runs of whole speech parts of at most 30 s (see
        ``Speech.windows``), for an engine that decodes windows in batches; empty when the
        speech was not cut (no VAD).
        """
        ...
