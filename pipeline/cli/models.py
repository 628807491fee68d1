"""``build-clip models``: the Whisper models, where they live and whether their hashes match;
``build-clip models export-openai NAME``: an openai-whisper checkpoint from the same weights."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.table import Column, Table

from pipeline.analysis.transcribe.catalogue import CATALOGUE, state
from pipeline.cli.common import add_common_options

DESCRIPTION = """\
  build-clip models                      list the models: languages, size, folder, hash check
  build-clip models export-openai NAME   write an openai-whisper checkpoint of model NAME
                                         (a name from the list, or a model folder), so that
                                         --engine openai-whisper runs offline

Bundled models are joined from their Python packages into the cache on first use
($BUILD_CLIP_CACHE, or the user cache folder) and checked by sha256.
"""


def make_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="build-clip models",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("action", nargs="?", choices=("list", "export-openai"), default="list")
    p.add_argument("name", nargs="?", help="the model to export (export-openai)")
    p.add_argument("-o", "--output", type=Path, metavar="FILE", help="where to write the .pt")
    add_common_options(p)
    return p


def run(args: argparse.Namespace, out: Console, err: Console) -> int:
    if args.action == "export-openai":
        return _export(args, out, err)
    if args.name:
        err.print("error: `build-clip models` takes no name (expected: models export-openai NAME)")
        return 2
    table = Table(
        "model",
        "languages",
        "size",
        Column("where", overflow="fold"),
        "sha256",
        Column("openai-whisper", overflow="fold"),
    )
    states = [state(entry) for entry in CATALOGUE.values()]
    for s in states:
        entry = s.entry
        ok = {True: "ok", False: "MISMATCH", None: "-"}[s.hash_ok]
        size = f"{entry.size / 1e6:.0f} MB" if entry.size else "-"
        table.add_row(entry.name, entry.languages, size, s.where, ok, str(s.openai or "-"))
    out.print(table)
    bad = [s.entry.name for s in states if s.hash_ok is False]
    if bad:
        err.print(f"error: weights do not match their sha256: {', '.join(bad)} (reinstall them)")
        return 1
    return 0


def _export(args: argparse.Namespace, out: Console, err: Console) -> int:
    if not args.name:
        err.print("error: export-openai needs a model name (expected: e.g. base)")
        return 2
    from pipeline.analysis.transcribe.export import export_openai
    from pipeline.analysis.transcribe.models import openai_checkpoint, resolve

    if args.output:
        model = resolve(args.name)
        path = export_openai(model.path, args.output)
    else:
        path = openai_checkpoint(args.name).path
    if not args.quiet:
        out.print(
            f"wrote {path} (use: --engine openai-whisper --model {args.name})",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
    return 0
