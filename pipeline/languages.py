"""Language facts the renderer needs: ISO 639-2 tags, writing direction, default fonts."""

from __future__ import annotations

import functools

# Languages written right to left (Arabic, Persian, Urdu, Pashto, Sindhi, Kurdish Sorani,
# Uyghur, Hebrew, Yiddish, Dhivehi).
RTL = frozenset({"ar", "fa", "ur", "ps", "sd", "ckb", "ug", "he", "yi", "dv"})
ARABIC_SCRIPT = frozenset({"ar", "fa", "ur", "ps", "sd", "ckb", "ug"})
HEBREW_SCRIPT = frozenset({"he", "yi"})

RLE, PDF = "\u202b", "\u202c"  # right-to-left embedding ... pop directional formatting


def base(lang: str) -> str:
    """``ar-EG`` -> ``ar``."""
    return lang.split("-", 1)[0].lower()


def is_rtl(lang: str) -> bool:
    return base(lang) in RTL


COMMON_639_2 = {
    "ar": "ara",
    "bs": "bos",
    "sq": "sqi",
    "de": "deu",
    "en": "eng",
    "fr": "fra",
    "ru": "rus",
    "fa": "fas",
    "ur": "urd",
    "he": "heb",
    "tr": "tur",
    "sr": "srp",
    "hr": "hrv",
    "es": "spa",
    "it": "ita",
    "nl": "nld",
    "sv": "swe",
    "so": "som",
    "ps": "pus",
    "ku": "kur",
    "uk": "ukr",
}


@functools.cache
def iso639_2(lang: str) -> str:
    """The three-letter (ISO 639-2/T) code MP4 language tags use; ``und`` when unknown.

    >>> iso639_2("ar"), iso639_2("bs"), iso639_2("sq"), iso639_2("de"), iso639_2("xx")
    ('ara', 'bos', 'sqi', 'deu', 'und')
    """
    code = base(lang)
    if code in COMMON_639_2:  # loading pycountry's database costs 0.1-0.2 s a run
        return COMMON_639_2[code]
    import pycountry

    found = (
        pycountry.languages.get(alpha_2=code)
        if len(code) == 2
        else pycountry.languages.get(alpha_3=code)
    )
    return str(found.alpha_3) if found is not None else "und"


def script_scale(lang: str) -> float:
    """Font size relative to Latin text: Arabic fonts draw smaller at the same em size."""
    return 1.25 if base(lang) in ARABIC_SCRIPT else 1.0


def default_font(lang: str, latin: str) -> str:
    """The font family that renders ``lang`` well; ``latin`` for Latin and Cyrillic."""
    code = base(lang)
    if code in ARABIC_SCRIPT:
        return "Noto Naskh Arabic"
    if code in HEBREW_SCRIPT:
        return "Noto Sans Hebrew"
    return latin


def rtl_embed(text: str) -> str:
    """Wrap each line in RLE ... PDF, so that Latin words, digits and punctuation inside
    right-to-left text land on the right side (libass lays lines out left to right)."""
    return "\n".join(f"{RLE}{line}{PDF}" if line else line for line in text.split("\n"))
