"""`python -m extractor` is the same program as the `extractor` command.

Run from the folder that holds the clone (itself named `extractor`), Python takes the clone for a namespace
package of that name; the real package, the folder of this file, is put first and imported again.
"""

import sys
from pathlib import Path

if not hasattr(sys.modules.get("extractor"), "__version__"):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.modules.pop("extractor", None)

from extractor.cli import main

sys.exit(main())
