"""Whisper's word pieces joined into the words a reader sees (pure).

Whisper times the tokens it decodes, and a word of several tokens can come out in pieces:
" ill" + "-disposed", " cold" + "-hearted", " 1" + ",000", " don" + "'t". A piece that
continues a word has no leading space. Subtitles, sidecars, manifests, ``search``, quotes and
snapping must all see "ill-disposed", one word with one span, so that no cut lands between
its pieces; the pieces themselves are kept in the transcript for provenance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.analysis.transcribe.protocol import RawWord
from pipeline.subtitles.segment import NO_SPACES


@dataclass(frozen=True)
class Joined:
    """One reader's word: its text, and the engine's pieces it was made from, in order."""

    text: str
    pieces: tuple[RawWord, ...]

    @property
    def start(self) -> float:
        return self.pieces[0].start

    @property
    def end(self) -> float:
        return max(p.end for p in self.pieces)

    @property
    def probability(self) -> float:
        """The least sure piece decides: a word is only as sure as its weakest part."""
        return min(p.probability for p in self.pieces)


# Scripts written without spaces between words (CJK, kana, Thai, Lao, Tibetan, Myanmar,
# Khmer): a piece in one of them is a word of its own, whatever the transcript's language.
_UNSPACED = (
    (0x0E00, 0x0EFF), (0x0F00, 0x0FFF), (0x1000, 0x109F), (0x1780, 0x17FF),
    (0x3000, 0x9FFF), (0xF900, 0xFAFF), (0xFF00, 0xFFEF), (0x20000, 0x3FFFF),
)  # fmt: skip


def _unspaced(ch: str) -> bool:
    return any(low <= ord(ch) <= high for low, high in _UNSPACED)


def _continues(previous: str, raw: str) -> bool:
    """True when the piece ``raw`` (as the engine spaced it) belongs to the word before it."""
    text = raw.strip()
    if not previous or not text:
        return bool(previous) and not text  # a blank piece adds nothing; it is dropped
    if not any(ch.isalnum() for ch in text):  # punctuation alone (" ," "。") ends its word
        return True
    if _unspaced(previous[-1]) or _unspaced(text[0]):
        return False
    if not raw[:1].isspace():
        return True
    # " -disposed" (a spaced hyphen piece) still continues a word; " - " (a dash) does not.
    if text[0] in "-\u2010\u2011" and len(text) > 1 and text[1].isalnum():
        return previous[-1].isalnum()
    return False


def join_pieces(pieces: Sequence[RawWord], language: str) -> list[Joined]:
    """The words of a segment from its pieces, in order.

    >>> w = [RawWord(0, .3, " ill", .9), RawWord(.3, .8, "-disposed", .8)]
    >>> w.append(RawWord(.9, 1, " men", 1))
    >>> [(j.text, j.start, j.end, j.probability) for j in join_pieces(w, "en")]
    [('ill-disposed', 0, 0.8, 0.8), ('men', 0.9, 1, 1)]
    """
    words: list[Joined] = []
    for piece in pieces:
        # Languages written without spaces: every piece stands alone there.
        if language not in NO_SPACES and words and _continues(words[-1].text, piece.text):
            last = words.pop()
            words.append(Joined(last.text + piece.text.strip(), (*last.pieces, piece)))
        elif piece.text.strip():
            words.append(Joined(piece.text.strip(), (piece,)))
    return words
