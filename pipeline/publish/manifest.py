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
from pathlib import Path
from typing import Any

from pipeline import __version__
from pipeline.config.schema import SourceSpec, TranscriptionSpec
from pipeline.config.sources import FromFile, FromSource, FromTranscript, LanguageSource
from pipeline.core.files import write_text
from pipeline.core.model import Cue, MediaInfo
from pipeline.core.stamps import file_sha256
from pipeline.prepare.plan import ClipPlan, Job
from pipeline.publish.manifest_record import Manifest, read_manifest_file
from pipeline.publish.output_record import Measured, OutputRecord
from pipeline.publish.records import (
    CutRecord,
    LanguageRecord,
    LintRecord,
    RedactionRecord,
    SourceRecord,
    SpanRecord,
)
from pipeline.publish.shareable import Redactor
from pipeline.subtitles.lint import Finding

Inputs = dict[str, Any]


def _digest(data: object) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def source_hashes(clip: ClipPlan, media: Mapping[str, MediaInfo]) -> dict[str, str]:
    """The content hash of every source a clip uses (each file read at most once per run)."""
    return {sid: file_sha256(media[sid].path) for sid in sorted({c.source for c in clip.spec.cuts})}


def _text(mode: LanguageSource | None) -> str | None:
    """A language's source as the config wrote it ("source", "transcript" or the file)."""
    return None if mode is None else str(mode)


def subtitle_files(clip: ClipPlan, lang: str, sources: Mapping[str, SourceSpec]) -> list[Path]:
    """The subtitle files that one language of a clip is read from (none for a transcript)."""
    mode = clip.spec.subtitles.languages.get(lang)
    if isinstance(mode, FromSource):
        used = sorted({c.source for c in clip.spec.cuts})
        return [sources[s].subtitles[lang] for s in used if lang in sources[s].subtitles]
    return [mode.path] if isinstance(mode, FromFile) else []


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
        "language": {lang: _text(clip.spec.subtitles.languages.get(lang)) for lang in langs},
        "subtitle_files": {str(p): file_sha256(p) for p in sorted(files)},
        "cues": _digest([[lang, [_cue(c) for c in cues]] for lang, cues in tracks]),
        "rendition": _digest(job.spec.model_dump(mode="json")),
        "style": _digest(dataclasses.asdict(job.style)),
        "transcription": {
            lang: transcription_inputs(transcription)
            for lang in langs
            if isinstance(clip.spec.subtitles.languages.get(lang), FromTranscript)
        },
        **_verify_inputs(job),
        **_voice_inputs(job),
        **_faces_inputs(job),
    }


def _faces_inputs(job: Job) -> Inputs:
    """The faces hidden and how (none: the part is absent, so that outputs built before
    faces were hidden stay up to date)."""
    if not job.finish.faces:
        return {}
    tracks = [[sid, dataclasses.asdict(track)] for sid, track in job.finish.faces]
    return {"faces": {"mode": job.finish.face_mode, "tracks": _digest(tracks)}}


def _voice_inputs(job: Job) -> Inputs:
    """The semitones of each disguised source (none: the part is absent, so that outputs
    built before voice disguise existed stay up to date)."""
    return {"voice": dict(job.finish.disguise)} if job.finish.disguise else {}


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
        "voice": "voice disguise changed (voice: {disguise: N})",
        "faces": "faces hidden changed (faces: {mode, keep}, or the tracks found)",
    }
    return next(
        (w for part, w in words.items() if old.get(part) != new.get(part)), "inputs changed"
    )


def _verb(before: bool, now: bool) -> str:
    return "changed" if before and now else "added" if now else "removed"


@dataclasses.dataclass(frozen=True)
class Built:
    """An output that was built: the inputs it was built from and what was measured of it."""

    inputs: Inputs
    measured: Measured


def built(
    clip: ClipPlan,
    inputs: Mapping[str, Inputs | None],
    measured: Mapping[str, Measured],
    last: Manifest | None,
) -> dict[str, Built | None]:
    """What the manifest records of each output, by file name: ``inputs`` is None for an
    output that failed; ``measured``, what this run's renders measured. An output this run
    did not render (up to date) keeps what the last manifest measured of it; one with no
    measurement is recorded as not built (None), so that the next run builds it."""
    found: dict[str, Built | None] = {}
    for job in clip.jobs:
        name = job.output.name
        now, record = inputs.get(name), last.outputs.get(name) if last else None
        kept = (
            Measured(record.sha256, record.loudness, record.privacy)
            if record is not None and record.sha256 is not None and job.output.exists()
            else None
        )
        found[name] = None if now is None else _built(now, measured.get(name, kept))
    return found


