"""build-clip: cut long interview footage into short, subtitled, multi-language clips."""

__version__ = "0.1.0"
__all__ = ["__version__"]
