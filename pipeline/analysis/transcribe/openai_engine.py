"""The openai-whisper engine (PyTorch), from a checkpoint file; install with ``[openai]``."""

from __future__ import annotations

import importlib
import logging
import types
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from unittest import mock

from pipeline.analysis.transcribe.faster import cpu_count
from pipeline.analysis.transcribe.protocol import RawSegment, RawWord
from pipeline.core.errors import BuildError, InputError, problem
from pipeline.core.model import OptionValue

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from pipeline.analysis.transcribe.settings import EngineName, TranscribeSettings

log = logging.getLogger(__name__)
HOP_S = 160 / 16_000  # one mel frame, the unit of openai-whisper's progress bar


def load_checkpoint(path: Path, device: str) -> Any:
    """A ``whisper.model.Whisper`` from ``path``, with the alignment heads the file carries."""
    import torch  # type: ignore[import-untyped, import-not-found, unused-ignore]
    from whisper.model import ModelDimensions, Whisper  # type: ignore[import-untyped, import-not-found, unused-ignore]

    try:
        checkpoint = torch.load(path, map_location=device, weights_only=True)
        model = Whisper(ModelDimensions(**checkpoint["dims"]))
        model.load_state_dict(checkpoint["model_state_dict"])
    except (OSError, RuntimeError, KeyError, TypeError) as e:
        raise InputError([problem(f"is not an openai-whisper checkpoint ({e})", path)]) from None
    if "alignment_heads" in checkpoint:
        model.set_alignment_heads(checkpoint["alignment_heads"])
    else:  # word times then come from the default heads (the last half of the layers)
        log.warning("%s: no alignment heads; word timestamps may be less exact", path)
    return model.to(device)


class _Bar:
    """Stands in for tqdm inside ``whisper.transcribe`` and forwards its updates."""

    def __init__(self, report: Callable[[float], None], **_: object) -> None:
        self.report, self.frames = report, 0

    def __enter__(self) -> _Bar:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, frames: int) -> None:
        self.frames += frames
        self.report(self.frames * HOP_S)


class OpenAIWhisper:
    """openai-whisper: fp32 and greedy decoding on the CPU (beam search is 7-10x slower)."""

    name: EngineName = "openai-whisper"

    def __init__(self, checkpoint: Path, device: str = "auto") -> None:
        try:
            import torch  # type: ignore[import-untyped, import-not-found, unused-ignore]
            import whisper  # type: ignore[import-untyped, import-not-found, unused-ignore]
        except ImportError:
            raise InputError(
                [
                    problem(
                        "the openai-whisper engine is not installed (expected: "
                        "pip install 'build-clip[openai]')"
                    )
                ]
            ) from None
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        if device == "cpu":
            torch.set_num_threads(cpu_count())
        self.device, self.version = device, whisper.__version__
        self.model = load_checkpoint(checkpoint, device)
        self.multilingual = bool(self.model.is_multilingual)

    def details(self) -> Mapping[str, OptionValue]:
        return {
            "engine_version": self.version,
            "device": self.device,
            "compute_type": "float16" if self.device == "cuda" else "float32",
        }

    def beam_size(self, settings: TranscribeSettings) -> int | None:
        if settings.beam_size is not None:
            return settings.beam_size if settings.beam_size > 1 else None
        return 5 if self.device == "cuda" else None

    def language_probs(self, samples: npt.NDArray[np.float32]) -> Mapping[str, float]:
        import whisper  # type: ignore[import-untyped, import-not-found, unused-ignore]

        mel = whisper.log_mel_spectrogram(whisper.pad_or_trim(samples), self.model.dims.n_mels)
        _, probs = self.model.detect_language(mel.to(self.model.device))
        return {k: float(v) for k, v in probs.items()}

    def decode(
        self,
        samples: npt.NDArray[np.float32],
        language: str,
        settings: TranscribeSettings,
        on_progress: Callable[[float], None],
        windows: Sequence[tuple[int, int]] = (),
    ) -> list[RawSegment]:
        # One window after another (openai-whisper has no batched decoding): ``windows``
        # are not needed. whisper/__init__.py rebinds "whisper.transcribe" to the function:
        # get the module.
        module = importlib.import_module("whisper.transcribe")

        shim = types.SimpleNamespace(tqdm=lambda **kw: _Bar(on_progress, **kw))
        try:
            with mock.patch.object(module, "tqdm", shim):
                result = module.transcribe(
                    self.model,
                    samples,
                    verbose=None,
                    language=language,
                    task=settings.task,
                    fp16=self.device == "cuda",
                    beam_size=self.beam_size(settings),
                    condition_on_previous_text=False,
                    word_timestamps=True,
                    hallucination_silence_threshold=settings.hallucination_silence_s,
                )
        except RuntimeError as e:
            raise BuildError(f"openai-whisper failed: {e}") from None
        return [
            RawSegment(
                float(s["start"]),
                float(s["end"]),
                s["text"],
                float(s["avg_logprob"]),
                tuple(
                    RawWord(float(w["start"]), float(w["end"]), w["word"], float(w["probability"]))
                    for w in s.get("words", ())
                ),
            )
            for s in result["segments"]
        ]
