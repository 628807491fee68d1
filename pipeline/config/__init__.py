"""Stage 1, the config: its schema (pydantic, frozen), loading YAML with line numbers, and the
cross-checks that need no media."""
