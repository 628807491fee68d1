"""The filtergraph pieces of a render (pure): each cut read and normalised, the cuts joined
or crossfaded, cards and bumpers, redacted sound and pictures, the logo.

pipeline/render/command.py puts them together for a render, pipeline/render/loudness.py for
its measuring pass.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from pathlib import Path

from pipeline.config.schema import LogoSpec, RenditionSpec
from pipeline.core.ffmpeg import escape_filter_arg, input_arg
from pipeline.core.model import MediaInfo, Span, Timeline, TimelineSpan
from pipeline.core.timecode import seconds
from pipeline.render.faces import hide_faces
from pipeline.render.finish import Bumper, Extra, Finish, Redaction
from pipeline.render.voice import Disguise, voice_of

SAMPLE_RATE = 48000
FADE_S = 0.01  # 10 ms: enough to kill the click of a cut, too short to hear as a fade
GUARD_S = Fraction(1, 2)  # read a little past each cut so trims, not the demuxer, set lengths
BLEEP_HZ = 1000
BLEEP_GAIN = 2.0  # lavfi's sine has an amplitude of 1/8: x2 gives 0.25, about -12 dBFS


def count_inputs(inputs: Sequence[str]) -> int:
    """How many inputs the argument list has: the index the next one will get."""
    return sum(1 for a in inputs if a == "-i")


def add_extras(
    inputs: list[str],
    chains: list[str],
    joined: tuple[str, str],
    finish: Finish,
    rendition: RenditionSpec | None,
    fps: Fraction,
    card_text: Sequence[Path | None],
) -> tuple[str, str]:
    """Bumpers and cards before and after the cuts (no video when ``rendition`` is None)."""
    extras = (*finish.lead, *finish.tail)
    if not extras:
        return joined
    labels = []
    texts = list(card_text) or [None] * len(extras)
    for extra, text in zip(extras, texts, strict=True):
        labels.append(_extra(inputs, chains, extra, rendition, fps, text))
    pads = [*labels[: len(finish.lead)], joined, *labels[len(finish.lead) :]]
    video = rendition is not None
    joined_pads = "".join(f"[{v}][{a}]" if video else f"[{a}]" for v, a in pads)
    chains.append(
        f"{joined_pads}concat=n={len(pads)}:v={int(video)}:a=1{'[vall]' if video else ''}[aall]"
    )
    return "vall", "aall"


def _extra(
    inputs: list[str],
    chains: list[str],
    extra: Extra,
    rendition: RenditionSpec | None,
    fps: Fraction,
    text: Path | None,
) -> tuple[str, str]:
    """One bumper or card as a normalised segment; return its video and audio labels."""
    i = count_inputs(inputs)
    seconds_long = seconds(Fraction(extra.frames * 1000) / fps + GUARD_S * 1000)
    if isinstance(extra, Bumper):
        inputs += [
            "-t",
            seconds_long,
            *([] if rendition else ["-vn"]),
            "-i",
            input_arg(extra.info.path),
        ]
        span = TimelineSpan(
            "", Span(0, extra.info.duration_ms), 0, extra.frames, Span(0, extra.info.duration_ms)
        )
        chains.append(_audio_chain(i, span, fps, True, True, None))
        if rendition is not None:
            chains += video_chain(i, span, extra.info, rendition, fps, Finish())
        return f"v{i}", f"a{i}"
    samples = round(Fraction(extra.frames) / fps * SAMPLE_RATE)
    chains.append(f"anullsrc=r={SAMPLE_RATE}:cl=stereo,atrim=end_sample={samples}[a{i}]")
    if rendition is None:
        return "", f"a{i}"
    w, h = rendition.size
    if extra.image is not None:
        inputs += ["-loop", "1", "-t", seconds_long, "-i", input_arg(extra.image)]
    else:
        color = "0x" + extra.background.lstrip("#")
        inputs += ["-f", "lavfi", "-t", seconds_long, "-i", f"color=c={color}:s={w}x{h}:r={fps}"]
    steps = [
        f"fps={fps.numerator}/{fps.denominator}:start_time=0",
        f"scale={w}:{h}:force_original_aspect_ratio=increase",
        f"crop={w}:{h}",
        "setsar=1",
        "format=yuv420p",
    ]
    if text is not None:
        steps.append(f"ass=filename={escape_filter_arg(str(text))}:shaping=complex")
    steps += [
        f"tpad=stop_mode=clone:stop_duration={float(GUARD_S)}",
        f"trim=end_frame={extra.frames}",
        "setpts=PTS-STARTPTS",
    ]
    chains.append(f"[{i}:v:0]{','.join(steps)}[v{i}]")
    return f"v{i}", f"a{i}"


def cut_inputs(
    timeline: Timeline,
    media: Mapping[str, MediaInfo],
    video: bool = True,
    disguise: Disguise = (),
) -> tuple[list[str], list[str]]:
    """One input per cut (seeked on the input side) and each cut's audio chain, its voice
    disguised where its source is in ``disguise``."""
    inputs: list[str] = []
    chains: list[str] = []
    spans = timeline.spans
    for i, span in enumerate(spans):
        length = Fraction(span.frames) / timeline.fps + GUARD_S
        # fmt: off
        inputs += ["-ss", seconds(span.src.start_ms), "-t", seconds(length * 1000),
                   *([] if video else ["-vn"]), "-i", input_arg(media[span.source].path)]
        # fmt: on
        fade_in = i == 0 or not _contiguous(spans[i - 1], span)
        fade_out = i == len(spans) - 1 or not _contiguous(span, spans[i + 1])
        voice = voice_of(disguise, span.source)
        chains.append(_audio_chain(i, span, timeline.fps, fade_in, fade_out, voice))
    return inputs, chains


def join(chains: list[str], timeline: Timeline, transition: str, video: bool) -> tuple[str, str]:
    """Join the segments, end to end or through transitions; return the joined labels."""
    n = len(timeline.spans)
    if n == 1:
        return "v0", "a0"
    if timeline.overlap:
        return _crossfade(chains, timeline, transition, video)
    pads = "".join(f"[v{i}][a{i}]" if video else f"[a{i}]" for i in range(n))
    chains.append(f"{pads}concat=n={n}:v={int(video)}:a=1{'[vcat]' if video else ''}[acat]")
    return "vcat", "acat"


def _crossfade(
    chains: list[str], timeline: Timeline, transition: str, video: bool
) -> tuple[str, str]:
    """Overlap each pair of segments by ``timeline.overlap`` frames: xfade and acrossfade.

    The joined clip lasts the sum of the segments less one overlap per transition, exactly
    the length the timeline was planned with.
    """
    fps, k = timeline.fps, timeline.overlap
    d = seconds(Fraction(k * 1000) / fps)
    vprev, aprev, length = "v0", "a0", timeline.spans[0].frames
    for i, span in enumerate(timeline.spans[1:], 1):
        offset = seconds(Fraction((length - k) * 1000) / fps)
        if video:
            chains.append(
                f"[{vprev}][v{i}]xfade=transition={transition}:duration={d}:offset={offset}[vx{i}]"
            )
            vprev = f"vx{i}"
        chains.append(f"[{aprev}][a{i}]acrossfade=d={d}:c1=tri:c2=tri[ax{i}]")
        aprev, length = f"ax{i}", length + span.frames - k
    return vprev, aprev


def logo_overlay(logo: LogoSpec, rendition: RenditionSpec, index: int, video: str) -> str:
    """Overlay the logo in its corner; overlay repeats a still image for the whole clip."""
    w, h = rendition.size
    width = max(2, round(w * logo.width))
    mx, my = round(w * logo.margin), round(h * logo.margin)
    x = f"{mx}" if logo.position.endswith("left") else f"main_w-overlay_w-{mx}"
    y = f"{my}" if logo.position.startswith("top") else f"main_h-overlay_h-{my}"
    return (
        f"[{index}:v:0]format=rgba,scale={width}:-1,colorchannelmixer=aa={logo.opacity}"
        f"[logo];[{video}][logo]overlay={x}:{y}:format=auto,format=yuv420p[vlogo]"
    )


def _between(spans: Sequence[Span], offset_ms: int = 0) -> str:
    """An ffmpeg expression true inside any of ``spans`` (shifted by ``offset_ms``)."""
    parts = [
        f"between(t\\,{seconds(s.start_ms - offset_ms)}\\,{seconds(s.end_ms - offset_ms)})"
        for s in spans
    ]
    return "+".join(parts)


def redact_audio(
    chains: list[str], audio: str, timeline: Timeline, redactions: Sequence[Redaction]
) -> str:
    """Silence each redacted span (the sound is replaced, not covered) and add the bleeps."""
    silenced = [r.span for r in redactions if r.audio in ("bleep", "mute")]
    if not silenced:
        return audio
    # aeval works sample by sample: volume's enable= switches only per audio frame (1024
    # samples), which would let about 20 ms of the original sound through at each edge.
    chains.append(f"[{audio}]aeval='val(ch)*not({_between(silenced)})':c=same[amuted]")
    bleeps = [r.span for r in redactions if r.audio == "bleep"]
    if not bleeps:
        return "amuted"
    duration = seconds(timeline.duration_ms)
    chains.append(
        f"sine=frequency={BLEEP_HZ}:sample_rate={SAMPLE_RATE}:duration={duration},"
        f"aformat=sample_fmts=fltp:channel_layouts=stereo,"
        f"aeval='{BLEEP_GAIN}*val(ch)*gt({_between(bleeps)}\\,0)':c=same[bleep]"
    )
    chains.append("[amuted][bleep]amix=inputs=2:duration=first:normalize=0[ableep]")
    return "ableep"


def _contiguous(a: TimelineSpan, b: TimelineSpan) -> bool:
    """True when ``b`` continues ``a`` in the same source: no cut, so no fade."""
    return a.source == b.source and a.src.end_ms == b.src.start_ms


def _fit(rendition: RenditionSpec, label_in: str, i: int) -> list[str]:
    """Scale the picture into the output frame: pad, crop around the focus, or blur behind."""
    w, h = rendition.size
    fx, fy = rendition.focus
    if rendition.fit == "crop":
        return [
            f"[{label_in}]scale={w}:{h}:force_original_aspect_ratio=increase,"
            f"crop={w}:{h}:(iw-ow)*{fx}:(ih-oh)*{fy}[fit{i}]"
        ]
    if rendition.fit == "blur":
        # The background is blurred small and scaled up: the same look for a fraction of
        # the cost of a large blur radius at full size.
        return [
            f"[{label_in}]split=2[bg{i}][fg{i}]",
            f"[bg{i}]scale={max(2, w // 8 // 2 * 2)}:{max(2, h // 8 // 2 * 2)}:"
            f"force_original_aspect_ratio=increase,crop={max(2, w // 8 // 2 * 2)}:"
            f"{max(2, h // 8 // 2 * 2)},boxblur=4:2,scale={w}:{h},setsar=1[bgb{i}]",
            f"[fg{i}]scale={w}:{h}:force_original_aspect_ratio=decrease:force_divisible_by=2,"
            f"setsar=1[fgs{i}]",
            f"[bgb{i}][fgs{i}]overlay=(W-w)/2:(H-h)/2[fit{i}]",
        ]
    return [
        f"[{label_in}]scale={w}:{h}:force_original_aspect_ratio=decrease:"
        f"force_divisible_by=2,pad={w}:{h}:(ow-iw)/2:(oh-ih)/2[fit{i}]"
    ]


def _blur_regions(
    i: int, span: TimelineSpan, label_in: str, redactions: Sequence[Redaction]
) -> tuple[list[str], str]:
    """Blur each redacted region while its span shows, in source-frame coordinates."""
    chains, label = [], label_in
    for k, r in enumerate(x for x in redactions if x.blur and x.span.intersect(span.clip)):
        assert r.blur is not None
        x, y, w, h = r.blur
        when = _between([r.span], span.src.start_ms + span.shift_ms)
        chains += [
            f"[{label}]split=2[rb{i}_{k}m][rb{i}_{k}r]",
            f"[rb{i}_{k}r]crop=iw*{w}:ih*{h}:iw*{x}:ih*{y},"
            f"boxblur=luma_radius='min(w\\,h)/5':luma_power=3:"
            f"chroma_radius='min(cw\\,ch)/5':chroma_power=3[rb{i}_{k}b]",
            f"[rb{i}_{k}m][rb{i}_{k}b]overlay=main_w*{x}:main_h*{y}:enable='{when}'[rb{i}_{k}o]",
        ]
        label = f"rb{i}_{k}o"
    return chains, label


def video_chain(
    i: int,
    span: TimelineSpan,
    info: MediaInfo,
    rendition: RenditionSpec,
    fps: Fraction,
    finish: Finish,
) -> list[str]:
    steps = [f"fps={fps.numerator}/{fps.denominator}:start_time=0"]
    if info.sar != 1:
        steps.append("scale=trunc(iw*sar/2)*2:ih,setsar=1")
    chains = [f"[{i}:v:0]{','.join(steps)}[src{i}]"]
    blurred, label = _blur_regions(i, span, f"src{i}", finish.redactions)
    tracks = [t for sid, t in finish.faces if sid == span.source]
    hidden, label = hide_faces(
        i, span, label, tracks, finish.face_mode, fps, (info.width, info.height)
    )
    chains += blurred + hidden + _fit(rendition, label, i)
    # Pad a short read with its last frame, then cut to the exact frame count.
    tail = [
        "setsar=1",
        "format=yuv420p",
        f"tpad=stop_mode=clone:stop_duration={float(GUARD_S)}",
        f"trim=end_frame={span.frames}",
        "setpts=PTS-STARTPTS",
    ]
    chains.append(f"[fit{i}]{','.join(tail)}[v{i}]")
    return chains


def _audio_chain(
    i: int, span: TimelineSpan, fps: Fraction, fade_in: bool, fade_out: bool, voice: str | None
) -> str:
    samples = round(Fraction(span.frames) / fps * SAMPLE_RATE)
    steps = [
        # first_pts=0: audio that starts after the cut's start (late audio, a source whose
        # audio begins after its video) is padded with silence, not pulled early out of sync.
        f"aresample={SAMPLE_RATE}:first_pts=0",
        "aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo",
        # The disguise hears the guard read past the cut, so its window has real sound at
        # the cut's end; the trim below then sets the exact length.
        *([voice] if voice else []),
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
