"""The manifest of a clip as one frozen record: ``Manifest.to_json`` writes
``<clip>.manifest.json``, ``Manifest.from_json`` reads it back.

``SCHEMA_VERSION`` is written with it. A manifest that is missing, unreadable, of the wrong
shape or of another schema version reads as None: a build then takes every output of the
clip as not recorded (so it builds them again), and the review index leaves the clip out.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.publish.output_record import OutputRecord
from pipeline.publish.records import (
    CutRecord,
    LanguageRecord,
    LintRecord,
    RedactionRecord,
    SourceRecord,
    Unreadable,
    records,
)

SCHEMA_VERSION = 1  # 1: the first typed manifest (the fields of 0.x, plus this one)


@dataclass(frozen=True)
class Manifest:
    """Where every cut of a clip came from, what was written, and from what.

    ``lint`` and ``redactions`` are None when not recorded (the review page says so);
    ``outputs`` maps each output's file name to its record.
    """

    clip: str
    tool: Mapping[str, str] = field(default_factory=dict)  # name and version
    config: str = ""
    duration_s: float | None = None
    sources: Mapping[str, SourceRecord] = field(default_factory=dict)
    cuts: tuple[CutRecord, ...] = ()
    languages: Mapping[str, LanguageRecord] = field(default_factory=dict)
    redactions: tuple[RedactionRecord, ...] | None = None
    lint: tuple[LintRecord, ...] | None = None
    outputs: Mapping[str, OutputRecord] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The manifest as JSON-ready data, in the order it is written."""
        data: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "tool": dict(self.tool),
            "clip": self.clip,
            "config": self.config,
            "duration_s": self.duration_s,
            "sources": {sid: s.to_json() for sid, s in self.sources.items()},
            "cuts": [c.to_json() for c in self.cuts],
            "languages": {lang: info.to_json() for lang, info in self.languages.items()},
        }
        if self.redactions is not None:
            data["redactions"] = [r.to_json() for r in self.redactions]
        if self.lint is not None:  # absent when never linted
            data["lint"] = [f.to_json() for f in self.lint]
        data["outputs"] = {name: out.to_json() for name, out in self.outputs.items()}
        return data

    def text(self) -> str:
        """The manifest file's text."""
        return json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, data: object) -> Manifest | None:
        """The manifest in ``data`` (as ``json.loads`` gives it); None when it is not a
        manifest of this schema version."""
        if not isinstance(data, Mapping) or data.get("schema_version") != SCHEMA_VERSION:
            return None
        try:
            return cls._read(data)
        except (Unreadable, TypeError, ValueError):
            return None

    @classmethod
    def _read(cls, data: Mapping[str, Any]) -> Manifest:
        clip, config, duration = data.get("clip"), data.get("config", ""), data.get("duration_s")
        if not isinstance(clip, str) or not isinstance(config, str):
            raise Unreadable("clip and config: expected text")
        if duration is not None and (
            isinstance(duration, bool) or not isinstance(duration, int | float)
        ):
            raise Unreadable("duration_s: expected a number")
        return cls(
            clip=clip,
            tool={str(k): str(v) for k, v in _mapping(data, "tool").items()},
            config=config,
            duration_s=duration,
            sources={k: SourceRecord.from_json(v) for k, v in _mapping(data, "sources").items()},
            cuts=records(data.get("cuts"), CutRecord.from_json, "cuts") or (),
            languages={
                k: LanguageRecord.from_json(v) for k, v in _mapping(data, "languages").items()
            },
            redactions=records(data.get("redactions"), RedactionRecord.from_json, "redactions"),
            lint=records(data.get("lint"), LintRecord.from_json, "lint"),
            outputs={k: OutputRecord.from_json(v) for k, v in _mapping(data, "outputs").items()},
        )


def _mapping(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise Unreadable(f"{key}: expected an object")
    return value


def read_manifest_file(path: Path) -> Manifest | None:
    """The manifest in ``path``, or None when there is none or it is unreadable (see
    ``Manifest.from_json``)."""
    with contextlib.suppress(OSError, ValueError):
        return Manifest.from_json(json.loads(path.read_text(encoding="utf-8")))
    return None
