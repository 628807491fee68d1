"""What the manifest records of one output, and ``Measured``: what a render measured of the
file it wrote. ``Measured`` travels back from the pool (threads, or Dask workers) to where
the manifest is written, so it holds plain, picklable values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pipeline.publish.records import NUMBER, Json, Unreadable, field_of, list_of, mapping_of


@dataclass(frozen=True)
class Loudness:
    """An output's loudness as measured by ``ebur128`` (integrated_lufs, true_peak_dbtp,
    range_lu: those it could measure), and the config's target (None: not normalised)."""

    measured: Mapping[str, float] = field(default_factory=dict)
    target_lufs: float | None = None

    def to_json(self) -> Json:
        return {**self.measured, "target_lufs": self.target_lufs}

    @classmethod
    def from_json(cls, value: object) -> Loudness | None:
        if value is None:
            return None
        data = mapping_of(value, "loudness")
        measured = {k: field_of(data, k, NUMBER) for k in data if k != "target_lufs"}
        return cls(measured, field_of(data, "target_lufs", NUMBER))


@dataclass(frozen=True)
class Privacy:
    """The privacy scan of an output (pipeline/verify/privacy.py ``scan``): its verdict and
    what it found."""

    ok: bool
    findings: tuple[str, ...] = ()

    @classmethod
    def of(cls, findings: Sequence[str]) -> Privacy:
        return cls(not findings, tuple(findings))

    def to_json(self) -> Json:
        return {"ok": self.ok, "findings": list(self.findings)}

    @classmethod
    def from_json(cls, value: object) -> Privacy | None:
        if value is None:
            return None
        data = mapping_of(value, "privacy")
        findings = tuple(str(f) for f in list_of(data, "findings") or ())
        ok = field_of(data, "ok", bool)
        return cls(not findings if ok is None else ok, findings)


@dataclass(frozen=True)
class Measured:
    """What the render of one output measured of the file it wrote: its content hash, its
    loudness and its privacy scan (what the manifest records of a built output)."""

    sha256: str
    loudness: Loudness | None
    privacy: Privacy | None


@dataclass(frozen=True)
class OutputRecord:
    """One output of a clip: what it is, the inputs it was built from (see
    pipeline/publish/manifest.py ``output_inputs``) and what was measured of it. ``sha256``
    is None for an output that was not built (the next build builds it)."""

    rendition: str = ""
    burned: str = ""
    size: tuple[int, ...] = ()
    fps: str | None = None
    duration_s: float | None = None
    sha256: str | None = None
    fingerprint: str | None = None
    inputs: Mapping[str, Any] | None = None
    loudness: Loudness | None = None
    privacy: Privacy | None = None
    voice: Mapping[str, float] | None = None  # semitones of each disguised source, if any

    @property
    def built(self) -> bool:
        return self.sha256 is not None

    def to_json(self) -> Json:
        return {
            "rendition": self.rendition,
            "burned": self.burned,
            "size": list(self.size),
            "fps": self.fps,
            "duration_s": self.duration_s,
            "sha256": self.sha256,
            "fingerprint": self.fingerprint,
            "inputs": None if self.inputs is None else dict(self.inputs),
            "loudness": None if self.loudness is None else self.loudness.to_json(),
            "privacy": None if self.privacy is None else self.privacy.to_json(),
            "voice": None if self.voice is None else dict(self.voice),
        }

    @classmethod
    def from_json(cls, value: object) -> OutputRecord:
        data = mapping_of(value, "output")
        size = list_of(data, "size") or []
        if not all(isinstance(v, int) for v in size):
            raise Unreadable("size: expected numbers")
        return cls(
            rendition=field_of(data, "rendition", str) or "",
            burned=field_of(data, "burned", str) or "",
            size=tuple(size),
            fps=field_of(data, "fps", str),
            duration_s=field_of(data, "duration_s", NUMBER),
            sha256=field_of(data, "sha256", str),
            fingerprint=field_of(data, "fingerprint", str),
            inputs=field_of(data, "inputs", Mapping),
            loudness=Loudness.from_json(data.get("loudness")),
            privacy=Privacy.from_json(data.get("privacy")),
            voice=_voice(data.get("voice")),
        )


def _voice(value: object) -> Mapping[str, float] | None:
    """The recorded disguise: semitones by source id (None: no voice was disguised)."""
    if value is None:
        return None
    shifts = mapping_of(value, "voice")
    if not all(isinstance(v, NUMBER) and not isinstance(v, bool) for v in shifts.values()):
        raise Unreadable("voice: expected semitones by source")
    return {str(k): float(v) for k, v in shifts.items()}
