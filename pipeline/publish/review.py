"""The review page of a built clip, and the index of all clips: static HTML beside the outputs.

``out/<clip>/review.html`` shows the clip with every language as a WebVTT track, a contact
sheet of the cuts (first and last frame, source and timecodes, the words kept and what was
said around them), each cut's verification, and what the manifest records of lint findings,
redactions, and each output's loudness and privacy scan: each section says "not recorded"
when, and only when, the manifest has no entry for it.
Every link is relative, so the folder opens from disk, with no server, and can be zipped.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2

from pipeline.prepare.plan import NOSUBS
from pipeline.publish.manifest import write_if_changed
from pipeline.publish.manifest_record import Manifest, read_manifest_file
from pipeline.publish.records import CutRecord
from pipeline.publish.review_values import (
    language_label,
    said,
    sections,
    shape,
    status,
    verification,
)
from pipeline.render.thumbnails import write_thumbnails

_INDEX_LOCK = threading.Lock()  # clips of one build finish on several threads


@functools.cache
def _templates() -> jinja2.Environment:
    """The page templates (made on first use: no work at import time)."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("pipeline", "templates"),
        autoescape=True,  # every value: file names and transcripts can hold anything
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def write_review(clip_folder: Path, manifest: Manifest) -> Path:
    """Write ``clip_folder/review.html`` (and its thumbnails) from the clip's manifest.

    Raises:
        FfmpegError: the thumbnails could not be made.
    """
    outputs = built_outputs(clip_folder, manifest)
    video = pick_video(outputs)
    thumbs: list[tuple[str, str]] = []
    if video is not None and manifest.cuts:
        frames = [_frames(cut) for cut in manifest.cuts]
        thumbs = write_thumbnails(clip_folder, video["name"], video["sha256"], frames)
    context = review_context(clip_folder, manifest, outputs, thumbs)
    page = _templates().get_template("review.html").render(context)
    path = clip_folder / "review.html"
    write_if_changed(path, page)
    return path


def _frames(cut: CutRecord) -> dict[str, Any]:
    """A cut's frames on the clip, as pipeline/render/thumbnails.py ``cut_frames`` reads them."""
    frames: dict[str, Any] = {"frames": cut.frames or 1}
    if cut.clip_frames is not None:
        frames["clip_frames"] = list(cut.clip_frames)
    return frames


def write_index(output_folder: Path) -> Path:
    """Write ``output_folder/index.html``: every clip whose manifest is in a folder below."""
    with _INDEX_LOCK:  # the last clip to finish lists every clip finished before it
        rows = [index_row(folder, m) for folder, m in read_manifests(output_folder)]
        page = _templates().get_template("index.html").render(clips=rows)
        path = output_folder / "index.html"
        write_if_changed(path, page)
    return path


def read_manifests(output_folder: Path) -> list[tuple[Path, Manifest]]:
    """(clip folder, manifest) of every readable ``<clip>/<clip>.manifest.json``, by name."""
    found = []
    for path in sorted(output_folder.glob("*/*.manifest.json")):
        if path.name != f"{path.parent.name}.manifest.json":
            continue
        manifest = read_manifest_file(path)
        if manifest is not None:
            found.append((path.parent, manifest))
    return found


def built_outputs(folder: Path, manifest: Manifest) -> list[dict[str, Any]]:
    """Every output of the manifest, with its link, label and whether it was built."""
    rows = []
    for name, out in manifest.outputs.items():
        burned = out.burned or NOSUBS
        subs = "no burned subtitles" if burned == NOSUBS else f"{language_label(burned)} burned in"
        rows.append(
            {
                "name": name,
                "href": quote(name),
                "label": f"{out.rendition} · {subs}",
                "burned": burned,
                "sha256": out.sha256 or "",
                "built": out.built and (folder / name).is_file(),
            }
        )
    return rows


def shown_index(burned: Sequence[str]) -> int | None:
    """Which of the outputs (given by the language each burns) the review page plays: the
    first without burned subtitles if there is one, else the first; None for no output.
    The render of that output also makes the page's thumbnails (pipeline/run/build.py)."""
    return next((k for k, lang in enumerate(burned) if lang == NOSUBS), 0 if burned else None)


