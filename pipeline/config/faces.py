"""``faces: {mode: blur | pixelate | box, keep: [nh/3]}``: every face the detector tracks is
anonymised in the render, except the tracks the editor keeps (``source id/track id``); for
the whole project, or per clip (the clip's replaces the project's). The tracks come from
pipeline/analysis/faces/; the boxes are drawn in pipeline/render/faces.py."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

KEEP_RE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9_-]{0,63})/(\d{1,9})$")


def _keep(value: object) -> str:
    if isinstance(value, str) and KEEP_RE.match(value):
        return value
    raise PydanticCustomError(
        "keep",
        f"{value!r} is not a face track (expected SOURCE/TRACK, a source id and the track's "
        "number, e.g. nh/3)",
    )


KeepField = Annotated[str, BeforeValidator(_keep)]


def kept_track(keep: str) -> tuple[str, int]:
    """The source id and track id of a validated ``keep`` entry."""
    m = KEEP_RE.match(keep)
    assert m is not None
    return m.group(1), int(m.group(2))


class FacesSpec(BaseModel):
    """How faces are hidden: blurred (default), pixelated, or covered by an opaque black box;
    ``keep`` lists the tracks left as they are."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    mode: Literal["blur", "pixelate", "box"] = "blur"
    keep: tuple[KeepField, ...] = Field(default=())
