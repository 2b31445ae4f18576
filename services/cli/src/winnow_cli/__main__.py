"""``python -m winnow_cli``: the same as the ``winnow-worker`` command."""

from winnow_cli.main import entry

entry()
