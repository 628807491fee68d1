"""Loudness, in one place: EBU R128 normalisation in two passes, and measuring a file.

Pass 1 (``plan_scan``) runs the clip's audio through ``ebur128`` and nothing is written;
its figures (``parse_measurement``) give pass 2 (``second_pass``): one gain when it fits,
else loudnorm's dynamic mode. ``normalised`` runs pass 1 and puts pass 2 in the clip's
finish, which the render's one encode applies (pipeline/render/command.py). ``measure`` and
``measure_output`` read a rendered file's loudness for the manifest.
"""

from __future__ import annotations

import contextlib
import json
import logging
import shlex
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

from pipeline.config.schema import AudioSpec
from pipeline.core import ffmpeg
from pipeline.core.errors import FfmpegError
from pipeline.core.ffmpeg import FfmpegCommand, capture, ffprobe_json, input_arg
from pipeline.core.model import MediaInfo, Timeline
from pipeline.render.chains import SAMPLE_RATE, add_extras, cut_inputs, join, redact_audio
from pipeline.render.finish import Finish

log = logging.getLogger(__name__)


def normalised(
    finish: Finish,
    audio: AudioSpec | None,
    timeline: Timeline,
    media: Mapping[str, MediaInfo],
    output: Path,
    on_progress: Callable[[float], None] | None = None,
) -> Finish:
    """``finish`` with pass 2 of loudness normalisation to ``audio``'s target, from a measuring
    pass 1 (``plan_scan``); unchanged without a target, or for a silent clip (``output``
    names the output in the log)."""
    if audio is None:
        return finish
    scan = plan_scan(timeline, media, finish)
    measured: Mapping[str, Any] = parse_measurement(ffmpeg.run(scan, on_progress))
    if not is_audible(measured):
        log.info("%s: silent, so its loudness is left alone", output)
        return finish
    if not fits_linear(audio, measured):  # rare: loudnorm must compress; it measures
        target = f"loudnorm={loudnorm_target(audio)}:print_format=json"
        scan = plan_scan(timeline, media, finish, target)
        measured = parse_loudnorm(ffmpeg.run(scan, on_progress))
    gain = second_pass(audio, measured)
    if gain.startswith("loudnorm="):
        log.warning(
            "%s: one gain to %s LUFS would put the true peak over %s dBTP, so loudnorm "
            "compresses the loudest parts (its dynamic mode)",
            output, audio.loudness, audio.true_peak,
        )  # fmt: skip
    return replace(finish, loudness=gain)


MEASURE = "ebur128=peak=true:framelog=verbose"


def plan_scan(
    timeline: Timeline, media: Mapping[str, MediaInfo], finish: Finish, measure: str = MEASURE
) -> FfmpegCommand:
    """Pass 1 of loudness normalisation: the clip's audio through the ``measure`` filter;
    nothing is written, the figures come on stderr. By default ``ebur128`` with true peaks,
    whose summary has them all (its per-frame lines are logged at the verbose level, so a
    long clip does not flood the output); or ``loudnorm``'s own first pass (its JSON)."""
    inputs, chains = cut_inputs(timeline, media, video=False, disguise=finish.disguise)
    _, audio = join(chains, timeline, finish.transition, video=False)
    _, audio = add_extras(inputs, chains, ("", audio), finish, None, timeline.fps, ())
    audio = redact_audio(chains, audio, timeline, finish.redactions)
    chains.append(f"[{audio}]{measure}[ascan]")
    # fmt: off
    args = ("-y", *inputs, "-filter_complex", ";".join(chains), "-map", "[ascan]",
            "-f", "null", "-")
    # fmt: on
    return FfmpegCommand(args=args, output=Path("-"), duration_ms=timeline.duration_ms)


def loudnorm_target(audio: AudioSpec, lra: float = 11.0) -> str:
    """The ``loudnorm`` options of the target: integrated loudness, true peak, loudness range."""
    return f"I={audio.loudness}:TP={audio.true_peak}:LRA={lra:g}"


def parse_loudnorm(lines: Sequence[str]) -> dict[str, Any]:
    """The JSON that ``loudnorm`` prints at the end of a run (from ffmpeg's last lines)."""
    text = "\n".join(lines)
    start, end = text.rfind("{"), text.rfind("}")
    if start < 0 or end < start:
        raise ValueError("no loudnorm report in ffmpeg's output")
    data: dict[str, Any] = json.loads(text[start : end + 1])
    return data


def parse_measurement(lines: Sequence[str]) -> dict[str, float]:
    """Pass 1's figures, in loudnorm's names, from the summary ``ebur128=peak=true`` prints.

    ``ebur128`` measures what loudnorm's own first pass does (integrated loudness and its
    relative gate, loudness range, true peak) for a fifth of the CPU: loudnorm upsamples the
    whole clip to 192 kHz to limit peaks even when it only measures.
    """
    summary = ebur128_summary("\n".join(lines))
    try:
        return {
            "input_i": summary["I"],
            "input_thresh": summary["Threshold"],
            "input_lra": summary["LRA"],
            "input_tp": summary["Peak"],
        }
    except KeyError:
        raise ValueError("no ebur128 summary in ffmpeg's output") from None


