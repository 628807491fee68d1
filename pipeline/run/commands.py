"""The programs a render runs, in order, as `--dry-run` lists them (pipeline/run/build.py runs
them): the same functions make the arguments of both, so the list is what runs.

For one output:

1. with loudness normalisation, the measuring pass (pass 1: ``render.loudness.plan_scan``);
2. the render, with pass 2's gain in its audio chain;
3. the scan of the output, two commands side by side: ffprobe (streams, tags) and ebur128
   (its loudness, for the manifest).

What a dry run cannot know, it marks, and says so in a comment line under the commands:

* The gain of pass 2 comes from measuring: it is printed as ``MEASURED_GAIN``. A dry run
  does not measure, on purpose: it promises to write nothing and to be quick, and measuring
  decodes the clip's whole sound through its edit (a third of a render). The measuring pass
  is the first command listed; run it to see the figures. The filter is then
  ``volume=<gain>dB``; ``loudnorm`` instead (after a second, loudnorm measuring pass) when one
  gain would put the true peak over the limit; none for a silent clip.
* A render writes into a temp folder (``build-clip-`` and eight random characters: its
  subtitle and card files, the review page's stills) and into a partial file beside the
  output (``.NAME.<8 random characters>.partial.mp4``), renamed to the output after the
  scans. The dry run prints ``build-clip-XXXXXXXX`` for the first and the output's own name
  for the second, so that a pasted command writes the output.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from pipeline.core import ffmpeg
from pipeline.core.ffmpeg import ffprobe_argv
from pipeline.prepare.plan import Job, Plan
from pipeline.render.loudness import loudness_argv, plan_scan
from pipeline.run.build import command_for

MEASURED_GAIN = "MEASURED_GAIN"  # pass 2's filter, decided by the measuring pass
TEMP = Path(tempfile.gettempdir()) / "build-clip-XXXXXXXX"  # made when it renders
NOTE = (
    f"# {MEASURED_GAIN}: the gain the measuring pass (the first command) decides: "
    "volume=<gain>dB, or loudnorm=... when one gain would clip the true peak, or no filter "
    "when the clip is silent"
)


def render_commands(job: Job, plan: Plan) -> list[list[str]]:
    """Every command a render of ``job`` runs, in order, each as its argv (see the module's
    docstring for what is marked)."""
    commands = []
    finish = job.finish
    if job.audio is not None:
        scan = plan_scan(job.timeline, plan.media, job.finish)
        commands.append(ffmpeg.argv(scan))
        finish = replace(job.finish, loudness=MEASURED_GAIN)
    commands.append(ffmpeg.argv(command_for(job, plan, TEMP, job.output, finish)))
    commands += [ffprobe_argv(job.output), loudness_argv(job.output)]
    return commands
