"""Transcript <-> JSON (``<stem>.transcript.json`` and the cache entries)."""

from __future__ import annotations

import json
from typing import Any

from pipeline.core.model import OptionValue, Provenance, Segment, Span, Transcript, Word

FORMAT = "build-clip-transcript"
VERSION = 1


def to_json(transcript: Transcript, media_name: str | None = None) -> str:
    """The transcript as indented JSON; times are integer milliseconds of the source.

    >>> t = Transcript("en", (Segment(Span(0, 900), "Hi.", (Word(Span(0, 900), "Hi.", 0.9),)),))
    >>> from_json(to_json(t)) == t
    True
    """
    doc: dict[str, Any] = {"format": FORMAT, "version": VERSION}
    prov = transcript.provenance
    doc["media"] = {
        "file": media_name,
        "sha256": prov.media_sha256 if prov else None,
        "duration_ms": transcript.duration_ms,
    }
    if prov is not None:
        doc["engine"] = prov.engine
        doc["model"] = {"name": prov.model, "sha256": prov.model_sha256}
        doc["options"] = dict(prov.options)
    doc["language"] = transcript.language
    doc["language_probability"] = round(transcript.language_probability, 4)
    head = json.dumps(doc, ensure_ascii=False, indent=1)[:-2]
    return head + ',\n "segments": [' + ",".join(map(_segment, transcript.segments)) + "\n ]\n}\n"


def _compact(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _segment(s: Segment) -> str:
    """One segment: its fields on one line, then one line per word (short, greppable lines)."""
    fields = {
        "start_ms": s.span.start_ms,
        "end_ms": s.span.end_ms,
        "text": s.text,
        "probability": round(s.probability, 4),
        "flags": list(s.flags),
    }
    words = ",".join("\n   " + _compact(_word(w)) for w in s.words)
    return "\n  " + _compact(fields)[:-1] + ', "words": [' + words + "\n  ]}"


def _word(w: Word) -> dict[str, Any]:
    """A word; with the engine's pieces (as it spaced them) when it gave the word in several."""
    doc: dict[str, Any] = {
        "start_ms": w.span.start_ms,
        "end_ms": w.span.end_ms,
        "text": w.text,
        "probability": round(w.probability, 4),
    }
    if w.pieces:
        doc["pieces"] = [
            {
                "start_ms": p.span.start_ms,
                "end_ms": p.span.end_ms,
                "text": p.text,
                "probability": round(p.probability, 4),
            }
            for p in w.pieces
        ]
    return doc


def _read_word(w: dict[str, Any]) -> Word:
    pieces = tuple(
        Word(Span(p["start_ms"], p["end_ms"]), p["text"], p.get("probability", 1.0))
        for p in w.get("pieces", ())
    )
    return Word(Span(w["start_ms"], w["end_ms"]), w["text"], w["probability"], pieces)


def from_json(text: str) -> Transcript:
    """Read a transcript written by :func:`to_json`.

    Raises:
        ValueError: not a build-clip transcript, or a newer format version.
    """
    doc = json.loads(text)
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ValueError("not a build-clip transcript")
    if doc.get("version") != VERSION:
        raise ValueError(f"transcript format version {doc.get('version')} (expected {VERSION})")
    try:
        return _transcript(doc)
    except (KeyError, TypeError, AttributeError) as e:
        raise ValueError(f"broken transcript ({type(e).__name__}: {e})") from None


def _transcript(doc: dict[str, Any]) -> Transcript:
    segments = tuple(
        Segment(
            Span(s["start_ms"], s["end_ms"]),
            s["text"],
            tuple(_read_word(w) for w in s["words"]),
            s.get("probability", 1.0),
            tuple(s.get("flags", ())),
        )
        for s in doc["segments"]
    )
    provenance = None
    if "engine" in doc:
        options: tuple[tuple[str, OptionValue], ...] = tuple(doc.get("options", {}).items())
        provenance = Provenance(
            doc["engine"],
            doc["model"]["name"],
            doc["model"]["sha256"],
            doc["media"]["sha256"],
            options,
        )
    return Transcript(
        doc["language"],
        segments,
        doc.get("language_probability", 1.0),
        doc["media"].get("duration_ms", 0),
        provenance,
    )
