"""``python -m portfolio``: the headless command line (no desktop app)."""

import sys

from portfolio.cli import main

sys.exit(main())
