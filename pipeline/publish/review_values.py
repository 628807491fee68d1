"""Manifest values made ready for the review page: text, tables, and "not recorded" sections.

Other stages add entries to the manifest (lint findings, redactions, loudness, the privacy
scan); the page shows each record as its JSON has it -- a list of records as a table, a
mapping as key/value rows -- so a new field of a record shows up without a change here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.core.languages import language_name
from pipeline.core.timecode import format_ms
from pipeline.publish.manifest_record import Manifest

Node = dict[str, Any]
_SPAN = {"start_ms", "end_ms"}  # a span is shown as two timecodes


@dataclass(frozen=True)
class Section:
    """A part of the review page that shows one manifest entry.

    Attributes:
        key: the manifest key (also the section's HTML id).
        title: the heading.
        absent: the end of the sentence shown when it is not there ("Not recorded: ... so ...").
        none: what is shown when the entry is recorded and empty.
        per_output: the entry is in each output's record (``outputs.<name>.<key>``), not at
            the top of the manifest; the section shows it output by output.
    """

    key: str
    title: str
    absent: str
    none: str = "None."
    per_output: bool = False


SECTIONS = (
    Section(
        "lint",
        "Subtitle lint findings",
        "the subtitles were not linted by this build (build-clip check CONFIG lints them).",
        "No findings: the build's lint found nothing to warn of.",
    ),
    Section("redactions", "Redactions", "nothing is known of redactions."),
    Section("loudness", "Measured loudness", "the loudness was not measured.", per_output=True),
    Section("privacy", "Privacy scan", "the outputs were not scanned.", per_output=True),
)
UNBUILT = "not recorded: this output was not built"


def language_label(lang: str) -> str:
    """A language's English name and code.

    >>> language_label("ar"), language_label("bs"), language_label("xx")
    ('Arabic (ar)', 'Bosnian (bs)', 'xx')
    """
    name = language_name(lang)
    return f"{name} ({lang})" if name else lang


def said(value: object) -> str:
    """Transcript text from a manifest value: text, or a list of words (text or records).

    >>> said([" It", {"text": " was"}, {"word": "lies."}])
    'It was lies.'
    >>> said(None)
    ''
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, Mapping):
        return said(value.get("text", value.get("word")))
    if isinstance(value, Sequence):
        return " ".join(p for p in (said(v) for v in value) if p)
    return str(value)


def shape(value: object) -> Node:
    """A JSON value as a tree the template draws: text, list, map (key/value) or table.

    >>> shape([{"rule": "gap", "line": 3}, {"rule": "cps"}])["columns"]
    ['rule', 'line']
    >>> shape({"ok": True})["items"][0][1]
    {'kind': 'text', 'text': 'yes'}
    >>> shape({"start": "00:01:14.000", "start_ms": 74000, "end_ms": 74500})["text"]
    '00:01:14.000 → 00:01:14.500'
    """
    if isinstance(value, Mapping) and value.keys() >= _SPAN:
        start, end = (value[k] for k in ("start_ms", "end_ms"))
        if isinstance(start, int) and isinstance(end, int):
            return {"kind": "text", "text": f"{format_ms(start)} → {format_ms(end)}"}
    if isinstance(value, Mapping):
        return {"kind": "map", "items": [(str(k), shape(v)) for k, v in value.items()]}
    if isinstance(value, Sequence) and not isinstance(value, str):
        if value and all(isinstance(v, Mapping) for v in value):
            columns = list(dict.fromkeys(str(k) for v in value for k in v))
            rows = [[shape(v.get(c)) for c in columns] for v in value]
            return {"kind": "table", "columns": columns, "rows": rows}
        if not value:
            return {"kind": "text", "text": "none"}
        return {"kind": "list", "items": [shape(v) for v in value]}
    return {"kind": "text", "text": _scalar(value)}


def _scalar(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def recorded(manifest: Manifest, section: Section) -> tuple[bool, object]:
    """Whether the manifest records a section, and what it records (as JSON): for a
    per-output entry, a mapping of each output that records it to its value (None: not
    built); an output that was built but not measured is left out."""
    if section.key == "lint":
        lint = manifest.lint
        return lint is not None, None if lint is None else [f.to_json() for f in lint]
    if section.key == "redactions":
        found = manifest.redactions
        return found is not None, None if found is None else [r.to_json() for r in found]
    values: dict[str, object] = {}
    for name, out in manifest.outputs.items():
        value = out.loudness if section.key == "loudness" else out.privacy
        if not out.built or value is not None:
            values[name] = None if value is None else value.to_json()
    return bool(values), values


def sections(manifest: Manifest) -> list[dict[str, Any]]:
    """Each optional section of the page: its value, or that it was not recorded."""
    found = []
    for s in SECTIONS:
        present, value = recorded(manifest, s)
        if s.per_output and isinstance(value, Mapping):
            value = {name: UNBUILT if v is None else v for name, v in value.items()}
        found.append(
            {
                "key": s.key,
                "title": s.title,
                "absent": s.absent,
                "none": s.none,
                "recorded": present,
                "empty": value in (None, [], {}),
                "value": shape(value),
            }
        )
    return found


def status(manifest: Manifest, key: str) -> dict[str, str]:
    """A one-cell summary of an optional entry, for the index: text and a CSS class."""
    present, _ = recorded(manifest, next(s for s in SECTIONS if s.key == key))
    if not present:
        return {"text": "not recorded", "css": "missing"}
    if key == "lint" and manifest.lint is not None:
        errors = any(f.severity == "error" for f in manifest.lint)
        css = "error" if errors else "warn" if manifest.lint else "ok"
        return {"text": str(len(manifest.lint)), "css": css}
    if key == "redactions" and manifest.redactions is not None:
        return {"text": str(len(manifest.redactions)), "css": "" if manifest.redactions else "ok"}
    if key == "privacy":  # one verdict of all outputs
        scans = [out.privacy for out in manifest.outputs.values() if out.privacy is not None]
        if not scans:
            return {"text": "not built", "css": "missing"}
        if all(scan.ok for scan in scans):
            return {"text": "clean", "css": "ok"}
        return {"text": "FOUND", "css": "error"}
    return {"text": "recorded", "css": ""}


def verification(record: Mapping[str, Any] | None) -> Node | None:
    """A cut's ``verification`` record (issue 14: the words on screen against the words
    spoken), drawn as a tree; None when the manifest has none for the cut."""
    return None if record is None else shape(record)
