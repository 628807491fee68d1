"""Read YAML safely into plain values, remembering the line of every key and item."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from pipeline.errors import ConfigError, Problem

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


def load_yaml(path: Path, shown: Path) -> tuple[Any, dict[Loc, int]]:
    """Parse ``path``; return the document and a map from location to 1-based line.

    Raises:
        ConfigError: unreadable file, YAML syntax error, or a key given twice.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ConfigError(
            [Problem(shown, None, "", "not UTF-8 text (expected a YAML file)")]
        ) from None
    except OSError as e:
        raise ConfigError([Problem(shown, None, "", f"cannot read: {e.strerror}")]) from None
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        what = e.problem or e.context or "invalid YAML"
        raise ConfigError([Problem(shown, line, "", f"YAML syntax error: {what}")]) from None
    lines: dict[Loc, int] = {}
    problems: list[Problem] = []
    value = _walk(node, (), lines, problems, shown) if node is not None else None
    if problems:
        raise ConfigError(problems)
    return value, lines


def _walk(
    node: yaml.Node, loc: Loc, lines: dict[Loc, int], problems: list[Problem], shown: Path
) -> Any:
    lines[loc] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, val_node in node.value:
            key = SafeConstructor().construct_object(key_node)
            if not isinstance(key, (str, int)):
                key = str(key)
            if key in out:
                problems.append(
                    Problem(
                        shown,
                        key_node.start_mark.line + 1,
                        dotted((*loc, key)),
                        "key given twice (expected each key once)",
                    )
                )
            out[key] = _walk(val_node, (*loc, key), lines, problems, shown)
            lines[(*loc, key)] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_walk(n, (*loc, i), lines, problems, shown) for i, n in enumerate(node.value)]
    return SafeConstructor().construct_object(node)


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
