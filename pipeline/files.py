"""Atomic writes: a file appears whole under its name, or not at all."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from pipeline.errors import BuildError


def ensure_folder(folder: Path) -> None:
    """Create ``folder``; an unwritable place is a clear error."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise BuildError(f"{folder}: cannot create the output folder ({e.strerror})") from None
    if not os.access(folder, os.W_OK):
        raise BuildError(f"{folder}: output folder is not writable")


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temp path beside ``path``; rename it into place only if the block succeeds."""
    ensure_folder(path.parent)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{path.stem}.", suffix=f".partial{path.suffix}", dir=path.parent
    )
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; outputs get the usual permissions
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_text(path: Path, text: str) -> None:
    """Write UTF-8 text (no BOM, LF) atomically."""
    with atomic_path(path) as tmp:
        try:
            tmp.write_text(text, encoding="utf-8", newline="\n")
        except OSError as e:
            raise BuildError(f"{path}: cannot write ({e.strerror})") from None
