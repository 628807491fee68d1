"""Timecodes: text and numbers <-> integer milliseconds (pure)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

EXPECTED = "expected HH:MM:SS.mmm, MM:SS.mmm, seconds or HH:MM:SS:FF"

_CLOCK = re.compile(r"^(?:(\d+):)?([0-5]?\d):([0-5]?\d(?:\.\d{1,3})?)$")
_FRAMES = re.compile(r"^(\d+):([0-5]\d):([0-5]\d):(\d{1,3})$")
_SECONDS = re.compile(r"^\d+(?:\.\d{1,3})?$")


@dataclass(frozen=True)
class Timecode:
    """A time as written by a user: milliseconds, plus frames counted at the source's rate.

    ``HH:MM:SS:FF`` cannot become milliseconds until the source's frame rate is known,
    so the frame count is kept apart and resolved by :meth:`to_ms`.
    """

    ms: int
    frames: int = 0
    text: str = ""

    def to_ms(self, fps: Fraction) -> int:
        """Milliseconds, with frames converted at ``fps``.

        >>> Timecode(1000, 5).to_ms(Fraction(25))
        1200
        """
        return self.ms + round(Fraction(self.frames * 1000) / fps) if self.frames else self.ms

    def __str__(self) -> str:
        return self.text or format_ms(self.ms)


def _seconds_to_ms(text: str) -> int:
    whole, _, frac = text.partition(".")
    return int(whole) * 1000 + int((frac + "000")[:3])


def parse_timecode(value: object) -> Timecode:
    """Parse a user timecode.

    Raises:
        ValueError: with a message that shows the value and what was expected.

    >>> parse_timecode("00:01:02.5").ms
    62500
    >>> parse_timecode("01:02:03:12").frames
    12
    """
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError(f"{value!r} is not a timecode ({EXPECTED})")
    text = str(value).strip() if isinstance(value, str) else repr(value)
    if isinstance(value, float):
        text = f"{value:.3f}".rstrip("0").rstrip(".")
    if m := _FRAMES.match(text):
        h, mi, s, f = (int(g) for g in m.groups())
        return Timecode(ms=((h * 60 + mi) * 60 + s) * 1000, frames=f, text=text)
    if m := _CLOCK.match(text):
        h = int(m.group(1) or 0)
        return Timecode(
            ms=(h * 3600 + int(m.group(2)) * 60) * 1000 + _seconds_to_ms(m.group(3)), text=text
        )
    if _SECONDS.match(text):
        return Timecode(ms=_seconds_to_ms(text), text=text)
    raise ValueError(f"{str(value)!r} is not a timecode ({EXPECTED})")


def format_ms(ms: int) -> str:
    """Format milliseconds as ``HH:MM:SS.mmm``.

    >>> format_ms(3723004)
    '01:02:03.004'
    """
    sign = "-" if ms < 0 else ""
    ms = abs(ms)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, milli = divmod(rest, 1000)
    return f"{sign}{h:02d}:{m:02d}:{s:02d}.{milli:03d}"


def seconds(ms: int | Fraction) -> str:
    """Milliseconds as an exact decimal seconds string for ffmpeg arguments.

    >>> seconds(12345)
    '12.345'
    >>> seconds(Fraction(1, 3))
    '0.000333'
    """
    if isinstance(ms, Fraction):
        return f"{float(ms / 1000):.6f}".rstrip("0").rstrip(".") or "0"
    sign = "-" if ms < 0 else ""
    whole, milli = divmod(abs(ms), 1000)
    return f"{sign}{whole}.{milli:03d}" if milli else f"{sign}{whole}"
