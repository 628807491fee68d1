"""The package's shape (docs/ARCHITECTURE.md): stage folders, imports only downward, no cycles.

Read from the source with ``ast``, function-level imports included, so that a lazy import
cannot hide a cycle or an upward reach.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "pipeline"

# Lowest first: a module imports from its own stage or the stages before it.
LAYERS = (
    "core",
    "config",
    "subtitles",
    "analysis",
    "edit",
    "verify",
    "render",
    "prepare",
    "publish",
    "run",
    "cli",
)
MAX_LINES = 350


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> Iterator[tuple[str, int]]:
    """The pipeline modules ``name`` imports, with the line of each import."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield from _resolve(alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")
                up = up[: len(up) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            for alias in node.names:  # `from pkg import module` names a module
                full = f"{base}.{alias.name}"
                yield from _resolve(full if full in MODULES else base, node.lineno)


def _resolve(module: str, line: int) -> Iterator[tuple[str, int]]:
    while module and module not in MODULES:
        module = module.rpartition(".")[0]
    if module.startswith("pipeline"):
        yield module, line


def _stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else None


GRAPH = {
    name: {target for target, _ in _imports(name, path) if target != name}
    for name, path in MODULES.items()
}


def test_every_module_lives_in_a_stage_folder() -> None:
    loose = [
        name
        for name in MODULES
        if name not in ("pipeline", "pipeline.__main__") and _stage(name) is None
    ]
    assert not loose, f"modules outside the stage folders {LAYERS}: {loose}"
    assert {
        p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()
    } == set(LAYERS)


def test_imports_only_go_down_the_stages() -> None:
    upward = []
    for name, path in MODULES.items():
        here = _stage(name)
        if here is None:
            continue
        for target, line in _imports(name, path):
            there = _stage(target)
            if there is not None and LAYERS.index(there) > LAYERS.index(here):
                upward.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {name} -> {target}")
    assert not upward, "imports up the stages:\n" + "\n".join(upward)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycles() -> None:
    assert not _cycles(GRAPH)


def test_the_cycle_finder_finds_a_cycle() -> None:
    """The check above is only as good as this: a loop of three is found, a chain is not."""
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_is_over_the_size_limit(name: str) -> None:
    lines = len(MODULES[name].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{MODULES[name]}: {lines} lines (the limit is {MAX_LINES})"