def pick_video(outputs: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The built output to play (see ``shown_index``)."""
    built = [o for o in outputs if o["built"]]
    k = shown_index([o["burned"] for o in built])
    return None if k is None else built[k]


def review_context(
    folder: Path,
    manifest: Manifest,
    outputs: list[dict[str, Any]],
    thumbs: list[tuple[str, str]],
) -> dict[str, Any]:
    """Everything the review page shows, as plain values for the template."""
    clip = manifest.clip or folder.name
    sources = {sid: s.to_json() for sid, s in manifest.sources.items()}
    return {
        "clip": clip,
        "duration": "?" if manifest.duration_s is None else manifest.duration_s,
        "tool": " ".join(manifest.tool.values()) or "build-clip",
        "config": manifest.config,
        "manifest_name": f"{clip}.manifest.json",
        "manifest_href": quote(f"{clip}.manifest.json"),
        "video": pick_video(outputs),
        "outputs": [o for o in outputs if o["built"]],
        "tracks": tracks(folder, clip, manifest),
        "languages": languages(folder, clip, manifest),
        "cuts": [cut_row(i, cut, manifest, thumbs) for i, cut in enumerate(manifest.cuts)],
        "sections": sections(manifest),
        "sources": shape(sources),
        "files": shape([_output_fact(o, manifest) for o in outputs]),
    }


def tracks(folder: Path, clip: str, manifest: Manifest) -> list[dict[str, str]]:
    """One ``<track>`` per language whose WebVTT sidecar exists, with its text to embed."""
    found = []
    for lang in manifest.languages:
        vtt = folder / f"{clip}.{lang}.vtt"
        if vtt.is_file():
            text = vtt.read_text(encoding="utf-8")
            found.append(
                {"lang": lang, "label": language_label(lang), "href": quote(vtt.name), "vtt": text}
            )
    return found


def languages(folder: Path, clip: str, manifest: Manifest) -> list[dict[str, Any]]:
    """Each language: where it came from, its cue count and its sidecar files."""
    rows = []
    for lang, info in manifest.languages.items():
        names = [f"{clip}.{lang}.{ext}" for ext in ("srt", "vtt")]
        rows.append(
            {
                "label": language_label(lang),
                "from": info.made_from,
                "cues": "?" if info.cues is None else info.cues,
                "files": [{"name": n, "href": quote(n)} for n in names if (folder / n).is_file()],
            }
        )
    return rows


def cut_row(
    index: int, cut: CutRecord, manifest: Manifest, thumbs: list[tuple[str, str]]
) -> dict[str, Any]:
    """One row of the contact sheet."""
    src, clip = cut.source_span, cut.clip_span
    pair = thumbs[index] if index < len(thumbs) else ()
    source = manifest.sources.get(cut.source)
    return {
        "number": index + 1,
        "thumbs": [
            {"href": quote(name), "alt": f"cut {index + 1}, {which} frame", "caption": which}
            for name, which in zip(pair, ("first", "last"), strict=False)
        ],
        "source": cut.source,
        "file": "" if source is None else source.file,
        "source_start": "?" if src is None else src.start,
        "source_end": "?" if src is None else src.end,
        "requested": asked(cut),
        "clip_start": "?" if clip is None else clip.start,
        "clip_end": "?" if clip is None else clip.end,
        "seek": f"{(0 if clip is None else clip.start_ms) / 1000:.3f}",
        "frames": "?" if cut.frames is None else cut.frames,
        "quote": said(cut.quote),
        "recorded": cut.recorded,
        "words": said(None if cut.words is None else [w.text for w in cut.words]),
        "before": said(cut.context_before),
        "after": said(cut.context_after),
        "verification": verification(cut.verification),
    }


def asked(cut: CutRecord) -> str:
    """The timecodes a cut was written with in the config ("" for a quote)."""
    written = cut.written
    if written is None and cut.requested is not None:
        written = {"start": cut.requested.start, "end": cut.requested.end}
    if not written or "start" not in written or "end" not in written:
        return ""  # a quote: shown apart
    snapped = " (snapped to word edges)" if cut.snapped else ""
    return f"{written['start']} → {written['end']}{snapped}"


def index_row(folder: Path, manifest: Manifest) -> dict[str, Any]:
    """One clip's line in the index."""
    outputs = built_outputs(folder, manifest)
    page = "review.html" if (folder / "review.html").is_file() else f"{folder.name}.manifest.json"
    return {
        "name": manifest.clip or folder.name,
        "href": f"{quote(folder.name)}/{quote(page)}",
        "duration": "?" if manifest.duration_s is None else manifest.duration_s,
        "cuts": len(manifest.cuts),
        "languages": ", ".join(manifest.languages),
        "outputs": len(outputs),
        "built": sum(o["built"] for o in outputs),
        "lint": status(manifest, "lint"),
        "redactions": status(manifest, "redactions"),
        "privacy": status(manifest, "privacy"),
    }


def _output_fact(output: Mapping[str, Any], manifest: Manifest) -> dict[str, Any]:
    record = manifest.outputs.get(output["name"])
    return {
        "file": output["name"],
        "version": output["label"],
        "built": output["built"],
        "size": "" if record is None else "x".join(str(v) for v in record.size),
        "fps": None if record is None else record.fps,
        "duration_s": None if record is None else record.duration_s,
        "sha256": output["sha256"] or None,
    }
