"""``python -m pipeline`` runs the command line."""

import sys

from pipeline.cli.main import main

sys.exit(main())
