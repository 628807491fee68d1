"""Sub-commands of ``build-clip``; each module has ``make_parser()`` and ``run(args, out, err)``.

They belong to the command-line layer: they may print through the consoles they are given.
"""
