"""The faster-whisper engine (CTranslate2): int8 on the CPU, float16 on CUDA when present."""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.analysis.transcribe.audio import RATE, WINDOW_S
from pipeline.analysis.transcribe.protocol import RawSegment, RawWord
from pipeline.core.errors import BuildError
from pipeline.core.model import OptionValue

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from pipeline.analysis.transcribe.settings import EngineName, TranscribeSettings


log = logging.getLogger(__name__)

BATCH = 8  # speech windows decoded at once (faster-whisper's default batch size)


def pick_device(device: str) -> tuple[str, str]:
    """``(device, compute_type)``: CUDA with float16 when asked or present, else CPU int8."""
    import ctranslate2  # type: ignore[import-untyped]

    if device == "auto":
        device = "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
    return device, "float16" if device == "cuda" else "int8"


def cpu_count() -> int:
    """CPUs this process may use (a container's limit, not the host's count)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class FasterWhisper:
    """A CTranslate2 Whisper model loaded from a local folder (never from the network)."""

    name: EngineName = "faster-whisper"

    def __init__(self, folder: Path, device: str = "auto") -> None:
        import faster_whisper  # type: ignore[import-untyped]

        self.version = faster_whisper.__version__
        self.device, self.compute_type = pick_device(device)
        self.model = self._load(folder)
        if self.device == "cuda" and not self._cuda_works():
            if device == "cuda":
                raise BuildError(
                    "CUDA was asked for but does not work here (CTranslate2 needs "
                    "CUDA 12 with cuBLAS and cuDNN 9)"
                )
            log.warning("CUDA is present but unusable by CTranslate2; transcribing on the CPU")
            self.device, self.compute_type = "cpu", "int8"
            self.model = self._load(folder)
        self.multilingual = bool(self.model.model.is_multilingual)
        self.decoding = "none yet"

    def _load(self, folder: Path) -> Any:
        import faster_whisper

        try:
            return faster_whisper.WhisperModel(
                str(folder),
                device=self.device,
                compute_type=self.compute_type,
                cpu_threads=cpu_count(),
                local_files_only=True,
            )
        except (RuntimeError, ValueError, OSError) as e:
            raise BuildError(f"{folder}: cannot load the model ({e})") from None

    def _cuda_works(self) -> bool:
        """Whether a first step runs: cuBLAS and cuDNN load only then, and may be missing."""
        import numpy as np
        from faster_whisper.audio import pad_or_trim  # type: ignore[import-untyped]

        try:  # the encoder alone, which every model has (detect_language needs multilingual)
            self.model.encode(
                pad_or_trim(self.model.feature_extractor(np.zeros(16_000, np.float32)))
            )
        except RuntimeError as e:
            log.debug("CUDA check failed: %s", e)
            return False
        return True

    @functools.cached_property
    def batched(self) -> Any:
        import faster_whisper

        return faster_whisper.BatchedInferencePipeline(self.model)

    def details(self) -> Mapping[str, OptionValue]:
        return {
            "engine_version": self.version,
            "device": self.device,
            "compute_type": self.compute_type,
            "decoding": self.decoding,
        }

    def language_probs(self, samples: npt.NDArray[np.float32]) -> Mapping[str, float]:
        from faster_whisper.audio import pad_or_trim

        frames = self.model.feature_extractor.nb_max_frames
        encoded = self.model.encode(
            pad_or_trim(self.model.feature_extractor(samples)[..., :frames])
        )
        results = self.model.model.detect_language(encoded)[0]
        return {token[2:-2]: float(p) for token, p in results}

    def decode(
        self,
        samples: npt.NDArray[np.float32],
        language: str,
        settings: TranscribeSettings,
        on_progress: Callable[[float], None],
        windows: Sequence[tuple[int, int]] = (),
    ) -> list[RawSegment]:
        # VAD is done before (audio.find_speech), the same way for both engines.
        options: dict[str, Any] = {
            "language": language,
            "task": settings.task,
            "beam_size": settings.beam_size or 5,
            "vad_filter": False,
            "condition_on_previous_text": False,
            "word_timestamps": True,
        }
        limit = WINDOW_S * RATE
        if windows and all(end - start <= limit for start, end in windows):
            # The speech windows decoded BATCH at a time: the same words (the same beam)
            # in about half the time on 2 CPU cores, as the encoder and decoder run on
            # several windows at once. Silences were cut out, so the guard against text
            # hallucinated in them (hallucination_silence_threshold) has nothing to do.
            clips = [{"start": start / RATE, "end": end / RATE} for start, end in windows]
            segments, _ = self.batched.transcribe(
                samples, clip_timestamps=clips, batch_size=BATCH, **options
            )
            self.decoding = f"batched, {BATCH} windows at a time"
        else:  # no VAD: one long stretch, decoded window after window
            segments, _ = self.model.transcribe(
                samples,
                hallucination_silence_threshold=settings.hallucination_silence_s,
                **options,
            )
            self.decoding = "sequential"
        out = []
        for s in segments:
            words = tuple(
                RawWord(float(w.start), float(w.end), w.word, float(w.probability))
                for w in s.words or ()
            )
            out.append(
                RawSegment(float(s.start), float(s.end), s.text, float(s.avg_logprob), words)
            )
            on_progress(float(s.end))
        return out