def fits_linear(audio: AudioSpec, measured: Mapping[str, Any]) -> bool:
    """Whether one gain reaches the target loudness and keeps the true peak under the limit
    (the peak rule of loudnorm's linear mode, af_loudnorm.c ``init``; a wide loudness range
    is no reason to compress here). When not, loudnorm must compress (its dynamic mode),
    whose second pass needs the figures of a first pass of its own (its ``target_offset``)."""
    return (
        float(measured["input_tp"]) + linear_gain(audio, measured) <= float(audio.true_peak)
        and float(measured["input_thresh"]) != -70
    )


def linear_gain(audio: AudioSpec, measured: Mapping[str, Any]) -> float:
    """The gain (dB) from the measured integrated loudness to the target."""
    return float(audio.loudness or 0) - float(measured["input_i"])


def is_audible(measured: Mapping[str, Any]) -> bool:
    """False for silence (loudness at or below the -70 LUFS gate): no gain fits."""
    try:
        return float(measured["input_i"]) > -70
    except (KeyError, ValueError):
        return False


def second_pass(audio: AudioSpec, measured: Mapping[str, Any]) -> str:
    """The pass-2 filter from the pass-1 figures.

    When one gain fits (``fits_linear``), it is ``volume``: the very sum loudnorm's linear
    mode does (each sample times the gain, af_loudnorm.c ``LINEAR_MODE``), without loudnorm's
    round trip through 192 kHz, which costs the render a quarter of a CPU-second per 30 s and
    changes nothing a linear gain needs. Else loudnorm's dynamic mode, with the
    ``target_offset`` of its own first pass.

    For loudnorm, the target loudness range is raised to the measured one (up to its limit
    of 20): below it, loudnorm would compress the range too. A measured range or loudness of
    exactly 0 it reads as "not measured": ebur128 prints tenths, so a range under 0.05 LU
    (a steady tone) goes in as 0.1 and 0.0 LUFS as -0.1, within the precision of the
    measurement.
    """
    if fits_linear(audio, measured):
        return f"volume={linear_gain(audio, measured):.2f}dB"
    lra = float(measured["input_lra"]) or 0.1
    loudness = float(measured["input_i"]) or -0.1
    target_lra = min(20.0, max(11.0, lra + 1))
    offset = f":offset={measured['target_offset']}" if "target_offset" in measured else ""
    # fmt: off
    return (
        f"loudnorm={loudnorm_target(audio, target_lra)}"
        f":measured_I={loudness:g}:measured_TP={measured['input_tp']}"
        f":measured_LRA={lra:g}:measured_thresh={measured['input_thresh']}"
        f"{offset}:linear=true:print_format=json,aresample={SAMPLE_RATE}"
    )
    # fmt: on


def loudness_argv(path: Path) -> list[str]:
    """The command of ``measure``: ``path``'s first audio stream through ``ebur128``."""
    return [
        ffmpeg.find_tool("ffmpeg"),
        "-nostdin",
        "-hide_banner",
        "-nostats",
        "-i",
        input_arg(path),
        "-map",
        "0:a:0",
        "-af",
        "ebur128=peak=true",
        "-f",
        "null",
        "-",
    ]


def measure(path: Path) -> dict[str, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) of a file, by ffmpeg's ``ebur128``."""
    try:
        err = capture("ffmpeg", loudness_argv(path)[1:], path).stderr
    except FfmpegError as e:  # no figures (no audio stream): the manifest records none
        err = "\n".join(e.stderr_tail)
    summary = ebur128_summary(err)
    names = {"I": "integrated_lufs", "Peak": "true_peak_dbtp", "LRA": "range_lu"}
    return {name: summary[key] for key, name in names.items() if key in summary}


def measure_output(path: Path) -> tuple[dict[str, Any], dict[str, float]]:
    """ffprobe's report and the loudness (``measure``) of a rendered file, measured side by
    side (the render measures its temp file once, for the privacy scan and for the manifest)."""
    # The commands of the output scan, logged as `--dry-run` lists them (before either
    # starts: they run side by side).
    log.debug("ffprobe: %s", shlex.join(ffmpeg.ffprobe_argv(path)))
    log.debug("ffmpeg: %s", shlex.join(loudness_argv(path)))
    with ThreadPoolExecutor(1) as pool:  # ffprobe runs while ebur128 decodes the audio
        probed = pool.submit(ffprobe_json, path)
        measured = measure(path)
        return probed.result(), measured


def ebur128_summary(text: str) -> dict[str, float]:
    """The figures of the last summary ``ebur128`` printed in ``text``: ``I`` and its gate
    ``Threshold`` (LUFS), ``LRA`` (LU) and, with ``peak=true``, ``Peak`` (true peak, dBTP;
    -inf for silence). Labels that repeat (the range's threshold) keep their first value.

    >>> ebur128_summary("Summary:\\n I: -21.8 LUFS\\n Threshold: -31.8 LUFS\\n LRA: 0.0 LU")
    {'I': -21.8, 'Threshold': -31.8, 'LRA': 0.0}
    """
    at = text.rfind("Summary:")
    found: dict[str, float] = {}
    if at < 0:
        return found
    for line in text[at:].splitlines()[1:]:
        label, _, rest = line.strip().partition(":")
        if label in ("I", "Threshold", "LRA", "Peak") and label not in found:
            with contextlib.suppress(ValueError, IndexError):
                found[label] = float(rest.split()[0])
    return found