def _built(inputs: Inputs, measured: Measured | None) -> Built | None:
    return None if measured is None else Built(inputs, measured)


def manifest(
    clip: ClipPlan,
    media: Mapping[str, MediaInfo],
    config: Path,
    outputs: Mapping[str, Built | None],
    lint: Sequence[LintRecord] | None = None,
    verification: Sequence[Mapping[str, Any]] | None = None,
) -> Manifest:
    """The manifest of a built clip.

    ``outputs`` maps each output's file name to what it was built from and what was measured
    of it, or None when it was not built (a failure): such an output is rebuilt by the next
    run. ``lint``: what the build's lint found for the clip (warnings: an error stops the
    build), or None when never linted (see ``lint_records``). ``verification``: each cut's
    words heard again (pipeline/verify/words.py ``record``), if any.
    """
    cuts = [
        CutRecord.of(spec, cut, ts, clip.timeline.fps)
        for spec, cut, ts in zip(clip.spec.cuts, clip.cuts, clip.timeline.spans, strict=True)
    ]
    for k, verified in enumerate((verification or ())[: len(cuts)]):
        cuts[k] = dataclasses.replace(cuts[k], verification=dict(verified))
    return Manifest(
        tool={"name": "build-clip", "version": __version__},
        clip=clip.name,
        config=str(config),
        duration_s=round(float(clip.timeline.duration), 6),
        sources={
            sid: SourceRecord(str(media[sid].path), h, media[sid].duration_ms)
            for sid, h in source_hashes(clip, media).items()
        },
        cuts=tuple(cuts),
        languages={
            lang: LanguageRecord(str(mode), len(clip.tracks.get(lang, ())))
            for lang, mode in clip.spec.subtitles.languages.items()
        },
        redactions=_redactions(clip),
        lint=None if lint is None else tuple(lint),
        outputs={job.output.name: _output(job, outputs.get(job.output.name)) for job in clip.jobs},
    )


def lint_records(
    lint: Sequence[Finding] | None, last: Manifest | None
) -> tuple[LintRecord, ...] | None:
    """The ``lint`` entry: one record per finding (none: empty); when this run did not lint
    (``lint`` None: every output up to date), the last manifest's record stands."""
    if lint is None:
        return None if last is None else last.lint
    return tuple(LintRecord(f.rule, f.severity, f.lang, f.where, f.message) for f in lint)


def _redactions(clip: ClipPlan) -> tuple[RedactionRecord, ...]:
    """What was hidden, where, and how (from the clip's first output: the same in all)."""
    if not clip.jobs:
        return ()
    return tuple(
        RedactionRecord(SpanRecord.of(r.span), r.audio, r.blur)
        for r in clip.jobs[0].finish.redactions
    )


def _output(job: Job, built: Built | None) -> OutputRecord:
    measured = None if built is None else built.measured
    return OutputRecord(
        rendition=job.rendition,
        burned=job.lang,
        size=tuple(job.spec.size),
        fps=f"{job.timeline.fps.numerator}/{job.timeline.fps.denominator}",
        duration_s=round(float(job.timeline.duration), 6),
        sha256=None if measured is None else measured.sha256,
        fingerprint=None if built is None else fingerprint(built.inputs),
        inputs=None if built is None else built.inputs,
        loudness=None if measured is None else measured.loudness,
        privacy=None if measured is None else measured.privacy,
        voice=dict(job.finish.disguise) or None,
    )


def manifest_path(clip: ClipPlan) -> Path:
    return clip.folder / f"{clip.name}.manifest.json"


def read_manifest(clip: ClipPlan) -> Manifest | None:
    """The clip's last manifest; None when there is none, or it is unreadable or of another
    schema version (its outputs are then built again)."""
    return read_manifest_file(manifest_path(clip))


def write_manifest(clip: ClipPlan, record: Manifest, shared: Shared | None = None) -> bool:
    """Write ``out/<clip>/<clip>.manifest.json`` (``record``, made by ``manifest``)
    atomically, only if it changed.

    With ``shared``, that file is the shareable one: every redacted term in it is replaced
    (in English), and the whole record, with the real words, goes to the private folder.
    """
    if shared is None:
        return write_if_changed(manifest_path(clip), record.text())
    write_if_changed(shared.private / manifest_path(clip).name, record.text())
    return write_if_changed(manifest_path(clip), _json(shared.redactor.data(record.to_json())))


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
