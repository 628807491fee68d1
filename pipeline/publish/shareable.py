"""The output folder is shareable: its text holds no redacted term (pure, but for one path).

Every text that goes into a file under the output folder -- manifests, review pages, the
index, exported timelines -- passes through the one matcher (pipeline/core/redaction.py) in the
forms of every language, and what it finds is replaced by the redaction's text. The record
with the real words, which editors need, is kept outside the output folder (``private_folder``)
and is never shared.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.core.redaction import Matcher, Term, replacement_for, terms

ReplacementTexts = str | Mapping[str, str] | None


@dataclass(frozen=True)
class Redactor:
    """Every redacted term of a config, and the replacement text of the redaction it is in."""

    matcher: Matcher = field(default_factory=lambda: Matcher(()))
    texts: Mapping[str, ReplacementTexts] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.matcher.terms

    def text(self, text: str, lang: str = "en") -> str:
        """``text`` with every term, in any language's forms, replaced in ``lang``."""
        if self.empty or not text:
            return text
        out, last = [], 0
        for hit in self.matcher.find(text, None):
            out += [text[last : hit.start], replacement_for(self.texts.get(hit.term), lang)]
            last = hit.end
        return "".join(out) + text[last:]

    def data(self, value: Any, lang: str = "en") -> Any:
        """JSON-ready data with every string (keys too) passed through ``text``."""
        if isinstance(value, str):
            return self.text(value, lang)
        if isinstance(value, Mapping):
            return {self.data(k, lang): self.data(v, lang) for k, v in value.items()}
        if isinstance(value, list | tuple):
            if value and all(
                isinstance(v, Mapping) and isinstance(v.get("text"), str) for v in value
            ):
                return self._words(value, lang)
            return [self.data(v, lang) for v in value]
        return value

    def _words(self, words: Sequence[Mapping[str, Any]], lang: str) -> list[Any]:
        """Records of words one by one (a cut's kept words): a term said over several of them
        ("John", "Smith's") becomes one record holding the replacement, from the first's
        start to the last's end, so that no list of words spells the name."""
        runs = {
            first: (last, term)
            for first, last, term in self.matcher.words([w["text"] for w in words], None)
        }
        out: list[Any] = []
        i = 0
        while i < len(words):
            if i in runs:
                last, term = runs[i]
                merged = dict(words[i])
                merged["text"] = replacement_for(self.texts.get(term), lang)
                if "end_ms" in words[last]:
                    merged["end_ms"] = words[last]["end_ms"]
                out.append(self.data(merged, lang))
                i = last + 1
            else:
                out.append(self.data(words[i], lang))
                i += 1
        return out


def redactor(specs: Iterable[Any]) -> Redactor:
    """The redactor of a config's ``redact`` entries (pipeline.config.schema.RedactSpec): all their
    words, whichever source they are on (a clip's context can come from anywhere)."""
    found: list[Term] = []
    texts: dict[str, ReplacementTexts] = {}
    for spec in specs:
        for term in terms(spec.words):
            found.append(term)
            texts.setdefault(term.term, spec.text)
    return Redactor(Matcher(found), texts)


PRIVATE = Path(".build-clip") / "private"


def private_folder(config: Path, output: Path, cache: Path) -> Path:
    """Where the unredacted record of a config is kept: ``.build-clip/private/<config stem>``
    beside the config, or -- when that lies inside the output folder (``output: .``) -- a
    folder of the user's cache (``cache``) named after the config's path. Never shared.

    >>> private_folder(Path("/p/a.yaml"), Path("/p/out"), Path("/c"))
    PosixPath('/p/.build-clip/private/a')
    >>> str(private_folder(Path("/p/a.yaml"), Path("/p"), Path("/c"))).startswith("/c/private/a-")
    True
    """
    config, output = config.absolute(), output.absolute()
    beside = config.parent / PRIVATE / config.stem
    if not beside.is_relative_to(output):
        return beside
    digest = hashlib.sha256(str(config).encode()).hexdigest()[:12]
    return cache / "private" / f"{config.stem}-{digest}"
