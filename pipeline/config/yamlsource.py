"""Read YAML safely into plain values, remembering the line of every key and item."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from pipeline.core.errors import ConfigError, Problem

Loc = tuple[str | int, ...]


class _Loader(yaml.SafeLoader):
    """SafeLoader without YAML 1.1's base-60 numbers, so ``01:05`` stays the text it is."""


_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
for _ch in "-+0123456789.":
    _Loader.add_implicit_resolver(
        "tag:yaml.org,2002:int",
        re.compile(
            r"^(?:[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"
        ),
        [_ch],
    )
    _Loader.add_implicit_resolver(
        "tag:yaml.org,2002:float",
        re.compile(
            r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+"
            r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
        ),
        [_ch],
    )


# A config that re-reads more values than this through aliases is refused: a "billion
# laughs" document expands a few lines into gigabytes.
MAX_ALIASED = 10_000
MAX_DEPTH = 200  # deeper nesting is no cut list, and would exhaust Python's stack


def load_yaml(path: Path, shown: Path) -> tuple[Any, dict[Loc, int]]:
    """Parse ``path``; return the document and a map from location to 1-based line.

    Only plain YAML is read: no tags that build objects, no merge keys, no NUL characters,
    and aliases only within a small budget.

    Raises:
        ConfigError: unreadable file, YAML syntax error, a key given twice, or YAML that
            is not a plain document.
    """
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ConfigError(
            [Problem(shown, None, "", f"cannot read: {e.strerror} (expected a readable YAML file)")]
        ) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        bad_line = data[: e.start].count(b"\n") + 1
        message = f"byte 0x{data[e.start]:02X} is not UTF-8 (expected a UTF-8 YAML file)"
        raise ConfigError([Problem(shown, bad_line, "", message)]) from None
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        what = e.problem or e.context or "invalid YAML"
        if "'\\t'" in what:
            what = "a tab (expected spaces: YAML indents with spaces only)"
        elif "expected" not in what:
            what += " (expected valid YAML; check this line and the one before)"
        raise ConfigError([Problem(shown, line, "", f"YAML syntax error: {what}")]) from None
    except yaml.reader.ReaderError as e:  # a control character: not a Marked error
        char_line = text[: e.position].count("\n") + 1
        message = (
            f"YAML syntax error: character 0x{e.character:02X} is not allowed in YAML text "
            "(expected printable text)"
        )
        raise ConfigError([Problem(shown, char_line, "", message)]) from None
    except RecursionError:
        raise ConfigError(
            [Problem(shown, None, "", f"nested too deeply (expected at most {MAX_DEPTH} levels)")]
        ) from None
    walker = _Walker(shown)
    value = walker.walk(node, ()) if node is not None else None
    if walker.problems:
        raise ConfigError(walker.problems)
    return value, walker.lines


_PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{t}"
    for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
)


class _Walker:
    """Turn composed nodes into plain values, noting lines and every problem found."""

    def __init__(self, shown: Path) -> None:
        self.shown = shown
        self.lines: dict[Loc, int] = {}
        self.problems: list[Problem] = []
        self.seen: set[int] = set()
        self.aliased = 0

    def fail(self, node: yaml.Node, loc: Loc, message: str) -> None:
        self.problems.append(Problem(self.shown, node.start_mark.line + 1, dotted(loc), message))

    def walk(self, node: yaml.Node, loc: Loc) -> Any:
        self.lines[loc] = node.start_mark.line + 1
        if id(node) in self.seen:  # an alias: the same node again
            self.aliased += 1
            if self.aliased > MAX_ALIASED:
                raise ConfigError(
                    [
                        Problem(
                            self.shown,
                            node.start_mark.line + 1,
                            dotted(loc),
                            f"aliases expand to too many values (expected at most "
                            f"{MAX_ALIASED} values repeated through aliases)",
                        )
                    ]
                )
        self.seen.add(id(node))
        if len(loc) > MAX_DEPTH:
            raise ConfigError(
                [
                    Problem(
                        self.shown,
                        node.start_mark.line + 1,
                        "",
                        f"nested too deeply (expected at most {MAX_DEPTH} levels)",
                    )
                ]
            )
        if node.tag not in _PLAIN_TAGS:
            self.fail(
                node, loc, f"YAML tag {node.tag!r} is not allowed (expected plain YAML values)"
            )
            return None
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, loc)
        if isinstance(node, yaml.SequenceNode):
            return [self.walk(n, (*loc, i)) for i, n in enumerate(node.value)]
        value = SafeConstructor().construct_object(node)
        if isinstance(value, str) and "\0" in value:
            self.fail(node, loc, "a NUL character in text (expected printable text)")
            return None
        return value

    def _mapping(self, node: yaml.MappingNode, loc: Loc) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        for key_node, val_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.fail(
                    key_node, loc, "merge keys (<<) are not supported (expected keys written out)"
                )
                continue
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _PLAIN_TAGS:
                self.fail(key_node, loc, "a key that is not plain text (expected a name)")
                continue
            key = SafeConstructor().construct_object(key_node)
            if not isinstance(key, (str, int)):
                key = str(key)
            if key in out:
                self.fail(key_node, (*loc, key), "key given twice (expected each key once)")
            out[key] = self.walk(val_node, (*loc, key))
            self.lines[(*loc, key)] = key_node.start_mark.line + 1
        return out


def dotted(loc: Loc) -> str:
    """``('clips', 'a', 'cuts', 2, 'end')`` -> ``clips.a.cuts[2].end``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def line_of(lines: dict[Loc, int], loc: Loc) -> int | None:
    """The line of ``loc``, or of its nearest enclosing item."""
    for n in range(len(loc), -1, -1):
        if loc[:n] in lines:
            return lines[loc[:n]]
    return None


@dataclass(frozen=True)
class Locator:
    """Where each key of a config file is: what a stage needs to point a problem at its line,
    without the rest of the config."""

    path: Path
    lines: dict[Loc, int]

    def line(self, loc: Loc) -> int | None:
        return line_of(self.lines, loc)

    def problem(self, loc: Loc, message: str) -> Problem:
        """A problem located at ``loc`` in the config file."""
        return Problem(self.path, self.line(loc), dotted(loc), message)
