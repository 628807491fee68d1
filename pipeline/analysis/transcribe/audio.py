"""Decode a source's sound for Whisper, and keep only its speech (the same for every engine)."""

from __future__ import annotations

import logging
from bisect import bisect_right
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.core.errors import FfmpegError, MediaError, problem
from pipeline.core.ffmpeg import capture, input_arg

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

log = logging.getLogger(__name__)

RATE = 16_000  # Whisper's sample rate
# Silero VAD as faster-whisper applies it by default (vad.py VadOptions): only silences
# over 2 s are removed and speech is padded by 400 ms, so no word is clipped.
VAD_MIN_SILENCE_MS = 2000
VAD_PAD_MS = 400
# Whisper's window. Speech parts are kept this short (Silero splits longer ones at their
# longest pause, pads included), so that faster-whisper can decode them in batches.
WINDOW_S = 30


@dataclass(frozen=True)
class Speech:
    """The speech of a source, cut out and joined, with the way back to source time.

    Attributes:
        samples: 16 kHz mono float32 audio of the speech parts only.
        chunks: the ``(start, end)`` sample offsets of each speech part in the source.
        duration_s: the source's whole duration in seconds.
    """

    samples: npt.NDArray[np.float32]
    chunks: tuple[tuple[int, int], ...]
    duration_s: float

    def to_source(self, seconds: float, chunk: int | None = None) -> float:
        """A time in the joined speech -> the same instant in the source."""
        if chunk is None:
            chunk = self.chunk_at(seconds)
        if not self.chunks:
            return seconds
        silence = self.chunks[chunk][0] - self._joined_starts[chunk]
        return (seconds * RATE + silence) / RATE

    def chunk_at(self, seconds: float) -> int:
        """The index of the speech part that joined-speech time ``seconds`` falls in."""
        if not self.chunks:
            return 0
        index = bisect_right(self._joined_starts, round(seconds * RATE)) - 1
        return min(max(index, 0), len(self.chunks) - 1)

    def windows(self, limit_s: float = WINDOW_S) -> tuple[tuple[int, int], ...]:
        """The joined speech as runs of whole speech parts, each at most ``limit_s`` long
        where its parts allow (``(start, end)`` offsets into ``samples``): Whisper windows
        that never cut a word.

        >>> Speech(None, ((0, 10), (20, 35), (50, 60)), 4.0).windows(25 / RATE)
        ((0, 25), (25, 35))
        """
        limit, out = round(limit_s * RATE), list[tuple[int, int]]()
        for (start, end), joined in zip(self.chunks, self._joined_starts, strict=True):
            if out and joined + end - start - out[-1][0] <= limit:
                out[-1] = (out[-1][0], joined + end - start)
            else:
                out.append((joined, joined + end - start))
        return tuple(out)

    @cached_property
    def _joined_starts(self) -> list[int]:
        starts, total = [], 0
        for start, end in self.chunks:
            starts.append(total)
            total += end - start
        return starts


def decode(path: Path) -> npt.NDArray[np.float32]:
    """The first audio stream of ``path`` as 16 kHz mono float32 samples.

    Raises:
        MediaError: the file has no audio stream.
        FfmpegError: ffmpeg cannot read the file.
    """
    import numpy as np

    args = [
        "-nostdin",
        "-hide_banner",
        "-v",
        "error",
        "-i",
        input_arg(path),
        "-map",
        "0:a:0",
        "-ac",
        "1",
        "-ar",
        str(RATE),
        "-f",
        "f32le",
        "-",
    ]
    try:
        out = capture("ffmpeg", args, path)
    except FfmpegError as e:
        if any("matches no streams" in line for line in e.stderr_tail):
            raise MediaError(
                [problem("has no audio stream (expected a file with speech)", path)]
            ) from e
        raise
    return np.frombuffer(out.stdout, dtype=np.float32)


def find_speech(samples: npt.NDArray[np.float32], vad: bool) -> Speech:
    """Keep the speech of ``samples`` (Silero VAD, shipped with faster-whisper), or all of it."""
    import numpy as np

    duration = len(samples) / RATE
    if not vad:
        return Speech(samples, ((0, len(samples)),) if len(samples) else (), duration)
    from faster_whisper.vad import VadOptions, get_speech_timestamps  # type: ignore[import-untyped]

    options = VadOptions(
        min_silence_duration_ms=VAD_MIN_SILENCE_MS,
        speech_pad_ms=VAD_PAD_MS,
        max_speech_duration_s=WINDOW_S,
    )
    found = get_speech_timestamps(samples, options)
    chunks = tuple((int(c["start"]), int(c["end"])) for c in found)
    log.info("VAD kept %.1f s of %.1f s", sum(e - s for s, e in chunks) / RATE, duration)
    joined = (
        np.concatenate([samples[s:e] for s, e in chunks])
        if chunks
        else np.zeros(0, dtype=np.float32)
    )
    return Speech(joined, chunks, duration)
