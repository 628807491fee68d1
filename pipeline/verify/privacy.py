"""Privacy of outputs: clear what ffmpeg writes about itself, then scan for anything left.

ffmpeg copies its "encoder" stream tag (``Lavc libx264``) into the ``compressorname`` field of
the video sample entry, and ``-metadata`` cannot set it empty (an empty value deletes the tag,
and ffmpeg then writes its own). The field has a fixed size, so it is zeroed in place.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl"}
_VISUAL_ENTRIES = {b"avc1", b"avc3", b"hvc1", b"hev1", b"mp4v"}
# In a VisualSampleEntry, after the 8-byte box header come
# reserved(6) data_reference_index(2) pre_defined/reserved(16) width(2) height(2)
# resolutions(8) reserved(4) frame_count(2) = 42 bytes, then compressorname[32].
_NAME_OFFSET, _NAME_SIZE = 8 + 42, 32


def _boxes(data: bytearray, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """(type, box start, box end) of each box between ``start`` and ``end``."""
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, pos)
        header = 8
        if size == 1:
            size, header = struct.unpack_from(">Q", data, pos + 8)[0], 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end:
            return
        yield kind, pos, pos + size
        pos += size


def _find_entries(data: bytearray, start: int, end: int) -> Iterator[int]:
    for kind, b_start, b_end in _boxes(data, start, end):
        if kind in _CONTAINERS:
            yield from _find_entries(data, b_start + 8, b_end)
        elif kind == b"stsd":  # full box (4) + entry_count (4), then sample entries
            for entry, e_start, e_end in _boxes(data, b_start + 16, b_end):
                if entry in _VISUAL_ENTRIES and e_end - e_start >= _NAME_OFFSET + _NAME_SIZE:
                    yield e_start + _NAME_OFFSET


def clear_compressor_name(path: Path) -> int:
    """Zero the compressor name of every video track in an MP4; return how many were cleared.

    Only the ``moov`` box is read: the media data may be gigabytes.
    """
    count = 0
    with path.open("r+b") as f:
        pos = 0
        while header := f.read(16):
            if len(header) < 8:
                break
            size, kind = struct.unpack_from(">I4s", header)
            if size == 1 and len(header) == 16:
                size = struct.unpack_from(">Q", header, 8)[0]
            if size < 8:
                break
            if kind == b"moov":
                f.seek(pos)
                moov = bytearray(f.read(size))
                for offset in _find_entries(moov, 0, len(moov)):
                    f.seek(pos + offset)
                    f.write(bytes(_NAME_SIZE))
                    count += 1
            pos += size
            f.seek(pos)
    return count


ALLOWED_FORMAT_TAGS = frozenset({"major_brand", "minor_version", "compatible_brands"})
DEFAULT_HANDLERS = {"video": "VideoHandler", "audio": "SoundHandler", "subtitle": "SubtitleHandler"}


def scan(probe: dict[str, Any], subtitle_tracks: int) -> list[str]:
    """What in an output could identify a person, a place or a device, from ffprobe's report.

    Only an allow-list passes: the MP4 brand tags, stream languages, ffmpeg's default
    handler names and an empty vendor id; one video, one audio and the expected subtitle
    streams. Anything else (location, GPS, ISO 6709, make and model, creation time,
    encoder, custom handler names, XMP, a data stream) is a finding.
    """
    found = [
        f"container tag {k}={v!r}"
        for k, v in probe.get("format", {}).get("tags", {}).items()
        if k not in ALLOWED_FORMAT_TAGS
    ]
    kinds = [s.get("codec_type") for s in probe.get("streams", [])]
    expected = ["video", "audio"] + ["subtitle"] * subtitle_tracks
    if kinds != expected:
        found.append(f"streams {kinds} (expected {expected})")
    for s in probe.get("streams", []):
        kind = s.get("codec_type", "?")
        for key, value in s.get("tags", {}).items():
            ok = (
                key == "language"
                or (key == "handler_name" and value == DEFAULT_HANDLERS.get(kind))
                or (key == "vendor_id" and value == "[0][0][0][0]")
            )
            if not ok:
                found.append(f"{kind} stream tag {key}={value!r}")
        if s.get("side_data_list"):
            found.append(
                f"{kind} stream side data {[d.get('side_data_type') for d in s['side_data_list']]}"
            )
    return found
