"""Voice disguise in the render's filtergraph (pure): each cut's sound shifted by its
source's (or its clip's) semitones, formants with the pitch.

Rubber Band (ffmpeg's ``rubberband`` filter, in Debian's build) shifts the pitch without
changing the length, so the cut keeps its exact sample count and stays in sync with its
picture. ``formant=shifted`` moves the formants (the resonances of the speaker's throat and
mouth, which carry most of who is speaking) by the same ratio as the pitch: a pitch shift
that kept them would leave the voice recognisable. ``channels=together`` processes both
channels alike, so that a centred voice stays centred; ``pitchq=quality`` costs little at
speech's rates and keeps consonants clearer.

The shift is applied before loudness normalisation: the measuring pass
(pipeline/render/loudness.py ``plan_scan``) hears the disguised sound, which is what is
normalised. A pitch shift alone can be undone by shifting back: see README, Protection.
"""

from __future__ import annotations

from collections.abc import Mapping

Disguise = tuple[tuple[str, float], ...]  # (source id, semitones) of each disguised source


def pitch_ratio(semitones: float) -> float:
    """The frequency ratio of ``semitones`` (equal temperament: 12 to the octave).

    >>> round(pitch_ratio(12), 6), round(pitch_ratio(-4), 6)
    (2.0, 0.793701)
    """
    return float(2 ** (semitones / 12))


def disguise_filter(semitones: float) -> str:
    """The filter that shifts a voice by ``semitones``, formants with it.

    >>> disguise_filter(-4)
    'rubberband=pitch=0.793701:formant=shifted:pitchq=quality:channels=together'
    """
    return (
        f"rubberband=pitch={pitch_ratio(semitones):.6f}"
        ":formant=shifted:pitchq=quality:channels=together"
    )


def voice_of(disguise: Disguise, source: str) -> str | None:
    """The disguise filter of ``source``'s cuts, or None to leave its voice alone."""
    shifts: Mapping[str, float] = dict(disguise)
    return disguise_filter(shifts[source]) if source in shifts else None
