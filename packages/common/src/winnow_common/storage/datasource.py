"""Read and write a datasource: a local directory or an S3-compatible bucket prefix."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Protocol, runtime_checkable
from urllib.parse import urlparse

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    HTTPClientError,
    ReadTimeoutError,
)

from winnow_common.config import s3_settings, worker_settings
from winnow_common.errors import ObjectNotFound, StorageError, StorageUnavailable

_CHUNK = 1024 * 1024
_NOT_FOUND_CODES = frozenset({"NoSuchKey", "404", "NotFound"})
_THROTTLE_CODES = frozenset({"SlowDown", "Throttling", "RequestTimeout", "ServiceUnavailable"})
# The server did not answer at all: connection refused or reset, timeouts.
_UNAVAILABLE_ERRORS = (
    EndpointConnectionError,
    ConnectionClosedError,
    ConnectTimeoutError,
    ReadTimeoutError,
    HTTPClientError,
)


class DatasourceStore(Protocol):
    """Keys are ``/``-separated paths relative to the datasource root."""

    def describe(self) -> str: ...

    def list_files(self, prefix: str = "") -> list[str]: ...

    def read(self, key: str) -> bytes: ...

    def write(
        self, key: str, data: bytes, content_type: str = "application/octet-stream"
    ) -> None: ...

    def iter_chunks(self, key: str) -> Iterator[bytes]: ...

    def full_url(self, key: str) -> str: ...

    def delete(self, key: str) -> None:
        """Remove ``key``; a key that does not exist is not an error."""
        ...

    def first_file(self) -> str | None:
        """One file key of the store without listing everything (a datasource may be huge)."""
        ...

    def probe(self) -> None:
        """Check that the store can be opened at all, touching no data (``ValueError`` or
        ``StorageError`` when it cannot: an S3 client refuses an invalid endpoint)."""
        ...


@dataclass(frozen=True)
class ListedFile:
    """One file of a listing: its key and last-modified time (epoch seconds; ``None`` when the
    store cannot tell)."""

    key: str
    modified: float | None


@runtime_checkable
class ListingStore(Protocol):
    """A store that lists page by page (see :func:`iter_files`)."""

    def iter_files(self, prefix: str = "", start_after: str = "") -> Iterator[ListedFile]:
        """Files whose key starts with ``prefix`` and sorts after ``start_after``, in key order
        (code points, as S3 orders UTF-8 keys), with their last-modified times, streaming."""
        ...


def iter_files(
    store: DatasourceStore, prefix: str = "", start_after: str = ""
) -> Iterator[ListedFile]:
    """The store's files after ``start_after`` in key order, without holding the whole listing
    where the store can stream (``LocalStore``, ``S3Store``); other stores fall back to
    ``list_files`` (no modification times)."""
    if isinstance(store, ListingStore):
        return store.iter_files(prefix, start_after)
    folder, _, _ = prefix.rpartition("/")
    return (
        ListedFile(key, None)
        for key in sorted(store.list_files(folder))
        if key.startswith(prefix) and key > start_after
    )


def _safe_key(key: str) -> str:
    parts = PurePosixPath(key).parts
    if not key or key.startswith("/") or ".." in parts:
        raise StorageError(f"invalid storage key {key!r}")
    return key


class LocalStore:
    """A directory on a filesystem the worker processes can see."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def describe(self) -> str:
        return str(self.root)

    def _path(self, key: str) -> Path:
        return self.root / _safe_key(key)

    def list_files(self, prefix: str = "") -> list[str]:
        base = self.root / prefix if prefix else self.root
        if not self.root.is_dir():
            raise StorageError(f"local datasource directory {self.root} does not exist")
        if not base.exists():
            return []
        return sorted(p.relative_to(self.root).as_posix() for p in base.rglob("*") if p.is_file())

    def iter_files(self, prefix: str = "", start_after: str = "") -> Iterator[ListedFile]:
        """Files under ``prefix`` after ``start_after`` in key order, with their mtimes.

        A sorted walk that skips whole folders sorting before ``start_after``, so a page costs
        the folders on its path, not the whole tree; memory is one folder's entries per level.
        """
        if not self.root.is_dir():
            raise StorageError(f"local datasource directory {self.root} does not exist")
        folder = prefix.rpartition("/")[0]
        base = self.root / _safe_key(folder) if folder else self.root
        rel = f"{folder}/" if folder else ""
        for found in self._walk(base, rel, start_after):
            if found.key.startswith(prefix):
                yield found

    def _walk(self, folder: Path, rel: str, start_after: str) -> Iterator[ListedFile]:
        """The files of ``folder`` (keys starting ``rel``) after ``start_after``, in key order."""
        try:
            with os.scandir(folder) as scan:
                # A folder sorts as "name/": every key below it starts so (S3 key order).
                entries = sorted(
                    (rel + e.name + ("/" if e.is_dir(follow_symlinks=False) else ""), e)
                    for e in scan
                )
        except FileNotFoundError:
            return
        except OSError as exc:
            raise StorageError(f"cannot list {folder}: {exc.strerror or exc}") from exc
        for key, entry in entries:
            if key.endswith("/"):
                # Skip the folder when every key below it sorts before ``start_after``.
                if start_after < key or start_after.startswith(key):
                    yield from self._walk(Path(entry.path), key, start_after)
            elif key > start_after and entry.is_file():
                try:
                    yield ListedFile(key, entry.stat().st_mtime)
                except FileNotFoundError:
                    continue  # deleted while listing

    def read(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as exc:
            raise ObjectNotFound(f"cannot read {key!r} from {self.root}: {exc.strerror}") from exc
        except OSError as exc:
            raise StorageError(f"cannot read {key!r} from {self.root}: {exc.strerror}") from exc

    def write(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(path.name + ".tmp")
            tmp.write_bytes(data)
            tmp.replace(path)
        except OSError as exc:
            raise StorageError(f"cannot write {key!r} to {self.root}: {exc.strerror}") from exc

    def iter_chunks(self, key: str) -> Iterator[bytes]:
        try:
            with self._path(key).open("rb") as fh:
                while chunk := fh.read(_CHUNK):
                    yield chunk
        except OSError as exc:
            raise StorageError(f"cannot read {key!r} from {self.root}: {exc.strerror}") from exc

    def full_url(self, key: str) -> str:
        return str(self._path(key))

    def delete(self, key: str) -> None:
        try:
            self._path(key).unlink(missing_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot delete {key!r} in {self.describe()}: {exc}") from exc

    def first_file(self) -> str | None:
        try:
            if not self.root.is_dir():
                raise StorageError(f"local datasource directory {self.root} does not exist")
            for path in self.root.rglob("*"):
                if path.is_file():
                    return path.relative_to(self.root).as_posix()
        except OSError as exc:
            # e.g. a path component longer than the filesystem allows (ENAMETOOLONG).
            raise StorageError(f"cannot list {self.root}: {exc.strerror or exc}") from exc
        return None

    def probe(self) -> None:
        """Nothing to open: a missing directory is reported by listing."""


class S3Store:
    """A bucket prefix on an S3-compatible server."""

    def __init__(
        self,
        *,
        bucket: str,
        prefix: str,
        endpoint_url: str | None,
        access_key_id: str,
        secret_access_key: str,
        region: str,
        scheme: str = "s3",
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.scheme = scheme
        self._client_args: dict[str, Any] = {
            "endpoint_url": endpoint_url,
            "aws_access_key_id": access_key_id,
            "aws_secret_access_key": secret_access_key,
            "region_name": region,
        }
        self._client: Any = None
        self._client_pid = -1

    @property
    def client(self) -> Any:
        """A boto3 client of this process: clients are not safe across fork or pickle."""
        if self._client is None or self._client_pid != os.getpid():
            self._client = self._make_client()
            self._client_pid = os.getpid()
        return self._client

    def _make_client(self) -> Any:
        return boto3.client(
            "s3",
            **self._client_args,
            config=Config(
                signature_version="s3v4",
                s3={"addressing_style": "path"},
                retries={"max_attempts": 3, "mode": "standard"},
                max_pool_connections=32,
            ),
        )

    # Picklable so spawned DataLoader workers can read through it (the client stays behind).
    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_client": None, "_client_pid": -1}

    def describe(self) -> str:
        return f"{self.scheme}://{self.bucket}/{self.prefix}"

    def _key(self, key: str) -> str:
        key = _safe_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def _fail(self, action: str, key: str, exc: Exception) -> StorageError:
        """The error for a failed call: missing key, outage (worth a retry) or anything else."""
        detail = exc.response["Error"].get("Message") if isinstance(exc, ClientError) else exc
        message = f"cannot {action} {key!r} in {self.describe()}: {detail}"
        if isinstance(exc, ClientError):
            code = str(exc.response["Error"].get("Code", ""))
            status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
            if code in _NOT_FOUND_CODES or (status == 404 and action == "read"):
                return ObjectNotFound(message)
            if status >= 500 or code in _THROTTLE_CODES:
                return StorageUnavailable(message)
            return StorageError(message)
        if isinstance(exc, _UNAVAILABLE_ERRORS):
            return StorageUnavailable(message)
        return StorageError(message)

    def list_files(self, prefix: str = "") -> list[str]:
        full_prefix = "/".join(p for p in (self.prefix, prefix.strip("/")) if p)
        if full_prefix:
            full_prefix += "/"
        keys: list[str] = []
        try:
            paginator = self.client.get_paginator("list_objects_v2")
            for page in paginator.paginate(Bucket=self.bucket, Prefix=full_prefix):
                for obj in page.get("Contents", []):
                    rel = obj["Key"][len(self.prefix) + 1 :] if self.prefix else obj["Key"]
                    if rel and not rel.endswith("/"):
                        keys.append(rel)
        except (BotoCoreError, ClientError) as exc:
            raise self._fail("list", prefix or "/", exc) from exc
        return sorted(keys)

    def iter_files(self, prefix: str = "", start_after: str = "") -> Iterator[ListedFile]:
        """Files under ``prefix`` after ``start_after`` in key order, with their LastModified:
        ListObjectsV2 pages (``StartAfter``, then continuation tokens), fetched as consumed."""
        root = f"{self.prefix}/" if self.prefix else ""
        args: dict[str, Any] = {"Bucket": self.bucket, "Prefix": root + prefix, "MaxKeys": 1000}
        if start_after:
            args["StartAfter"] = root + start_after
        while True:
            try:
                page = self.client.list_objects_v2(**args)
            except (BotoCoreError, ClientError) as exc:
                raise self._fail("list", prefix or "/", exc) from exc
            for obj in page.get("Contents", []):
                key = str(obj["Key"])[len(root) :]
                if key and not key.endswith("/"):
                    yield ListedFile(key, obj["LastModified"].timestamp())
            if not page.get("IsTruncated") or not page.get("NextContinuationToken"):
                return
            args["ContinuationToken"] = page["NextContinuationToken"]

    def read(self, key: str) -> bytes:
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"]
            return bytes(body.read())
        except (BotoCoreError, ClientError) as exc:
            raise self._fail("read", key, exc) from exc

    def write(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        try:
            self.client.put_object(
                Bucket=self.bucket, Key=self._key(key), Body=data, ContentType=content_type
            )
        except (BotoCoreError, ClientError) as exc:
            raise self._fail("write", key, exc) from exc

    def iter_chunks(self, key: str) -> Iterator[bytes]:
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"]
            yield from body.iter_chunks(_CHUNK)
        except (BotoCoreError, ClientError) as exc:
            raise self._fail("read", key, exc) from exc

    def full_url(self, key: str) -> str:
        return f"{self.scheme}://{self.bucket}/{self._key(key)}"

    def delete(self, key: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._key(key))
        except (BotoCoreError, ClientError) as exc:
            raise StorageError(f"cannot delete {key!r} in {self.describe()}: {exc}") from exc

    def first_file(self) -> str | None:
        prefix = f"{self.prefix}/" if self.prefix else ""
        try:
            page = self.client.list_objects_v2(Bucket=self.bucket, Prefix=prefix, MaxKeys=50)
        except (BotoCoreError, ClientError) as exc:
            raise StorageError(f"cannot list {self.describe()}: {exc}") from exc
        for obj in page.get("Contents", []):
            key = str(obj["Key"])[len(prefix) :]
            if key and not key.endswith("/"):
                return key
        return None

    def probe(self) -> None:
        """Create the client: boto3 checks the endpoint then (``ValueError`` when invalid)."""
        self.client  # noqa: B018


def _split_bucket_path(full_path: str, scheme: str) -> tuple[str, str]:
    parsed = urlparse(full_path)
    if parsed.scheme != scheme or not parsed.netloc:
        raise StorageError(f"fullPath {full_path!r} must look like {scheme}://bucket/prefix")
    return parsed.netloc, parsed.path.strip("/")


def resolve_local_path(full_path: str) -> Path:
    """The directory a LOCAL datasource path names, inside ``WORKER_LOCAL_DATASOURCE_ROOT``."""
    root = Path(worker_settings().local_datasource_root).resolve()
    path = (root / full_path.lstrip("/")).resolve()
    if path != root and root not in path.parents:
        raise StorageError(f"local path {full_path!r} is outside the allowed root {root}")
    return path


def open_datasource(
    type_: str, full_path: str, options: dict[str, Any], secrets: dict[str, str]
) -> DatasourceStore:
    """A store for one datasource config (wire field names in ``options`` / ``secrets``)."""
    if type_ == "LOCAL":
        return LocalStore(resolve_local_path(full_path))
    if type_ == "OBS":
        bucket, prefix = _split_bucket_path(full_path, "obs")
        return S3Store(
            bucket=bucket,
            prefix=prefix,
            endpoint_url=str(options["obsEndpoint"]),
            access_key_id=str(options["obsAccessKeyId"]),
            secret_access_key=secrets["obsSecretAccessKey"],
            region=s3_settings().region,
            scheme="obs",
        )
    if type_ == "S3":
        bucket, prefix = _split_bucket_path(full_path, "s3")
        return S3Store(
            bucket=bucket,
            prefix=prefix,
            endpoint_url=s3_settings().endpoint_url,
            access_key_id=str(options["s3AccessKeyId"]),
            secret_access_key=secrets["s3SecretAccessKey"],
            region=str(options.get("s3Region") or s3_settings().region),
        )
    if type_ in ("GCS", "AZURE"):
        from winnow_common.storage.cloud import open_cloud  # their SDKs load only when used

        return open_cloud(type_, full_path, options, secrets)
    raise StorageError(f"datasource type {type_!r} is not supported by this worker")
