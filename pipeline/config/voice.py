"""``voice: {disguise: N}``: a speaker's voice shifted by N semitones, formants with it, so
that the speaker is harder to recognise (per source, or per clip, which overrides the
source's). The filter is planned in pipeline/render/voice.py; README's Protection section
says what it does and what it cannot do."""

from __future__ import annotations

import math
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict
from pydantic_core import PydanticCustomError

# Under a semitone a voice is not disguised at all; past an octave words blur into a
# chipmunk or a growl (Rubber Band keeps them, but listeners and Whisper lose them).
MIN_SEMITONES = 1
MAX_SEMITONES = 12


def _semitones(value: object) -> float:
    if (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
        and MIN_SEMITONES <= abs(value) <= MAX_SEMITONES
    ):
        return float(value)
    raise PydanticCustomError(
        "disguise",
        f"{value!r} is not a voice disguise (expected a number of semitones from "
        f"{MIN_SEMITONES} to {MAX_SEMITONES} up or -{MIN_SEMITONES} to -{MAX_SEMITONES} "
        "down, e.g. -4)",
    )


SemitonesField = Annotated[float, BeforeValidator(_semitones)]


class VoiceSpec(BaseModel):
    """How a voice is disguised: ``disguise`` semitones up (positive) or down (negative)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    disguise: SemitonesField
