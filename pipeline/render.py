"""Plan the one ffmpeg command that renders a clip (pure: no files, no processes)."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path

from pipeline.config import RenditionSpec
from pipeline.ffmpeg import FfmpegCommand, escape_filter_arg, input_arg
from pipeline.model import MediaInfo, Timeline, TimelineSpan
from pipeline.timecode import seconds

SAMPLE_RATE = 48000
FADE_S = 0.01  # 10 ms: enough to kill the click of a cut, too short to hear as a fade
GUARD_S = Fraction(1, 2)  # read a little past each cut so trims, not the demuxer, set lengths


def plan_render(
    timeline: Timeline,
    media: Mapping[str, MediaInfo],
    rendition: RenditionSpec,
    subtitles: Path | None,
    output: Path,
) -> FfmpegCommand:
    """The ffmpeg arguments that cut, normalise, join, subtitle and encode one output.

    Args:
        timeline: the cuts placed on the clip, in frames of the output rate.
        media: each source's probe, by source id.
        rendition: output size, fit and encoder settings.
        subtitles: an ASS file in clip time to burn in last, or None.
        output: where ffmpeg writes (the caller renames it into place).
    """
    inputs: list[str] = []
    chains: list[str] = []
    spans = timeline.spans
    for i, span in enumerate(spans):
        info = media[span.source]
        length = Fraction(span.frames) / timeline.fps + GUARD_S
        # fmt: off
        inputs += ["-ss", seconds(span.src.start_ms), "-t", seconds(length * 1000),
                   "-i", input_arg(info.path)]
        # fmt: on
        chains.append(_video_chain(i, span, info, rendition, timeline.fps))
        fade_in = i == 0 or not _contiguous(spans[i - 1], span)
        fade_out = i == len(spans) - 1 or not _contiguous(span, spans[i + 1])
        chains.append(_audio_chain(i, span, timeline.fps, fade_in, fade_out))
    n = len(spans)
    video, audio = "v0", "a0"
    if n > 1:
        joined = "".join(f"[v{i}][a{i}]" for i in range(n))
        chains.append(f"{joined}concat=n={n}:v=1:a=1[vcat][acat]")
        video, audio = "vcat", "acat"
    if subtitles is not None:
        chains.append(
            f"[{video}]ass=filename={escape_filter_arg(str(subtitles))}:shaping=complex[vsub]"
        )
        video = "vsub"
    # fmt: off
    args = (
        "-y", *inputs,
        "-filter_complex", ";".join(chains),
        "-map", f"[{video}]", "-map", f"[{audio}]",
        "-c:v", "libx264", "-preset", rendition.preset, "-crf", str(rendition.crf),
        "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-b:a", rendition.audio_bitrate, "-ar", str(SAMPLE_RATE), "-ac", "2",
        "-map_metadata", "-1", "-map_chapters", "-1",
        "-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact",
        "-movflags", "+faststart", "-f", "mp4", input_arg(output),
    )
    # fmt: on
    return FfmpegCommand(args=args, output=output, duration_ms=timeline.duration_ms)


def _contiguous(a: TimelineSpan, b: TimelineSpan) -> bool:
    """True when ``b`` continues ``a`` in the same source: no cut, so no fade."""
    return a.source == b.source and a.src.end_ms == b.src.start_ms


def _video_chain(
    i: int, span: TimelineSpan, info: MediaInfo, rendition: RenditionSpec, fps: Fraction
) -> str:
    w, h = rendition.size
    steps = [f"fps={fps.numerator}/{fps.denominator}:start_time=0"]
    if info.sar != 1:
        steps.append("scale=trunc(iw*sar/2)*2:ih,setsar=1")
    if rendition.fit == "crop":
        steps.append(f"scale={w}:{h}:force_original_aspect_ratio=increase,crop={w}:{h}")
    else:
        steps.append(
            f"scale={w}:{h}:force_original_aspect_ratio=decrease:"
            f"force_divisible_by=2,pad={w}:{h}:(ow-iw)/2:(oh-ih)/2"
        )
    # Pad a short read with its last frame, then cut to the exact frame count.
    steps += [
        "setsar=1",
        "format=yuv420p",
        f"tpad=stop_mode=clone:stop_duration={float(GUARD_S)}",
        f"trim=end_frame={span.frames}",
        "setpts=PTS-STARTPTS",
    ]
    return f"[{i}:v:0]{','.join(steps)}[v{i}]"


def _audio_chain(i: int, span: TimelineSpan, fps: Fraction, fade_in: bool, fade_out: bool) -> str:
    samples = round(Fraction(span.frames) / fps * SAMPLE_RATE)
    steps = [
        f"aresample={SAMPLE_RATE}",
        "aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo",
        "apad",
        f"atrim=end_sample={samples}",
        "asetpts=PTS-STARTPTS",
    ]
    if fade_in:
        steps.append(f"afade=t=in:d={FADE_S}")
    if fade_out:
        steps.append(
            f"afade=t=out:st={seconds(Fraction(samples * 1000, SAMPLE_RATE) - 10)}:d={FADE_S}"
        )
    return f"[{i}:a:0]{','.join(steps)}[a{i}]"
