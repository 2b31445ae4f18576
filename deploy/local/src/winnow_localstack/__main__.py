"""``python -m winnow_localstack`` = ``winnow-stack``."""

import sys

from .cli import main

sys.exit(main())
