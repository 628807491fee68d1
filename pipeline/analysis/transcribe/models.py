"""Whisper models: one-time assembly of bundled weights, and lookup by name or folder.

The parts of a bundled model are joined once into ``<cache>/models/<name>-<sha>/``,
checked against the catalogue's sha256, and the folder is renamed into place whole: no
reader ever sees half a model.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pipeline.analysis.transcribe.cache import locked
from pipeline.analysis.transcribe.catalogue import (
    CATALOGUE,
    Catalogued,
    model_folder,
    openai_path,
    package_file,
)
from pipeline.core.errors import BuildError, InputError, problem
from pipeline.core.stamps import file_sha256

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Model:
    """A model ready to load: its name, its path and the sha256 of its weights.

    The path is a CTranslate2 folder (faster-whisper) or a checkpoint file (openai-whisper).
    """

    name: str
    path: Path
    sha256: str


def join_parts(parts: list[Path], target: Path) -> str:
    """Concatenate ``parts`` into ``target``; return the sha256 of the result."""
    digest = hashlib.sha256()
    with target.open("wb") as out:
        for part in parts:
            with part.open("rb") as f:
                while block := f.read(1 << 22):
                    digest.update(block)
                    out.write(block)
    return digest.hexdigest()


def assemble(entry: Catalogued) -> Path:
    """The model folder of a bundled model, joined from its packages on first use."""
    final = model_folder(entry)
    if (final / "model.bin").is_file():
        return final
    files = [package_file(ref, entry.name) for ref in entry.files]
    parts = [package_file(ref, entry.name) for ref in entry.parts]
    final.parent.mkdir(parents=True, exist_ok=True)
    with locked(f"model-{entry.sha256}"):
        if (final / "model.bin").is_file():  # another process made it while we waited
            return final
        log.info("assembling model %s into %s", entry.name, final)
        tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=final.parent))
        try:
            for src in files:
                shutil.copyfile(src, tmp / src.name)
            got = join_parts(parts, tmp / "model.bin")
            if got != entry.sha256:
                raise BuildError(
                    f"model {entry.name}: the installed weights have sha256 {got}"
                    f" (expected {entry.sha256}); reinstall build-clip"
                )
            os.rename(tmp, final)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return final


def resolve(name: str) -> Model:
    """A model by catalogue name, folder, or hub id (the hub only where a network is).

    Raises:
        InputError: an unknown name (the message lists what is available), a bad folder,
            or a hub model that cannot be downloaded.
    """
    entry = CATALOGUE.get(name)
    if entry is not None and entry.parts:
        return Model(name, assemble(entry), entry.sha256)
    path = Path(name).expanduser()
    if path.exists():
        if not (path / "model.bin").is_file():
            raise InputError(
                [
                    problem(
                        "is not a CTranslate2 Whisper model folder (expected "
                        "model.bin, config.json and tokenizer.json in it)",
                        path,
                    )
                ]
            )
        return Model(str(path), path, file_sha256(path / "model.bin"))
    if entry is not None or re.fullmatch(r"[\w.-]+/[\w.-]+", name):
        return _download(name, entry.hub if entry else name)
    raise InputError(
        [
            problem(
                f"unknown model {name!r} (expected one of: "
                f"{', '.join(CATALOGUE)}; a model folder; or a hub id such as "
                "Systran/faster-whisper-small)"
            )
        ]
    )


def _download(name: str, hub: str) -> Model:
    from faster_whisper.utils import download_model  # type: ignore[import-untyped]

    try:
        folder = Path(download_model(hub))
    except Exception as e:  # huggingface_hub raises many kinds; all mean "not available"
        why = (str(e).splitlines() or [type(e).__name__])[0].removeprefix("Got: ")
        installed = ", ".join(n for n, m in CATALOGUE.items() if m.parts)
        raise InputError(
            [
                problem(
                    f"model {name!r} is not installed and cannot be downloaded "
                    f"from the hub ({why}); expected a model folder, or one of: "
                    f"{installed}"
                )
            ]
        ) from None
    return Model(name, folder, file_sha256(folder / "model.bin"))


def openai_checkpoint(name: str) -> Model:
    """An openai-whisper checkpoint: a ``.pt`` file, or exported once from the same weights.

    The exported file is ``<cache>/models/openai/<name>-<sha>.pt``; its recorded hash is
    that of the CTranslate2 weights it comes from.
    """
    path = Path(name).expanduser()
    if path.is_file():
        return Model(str(path), path, file_sha256(path))
    source = resolve(name)
    stem = re.sub(r"[^\w.-]+", "_", Path(source.name).name or "model")
    target = openai_path(stem, source.sha256)
    if not target.is_file():
        from pipeline.analysis.transcribe.export import export_openai

        with locked(f"openai-{source.sha256}"):
            if not target.is_file():
                log.info("exporting %s for openai-whisper to %s", source.name, target)
                export_openai(source.path, target)
    return Model(source.name, target, source.sha256)
