"""Bytes of a translator's subtitle file -> text, in the few encodings we accept.

Accepted: UTF-8 with or without BOM, UTF-16 LE/BE with BOM, and Windows-1256 when most
letters are Arabic (SubtitleEdit #2489: Arabic translators who don't use UTF-8 use
Windows-1256). Guessing further (cp1252, Latin-1) turns Arabic into silent mojibake, so
anything else is refused with an error that names the file (standards.md B3).
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from pipeline.core.errors import Problem, SubtitleError

ACCEPTED = "UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1256 for Arabic"
_BOMS = {
    b"\xef\xbb\xbf": "utf-8-sig",
    b"\xff\xfe": "utf-16-le",
    b"\xfe\xff": "utf-16-be",
}
_WHITESPACE_CONTROLS = frozenset("\t\n\r\f")


def _fail(path: Path, line: int | None, message: str) -> SubtitleError:
    return SubtitleError([Problem(path, line, "", message)])


def _line_of(data: bytes, offset: int) -> int:
    return data[:offset].count(b"\n") + 1


def decode_bytes(path: Path, data: bytes) -> tuple[str, str]:
    """The text of a subtitle file (LF line ends, no BOM) and the encoding it was read with.

    Raises:
        SubtitleError: binary data, or an encoding that is not accepted, naming the file.
    """
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise _fail(path, None, f"is UTF-32 text (expected {ACCEPTED})")
    bom = next((b for b in _BOMS if data.startswith(b)), b"")
    if bom[:1] in (b"\xff", b"\xfe"):
        encoding = _BOMS[bom]
        try:
            text = data[len(bom) :].decode(encoding)
        except UnicodeDecodeError as e:
            raise _fail(path, None, f"is not valid {encoding.upper()} text ({e.reason})") from None
    elif b"\x00" in data:
        raise _fail(path, None, _binary_message(data))
    else:
        text, encoding = _decode_8bit(path, data)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    text = text.removesuffix("\x1a")  # DOS end-of-file mark
    _check_controls(path, text)
    return text, encoding


def _binary_message(data: bytes) -> str:
    nuls = data.count(b"\x00")
    if nuls * 3 >= len(data) and (data[0::2].count(0) == nuls or data[1::2].count(0) == nuls):
        return f"looks like UTF-16 text without a byte-order mark (expected {ACCEPTED})"
    return "is a binary file (expected a text subtitle file: SRT, WebVTT or ASS)"


def _decode_8bit(path: Path, data: bytes) -> tuple[str, str]:
    try:
        if data.startswith(b"\xef\xbb\xbf"):
            return data[3:].decode("utf-8"), "utf-8-sig"
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as e:
        bad, line = data[e.start], _line_of(data, e.start)
    text = data.decode("cp1256", errors="replace")
    letters = [c for c in text if c.isalpha()]
    arabic = sum(1 for c in letters if "\u0600" <= c <= "\u06ff")
    if letters and arabic * 2 > len(letters):
        return text, "cp1256"
    raise _fail(
        path,
        line,
        f"byte 0x{bad:02X} is not UTF-8, and the file is not Arabic Windows-1256 either "
        f"(expected {ACCEPTED}; save it as UTF-8)",
    )


def _check_controls(path: Path, text: str) -> None:
    """Refuse text with control characters: a binary file that happened to decode."""
    for number, line in enumerate(text.split("\n"), 1):
        bad = next(
            (c for c in line if c not in _WHITESPACE_CONTROLS and unicodedata.category(c) == "Cc"),
            None,
        )
        if bad is not None:
            raise _fail(
                path,
                number,
                f"control character U+{ord(bad):04X}: a binary file? "
                "(expected a text subtitle file: SRT, WebVTT or ASS)",
            )
