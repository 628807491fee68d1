"""Stage 2, per-source facts made once and cached in source time: the probe, the sound's
envelope and loudness, fonts' character maps, the transcript (transcribe/). A new per-source
analysis (faces, speakers) is a new module here."""
