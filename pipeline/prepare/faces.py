"""The face tracks a build hides: detected once per source over the spans every clip with
``faces`` cuts from (all clips' spans merged), and each kept track checked against them."""

from __future__ import annotations

from collections.abc import Mapping

from pipeline.analysis.faces.run import face_tracks
from pipeline.analysis.faces.values import FaceTracks
from pipeline.config.faces import FacesSpec, kept_track
from pipeline.config.schema import ClipSpec, Config
from pipeline.core.errors import Problem
from pipeline.core.model import MediaInfo, Span
from pipeline.edit.cuts import ResolvedCut


def faces_of(config: Config, clip: ClipSpec) -> FacesSpec | None:
    """How a clip's faces are hidden: its own ``faces``, else the project's, else not."""
    return clip.faces or config.project.faces


def detect_faces(
    config: Config,
    cuts: Mapping[str, tuple[ResolvedCut, ...] | None],
    media: Mapping[str, MediaInfo],
) -> tuple[dict[str, FaceTracks], list[Problem]]:
    """The face tracks of every source a clip with ``faces`` cuts from, over the spans its
    cuts use (face_tracks widens them by its margin), and each ``keep`` that names a track
    the source does not have.

    Raises:
        FfmpegError: a span could not be decoded.
        ModelError: the face model is missing, changed or cannot be loaded.
    """
    spans: dict[str, list[Span]] = {}
    for name, resolved in cuts.items():
        if faces_of(config, config.project.clips[name]) is None or resolved is None:
            continue
        for cut in resolved:
            spans.setdefault(cut.source, []).append(cut.span)
    found = {sid: face_tracks(media[sid].path, s) for sid, s in sorted(spans.items())}
    problems = []
    places = [((), config.project.faces)] + [
        (("clips", name), config.project.clips[name].faces) for name in cuts
    ]
    for loc, spec in places:
        for i, keep in enumerate(spec.keep if spec else ()):
            sid, track = kept_track(keep)
            if sid not in found or any(t.id == track for t in found[sid].tracks):
                continue
            ids = ", ".join(f"{sid}/{t.id}" for t in found[sid].tracks)
            expected = (
                f"expected one of: {ids}"
                if ids
                else f"the detector found no face in the cuts of source {sid!r}"
            )
            problems.append(
                config.problem((*loc, "faces", "keep", i), f"no face track {keep!r} ({expected})")
            )
    return found, problems
