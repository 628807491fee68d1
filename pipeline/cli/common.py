"""What every command of the command line shares: its common options, the options of a
build, logging, and the exit statuses."""

from __future__ import annotations

import argparse
import logging
from enum import IntEnum

from rich.console import Console

from pipeline import __version__
from pipeline.run.batch import default_jobs

log = logging.getLogger("pipeline")


class ExitStatus(IntEnum):
    OK = 0
    FAILED = 1
    BAD_INPUT = 2
    INTERRUPTED = 130


def add_common_options(p: argparse.ArgumentParser) -> None:
    """-q, -v, --debug and --version, which every command takes."""
    p.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    p.add_argument("-v", "--verbose", action="store_true", help="print each step")
    p.add_argument(
        "--debug", action="store_true", help="print ffmpeg commands, and tracebacks on errors"
    )
    p.add_argument("--version", action="version", version=f"build-clip {__version__}")


def setup_logging(quiet: bool, verbose: bool, debug: bool, console: Console) -> None:
    level = (
        logging.DEBUG
        if debug
        else logging.INFO
        if verbose
        else logging.ERROR
        if quiet
        else logging.WARNING
    )
    handler = logging.StreamHandler(console.file)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(level)
    log.propagate = False


def jobs_arg(text: str) -> int:
    """A worker count: a whole number from 1."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of jobs (expected 1 or more)")
    return int(text)


def add_build_options(p: argparse.ArgumentParser) -> None:
    """The options ``build-clip CONFIG`` and ``build-clip batch`` share."""
    p.add_argument(
        "-j",
        "--jobs",
        type=jobs_arg,
        default=default_jobs(),
        metavar="N",
        help="outputs rendered at once (default: one per core, %(default)s here)",
    )
    p.add_argument("--force", action="store_true", help="rebuild outputs that are up to date")
    p.add_argument(
        "--verify",
        action="store_true",
        help="transcribe each output again and check that every cut says its words "
        "(as verify: words in the config)",
    )
    p.add_argument(
        "--strict",
        action="store_true",
        help="treat verification warnings as errors: an output whose words are not heard "
        "fails (exit 1) and is not kept",
    )
