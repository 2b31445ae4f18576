"""``winnow-stack``: start/stop the local stack without Docker."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .emulators import install_azurite
from .errors import StackError
from .stack import DEFAULT_STATE_DIR, LocalStack


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--state-dir",
        type=Path,
        default=Path(DEFAULT_STATE_DIR),
        help="directory holding all state (default: ./.winnow)",
    )
    common.add_argument(
        "--repo-root",
        type=Path,
        default=None,
        help="repo root with alembic.ini (default: nearest one at or above the cwd)",
    )
    common.add_argument(
        "--timeout", type=float, default=30.0, help="seconds to wait for each server (30)"
    )
    common.add_argument("-q", "--quiet", action="store_true", help="no progress messages")

    parser = argparse.ArgumentParser(
        prog="winnow-stack", description="Run Winnow's local stack (no Docker needed)."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    up = sub.add_parser("up", parents=[common], help="start the stack (or reuse it)")
    up.add_argument("--infra-only", action="store_true", help="only Postgres, Redis and S3")
    up.add_argument(
        "--emulators",
        action="store_true",
        help="also start the GCS and Azure emulators (GCS_ENDPOINT_URL, AZURE_BLOB_ENDPOINT)",
    )
    sub.add_parser(
        "install-emulators", parents=[common], help="npm-install Azurite into .cache/azurite"
    )
    sub.add_parser("down", parents=[common], help="stop everything (data is kept)")
    sub.add_parser("status", parents=[common], help="show what runs")
    sub.add_parser("env", parents=[common], help="print the stack's env file")
    start = sub.add_parser("start", parents=[common], help="start one app process")
    start.add_argument("service")
    stop = sub.add_parser("stop", parents=[common], help="stop one app process")
    stop.add_argument("service")
    return parser


def _progress(message: str) -> None:
    # One write per line: messages may come from several threads (parallel stops).
    sys.stderr.write(f"winnow-stack: {message}\n")
    sys.stderr.flush()


def run(args: argparse.Namespace) -> int:
    """Execute one parsed command; return the exit code."""
    stack = LocalStack(
        args.state_dir,
        args.repo_root,
        timeout_s=args.timeout,
        progress=None if args.quiet else _progress,
    )
    if args.command == "up":
        stack.up(with_services=not args.infra_only, with_emulators=args.emulators)
        print(stack.paths.stack_env)
    elif args.command == "install-emulators":
        print(install_azurite(stack.repo_root))
    elif args.command == "down":
        stack.down()
    elif args.command == "status":
        for st in stack.status().values():
            state = "running" if st.running else "stopped"
            pid_text = f"pid {st.pid}" if st.running and st.pid else ""
            print(f"{st.name:<12} {state:<8} {pid_text:<12} {st.detail}".rstrip())
    elif args.command == "env":
        if not stack.paths.stack_env.is_file():
            raise StackError("stack", "not running; run `winnow-stack up` first")
        sys.stdout.write(stack.paths.stack_env.read_text(encoding="utf-8"))
    elif args.command == "start":
        pid = stack.start_service(args.service)
        print(f"{args.service}: " + (f"pid {pid}" if pid else "done"))
    elif args.command == "stop":
        stack.stop_service(args.service)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Console entry point: one-line error and exit code 1 on failure, no traceback."""
    args = _parser().parse_args(argv)
    try:
        return run(args)
    except StackError as exc:
        print(f"winnow-stack: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("winnow-stack: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:
        print(f"winnow-stack: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
