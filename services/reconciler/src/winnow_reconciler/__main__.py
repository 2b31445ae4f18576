"""``python -m winnow_reconciler``: the same as the ``winnow-reconciler`` command."""

from __future__ import annotations

import sys

from winnow_reconciler.cli import main

sys.exit(main())
