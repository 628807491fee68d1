"""Manifest values made ready for the review page: text, tables, and "not recorded" sections.

Other stages add entries to the manifest (lint findings, redactions, loudness, the privacy
scan); the page shows whatever shape they have -- a list of records as a table, a mapping as
key/value rows -- so a new field shows up without a change here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.languages import language_name
from pipeline.timecode import format_ms

Node = dict[str, Any]
_SPAN = {"start_ms", "end_ms"}  # a span is shown as two timecodes


@dataclass(frozen=True)
class Section:
    """A part of the review page that shows one manifest entry.

    Attributes:
        key: the manifest key (also the section's HTML id).
        title: the heading.
        keys: the manifest keys it reads, first found wins.
        absent: the end of the sentence shown when none is there ("Not recorded: ... so ...").
    """

    key: str
    title: str
    keys: tuple[str, ...]
    absent: str


SECTIONS = (
    Section(
        "lint",
        "Subtitle lint findings",
        ("lint", "findings"),
        "the subtitles were not linted by this build (build-clip check CONFIG lints them).",
    ),
    Section("redactions", "Redactions", ("redactions",), "nothing is known of redactions."),
    Section("loudness", "Measured loudness", ("loudness",), "the loudness was not measured."),
    Section("privacy", "Privacy scan", ("privacy",), "the outputs were not scanned."),
)


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


def sections(manifest: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each optional section of the page: its value, or that it was not recorded."""
    found = []
    for s in SECTIONS:
        key = next((k for k in s.keys if k in manifest), None)
        value = manifest.get(key) if key else None
        found.append(
            {
                "key": s.key,
                "title": s.title,
                "absent": s.absent,
                "recorded": key is not None,
                "empty": value in (None, [], {}),
                "value": shape(value),
            }
        )
    return found


def status(manifest: Mapping[str, Any], key: str) -> dict[str, str]:
    """A one-cell summary of an optional entry, for the index: text and a CSS class."""
    section = next(s for s in SECTIONS if s.key == key)
    name = next((k for k in section.keys if k in manifest), None)
    if name is None:
        return {"text": "not recorded", "css": "missing"}
    value = manifest[name]
    if isinstance(value, Mapping):
        verdict = next((value[k] for k in ("ok", "clean", "passed") if k in value), None)
        if isinstance(verdict, bool):
            return {"text": "clean", "css": "ok"} if verdict else {"text": "FOUND", "css": "error"}
        return {"text": "recorded", "css": ""}
    if isinstance(value, Sequence) and not isinstance(value, str):
        errors = any(isinstance(v, Mapping) and v.get("severity") == "error" for v in value)
        css = (
            "error" if errors else "warn" if value and key == "lint" else "ok" if not value else ""
        )
        return {"text": str(len(value)), "css": css}
    return {"text": _scalar(value), "css": ""}
