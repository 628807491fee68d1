"""``build-clip batch CONFIG...``: many configs on a bounded pool (or a Dask cluster), one
progress display, and a summary table of what was built, what was up to date, what failed."""

from __future__ import annotations

import argparse
import glob
from pathlib import Path

from rich.console import Console

from pipeline.cli.common import add_build_options, add_common_options
from pipeline.cli.display import Display, print_errors, print_summary
from pipeline.run.batch import Options, run_batch
from pipeline.run.pools import ClusterPool, LocalPool, Pool

DESCRIPTION = """\
Build every output of every config, side by side, skipping outputs that are up to date.

  build-clip batch configs/*.yaml            one render per core
  build-clip batch 'configs/**/*.yaml' -j 4  globs are expanded here too
  build-clip batch configs/*.yaml --cluster tcp://scheduler:8786

Exit status: 0 when everything is built or up to date, 1 when anything failed (a failure never
stops the others), 2 for bad usage, 130 when interrupted (no partial file is left).
"""


def make_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="build-clip batch",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("configs", nargs="+", metavar="CONFIG", help="YAML cut lists, or globs")
    add_build_options(p)
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="list the outputs that would be built and why (which input changed); write nothing",
    )
    p.add_argument(
        "--cluster",
        metavar="tcp://HOST:8786",
        help="send the jobs to this Dask scheduler instead of the local pool (workers must see "
        "the media and the output folders at the same paths)",
    )
    add_common_options(p)
    return p


def expand(patterns: list[str]) -> tuple[list[Path], list[str]]:
    """Configs from the command line, globs expanded, each file once (as first spelled); and
    the patterns that matched nothing."""
    found: dict[Path, Path] = {}
    empty = []
    for pattern in patterns:
        matches = (
            sorted(glob.glob(pattern, recursive=True)) if glob.has_magic(pattern) else [pattern]
        )
        empty += [] if matches else [pattern]
        for match in map(Path, matches):
            found.setdefault(match.resolve(), match)
    return list(found.values()), empty


def run(args: argparse.Namespace, out: Console, err: Console) -> int:
    configs, empty = expand(args.configs)
    for pattern in empty:
        err.print(f"error: no config matches {pattern!r}", markup=False, soft_wrap=True)
    if not configs:
        return 2
    options = Options(
        force=args.force, dry_run=args.dry_run, verify=args.verify, strict=args.strict
    )
    pool: Pool = ClusterPool(args.cluster) if args.cluster else LocalPool(args.jobs)
    try:
        with Display(err, args.quiet or args.dry_run) as display:
            summary = run_batch(configs, options, pool, display.hooks())
    finally:
        pool.close()
    where = f"cluster {args.cluster}" if args.cluster else f"-j {args.jobs}"
    if not args.quiet:
        print_summary(summary, out, where)
    print_errors(summary, err, args.debug)
    return 1 if summary.failed or empty else 0
