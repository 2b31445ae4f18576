"""``python -m winnow_cli``: the same as the ``winnow-worker`` command."""

import sys

from winnow_cli.main import main

sys.exit(main())
