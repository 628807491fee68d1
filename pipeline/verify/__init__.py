"""Checks on what was made, each pure or read-only: the privacy scan of an output's metadata,
the words heard again against the plan, the scan of a shareable folder for redacted names."""
