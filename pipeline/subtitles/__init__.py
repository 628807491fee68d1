"""Subtitle files: reading translators' files, writing SRT/WebVTT sidecars and ASS to burn."""
