"""The command line: one module per command; main.py parses the arguments and maps errors to
exit codes."""
