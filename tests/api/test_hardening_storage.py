"""Issue 10, datasources and downloads: signatures, OBS endpoints and fullPaths boto3 or the
storage layer refuse, file names that are not Latin-1, missing objects, unreadable datasources and
impossible LOCAL paths get a 4xx naming the field (or a report), never a 500.

Every error body is ``{"code": ..., "error": "<field>: <problem>"}`` (see hardening_helpers.py).
"""

from __future__ import annotations

import time
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import ApiUser
from tests.api.hardening_helpers import (
    assert_field_error,
    path_of,
    sample_of,
)
from tests.api.helpers import (
    create_dataset,
    insert_samples,
    make_bucket,
    set_real_obs,
)

# --- 1. signed downloads: a non-ASCII signature (TypeError in hmac.compare_digest) ---------


@pytest.mark.parametrize("signature", ["é", "猫" * 64, "\x00", "a" * 10_000])
def test_non_ascii_signature_is_401_naming_signature(
    client: TestClient, user: ApiUser, signature: str
) -> None:
    dataset_id, sample_id = sample_of(client, user)
    far = int(time.time()) + 3600
    for path in (
        f"/v1/files/datasets/{dataset_id}/samples/{sample_id}",
        f"/v1/files/runs/{'a' * 24}/artifacts/{'b' * 24}",
    ):
        response = client.get(path, params={"expires": far, "signature": signature})
        assert_field_error(response, 401, "signature")


# --- 2. datasource PUT: an OBS endpoint boto3 refuses (ValueError creating the client) ------


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://[::1",  # unclosed IPv6 bracket: urlsplit raises
        "http://host:99999",  # port out of range
        "http://host:port",  # port not a number
        "https://\x1b \x07ì",  # no valid host name
        "http://exa mple.com",
    ],
)
def test_invalid_obs_endpoint_is_422_naming_obs_endpoint(
    client: TestClient, user: ApiUser, endpoint: str
) -> None:
    dataset_id = create_dataset(client, user.params)
    body = {
        "purpose": "INPUT",
        "type": "OBS",
        "fullPath": "obs://bucket/in",
        "obsEndpoint": endpoint,
        "obsAccessKeyId": "AK",
        "obsSecretAccessKey": "SK",
    }
    response = client.put(f"/v1/datasets/{dataset_id}/datasource", params=user.params, json=body)
    assert_field_error(response, 422, "OBS.obsEndpoint")
    # Nothing was stored, so nothing fails later (verify, runs, downloads).
    assert (
        client.get(f"/v1/datasets/{dataset_id}/datasource", params=user.params).status_code == 404
    )


def test_invalid_endpoint_stored_before_validation_is_reported_not_500(
    client: TestClient, user: ApiUser
) -> None:
    """Rows written before endpoints were validated: verify reports, downloads are a 404."""
    from winnow_common.db.models import Datasource
    from winnow_common.db.session import session_factory
    from winnow_common.secretbox import encrypt_secrets

    dataset_id = create_dataset(client, user.params)
    with session_factory().begin() as session:
        for purpose in ("INPUT", "LIGHTLY"):
            session.add(
                Datasource(
                    dataset_id=dataset_id,
                    purpose=purpose,
                    type="OBS",
                    full_path=f"obs://bucket/{purpose.lower()}",
                    options={"obsEndpoint": "http://[::1", "obsAccessKeyId": "AK"},
                    secrets_encrypted=encrypt_secrets({"obsSecretAccessKey": "SK"}),
                )
            )
    verify = client.get(f"/v1/datasets/{dataset_id}/datasource/verify", params=user.params)
    assert verify.status_code == 200, verify.text
    assert "cannot open OBS datasource" in verify.json()["errors"]["canList"]
    sample_id = insert_samples(dataset_id, ["a.png"])[0]
    url = client.get(
        f"/v1/datasets/{dataset_id}/samples/{sample_id}/readurl", params=user.params
    ).json()
    download = client.get(path_of(url))
    assert download.status_code == 404, download.text
    assert "INPUT datasource (OBS) cannot be opened" in download.json()["error"]


# --- 3. datasource PUT: a fullPath the storage layer cannot split (ValueError) --------------


