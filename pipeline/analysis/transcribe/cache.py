"""The transcript cache: content hashes, keys, entries, and a lock per entry.

Entries are keyed by (media sha256, engine, model sha256, options) and written atomically,
so an interrupted run leaves nothing behind. A file's hash is remembered by path, size,
mtime and inode (pipeline/core/stamps.py), so a large file is read at most once per change.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
from pathlib import Path

from pipeline.analysis.transcribe.jsonio import from_json, to_json
from pipeline.core.errors import BuildError
from pipeline.core.files import write_text
from pipeline.core.model import OptionValue, Transcript
from pipeline.core.stamps import cache_lock, cache_root

log = logging.getLogger(__name__)


def transcript_key(
    media_sha256: str, engine: str, model_sha256: str, options: tuple[tuple[str, OptionValue], ...]
) -> str:
    """The cache key of one transcription: a hex digest of everything that shapes it."""
    blob = json.dumps([media_sha256, engine, model_sha256, sorted(options)], sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


def entry_path(key: str) -> Path:
    return cache_root() / "transcripts" / key[:2] / f"{key}.json"


def load(key: str) -> Transcript | None:
    """The cached transcript, or None when there is none or it cannot be read."""
    path = entry_path(key)
    try:
        return from_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as e:
        log.warning("%s: ignoring a broken cache entry (%s)", path, e)
        return None


def store(key: str, transcript: Transcript) -> None:
    """Write an entry atomically (a reader sees the whole entry or none)."""
    try:
        write_text(entry_path(key), to_json(transcript))
    except BuildError as e:
        log.warning("transcript not cached: %s", e)


def locked(name: str) -> contextlib.AbstractContextManager[None]:
    """Hold a named lock shared by every process on this machine.

    Transcription locks the source's hash, so two processes never transcribe the same source
    at the same time; model assembly locks the model's hash.
    """
    return cache_lock(name)
