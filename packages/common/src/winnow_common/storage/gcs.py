"""A ``GCS`` datasource: a bucket prefix on Google Cloud Storage (or an emulator of its JSON API).

The endpoint comes from ``GCS_ENDPOINT_URL`` (unset: Google itself). ``gcsCredentials`` is a
service-account JSON; an empty one means anonymous access (public buckets, emulators).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

from google.api_core import exceptions as gexc
from google.api_core.retry import Retry, if_transient_error
from google.auth import exceptions as auth_exc
from google.auth.credentials import AnonymousCredentials, Credentials
from google.cloud import storage
from google.oauth2 import service_account
from requests import exceptions as req_exc

from winnow_common.errors import ObjectNotFound, StorageError, StorageUnavailable
from winnow_common.storage.datasource import ListedFile
from winnow_common.storage.datasource import _safe_key as safe_key

_CHUNK = 1024 * 1024
_SCOPES = ("https://www.googleapis.com/auth/devstorage.read_write",)
# Our RetryingStore waits out outages; the client's own retries stay short.
_RETRY = Retry(predicate=if_transient_error, initial=0.2, maximum=2.0, timeout=10.0)
_TIMEOUT = (5.0, 60.0)
_UNAVAILABLE = (
    gexc.ServerError,
    gexc.TooManyRequests,
    gexc.RetryError,
    auth_exc.TransportError,
    req_exc.ConnectionError,
    req_exc.Timeout,
    ConnectionError,
    TimeoutError,
)


def gcs_credentials(credentials_json: str) -> Credentials:
    """The credentials of a ``gcsCredentials`` value (``StorageError`` naming the field)."""
    if not credentials_json.strip():
        return AnonymousCredentials()  # type: ignore[no-untyped-call]
    try:
        info = json.loads(credentials_json)
    except json.JSONDecodeError as exc:
        raise StorageError(f"gcsCredentials: not JSON ({exc.msg})") from exc
    if not isinstance(info, dict) or info.get("type") != "service_account":
        raise StorageError('gcsCredentials: not a service-account key ("type": "service_account")')
    try:
        creds: Credentials = service_account.Credentials.from_service_account_info(  # type: ignore[no-untyped-call]
            info, scopes=_SCOPES
        )
    except (ValueError, KeyError) as exc:
        raise StorageError(f"gcsCredentials: invalid service-account key: {exc}") from exc
    return creds


class GCSStore:
    """A bucket prefix on GCS; keys are relative to the prefix."""

    def __init__(
        self,
        *,
        bucket: str,
        prefix: str,
        project: str,
        credentials_json: str,
        endpoint_url: str | None,
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.project = project
        self._credentials_json = credentials_json
        self.endpoint_url = endpoint_url
        gcs_credentials(credentials_json)  # refuse a broken key at once
        self._client: Any = None
        self._client_pid = -1

    @property
    def client(self) -> storage.Client:
        """A client of this process (not shared across fork or pickle)."""
        if self._client is None or self._client_pid != os.getpid():
            options = {"api_endpoint": self.endpoint_url} if self.endpoint_url else None
            self._client = storage.Client(
                project=self.project,
                credentials=gcs_credentials(self._credentials_json),
                client_options=options,
            )
            self._client_pid = os.getpid()
        return self._client

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_client": None, "_client_pid": -1}

    def _bucket(self) -> storage.Bucket:
        return self.client.bucket(self.bucket)

    def _key(self, key: str) -> str:
        key = safe_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def _fail(self, action: str, key: str, exc: Exception) -> StorageError:
        message = f"cannot {action} {key!r} in {self.describe()}: {exc}"
        if isinstance(exc, gexc.NotFound) and action == "read":
            return ObjectNotFound(message)
        if isinstance(exc, gexc.NotFound):
            return StorageError(f"cannot {action} {key!r}: bucket {self.bucket!r} does not exist")
        if isinstance(exc, auth_exc.RefreshError):
            return StorageError(
                f"cannot {action} {key!r} in {self.describe()}: gcsCredentials were refused: {exc}"
            )
        if isinstance(exc, _UNAVAILABLE):
            return StorageUnavailable(message)
        return StorageError(message)

    def describe(self) -> str:
        return f"gs://{self.bucket}/{self.prefix}"

    def _list(self, prefix: str, max_results: int | None = None) -> Iterator[str]:
        full = "/".join(p for p in (self.prefix, prefix.strip("/")) if p)
        full = f"{full}/" if full else ""
        blobs = self.client.list_blobs(
            self.bucket, prefix=full, max_results=max_results, retry=_RETRY, timeout=_TIMEOUT
        )
        for blob in blobs:
            rel = str(blob.name)[len(self.prefix) + 1 :] if self.prefix else str(blob.name)
            if rel and not rel.endswith("/"):
                yield rel

    def list_files(self, prefix: str = "") -> list[str]:
        try:
            return sorted(self._list(prefix))
        except (gexc.GoogleAPIError, auth_exc.GoogleAuthError, *_UNAVAILABLE) as exc:
            raise self._fail("list", prefix or "/", exc) from exc

    def iter_files(self, prefix: str = "", start_after: str = "") -> Iterator[ListedFile]:
        """Files whose key starts with ``prefix`` after ``start_after``, in key order, with
        their update times, page by page (``startOffset`` where the server honours it)."""
        root = f"{self.prefix}/" if self.prefix else ""
        try:
            blobs = self.client.list_blobs(
                self.bucket,
                prefix=root + prefix,
                start_offset=root + start_after if start_after else None,
                retry=_RETRY,
                timeout=_TIMEOUT,
            )
            for blob in blobs:
                key = str(blob.name)[len(root) :]
                if key > start_after and not key.endswith("/"):
                    updated = blob.updated.timestamp() if blob.updated else None
                    yield ListedFile(key, updated)
        except (gexc.GoogleAPIError, auth_exc.GoogleAuthError, *_UNAVAILABLE) as exc:
            raise self._fail("list", prefix or "/", exc) from exc

    def read(self, key: str) -> bytes:
        try:
            return bytes(
                self._bucket()
                .blob(self._key(key))
                .download_as_bytes(retry=_RETRY, timeout=_TIMEOUT)
            )
        except (gexc.GoogleAPIError, auth_exc.GoogleAuthError, *_UNAVAILABLE) as exc:
            raise self._fail("read", key, exc) from exc

    def write(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        try:
            self._bucket().blob(self._key(key)).upload_from_string(
                data, content_type=content_type, retry=_RETRY, timeout=_TIMEOUT
            )
        except (gexc.GoogleAPIError, auth_exc.GoogleAuthError, *_UNAVAILABLE) as exc:
            raise self._fail("write", key, exc) from exc

    def iter_chunks(self, key: str) -> Iterator[bytes]:
        try:
            with (
                self._bucket()
                .blob(self._key(key))
                .open("rb", chunk_size=_CHUNK, retry=_RETRY, timeout=_TIMEOUT) as fh
            ):
                while chunk := fh.read(_CHUNK):
                    yield bytes(chunk)
        except (gexc.GoogleAPIError, auth_exc.GoogleAuthError, *_UNAVAILABLE) as exc:
            raise self._fail("read", key, exc) from exc

    def full_url(self, key: str) -> str:
        return f"gs://{self.bucket}/{self._key(key)}"

    def delete(self, key: str) -> None:
        try:
            self._bucket().blob(self._key(key)).delete(retry=_RETRY, timeout=_TIMEOUT)
        except gexc.NotFound:
            return
        except (gexc.GoogleAPIError, auth_exc.GoogleAuthError, *_UNAVAILABLE) as exc:
            raise self._fail("delete", key, exc) from exc

    def first_file(self) -> str | None:
        try:
            return next(self._list("", max_results=50), None)
        except (gexc.GoogleAPIError, auth_exc.GoogleAuthError, *_UNAVAILABLE) as exc:
            raise self._fail("list", "/", exc) from exc

    def probe(self) -> None:
        """Build the client: the credentials are parsed then; no request is sent."""
        self.client  # noqa: B018
