"""Bumpers and cards around a clip's cuts: probed, sized in frames, their text as ASS."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

import pysubs2

from pipeline.analysis.media import probe
from pipeline.config.schema import BrandingSpec, CardSpec, ClipSpec, RedactSpec
from pipeline.config.yamlsource import Locator
from pipeline.core.errors import MediaError
from pipeline.core.languages import is_rtl, rtl_embed
from pipeline.core.model import MediaInfo
from pipeline.render.finish import Bumper, Card, Extra
from pipeline.render.redact import redact_text

BUMPERS = ("intro", "outro")  # media keys: "@intro", "@outro"


def probe_bumpers(branding: BrandingSpec, at: Locator) -> dict[str, MediaInfo]:
    """The intro and outro videos, probed like sources; problems point at the config."""
    media, problems = {}, []
    for key in BUMPERS:
        path = getattr(branding, key)
        if path is None:
            continue
        try:
            media[f"@{key}"] = probe(path)
        except MediaError as e:
            problems += [
                at.problem(("branding", key), f"{p.path}: {p.message}") for p in e.problems
            ]
    if problems:
        raise MediaError(problems)
    return media


def _frames(seconds: float | int, fps: Fraction) -> int:
    return max(1, round(Fraction(seconds).limit_denominator(1000) * fps))


def _rtl(text: str) -> bool:
    return any("\u0590" <= ch <= "\u08ff" for ch in text)


def card_font(card: CardSpec, latin_font: str) -> str:
    """The font a card is drawn in: its own, else Noto Naskh for Arabic script, else the
    subtitles' Latin font."""
    return card.font or ("Noto Naskh Arabic" if _rtl(card.text) else latin_font)


def shown(redact: Sequence[RedactSpec], clip: ClipSpec, card: CardSpec) -> CardSpec:
    """The card as shown: every redacted term of the project (of any source: a card belongs
    to none) replaced, found in every language's forms, since a card has no language of its
    own. The replacement is in the card's language: the clip's first subtitle language
    (burned first) written in the card's direction, else ``ar`` or ``en``."""
    rtl, langs = _rtl(card.text), clip.subtitles.languages
    lang = next(
        (x for x in (*clip.subtitles.burn, *langs) if x in langs and is_rtl(x) == rtl),
        "ar" if rtl else "en",
    )
    text = redact_text(card.text, redact, lang, None)
    return card if text == card.text else card.model_copy(update={"text": text})


def card_ass(card: CardSpec, size: tuple[int, int], latin_font: str) -> str:
    """The card's text, centred on the frame, for the card's whole duration."""
    w, h = size
    font = card_font(card, latin_font)
    colour = card.color.lstrip("#")
    subs = pysubs2.SSAFile()
    subs.info.update(
        {"PlayResX": str(w), "PlayResY": str(h), "WrapStyle": "0", "ScaledBorderAndShadow": "yes"}
    )
    subs.styles["Default"] = pysubs2.SSAStyle(
        fontname=font,
        fontsize=round(0.075 * min(w, h) * (1.25 if _rtl(card.text) else 1)),
        primarycolor=pysubs2.Color(
            int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)
        ),
        outlinecolor=pysubs2.Color(0, 0, 0),
        outline=0,
        shadow=0,
        alignment=pysubs2.Alignment.MIDDLE_CENTER,
        marginl=round(0.08 * w),
        marginr=round(0.08 * w),
    )
    event = pysubs2.SSAEvent(start=0, end=round(card.duration * 1000))
    event.plaintext = rtl_embed(card.text) if _rtl(card.text) else card.text
    subs.events.append(event)
    return subs.to_string("ass")


@dataclass(frozen=True)
class CardSettings:
    """What a card needs of the project: the redacted terms (a card says none of them), and
    the subtitles' Latin font (a card's default)."""

    redact: tuple[RedactSpec, ...]
    font: str


def extras(
    settings: CardSettings,
    clip: ClipSpec,
    media: Mapping[str, MediaInfo],
    fps: Fraction,
    size: tuple[int, int],
) -> tuple[tuple[Extra, ...], tuple[Extra, ...], tuple[str | None, ...]]:
    """What comes before the cuts (intro, title) and after (end card, outro), and the ASS
    text of each card (None for a bumper). A bumper missing from ``media`` is left out."""
    latin = settings.font

    def card(spec: CardSpec) -> tuple[Extra, str]:
        return (
            Card(_frames(spec.duration, fps), spec.background, spec.image),
            card_ass(shown(settings.redact, clip, spec), size, latin),
        )

    def bumper(key: str) -> tuple[Extra, None] | None:
        info = media.get(f"@{key}")
        return (Bumper(info, _frames(info.duration_ms / 1000, fps)), None) if info else None

    lead = [x for x in (bumper("intro"), card(clip.title) if clip.title else None) if x]
    tail = [x for x in (card(clip.end) if clip.end else None, bumper("outro")) if x]
    texts = tuple(text for _, text in (*lead, *tail))
    return tuple(e for e, _ in lead), tuple(e for e, _ in tail), texts
