"""Subtitle files: reading translators' files, writing SRT/WebVTT sidecars and ASS to burn
(one table of formats: formats.py), and the limits they keep to (one SubtitleRules:
limits.py)."""
