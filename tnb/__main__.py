"""`python -m tnb` runs the command line."""

import sys

from tnb.cli import main

sys.exit(main())
