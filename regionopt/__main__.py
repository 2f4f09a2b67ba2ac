"""``python -m regionopt`` runs the command line."""

import sys

from regionopt.cli import main

sys.exit(main())
