"""Data: the application processes the stack runs, and the env keys it sets.

Commands are argv templates formatted with ``str.format`` and these fields:
``{python}`` (the launcher's interpreter), ``{repo_root}``, ``{api_port}``, ``{api_url}``,
``{statehash}`` (short hash of the state dir, keeps worker names unique per stack) and
``{state_dir}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ServiceSpec:
    """One application process.

    ``oneshot`` processes run to completion during ``up`` and must exit 0. A ``token``
    oneshot runs only when the stack has no working API token; the last line of its stdout
    is the token. ``health_path`` is an HTTP path on the API port that must answer 200.
    """

    argv: tuple[str, ...]
    oneshot: bool = False
    token: bool = False
    health_path: str | None = None
    timeout_s: float = 60.0
    extra_env: Mapping[str, str] = field(default_factory=dict)

    def render(self, fields: Mapping[str, str]) -> list[str]:
        """The argv with placeholders filled in."""
        return [part.format(**fields) for part in self.argv]


DEMO_EMAIL = "demo@winnow.local"


def _argv(command: str) -> tuple[str, ...]:
    """Split a whitespace-separated command template into an argv tuple."""
    return tuple(command.split())


def gpu_worker_spec(node: str = "gpu", extra_env: Mapping[str, str] | None = None) -> ServiceSpec:
    """A GPU worker process: ``-Q gpu`` plus, at start-up, the queues of its labels.

    ``node`` prefixes the Celery node name (unique per stack through ``{statehash}``);
    ``extra_env`` can set ``WORKER_ID`` (a registered worker) or ``WORKER_LABELS``.
    """
    return ServiceSpec(
        argv=_argv(
            "{python} -m celery -A winnow_gpu_worker.celery_app:app worker -Q gpu"
            f" --pool solo -n {node}-{{statehash}}@%h --loglevel INFO"
        ),
        extra_env=dict(extra_env or {}),
    )


# Run in this order by ``up``: oneshots block, daemons are started detached.
SERVICES: dict[str, ServiceSpec] = {
    "migrate": ServiceSpec(
        argv=_argv("{python} -m alembic -c {repo_root}/alembic.ini upgrade head"),
        oneshot=True,
        timeout_s=300.0,
    ),
    "api": ServiceSpec(
        argv=_argv(
            "{python} -m uvicorn winnow_api.main:create_app --factory"
            " --host 127.0.0.1 --port {api_port} --no-access-log"
        ),
        health_path="/health",
        timeout_s=60.0,
    ),
    "gpu-worker": gpu_worker_spec(),
    "reporter": ServiceSpec(
        argv=_argv(
            "{python} -m celery -A winnow_reporter.celery_app:app worker -Q reports"
            " --concurrency 1 -n reports-{statehash}@%h --loglevel INFO"
        ),
    ),
    # Re-queues runs whose lease expired, marks silent workers OFFLINE, re-publishes messages
    # Redis lost (RECONCILER_INTERVAL_S, RECONCILER_REPUBLISH_GRACE_S).
    "reconciler": ServiceSpec(argv=_argv("{python} -m winnow_reconciler")),
    "ensure-user": ServiceSpec(
        argv=("{python}", "-m", "winnow_api.cli", "ensure-user", "--email", DEMO_EMAIL),
        oneshot=True,
        token=True,
        timeout_s=120.0,
    ),
}

# A token still works when GET {api_url}{TOKEN_CHECK_PATH} answers 200.
TOKEN_CHECK_PATH = "/v1/datasets?token={token}"

INPUT_BUCKET = "winnow-input"
LIGHTLY_BUCKET = "winnow-lightly"
BUCKETS = (INPUT_BUCKET, LIGHTLY_BUCKET)

# Env keys read by the servers' settings classes (winnow_common.config) ...
SERVER_ENV_KEYS = (
    "DATABASE_URL",
    "REDIS_URL",
    "S3_ENDPOINT_URL",
    "S3_ACCESS_KEY_ID",
    "S3_SECRET_ACCESS_KEY",
    "S3_REGION",
    "S3_INPUT_BUCKET",
    "S3_LIGHTLY_BUCKET",
    "API_PUBLIC_URL",
    "API_SECRET_KEY",
)
# ... keys meant for users / clients (not server settings) ...
CLIENT_ENV_KEYS = ("WINNOW_API_URL", "WINNOW_TOKEN", "LIGHTLY_SERVER_LOCATION", "LIGHTLY_TOKEN")
# ... and process-level keys.
PROCESS_ENV_KEYS = ("PYTHONUNBUFFERED",)
