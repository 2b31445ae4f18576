"""S3-compatible object store: SeaweedFS ``weed mini`` (one process) with S3 auth."""

from __future__ import annotations

import contextlib
import glob
import json
import os
import subprocess
import tempfile
from collections.abc import Iterable, Mapping
from typing import Any

from . import procs
from .binaries import weed_binary
from .ports import HOST
from .state import StatePaths

S3Client = Any  # boto3's S3 client (untyped without boto3-stubs)

COMPONENT = "s3"
REGION = "us-east-1"
# Every port weed mini listens on; all are passed explicitly so that none falls back to a
# fixed default (admin 23646) or to "http port + 10000" for gRPC.
PORT_NAMES = (
    "s3",
    "s3_grpc",
    "master",
    "master_grpc",
    "volume",
    "volume_grpc",
    "filer",
    "filer_grpc",
    "admin",
    "admin_grpc",
)


def write_identities(paths: StatePaths, access_key: str, secret_key: str) -> None:
    """Write the ``-s3.config`` file: one identity with admin actions."""
    config = {
        "identities": [
            {
                "name": "winnow",
                "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
                "actions": ["Admin", "Read", "List", "Tagging", "Write"],
            }
        ]
    }
    fd = os.open(paths.s3_config, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(config, fh, indent=2)


VOLUME_SIZE_LIMIT_MB = 64
MAX_VOLUMES = 2000


def start(paths: StatePaths, ports: Mapping[str, int]) -> subprocess.Popen[bytes]:
    """Start ``weed mini`` with S3 on ``ports['s3']`` and data under ``STATE/s3``."""
    argv = [
        str(weed_binary()),
        "mini",
        f"-dir={paths.s3}",
        f"-ip={HOST}",
        f"-ip.bind={HOST}",
        f"-master.port={ports['master']}",
        f"-master.port.grpc={ports['master_grpc']}",
        f"-volume.port={ports['volume']}",
        f"-volume.port.grpc={ports['volume_grpc']}",
        f"-filer.port={ports['filer']}",
        f"-filer.port.grpc={ports['filer_grpc']}",
        f"-s3.port={ports['s3']}",
        f"-s3.port.grpc={ports['s3_grpc']}",
        f"-admin.port={ports['admin']}",
        f"-admin.port.grpc={ports['admin_grpc']}",
        "-admin.ui=false",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        "-webdav=false",
        "-master.telemetry=false",
        "-volume.preStopSeconds=0",
        # Every bucket is a collection with a volume of its own. By default a volume is sized at
        # 1 GiB and their number is free disk / 1 GiB (53 on a machine with 54 GB free), so a
        # test run that makes many small buckets ran out ("no free volumes left"). Small volumes
        # and a fixed ceiling (volumes are sparse files: nothing is preallocated).
        f"-master.volumeSizeLimitMB={VOLUME_SIZE_LIMIT_MB}",
        f"-volume.max={MAX_VOLUMES}",
        f"-s3.config={paths.s3_config}",
    ]
    return procs.spawn(argv, log=paths.log(COMPONENT), cwd=paths.s3)


def endpoint(port: int, host: str = HOST) -> str:
    """S3 endpoint URL of the local server."""
    return f"http://{host}:{port}"


def client(
    endpoint_url: str | None,
    access_key: str | None,
    secret_key: str | None,
    *,
    region: str = REGION,
    quick: bool = False,
) -> S3Client:
    """A boto3 S3 client (path-style); ``quick`` = no retries, short timeouts (polling)."""
    import boto3
    from botocore.config import Config

    config = Config(
        signature_version="s3v4",
        s3={"addressing_style": "path"},
        retries={"max_attempts": 1 if quick else 3, "mode": "standard"},
        connect_timeout=1 if quick else 10,
        read_timeout=5 if quick else 60,
    )
    return boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        aws_access_key_id=access_key or None,
        aws_secret_access_key=secret_key or None,
        region_name=region,
        config=config,
    )


def ready(s3: S3Client) -> bool:
    """True when ``list_buckets`` succeeds with the client's credentials."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        s3.list_buckets()
    except (BotoCoreError, ClientError):
        return False
    return True


def ensure_buckets(s3: S3Client, names: Iterable[str]) -> None:
    """Create each bucket unless it exists (idempotent)."""
    from botocore.exceptions import ClientError

    existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    for name in names:
        if name in existing:
            continue
        try:
            s3.create_bucket(Bucket=name)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                raise


def cleanup_sockets(ports: Iterable[int]) -> None:
    """Remove the ``/tmp/seaweedfs-*-<port>.sock`` files weed leaves behind."""
    dirs = {"/tmp", tempfile.gettempdir()}
    for port in ports:
        for directory in dirs:
            for path in glob.glob(os.path.join(directory, f"seaweedfs-*-{port}.sock")):
                with contextlib.suppress(OSError):
                    os.unlink(path)
