"""`python -m pipeline` is the `newsclaims` command."""

import sys

from .cli import main

sys.exit(main())
