"""``winnow-admin``: user and token administration (no traceback on errors)."""

from __future__ import annotations

import argparse
import sys

from sqlalchemy.exc import SQLAlchemyError

from winnow_api.auth import ensure_user, issue_token
from winnow_common.db.session import session_factory


def _ensure_user(email: str) -> str:
    with session_factory().begin() as session:
        user = ensure_user(session, email)
        return issue_token(session, user)


def main(argv: list[str] | None = None) -> int:
    """Entry point: ``ensure-user --email E`` creates the user if needed and prints a new token."""
    parser = argparse.ArgumentParser(prog="winnow-admin", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("ensure-user", "create-user"):
        cmd = sub.add_parser(name, help="create the user if missing and print a new API token")
        cmd.add_argument("--email", required=True)
    args = parser.parse_args(argv)
    try:
        token = _ensure_user(args.email)
    except SQLAlchemyError as exc:
        print(
            f"winnow-admin: database error: {exc.__class__.__name__}: {exc.orig or exc}",
            file=sys.stderr,
        )
        return 1
    print(f"user {args.email}: new API token (shown once):", file=sys.stderr)
    print(token)
    return 0


if __name__ == "__main__":
    sys.exit(main())
