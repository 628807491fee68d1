"""Stage 4 to 5, the preparation: every clip's cuts, timeline, cues and outputs planned once,
and check, the same preparation collecting findings instead of raising."""
