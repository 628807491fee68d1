"""The provenance manifest of a clip: where every cut came from, what was written, and from what.

Each output records its inputs part by part (source hashes, the config slice that shapes it,
subtitle file hashes, cues, transcription model, tool version) and one fingerprint of them
all. A later build compares fingerprints to skip outputs that are up to date, and compares
the parts to say which input changed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
from collections.abc import Mapping, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

from pipeline import __version__
from pipeline.config.schema import CutSpec, SourceSpec, TranscriptionSpec
from pipeline.core.files import write_text
from pipeline.core.model import Cue, MediaInfo, Span, TimelineSpan
from pipeline.core.stamps import file_sha256
from pipeline.core.timecode import format_ms
from pipeline.edit.cuts import ResolvedCut
from pipeline.prepare.plan import ClipPlan, Job
from pipeline.publish.shareable import Redactor
from pipeline.render.loudness import measure_output
from pipeline.subtitles.lint import Finding
from pipeline.verify.privacy import scan

Inputs = dict[str, Any]


def _span(span: Span) -> dict[str, Any]:
    return {
        "start": format_ms(span.start_ms),
        "end": format_ms(span.end_ms),
        "start_ms": span.start_ms,
        "end_ms": span.end_ms,
    }


def _digest(data: object) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def source_hashes(clip: ClipPlan, media: Mapping[str, MediaInfo]) -> dict[str, str]:
    """The content hash of every source a clip uses (each file read at most once per run)."""
    return {sid: file_sha256(media[sid].path) for sid in sorted({c.source for c in clip.spec.cuts})}


def subtitle_files(clip: ClipPlan, lang: str, sources: Mapping[str, SourceSpec]) -> list[Path]:
    """The subtitle files that one language of a clip is read from (none for a transcript)."""
    mode = clip.spec.subtitles.languages.get(lang)
    if mode == "source":
        used = sorted({c.source for c in clip.spec.cuts})
        return [sources[s].subtitles[lang] for s in used if lang in sources[s].subtitles]
    return [Path(mode)] if mode and mode != "transcript" else []


def transcription_inputs(spec: TranscriptionSpec | None) -> dict[str, Any]:
    """What shapes a transcript-made language: engine, model and decoding options.

    Hook: this names the model; where a model's weights can change under one name (a local
    folder), add its sha256 here (``pipeline.analysis.transcribe.models.resolve(name).sha256``).
    """
    from pipeline.analysis.transcribe.settings import settings_for

    settings = settings_for(spec)
    return {"engine": settings.engine, "model": settings.model, "options": settings.options()}


def output_inputs(
    clip: ClipPlan,
    job: Job,
    hashes: Mapping[str, str],
    sources: Mapping[str, SourceSpec],
    transcription: TranscriptionSpec | None = None,
) -> Inputs:
    """Everything that shapes one output, part by part: when it is unchanged, so is the MP4.

    Only the config slice of this output counts (its cuts, its languages -- burned and soft --,
    its rendition and style), so adding a rendition leaves the other outputs up to date.
    """
    cuts = [c.model_dump(mode="json") for c in clip.spec.cuts]
    langs = [job.lang, *(lang for lang, _ in job.soft)]
    files = {p for lang in langs for p in subtitle_files(clip, lang, sources) if p.exists()}
    tracks: list[tuple[str, tuple[Cue, ...]]] = [(job.lang, job.cues), *job.soft]
    return {
        "tool": __version__,
        "sources": dict(hashes),
        "cuts": _digest(cuts),
        "timeline": _digest(dataclasses.asdict(job.timeline)),  # quotes resolved, frames placed
        "language": {lang: clip.spec.subtitles.languages.get(lang) for lang in langs},
        "subtitle_files": {str(p): file_sha256(p) for p in sorted(files)},
        "cues": _digest([[lang, [_cue(c) for c in cues]] for lang, cues in tracks]),
        "rendition": _digest(job.spec.model_dump(mode="json")),
        "style": _digest(dataclasses.asdict(job.style)),
        "transcription": {
            lang: transcription_inputs(transcription)
            for lang in langs
            if clip.spec.subtitles.languages.get(lang) == "transcript"
        },
        **_verify_inputs(job),
    }


def _verify_inputs(job: Job) -> Inputs:
    """The words check of a verified output (none: the part is absent, so that outputs built
    before verification existed stay up to date)."""
    if job.verify is None:
        return {}
    redacted = sorted({t for c in job.verify.cuts for t in c.redacted})
    return {
        "verify": {
            "mode": "words",
            "transcription": transcription_inputs(job.verify.transcription),
            "redacted": redacted,
        }
    }


def _cue(cue: Cue) -> list[object]:
    return [cue.span.start_ms, cue.span.end_ms, cue.text]


def fingerprint(inputs: Inputs) -> str:
    """One digest of all the parts of an output's inputs."""
    return _digest(inputs)


