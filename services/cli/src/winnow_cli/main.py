"""Entry point of ``winnow-worker``: help, the run, and one exit code per outcome."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence

from rich.console import Console

from winnow_cli.args import UsageError
from winnow_cli.help import PROG, help_text
from winnow_cli.run import run
from winnow_common.errors import WinnowError


def _error(kind: str, message: str) -> None:
    # One line on stderr, never wrapped: scripts and people grep for it.
    sys.stderr.write(f"{PROG}: {kind}: {' '.join(str(message).split())}\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``winnow-worker``; returns the exit code (0 done, 1 failed, 2 usage)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if any(a in ("-h", "--help") for a in args) or args[:1] == ["help"]:
        sys.stdout.write(help_text())
        return 0
    if not args:
        sys.stderr.write(help_text())
        return 2
    try:
        run(args, Console(stderr=True))
    except UsageError as exc:
        _error("error", str(exc))
        return 2
    except WinnowError as exc:
        _error("failed", exc.message)
        return 1
    except OSError as exc:
        _error("failed", str(exc))
        return 1
    except KeyboardInterrupt:
        _error("failed", "interrupted")
        return 130
    return 0


def entry() -> None:
    """The ``winnow-worker`` command: :func:`main`, then the process ends at once.

    Every output is written and closed when ``main`` returns; what is left is the
    interpreter's teardown of torch, numba and the rest (about a second on a small machine),
    which nothing needs. Only the command does this: ``main`` called in a process (the tests)
    returns normally.
    """
    code = main()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    entry()
