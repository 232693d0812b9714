"""`python -m extractor` is the same program as the `extractor` command."""

import sys

from extractor.cli import main

sys.exit(main())
