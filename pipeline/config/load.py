"""Loading a config: YAML with line numbers -> validated, frozen Config (pipeline/config/schema.py),
then the cross-checks (pipeline/config/checks.py); every problem reported with file:line."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

from pipeline.config.checks import cross_check
from pipeline.config.schema import Config, Project
from pipeline.config.yamlsource import Loc, dotted, line_of, load_yaml
from pipeline.core.errors import ConfigError, Problem


def verifying(config: Config) -> Config:
    """The config with ``verify: words`` (the command line's ``--verify``)."""
    project = config.project.model_copy(update={"verify": "words"})
    return Config(config.path, project, config.lines)


def require_clips(config: Config, names: Sequence[str]) -> None:
    """Raise ConfigError when a clip asked for on the command line is not in the config."""
    unknown = [n for n in names if n not in config.project.clips]
    if unknown:
        raise ConfigError(
            [
                Problem(
                    config.path,
                    None,
                    "",
                    f"no clip named {unknown[0]!r} "
                    f"(expected one of: {', '.join(config.project.clips)})",
                )
            ]
        )


def load(path: Path) -> Config:
    """Read and validate a config file.

    Raises:
        ConfigError: listing every problem found, each with file:line.
    """
    if path.is_dir():
        raise ConfigError([Problem(path, None, "", "is a folder (expected a YAML config file)")])
    if not path.exists():
        raise ConfigError([Problem(path, None, "", "no such file (expected a YAML config file)")])
    data, lines = load_yaml(path, path)
    if not isinstance(data, dict):
        what = "empty" if data is None else f"a {type(data).__name__}"
        raise ConfigError(
            [
                Problem(
                    path,
                    line_of(lines, ()),
                    "",
                    f"the config is {what} (expected a mapping with version, sources and clips)",
                )
            ]
        )
    try:
        project = Project.model_validate(data, context={"base": path.parent})
    except ValidationError as e:
        problems = [_problem(path, lines, err) for err in e.errors()]
        raise ConfigError(sorted(problems, key=lambda p: (p.line or 0, p.where))) from None
    config = Config(path, project, lines)
    problems = cross_check(config)
    if problems:
        raise ConfigError(problems)
    return config


def _problem(path: Path, lines: dict[Loc, int], err: Any) -> Problem:
    loc: Loc = tuple(
        p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))
    )
    kind, value = err["type"], err.get("input")
    if kind == "extra_forbidden":
        expected = ", ".join(_fields_at(loc[:-1]))
        message = f"unknown key {loc[-1]!r} (expected one of: {expected})"
    elif kind == "missing":
        message = f"missing required key {loc[-1]!r}"
    elif kind in ("timecode", "path", "size", "colour", "disguise", "keep"):
        message = err["msg"]
    elif kind == "literal_error":
        message = f"{value!r} is not allowed (expected {err['ctx']['expected']})"
    else:
        msg = err["msg"][0].lower() + err["msg"][1:]
        message = f"{value!r}: {msg}" if not isinstance(value, (dict, list)) else msg
    return Problem(path, line_of(lines, loc), dotted(loc), message)


def _fields_at(loc: Loc) -> list[str]:
    """The keys the model allows at ``loc`` (for "unknown key" messages)."""
    ann: Any = Project
    for part in loc:
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            field = ann.model_fields.get(str(part))
            if field is None:
                return []
            ann = field.annotation
        else:  # a dict value or a tuple item
            args = [a for a in get_args(ann) if a is not Ellipsis]
            ann = args[-1] if args else None
        models = [
            a for a in (ann, *get_args(ann)) if isinstance(a, type) and issubclass(a, BaseModel)
        ]
        if models and get_origin(ann) not in (dict, tuple):
            ann = models[0]
    return list(ann.model_fields) if isinstance(ann, type) and issubclass(ann, BaseModel) else []
