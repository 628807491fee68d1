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
import json
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2

from pipeline.prepare.plan import NOSUBS
from pipeline.publish.manifest import write_if_changed
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


def write_review(clip_folder: Path, manifest: Mapping[str, Any]) -> Path:
    """Write ``clip_folder/review.html`` (and its thumbnails) from the clip's manifest.

    Raises:
        FfmpegError: the thumbnails could not be made.
    """
    outputs = built_outputs(clip_folder, manifest)
    video = pick_video(outputs)
    cuts = list(manifest.get("cuts") or [])
    thumbs: list[tuple[str, str]] = []
    if video is not None and cuts:
        thumbs = write_thumbnails(clip_folder, video["name"], video["sha256"], cuts)
    context = review_context(clip_folder, manifest, outputs, thumbs)
    page = _templates().get_template("review.html").render(context)
    path = clip_folder / "review.html"
    write_if_changed(path, page)
    return path


def write_index(output_folder: Path) -> Path:
    """Write ``output_folder/index.html``: every clip whose manifest is in a folder below."""
    with _INDEX_LOCK:  # the last clip to finish lists every clip finished before it
        rows = [index_row(folder, m) for folder, m in read_manifests(output_folder)]
        page = _templates().get_template("index.html").render(clips=rows)
        path = output_folder / "index.html"
        write_if_changed(path, page)
    return path


def read_manifests(output_folder: Path) -> list[tuple[Path, dict[str, Any]]]:
    """(clip folder, manifest) of every readable ``<clip>/<clip>.manifest.json``, by name."""
    found = []
    for path in sorted(output_folder.glob("*/*.manifest.json")):
        if path.name != f"{path.parent.name}.manifest.json":
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict):
            found.append((path.parent, data))
    return found


def built_outputs(folder: Path, manifest: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every output of the manifest, with its link, label and whether it was built."""
    rows = []
    for name, out in (manifest.get("outputs") or {}).items():
        burned = str(out.get("burned", NOSUBS))
        subs = "no burned subtitles" if burned == NOSUBS else f"{language_label(burned)} burned in"
        rows.append(
            {
                "name": name,
                "href": quote(name),
                "label": f"{out.get('rendition', '')} · {subs}",
                "burned": burned,
                "sha256": out.get("sha256") or "",
                "built": bool(out.get("sha256")) and (folder / name).is_file(),
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
    manifest: Mapping[str, Any],
    outputs: list[dict[str, Any]],
    thumbs: list[tuple[str, str]],
) -> dict[str, Any]:
    """Everything the review page shows, as plain values for the template."""
    clip = str(manifest.get("clip") or folder.name)
    cuts = list(manifest.get("cuts") or [])
    sources = manifest.get("sources") or {}
    return {
        "clip": clip,
        "duration": manifest.get("duration_s", "?"),
        "tool": " ".join(str(v) for v in (manifest.get("tool") or {}).values()) or "build-clip",
        "config": str(manifest.get("config", "")),
        "manifest_name": f"{clip}.manifest.json",
        "manifest_href": quote(f"{clip}.manifest.json"),
        "video": pick_video(outputs),
        "outputs": [o for o in outputs if o["built"]],
        "tracks": tracks(folder, clip, manifest),
        "languages": languages(folder, clip, manifest),
        "cuts": [cut_row(i, cut, sources, thumbs) for i, cut in enumerate(cuts)],
        "sections": sections(manifest),
        "sources": shape({sid: dict(info) for sid, info in sources.items()}),
        "files": shape([_output_fact(o, manifest) for o in outputs]),
    }


def tracks(folder: Path, clip: str, manifest: Mapping[str, Any]) -> list[dict[str, str]]:
    """One ``<track>`` per language whose WebVTT sidecar exists, with its text to embed."""
    found = []
    for lang in manifest.get("languages") or {}:
        vtt = folder / f"{clip}.{lang}.vtt"
        if vtt.is_file():
            text = vtt.read_text(encoding="utf-8")
            found.append(
                {"lang": lang, "label": language_label(lang), "href": quote(vtt.name), "vtt": text}
            )
    return found


def languages(folder: Path, clip: str, manifest: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each language: where it came from, its cue count and its sidecar files."""
    rows = []
    for lang, info in (manifest.get("languages") or {}).items():
        names = [f"{clip}.{lang}.{ext}" for ext in ("srt", "vtt")]
        rows.append(
            {
                "label": language_label(lang),
                "from": str(info.get("from", "")),
                "cues": info.get("cues", "?"),
                "files": [{"name": n, "href": quote(n)} for n in names if (folder / n).is_file()],
            }
        )
    return rows


def cut_row(
    index: int, cut: Mapping[str, Any], sources: Mapping[str, Any], thumbs: list[tuple[str, str]]
) -> dict[str, Any]:
    """One row of the contact sheet."""
    src, clip = cut.get("source_span") or {}, cut.get("clip_span") or {}
    pair = thumbs[index] if index < len(thumbs) else ()
    source = str(cut.get("source", "?"))
    return {
        "number": index + 1,
        "thumbs": [
            {"href": quote(name), "alt": f"cut {index + 1}, {which} frame", "caption": which}
            for name, which in zip(pair, ("first", "last"), strict=False)
        ],
        "source": source,
        "file": str((sources.get(source) or {}).get("file", "")),
        "source_start": src.get("start", "?"),
        "source_end": src.get("end", "?"),
        "requested": asked(cut),
        "clip_start": clip.get("start", "?"),
        "clip_end": clip.get("end", "?"),
        "seek": f"{int(clip.get('start_ms', 0)) / 1000:.3f}",
        "frames": cut.get("frames", "?"),
        "quote": said(cut.get("quote")),
        "recorded": any(k in cut for k in ("words", "context_before", "context_after")),
        "words": said(cut.get("words")),
        "before": said(cut.get("context_before")),
        "after": said(cut.get("context_after")),
        "verification": verification(cut),
    }


def asked(cut: Mapping[str, Any]) -> str:
    """The timecodes a cut was written with in the config ("" for a quote)."""
    written = cut.get("written") or cut.get("requested") or {}
    if "start" not in written or "end" not in written:
        return ""  # a quote: shown apart
    snapped = " (snapped to word edges)" if cut.get("snapped") else ""
    return f"{written['start']} → {written['end']}{snapped}"


def index_row(folder: Path, manifest: Mapping[str, Any]) -> dict[str, Any]:
    """One clip's line in the index."""
    outputs = built_outputs(folder, manifest)
    page = "review.html" if (folder / "review.html").is_file() else f"{folder.name}.manifest.json"
    return {
        "name": str(manifest.get("clip") or folder.name),
        "href": f"{quote(folder.name)}/{quote(page)}",
        "duration": manifest.get("duration_s", "?"),
        "cuts": len(manifest.get("cuts") or []),
        "languages": ", ".join(manifest.get("languages") or {}),
        "outputs": len(outputs),
        "built": sum(o["built"] for o in outputs),
        "lint": status(manifest, "lint"),
        "redactions": status(manifest, "redactions"),
        "privacy": status(manifest, "privacy"),
    }


def _output_fact(output: Mapping[str, Any], manifest: Mapping[str, Any]) -> dict[str, Any]:
    record = (manifest.get("outputs") or {}).get(output["name"]) or {}
    return {
        "file": output["name"],
        "version": output["label"],
        "built": output["built"],
        "size": "x".join(str(v) for v in record.get("size") or ()),
        "fps": record.get("fps"),
        "duration_s": record.get("duration_s"),
        "sha256": output["sha256"] or None,
    }