@pytest.mark.parametrize(
    ("type_", "extra"),
    [
        (
            "OBS",
            {"obsEndpoint": "http://127.0.0.1:9", "obsAccessKeyId": "A", "obsSecretAccessKey": "S"},
        ),
        ("S3", {"s3Region": "us-east-1", "s3AccessKeyId": "A", "s3SecretAccessKey": "S"}),
    ],
)
def test_unparsable_full_path_is_422_naming_full_path(
    client: TestClient, user: ApiUser, type_: str, extra: dict[str, str]
) -> None:
    dataset_id = create_dataset(client, user.params)
    body = {"purpose": "INPUT", "type": type_, "fullPath": f"{type_.lower()}://[bucket/in", **extra}
    response = client.put(f"/v1/datasets/{dataset_id}/datasource", params=user.params, json=body)
    assert_field_error(response, 422, f"{type_}.fullPath")


# --- 17. downloads of files whose name is not Latin-1 (UnicodeEncodeError in the header) ----


@pytest.mark.parametrize("name", ["猫.png", "line\nbreak.png", 'quo"te\\d.png', "ü/ß ñ.png"])
def test_download_of_any_file_name_is_200(client: TestClient, user: ApiUser, name: str) -> None:
    data = f"bytes of {name}".encode()
    bucket = make_bucket({f"in/{name}": data})
    dataset_id = create_dataset(client, user.params)
    set_real_obs(client, user.params, dataset_id, "INPUT", f"obs://{bucket}/in")
    sample_id = insert_samples(dataset_id, [name])[0]
    url = client.get(
        f"/v1/datasets/{dataset_id}/samples/{sample_id}/readurl", params=user.params
    ).json()
    response = client.get(path_of(url))
    assert response.status_code == 200, response.text
    assert response.content == data
    disposition = response.headers["content-disposition"]
    assert disposition.isascii() and "\n" not in disposition
    base = name.rsplit("/", 1)[-1]
    if "filename*=" in disposition:
        assert unquote(disposition.split("filename*=UTF-8''", 1)[1]) == base
    else:
        assert disposition == f'attachment; filename="{base}"'


# --- 18. downloads whose object is missing or whose datasource cannot be read ---------------


def test_download_of_a_missing_file_is_404(client: TestClient, user: ApiUser) -> None:
    bucket = make_bucket({})
    dataset_id = create_dataset(client, user.params)
    set_real_obs(client, user.params, dataset_id, "INPUT", f"obs://{bucket}/in")
    sample_id = insert_samples(dataset_id, ["gone.png"])[0]
    url = client.get(
        f"/v1/datasets/{dataset_id}/samples/{sample_id}/readurl", params=user.params
    ).json()
    response = client.get(path_of(url))
    assert response.status_code == 404, response.text
    assert response.json()["code"] == "SAMPLE_UNKNOWN"


def test_download_from_a_datasource_this_server_cannot_open_is_404(
    client: TestClient, user: ApiUser
) -> None:
    dataset_id = create_dataset(client, user.params)
    body = {
        "purpose": "INPUT",
        "type": "GCS",
        "fullPath": "gs://bucket/in",
        "gcsProjectId": "p",
        "gcsCredentials": "{}",
    }
    put = client.put(f"/v1/datasets/{dataset_id}/datasource", params=user.params, json=body)
    assert put.status_code == 200, put.text
    sample_id = insert_samples(dataset_id, ["a.png"])[0]
    url = client.get(
        f"/v1/datasets/{dataset_id}/samples/{sample_id}/readurl", params=user.params
    ).json()
    response = client.get(path_of(url))
    assert response.status_code == 404, response.text
    assert "INPUT datasource (GCS)" in response.json()["error"]


# --- 19. verify on a LOCAL path the filesystem refuses (OSError: ENAMETOOLONG) --------------


def test_verify_of_an_impossible_local_path_reports_instead_of_500(
    client: TestClient, user: ApiUser
) -> None:
    dataset_id = create_dataset(client, user.params)
    for purpose in ("INPUT", "LIGHTLY"):
        put = client.put(
            f"/v1/datasets/{dataset_id}/datasource",
            params=user.params,
            json={"purpose": purpose, "type": "LOCAL", "fullPath": "/" + "x" * 300},
        )
        assert put.status_code == 200, put.text
    response = client.get(f"/v1/datasets/{dataset_id}/datasource/verify", params=user.params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert not any(body[k] for k in ("canRead", "canWrite", "canList", "canOverwrite"))
    assert "too long" in body["errors"]["canList"] and "too long" in body["errors"]["canWrite"]
