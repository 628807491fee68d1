"""Atomic writes: a file appears whole under its name, or not at all; and what a build that
was killed left behind, found and removed by the next one.

Every partial file and temp folder is held by an flock while its build lives (the lock goes
with the process, however it ends), so a later build tells a stale one from one that a build
running now is writing, without guessing from process ids (issue 15).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from pipeline.core.errors import BuildError

log = logging.getLogger(__name__)

TEMP_PREFIX = "build-clip-"
LOCK_NAME = ".lock"
# mkstemp's names: ``.STEM.`` + 8 characters of [a-z0-9_] + ``.partial`` + the suffix.
_PARTIAL = re.compile(r"\..+\.[a-z0-9_]{8}\.partial(\.[^./]+)?")


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
    fd, tmp = _held_partial(path)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; outputs get the usual permissions
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    finally:
        os.close(fd)


def _held_partial(path: Path) -> tuple[int, str]:
    """A new partial file beside ``path``, locked: its descriptor (kept open while it is
    written; ffmpeg writes the same file by name) and its name."""
    while True:
        fd, tmp = tempfile.mkstemp(
            prefix=f".{path.stem}.", suffix=f".partial{path.suffix}", dir=path.parent
        )
        fcntl.flock(fd, fcntl.LOCK_EX)
        with contextlib.suppress(FileNotFoundError):
            if os.path.samestat(os.stat(tmp), os.fstat(fd)):
                return fd, tmp
        os.close(fd)  # a clean-up (``remove_stale``) took it before the lock: make another


@contextlib.contextmanager
def temp_folder(prefix: str = TEMP_PREFIX, folder: Path | None = None) -> Iterator[Path]:
    """``tempfile.TemporaryDirectory``, with a lock file inside held while it lives, so that
    ``remove_stale`` can tell it from one of a build that was killed."""
    tmp = tempfile.mkdtemp(prefix=prefix, dir=folder)
    fd, name = tempfile.mkstemp(prefix=".locking.", dir=tmp)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, f"{os.getpid()}\n".encode())  # for a person who looks
        os.rename(name, os.path.join(tmp, LOCK_NAME))  # it appears already locked
        yield Path(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # before the lock goes: no one else removes it
        os.close(fd)


def remove_stale(folder: Path, partials: bool = True, temp_prefix: str = "") -> list[Path]:
    """Remove what builds that were killed left in ``folder``: partial files (never renamed
    into place, so never scanned for privacy), and with ``temp_prefix`` the folders of
    ``temp_folder``. What a build running now holds is kept. Returns what was removed."""
    try:
        entries = sorted(folder.iterdir())
    except OSError:  # no folder yet, or not ours to read
        return []
    removed = []
    for entry in entries:
        if partials and _PARTIAL.fullmatch(entry.name):
            with _claimed(entry) as stale:
                if stale:  # removed while the lock is held: a writer that got the file
                    entry.unlink(missing_ok=True)  # between its creation and its lock
                    # makes another (``_held_partial``)
        elif temp_prefix and entry.name.startswith(temp_prefix) and not entry.is_symlink():
            with _claimed(entry / LOCK_NAME) as stale:
                if stale:
                    shutil.rmtree(entry, ignore_errors=True)
        else:
            continue
        if stale:
            log.warning("removed %s, left by a build that was stopped", entry)
            removed.append(entry)
    return removed


@contextlib.contextmanager
def _claimed(lock: Path) -> Iterator[bool]:
    """Whether no process holds ``lock`` (a partial file, or a temp folder's lock file); if
    none does, it is held by this one for the block. A lock file that cannot be opened -- none
    there, another user's -- counts as held."""
    try:
        fd = os.open(lock, os.O_RDWR | os.O_NOFOLLOW)
    except OSError:
        yield False
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            free = os.path.samestat(os.lstat(lock), os.fstat(fd))  # not one made since
        except OSError:  # held: a build running now writes it
            free = False
        yield free
    finally:
        os.close(fd)


def write_text(path: Path, text: str) -> None:
    """Write UTF-8 text (no BOM, LF) atomically."""
    with atomic_path(path) as tmp:
        try:
            tmp.write_text(text, encoding="utf-8", newline="\n")
        except OSError as e:
            raise BuildError(f"{path}: cannot write ({e.strerror})") from None
