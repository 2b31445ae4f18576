"""GCS and AZURE stores against real emulators started by the stack's launcher
(gcp-storage-emulator for GCS, Azurite for Azure): list, read, write, delete, first_file,
probe, iter_files, and refused credentials as a StorageError that says so."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest
from google.auth.credentials import AnonymousCredentials
from google.cloud import storage

from winnow_common.errors import ObjectNotFound, StorageError
from winnow_common.storage import DatasourceStore
from winnow_common.storage.azure import AzureStore
from winnow_common.storage.datasource import ListedFile, iter_files
from winnow_common.storage.gcs import GCSStore
from winnow_common.storage.support import unreadable_reason
from winnow_localstack import LocalStack
from winnow_localstack.emulators import AZURITE_ACCOUNT, AZURITE_KEY

FILES = {"a/1.png": b"one", "a/2.jpg": b"two", "b/c/3.png": b"three", "top.txt": b"top"}


@pytest.fixture(scope="module")
def emulators(local_stack: LocalStack) -> dict[str, str]:
    env = local_stack.start_emulators()
    assert env["GCS_ENDPOINT_URL"].startswith("http://127.0.0.1:")
    assert env["AZURE_BLOB_ENDPOINT"].startswith("http://127.0.0.1:")
    return env


def _gcs(emulators: dict[str, str], bucket: str, prefix: str, creds: str = "") -> GCSStore:
    return GCSStore(
        bucket=bucket,
        prefix=prefix,
        project="winnow-test",
        credentials_json=creds,
        endpoint_url=emulators["GCS_ENDPOINT_URL"],
    )


def _azure(emulators: dict[str, str], path: str, key: str = AZURITE_KEY) -> AzureStore:
    return AzureStore(
        full_path=path,
        account_name=AZURITE_ACCOUNT,
        secret=key,
        endpoint=emulators["AZURE_BLOB_ENDPOINT"],
    )


@pytest.fixture(scope="module")
def gcs_bucket(emulators: dict[str, str]) -> str:
    name = f"winnow-{uuid.uuid4().hex[:8]}"
    client = storage.Client(
        project="winnow-test",
        credentials=AnonymousCredentials(),  # type: ignore[no-untyped-call]
        client_options={"api_endpoint": emulators["GCS_ENDPOINT_URL"]},
    )
    client.create_bucket(name)
    return name


@pytest.fixture(scope="module")
def azure_container(emulators: dict[str, str]) -> str:
    name = f"winnow-{uuid.uuid4().hex[:8]}"
    _azure(emulators, name).client.create_container()
    return name


@pytest.fixture(params=["GCS", "AZURE"])
def store(
    request: pytest.FixtureRequest, emulators: dict[str, str], gcs_bucket: str, azure_container: str
) -> Iterator[DatasourceStore]:
    prefix = f"data-{uuid.uuid4().hex[:6]}"
    if request.param == "GCS":
        yield _gcs(emulators, gcs_bucket, prefix)
    else:
        yield _azure(emulators, f"{azure_container}/{prefix}")


def test_write_list_read_delete(store: DatasourceStore) -> None:
    store.probe()
    assert store.first_file() is None and store.list_files() == []
    for key, data in FILES.items():
        store.write(key, data, "image/png")
    assert store.list_files() == sorted(FILES)
    assert store.list_files("a") == ["a/1.png", "a/2.jpg"]
    assert store.first_file() in FILES
    assert store.read("b/c/3.png") == b"three"
    assert b"".join(store.iter_chunks("a/2.jpg")) == b"two"
    store.write("a/1.png", b"one again")
    assert store.read("a/1.png") == b"one again"
    store.delete("a/1.png")
    store.delete("a/1.png")  # a missing key is not an error
    assert store.list_files() == ["a/2.jpg", "b/c/3.png", "top.txt"]
    with pytest.raises(ObjectNotFound, match=r"a/1\.png"):
        store.read("a/1.png")
    with pytest.raises(StorageError, match="invalid storage key"):
        store.read("../escape")


def test_iter_files_pages_in_key_order_with_times(store: DatasourceStore) -> None:
    for key, data in FILES.items():
        store.write(key, data)
    listed = list(iter_files(store))
    assert [f.key for f in listed] == sorted(FILES)
    assert all(isinstance(f, ListedFile) and f.modified and f.modified > 1.6e9 for f in listed)
    assert [f.key for f in iter_files(store, "a/", start_after="a/1.png")] == ["a/2.jpg"]
    assert [f.key for f in iter_files(store, "", start_after="b/c/3.png")] == ["top.txt"]


def test_full_urls_name_the_object(
    emulators: dict[str, str], gcs_bucket: str, azure_container: str
) -> None:
    assert _gcs(emulators, gcs_bucket, "in/x").full_url("a.png") == f"gs://{gcs_bucket}/in/x/a.png"
    plain = _azure(emulators, f"{azure_container}/in")
    assert plain.full_url("a.png") == f"{azure_container}/in/a.png"
    schemed = _azure(emulators, f"azure://{azure_container}/in")
    assert schemed.full_url("a.png") == f"azure://{azure_container}/in/a.png"
    assert schemed.describe() == f"azure://{azure_container}/in"


def test_azure_wrong_key_is_refused_clearly(
    emulators: dict[str, str], azure_container: str
) -> None:
    wrong = "AAAA" + AZURITE_KEY[4:]
    bad = _azure(emulators, f"{azure_container}/x", key=wrong)
    bad.probe()  # builds the client only
    with pytest.raises(StorageError, match="accountName/accountKey were refused"):
        bad.list_files()
    with pytest.raises(StorageError, match="accountName/accountKey were refused"):
        bad.write("k.txt", b"x")
    with pytest.raises(StorageError, match="accountKey: neither a SAS token"):
        _azure(emulators, f"{azure_container}/x", key="not base64 !")


def test_azure_missing_container_and_bad_path(emulators: dict[str, str]) -> None:
    with pytest.raises(StorageError, match="container 'nosuchcontainer' does not exist"):
        _azure(emulators, "nosuchcontainer/x").first_file()
    with pytest.raises(StorageError, match="fullPath: 'X_Y/z' must start with an Azure container"):
        _azure(emulators, "X_Y/z")


def test_gcs_bad_credentials_are_refused_clearly(
    emulators: dict[str, str], gcs_bucket: str
) -> None:
    with pytest.raises(StorageError, match="gcsCredentials: not JSON"):
        _gcs(emulators, gcs_bucket, "x", creds="{not json")
    with pytest.raises(StorageError, match="gcsCredentials: not a service-account key"):
        _gcs(emulators, gcs_bucket, "x", creds=json.dumps({"type": "authorized_user"}))
    broken = {"type": "service_account", "client_email": "a@b.c", "token_uri": "http://x"}
    with pytest.raises(StorageError, match="gcsCredentials: invalid service-account key"):
        _gcs(emulators, gcs_bucket, "x", creds=json.dumps({**broken, "private_key": "nope"}))


def test_gcs_missing_bucket(emulators: dict[str, str]) -> None:
    with pytest.raises(StorageError, match="bucket 'no-such-bucket-x' does not exist"):
        _gcs(emulators, "no-such-bucket-x", "p").list_files()


def test_which_types_workers_read() -> None:
    for readable in ("LOCAL", "OBS", "S3", "GCS", "AZURE"):
        assert unreadable_reason(readable) is None
    reason = unreadable_reason("S3DelegatedAccess")
    assert reason
    assert reason.startswith("datasource type S3DelegatedAccess is not supported by this server")
    assert "s3ARN" in reason
    assert "LIGHTLY" in (unreadable_reason("LIGHTLY") or "")
