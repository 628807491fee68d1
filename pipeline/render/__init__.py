"""Stage 5, the render: the one ffmpeg command of an output (pure), what is done to its sound
and picture after the cut (loudness, redaction, branding), and its thumbnails."""
