"""An ``AZURE`` datasource: a container prefix in Azure Blob Storage (or Azurite).

Lightly's ``fullPath`` is ``container/path`` (``azure://container/path`` is accepted too);
``accountKey`` holds the account key or a SAS token (``set_azure_config(sas_token=...)``). The
service URL comes from ``AZURE_BLOB_ENDPOINT`` (unset: ``https://<account>.blob.core.windows.net``).
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Iterator
from typing import Any

from azure.core import exceptions as aexc
from azure.storage.blob import BlobServiceClient, ContainerClient, ContentSettings

from winnow_common.errors import ObjectNotFound, StorageError, StorageUnavailable
from winnow_common.storage.datasource import ListedFile
from winnow_common.storage.datasource import _safe_key as safe_key

_CHUNK = 1024 * 1024
_CONTAINER = re.compile(r"^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$")
_UNAVAILABLE = (aexc.ServiceRequestError, aexc.ServiceResponseError, ConnectionError, TimeoutError)
_ERRORS = (aexc.AzureError, *_UNAVAILABLE)


def split_azure_path(full_path: str) -> tuple[str, str, str]:
    """``(scheme prefix, container, path)`` of ``container/path`` or ``azure://container/path``."""
    scheme = "azure://" if full_path.startswith("azure://") else ""
    container, _, prefix = full_path[len(scheme) :].strip("/").partition("/")
    if not _CONTAINER.match(container):
        raise StorageError(
            f"fullPath: {full_path!r} must start with an Azure container name (3-63 lower-case "
            "letters, digits and single hyphens), e.g. my-container/path/to/data"
        )
    return scheme, container, prefix.strip("/")


def azure_credential(account_name: str, secret: str) -> str | dict[str, str]:
    """A SAS token (``...&sig=...``) as is, else an account key (checked to be base64)."""
    secret = secret.strip()
    if "sig=" in secret:
        return secret.lstrip("?")
    try:
        base64.b64decode(secret, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise StorageError(
            "accountKey: neither a SAS token (with sig=) nor a base64 account key"
        ) from exc
    return {"account_name": account_name, "account_key": secret}


def account_url(account_name: str, endpoint: str | None) -> str:
    """The blob service URL of ``account_name`` (an emulator's when ``endpoint`` is set)."""
    if not endpoint:
        return f"https://{account_name}.blob.core.windows.net"
    if "{account}" in endpoint:
        return endpoint.replace("{account}", account_name)
    return f"{endpoint.rstrip('/')}/{account_name}"


class AzureStore:
    """A container prefix in Azure Blob Storage; keys are relative to the prefix."""

    def __init__(
        self, *, full_path: str, account_name: str, secret: str, endpoint: str | None
    ) -> None:
        self.scheme, self.container, self.prefix = split_azure_path(full_path)
        self.account_name = account_name
        self._secret = secret
        self.url = account_url(account_name, endpoint)
        azure_credential(account_name, secret)  # refuse a malformed key at once
        self._client: Any = None
        self._client_pid = -1

    @property
    def client(self) -> ContainerClient:
        """A container client of this process (not shared across fork or pickle)."""
        if self._client is None or self._client_pid != os.getpid():
            # Our RetryingStore waits out outages; the SDK's own retries stay short.
            service = BlobServiceClient(
                account_url=self.url,
                credential=azure_credential(self.account_name, self._secret),
                retry_total=2,
                retry_backoff_factor=0.5,
                connection_timeout=5,
            )
            self._client = service.get_container_client(self.container)
            self._client_pid = os.getpid()
        client: ContainerClient = self._client
        return client

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_client": None, "_client_pid": -1}

    def _key(self, key: str) -> str:
        key = safe_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def _fail(self, action: str, key: str, exc: Exception) -> StorageError:
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        message = f"cannot {action} {key!r} in {self.describe()}: {detail}"
        status = int(getattr(exc, "status_code", 0) or 0)
        code = str(getattr(exc, "error_code", "") or "")
        if isinstance(exc, aexc.ResourceNotFoundError) and code == "ContainerNotFound":
            return StorageError(
                f"cannot {action} {key!r}: container {self.container!r} does not exist"
            )
        if isinstance(exc, aexc.ResourceNotFoundError) and action == "read":
            return ObjectNotFound(message)
        if isinstance(exc, aexc.ClientAuthenticationError) or status in (401, 403):
            return StorageError(
                f"cannot {action} {key!r} in {self.describe()}: accountName/accountKey "
                f"were refused ({code or status}): {detail}"
            )
        if status >= 500 or status == 429 or isinstance(exc, _UNAVAILABLE):
            return StorageUnavailable(message)
        return StorageError(message)

    def describe(self) -> str:
        return f"azure://{self.container}/{self.prefix}"

    def _list(self, prefix: str, page: int | None = None) -> Iterator[str]:
        full = "/".join(p for p in (self.prefix, prefix.strip("/")) if p)
        full = f"{full}/" if full else ""
        for blob in self.client.list_blobs(name_starts_with=full, results_per_page=page):
            rel = str(blob.name)[len(self.prefix) + 1 :] if self.prefix else str(blob.name)
            if rel and not rel.endswith("/"):
                yield rel

    def list_files(self, prefix: str = "") -> list[str]:
        try:
            return sorted(self._list(prefix))
        except _ERRORS as exc:
            raise self._fail("list", prefix or "/", exc) from exc

    def iter_files(self, prefix: str = "", start_after: str = "") -> Iterator[ListedFile]:
        """Files whose key starts with ``prefix`` after ``start_after``, in key order (Blob
        Storage lists in that order), with their last-modified times, page by page."""
        root = f"{self.prefix}/" if self.prefix else ""
        try:
            for blob in self.client.list_blobs(name_starts_with=root + prefix):
                key = str(blob.name)[len(root) :]
                if key > start_after and not key.endswith("/"):
                    modified = blob.last_modified.timestamp() if blob.last_modified else None
                    yield ListedFile(key, modified)
        except _ERRORS as exc:
            raise self._fail("list", prefix or "/", exc) from exc

    def read(self, key: str) -> bytes:
        try:
            return bytes(self.client.download_blob(self._key(key)).readall())
        except _ERRORS as exc:
            raise self._fail("read", key, exc) from exc

    def write(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        try:
            self.client.upload_blob(
                self._key(key),
                data,
                overwrite=True,
                content_settings=ContentSettings(content_type=content_type),
            )
        except _ERRORS as exc:
            raise self._fail("write", key, exc) from exc

    def iter_chunks(self, key: str) -> Iterator[bytes]:
        try:
            downloader = self.client.download_blob(self._key(key))
            for chunk in downloader.chunks():
                yield bytes(chunk)
        except _ERRORS as exc:
            raise self._fail("read", key, exc) from exc

    def full_url(self, key: str) -> str:
        # As the user wrote the datasource: ``container/key`` or ``azure://container/key``.
        return f"{self.scheme}{self.container}/{self._key(key)}"

    def delete(self, key: str) -> None:
        try:
            self.client.delete_blob(self._key(key))
        except aexc.ResourceNotFoundError as exc:
            if getattr(exc, "error_code", "") == "ContainerNotFound":
                raise self._fail("delete", key, exc) from exc
        except _ERRORS as exc:
            raise self._fail("delete", key, exc) from exc

    def first_file(self) -> str | None:
        try:
            return next(self._list("", page=50), None)
        except _ERRORS as exc:
            raise self._fail("list", "/", exc) from exc

    def probe(self) -> None:
        """Build the client (the key was checked on construction); no request is sent."""
        self.client  # noqa: B018