def changed(old: Mapping[str, Any], new: Inputs) -> str:
    """Which input changed between two builds of an output, in words."""
    if old.get("tool") != new["tool"]:
        return f"build-clip version changed ({old.get('tool')} -> {new['tool']})"
    for part, what in (("sources", "source"), ("subtitle_files", "subtitle file")):
        before, now = old.get(part) or {}, new[part]
        for key in sorted(set(before) | set(now)):
            if before.get(key) != now.get(key):
                return f"{what} {key!r} {_verb(key in before, key in now)}"
    words = {
        "cuts": "cuts changed",
        "timeline": "cut timing changed (a quote or the frame rate)",
        "language": "subtitle language settings changed",
        "cues": "subtitle cues changed",
        "rendition": "rendition settings changed",
        "style": "subtitle style changed",
        "transcription": "transcription engine or model changed",
        "verify": "verification turned on or off (verify: words, --verify), or what it checks",
    }
    return next(
        (w for part, w in words.items() if old.get(part) != new.get(part)), "inputs changed"
    )


def _verb(before: bool, now: bool) -> str:
    return "changed" if before and now else "added" if now else "removed"


def manifest(
    clip: ClipPlan,
    media: Mapping[str, MediaInfo],
    config: Path,
    inputs: Mapping[str, Inputs | None],
    lint: Sequence[Finding] | None = None,
    verification: Sequence[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """The manifest of a built clip, as JSON-ready data.

    ``inputs`` maps each output's file name to the inputs it was built from, or None when
    it was not built (a failure): such an output is rebuilt by the next run. ``lint`` is
    what the build's lint found for the clip (warnings: an error stops the build), or None
    when this run did not lint it (every output up to date): the last record then stands.
    ``verification``: each cut's words heard again (pipeline/verify/words.py ``record``), if any.
    """
    hashes = source_hashes(clip, media)
    previous = read_manifest(clip)
    old = previous.get("outputs") or {}
    cuts = [
        _cut(spec, cut, ts, clip.timeline.fps)
        for spec, cut, ts in zip(clip.spec.cuts, clip.cuts, clip.timeline.spans, strict=True)
    ]
    for cut, verified in zip(cuts, verification or (), strict=False):
        cut["verification"] = dict(verified)
    return {
        "tool": {"name": "build-clip", "version": __version__},
        "clip": clip.name,
        "config": str(config),
        "duration_s": round(float(clip.timeline.duration), 6),
        "sources": {
            sid: {"file": str(media[sid].path), "sha256": h, "duration_ms": media[sid].duration_ms}
            for sid, h in hashes.items()
        },
        "cuts": cuts,
        "languages": {
            lang: {"from": mode, "cues": len(clip.tracks.get(lang, ()))}
            for lang, mode in clip.spec.subtitles.languages.items()
        },
        "redactions": _redactions(clip),
        **_lint(lint, previous),
        "outputs": {
            job.output.name: _output(job, inputs.get(job.output.name), old.get(job.output.name))
            for job in clip.jobs
        },
    }


def _lint(lint: Sequence[Finding] | None, previous: Mapping[str, Any]) -> dict[str, Any]:
    """The ``lint`` entry: one record per finding ([] for none); absent when never linted."""
    if lint is None:
        return {"lint": previous["lint"]} if isinstance(previous.get("lint"), list) else {}
    return {
        "lint": [
            {
                "rule": f.rule,
                "severity": f.severity,
                "lang": f.lang,
                "where": f.where,
                "message": f.message,
            }
            for f in lint
        ]
    }


def _cut(spec: CutSpec, cut: ResolvedCut, ts: TimelineSpan, fps: Fraction) -> dict[str, Any]:
    """Where one cut came from: as written, as found, as cut, and what was said around it.

    Room for issue 14's check of the words on screen against the words spoken: its result
    goes in this record as ``verification`` (a dict), which the review page shows per cut.
    """
    written = (
        {"quote": spec.quote}
        if spec.quote is not None
        else {"start": str(spec.start), "end": str(spec.end)}
    )
    return {
        "source": cut.source,
        "written": written,
        "requested": _span(cut.requested),  # the timecodes, or the quote's words
        "source_span": _span(cut.span),  # after snapping to word edges
        "snapped": cut.requested != cut.span,
        "clip_span": _span(ts.clip),
        "frames": ts.frames,
        "clip_frames": list(ts.screen_frames(fps)),
        "quote": cut.quote,
        "words": [
            {"text": w.text.strip(), "start_ms": w.span.start_ms, "end_ms": w.span.end_ms}
            for w in cut.words
        ],
        "text": " ".join(w.text.strip() for w in cut.words),
        "context_before": cut.before,
        "context_after": cut.after,
    }


def _redactions(clip: ClipPlan) -> list[dict[str, Any]]:
    """What was hidden, where, and how (from the clip's first output: the same in all)."""
    if not clip.jobs:
        return []
    return [
        {"clip_span": _span(r.span), "audio": r.audio, "blur": list(r.blur) if r.blur else None}
        for r in clip.jobs[0].finish.redactions
    ]


def _measured(job: Job, sha256: str | None, old: Mapping[str, Any] | None) -> dict[str, Any]:
    """Loudness and privacy scan of a built output; reused while the file is unchanged."""
    if sha256 is None:
        return {"loudness": None, "privacy": None}
    if old and old.get("sha256") == sha256 and old.get("loudness") is not None:
        return {"loudness": old["loudness"], "privacy": old.get("privacy")}
    probed, measured = measure_output(job.output)  # measured by the render, as a rule
    findings = scan(probed, len(job.soft))
    return {
        "loudness": {
            **measured,
            "target_lufs": job.audio.loudness if job.audio else None,
        },
        "privacy": {"ok": not findings, "findings": findings},
    }


def _output(
    job: Job, inputs: Inputs | None, old: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    built = inputs is not None and job.output.exists()
    sha256 = file_sha256(job.output) if built else None
    return {
        "rendition": job.rendition,
        "burned": job.lang,
        "size": list(job.spec.size),
        "fps": f"{job.timeline.fps.numerator}/{job.timeline.fps.denominator}",
        "duration_s": round(float(job.timeline.duration), 6),
        "sha256": sha256,
        "fingerprint": fingerprint(inputs) if built and inputs is not None else None,
        "inputs": inputs if built else None,
        **_measured(job, sha256, old),
    }


def manifest_path(clip: ClipPlan) -> Path:
    return clip.folder / f"{clip.name}.manifest.json"


def read_manifest(clip: ClipPlan) -> dict[str, Any]:
    """The clip's last manifest, or an empty one when there is none or it is unreadable."""
    with contextlib.suppress(OSError, ValueError):
        data = json.loads(manifest_path(clip).read_text(encoding="utf-8"))
        if isinstance(data, dict):
            return data
    return {}


def write_manifest(
    clip: ClipPlan,
    media: Mapping[str, MediaInfo],
    config: Path,
    inputs: Mapping[str, Inputs | None],
    lint: Sequence[Finding] | None = None,
    verification: Sequence[Mapping[str, Any]] | None = None,
    shared: Shared | None = None,
) -> bool:
    """Write ``out/<clip>/<clip>.manifest.json`` atomically, only if it changed.

    With ``shared``, that file is the shareable one: every redacted term in it is replaced
    (in English), and the whole record, with the real words, goes to the private folder.
    """
    data = manifest(clip, media, config, inputs, lint, verification)
    if shared is not None:
        write_if_changed(shared.private / manifest_path(clip).name, _json(data))
        data = shared.redactor.data(data)
    return write_if_changed(manifest_path(clip), _json(data))


def _json(data: Mapping[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


@dataclasses.dataclass(frozen=True)
class Shared:
    """How a build keeps its output folder shareable: the redactor of the config's terms,
    and the private folder (outside the output folder) for the unredacted record."""

    redactor: Redactor
    private: Path


def same_text(path: Path, text: str) -> bool:
    """Whether ``path`` already holds exactly ``text``."""
    with contextlib.suppress(OSError, UnicodeDecodeError):
        return path.read_text(encoding="utf-8") == text
    return False


def write_if_changed(path: Path, text: str) -> bool:
    """Write ``text`` atomically unless the file already holds it; True when written."""
    if same_text(path, text):
        return False
    write_text(path, text)
    return True
