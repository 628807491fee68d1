"""The command line's modules import downwards only: no sub-command imports ``pipeline.cli.main``
(which picks the sub-commands from its table), and no module reaches for another module's
private (``_name``) helpers. Read from the source with ``ast``, imports inside functions too."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pipeline

ROOT = Path(pipeline.__file__).parent
MAIN = "pipeline.cli.main"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> Iterator[tuple[int, str, str | None]]:
    """Every import of ``path``, at any depth: (line, module, name) with the module absolute;
    ``name`` is None for ``import module``."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    return imports_in(path.read_text(encoding="utf-8"), package)


def imports_in(text: str, package: str) -> Iterator[tuple[int, str, str | None]]:
    """The imports of a module of ``package`` whose source is ``text``."""
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, None
        elif isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            module = node.module or ""
            if node.level:
                module = f"{base}.{module}" if module else base
            for alias in node.names:
                yield node.lineno, module, alias.name


def private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def sources(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def test_no_cli_module_imports_main() -> None:
    found = [
        f"{path.relative_to(ROOT.parent)}:{line}: imports {module}.{name or ''}".rstrip(".")
        for path in sources(ROOT / "cli")
        for line, module, name in imports(path)
        if module == MAIN or f"{module}.{name}" == MAIN
    ]
    assert found == []


def test_main_imports_its_sub_commands_only_through_its_table() -> None:
    """``main`` picks a sub-command from ``COMMANDS`` by name (importlib), so that
    `build-clip CONFIG` loads none of them; it imports none of them itself."""
    path = ROOT / "cli" / "main.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    (table,) = [
        node.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "COMMANDS" for t in node.targets)
    ]
    assert isinstance(table, ast.Dict)
    commands = {ast.literal_eval(v) for v in table.values}
    assert "pipeline.cli.batch" in commands
    found = [
        f"cli/main.py:{line}: imports {module} {name or ''}"
        for line, module, name in imports(path)
        if module in commands or f"{module}.{name}" in commands
    ]
    assert found == []


def test_no_module_imports_a_private_name_of_another() -> None:
    found = []
    for path in sources(ROOT):
        own = module_name(path)
        for line, module, name in imports(path):
            if not module.startswith("pipeline") or module == own:
                continue
            names = [*module.split("."), *([name] if name else [])]
            if any(private(part) for part in names):
                found.append(f"{path.relative_to(ROOT.parent)}:{line}: {module} {name or ''}")
    assert found == []


def test_the_check_sees_imports_inside_functions_and_relative_ones() -> None:
    text = """
import pipeline.cli.main
from . import main
from .main import _common

def make_parser():
    from pipeline.cli.main import setup_logging
    from ..run import pools
"""
    assert list(imports_in(text, "pipeline.cli")) == [
        (2, "pipeline.cli.main", None),
        (3, "pipeline.cli", "main"),
        (4, "pipeline.cli.main", "_common"),
        (7, "pipeline.cli.main", "setup_logging"),
        (8, "pipeline.run", "pools"),
    ]
