"""Facts about a file (its sha256, ffprobe's report) remembered by the file's identity.

A fact is kept by path, size, mtime (ns) and inode, as git's index keeps file hashes: in
memory for the run, and in the user's cache folder for the next runs, so that a large source
is read or probed once per change, not once per build. A cache that cannot be read or
written only costs time.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pipeline.core.errors import BuildError
from pipeline.core.files import write_text

Stamp = tuple[str, int, int, int]

_known: dict[tuple[str, Stamp], Any] = {}


def cache_root() -> Path:
    """``$BUILD_CLIP_CACHE``, or the user's cache folder for build-clip."""
    if env := os.environ.get("BUILD_CLIP_CACHE"):
        return Path(env).expanduser()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
        return base / "build-clip" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "build-clip"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "build-clip"


def stamp(path: Path) -> Stamp:
    """A file's identity: its real path, size, mtime (ns) and inode."""
    st = path.stat()
    return str(path.resolve()), st.st_size, st.st_mtime_ns, st.st_ino


def remembered(path: Path, kind: str, compute: Callable[[], Any]) -> Any:
    """``compute()`` (a JSON value) for the file as it is now: from this run's memory, else
    from the cache folder's ``kind/`` when the file has not changed since, else computed
    and kept in both. ``kind`` names the fact and the version of how it is computed."""
    key = (kind, stamp(path))
    if key in _known:
        return _known[key]
    real, size, mtime_ns, inode = key[1]
    index = cache_root() / kind / (hashlib.sha256(real.encode()).hexdigest()[:32] + ".json")
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        entry = json.loads(index.read_text(encoding="utf-8"))
        if [entry["size"], entry["mtime_ns"], entry["inode"]] == [size, mtime_ns, inode]:
            _known[key] = entry["value"]
            return _known[key]
    value = compute()
    _known[key] = value
    entry = {"size": size, "mtime_ns": mtime_ns, "inode": inode, "value": value}
    with contextlib.suppress(BuildError):  # an unwritable cache only costs time
        write_text(index, json.dumps(entry))
    return value


def file_sha256(path: Path) -> str:
    """The sha256 of a file's content, read once per run and once per change of the file."""

    def digest() -> str:
        try:
            with path.open("rb") as f:
                return hashlib.file_digest(f, "sha256").hexdigest()
        except OSError as e:
            raise BuildError(f"{path}: cannot read ({e.strerror})") from None

    return str(remembered(path, "sha256", digest))


@contextlib.contextmanager
def cache_lock(name: str) -> Iterator[None]:
    """Hold the lock ``name`` in the cache folder, shared by every process on this machine
    (transcripts, model assembly, face detections)."""
    from filelock import FileLock

    lock_path = cache_root() / "locks" / f"{name}.lock"
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise BuildError(
            f"{lock_path.parent}: cannot create the cache folder ({e.strerror}); "
            "set BUILD_CLIP_CACHE to a writable folder"
        ) from None
    with FileLock(str(lock_path)):
        yield
