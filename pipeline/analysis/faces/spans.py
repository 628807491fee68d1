"""Span sets (sorted, disjoint tuples of spans): which source time to scan for faces."""

from __future__ import annotations

from collections.abc import Iterable

from pipeline.core.model import Span


def merged(spans: Iterable[Span]) -> tuple[Span, ...]:
    """The union of ``spans`` as sorted, disjoint spans (touching spans join)."""
    out: list[Span] = []
    for s in sorted(s for s in spans if s.end_ms > s.start_ms):
        if out and s.start_ms <= out[-1].end_ms:
            out[-1] = Span(out[-1].start_ms, max(out[-1].end_ms, s.end_ms))
        else:
            out.append(s)
    return tuple(out)


def wanted(
    spans: Iterable[Span], margin_ms: int, grid_ms: int, duration_ms: int
) -> tuple[Span, ...]:
    """The spans to scan for ``spans``: each widened by ``margin_ms``, its edges moved out to
    the sample grid (multiples of ``grid_ms``, so scans of different requests share samples),
    kept inside the source.

    >>> wanted([Span(4200, 9800)], 1000, 200, 60_000)
    (Span(start_ms=3200, end_ms=10800),)
    """
    out = []
    for s in spans:
        start = max(0, (s.start_ms - margin_ms) // grid_ms * grid_ms)
        end = min(duration_ms, -(-(s.end_ms + margin_ms) // grid_ms) * grid_ms)
        out.append(Span(start, end))
    return merged(out)


def missing(wanted: Iterable[Span], have: Iterable[Span]) -> tuple[Span, ...]:
    """The parts of ``wanted`` that ``have`` does not cover.

    >>> missing([Span(0, 10)], [Span(2, 4), Span(6, 20)])
    (Span(start_ms=0, end_ms=2), Span(start_ms=4, end_ms=6))
    """
    covered = merged(have)
    out = []
    for w in merged(wanted):
        start = w.start_ms
        for c in covered:
            if c.end_ms <= start or c.start_ms >= w.end_ms:
                continue
            if c.start_ms > start:
                out.append(Span(start, c.start_ms))
            start = max(start, c.end_ms)
        if start < w.end_ms:
            out.append(Span(start, w.end_ms))
    return tuple(out)


def inside(t_ms: int, spans: Iterable[Span]) -> bool:
    return any(s.start_ms <= t_ms < s.end_ms for s in spans)
