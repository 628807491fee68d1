"""Plan the ffmpeg command that renders a clip (pure: no files, no processes).

One command renders an output in one encode, from the pieces of pipeline/render/chains.py;
with loudness normalisation a first, audio-only command measures the clip's loudness
(EBU R128, two passes: pipeline/render/loudness.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from pipeline.config.schema import RenditionSpec
from pipeline.core.ffmpeg import FfmpegCommand, escape_filter_arg, input_arg
from pipeline.core.languages import iso639_2
from pipeline.core.model import MediaInfo, Timeline
from pipeline.render.chains import (
    SAMPLE_RATE,
    add_extras,
    count_inputs,
    cut_inputs,
    join,
    logo_overlay,
    redact_audio,
    video_chain,
)
from pipeline.render.finish import Finish
from pipeline.render.thumbnails import still_filter, still_output

PLAIN = Finish()  # nothing done after cutting


def plan_render(
    timeline: Timeline,
    media: Mapping[str, MediaInfo],
    rendition: RenditionSpec,
    output: Path,
    burn: Path | None = None,
    soft: Sequence[tuple[str, Path]] = (),
    finish: Finish = PLAIN,
    card_text: Sequence[Path | None] = (),
    stills: tuple[Sequence[int], Path] | None = None,
) -> FfmpegCommand:
    """The ffmpeg arguments that cut, normalise, join, redact, subtitle and encode one output.

    Args:
        timeline: the cuts placed on the clip, in frames of the output rate.
        media: each source's probe, by source id.
        rendition: output size, fit and encoder settings.
        output: where ffmpeg writes (the caller renames it into place).
        burn: an ASS file in clip time to burn in last, or None.
        soft: (language, SRT file in clip time) of each soft subtitle track.
        finish: redactions, transitions, branding and loudness normalisation.
        card_text: the ASS text file of each card in ``finish.lead + finish.tail`` (None for
            a bumper).
        stills: (frame numbers, folder): also write these frames of the finished picture as
            the review page's thumbnails (pipeline/render/thumbnails.py), from the frames this
            render makes anyway instead of a second decode of the output.
    """
    inputs, chains = cut_inputs(timeline, media, disguise=finish.disguise)
    for i, span in enumerate(timeline.spans):
        chains += video_chain(i, span, media[span.source], rendition, timeline.fps, finish)
    video, audio = join(chains, timeline, finish.transition, video=True)
    video, audio = add_extras(
        inputs, chains, (video, audio), finish, rendition, timeline.fps, card_text
    )
    audio = redact_audio(chains, audio, timeline, finish.redactions)
    if finish.logo is not None:
        chains.append(logo_overlay(finish.logo, rendition, count_inputs(inputs), video))
        inputs += ["-i", input_arg(finish.logo.file)]
        video = "vlogo"
    if finish.loudness:
        chains.append(f"[{audio}]{finish.loudness}[aloud]")
        audio = "aloud"
    if burn is not None:
        chains.append(f"[{video}]ass=filename={escape_filter_arg(str(burn))}:shaping=complex[vsub]")
        video = "vsub"
    pictures: tuple[str, ...] = ()
    if stills is not None:
        frames, folder = stills
        chains.append(f"[{video}]split=2[vmain][vstills]")
        chains.append(f"[vstills]{still_filter(frames)}[vthumbs]")
        video = "vmain"
        pictures = ("-map", "[vthumbs]", *still_output(frames, folder))
    tracks: list[str] = []
    for k, (lang, path) in enumerate(soft):
        tracks += [
            "-map",
            f"{count_inputs(inputs)}:s:0",
            f"-metadata:s:s:{k}",
            f"language={iso639_2(lang)}",
        ]
        inputs += ["-f", "srt", "-i", input_arg(path)]
    if tracks:
        tracks += ["-c:s", "mov_text"]
    # fmt: off
    args = (
        "-y", *inputs,
        "-filter_complex", ";".join(chains),
        "-map", f"[{video}]", "-map", f"[{audio}]", *tracks,
        "-c:v", "libx264", "-preset", rendition.preset, "-crf", str(rendition.crf),
        "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-b:a", rendition.audio_bitrate, "-ar", str(SAMPLE_RATE), "-ac", "2",
        "-map_metadata", "-1", "-map_chapters", "-1",
        "-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact",
        "-movflags", "+faststart", "-f", "mp4", input_arg(output),
        *pictures,
    )
    # fmt: on
    return FfmpegCommand(args=args, output=output, duration_ms=timeline.duration_ms)
