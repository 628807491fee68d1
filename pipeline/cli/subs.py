"""``build-clip subs CONFIG``: the clip-time subtitle files translators work from."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from pipeline.cli.common import add_common_options
from pipeline.config.load import load, require_clips
from pipeline.core.errors import InputError, problem
from pipeline.core.files import write_text
from pipeline.prepare.plan import plan_build
from pipeline.subtitles.formats import SRT, by_path

DESCRIPTION = """\
Write out/<clip>/<clip>.<lang>.srt for every clip (UTF-8, no BOM): each language the config
gives, on the clip's own timeline, so a translator can translate one file per clip.
Nothing is rendered.
"""


def make_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="build-clip subs",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("config", type=Path, help="the YAML cut list")
    p.add_argument(
        "--lang",
        action="append",
        default=[],
        metavar="XX",
        help="only this language (repeatable; default: every language)",
    )
    p.add_argument(
        "--clip", action="append", default=[], metavar="NAME", help="only this clip (repeatable)"
    )
    add_common_options(p)
    return p


def run(args: argparse.Namespace, out: Console, err: Console) -> int:
    config = load(args.config)
    require_clips(config, args.clip)
    plan = plan_build(config, tuple(args.clip))
    wanted = [
        p
        for p in plan.sidecars
        if by_path(p[0]) is SRT and (not args.lang or p[0].stem.rsplit(".", 1)[-1] in args.lang)
    ]
    if not wanted:
        raise InputError(
            [
                problem(
                    f"no clip has the language(s) {', '.join(args.lang)} "
                    "(expected one in clips.<name>.subtitles.languages)",
                    args.config,
                )
            ]
        )
    for path, cues in wanted:
        write_text(path, SRT.text(cues))
        if not args.quiet:
            out.print(f"wrote {path} ({len(cues)} cues)", markup=False, highlight=False)
    return 0
