"""``DatasourcesMixin``: a dataset's datasources, one setter per type (lightly's
``_DatasourcesMixin``)."""

from __future__ import annotations

from typing import Any, TypedDict

from winnow_client.generated.api.datasources import (
    get_datasource as api_get_datasource,
)
from winnow_client.generated.api.datasources import put_datasource, verify_datasource
from winnow_client.generated.models import (
    DatasourceConfigAzure,
    DatasourceConfigGCS,
    DatasourceConfigLightly,
    DatasourceConfigLocal,
    DatasourceConfigOBS,
    DatasourceConfigS3,
    DatasourceConfigS3DelegatedAccess,
    DatasourceConfigS3DelegatedAccessS3Region,
    DatasourceConfigS3S3Region,
    DatasourceConfigVerifyData,
    DatasourcePurpose,
)
from winnow_client.generated.types import UNSET, Unset
from winnow_client.workflow._base import WorkflowBase
from winnow_client.workflow._responses import check, ok, wire_value
from winnow_client.workflow.errors import WinnowApiError

DEFAULT_THUMB_SUFFIX = ".lightly/thumbnails/[filename]_thumb.[extension]"
Datasource = (
    DatasourceConfigAzure
    | DatasourceConfigGCS
    | DatasourceConfigLightly
    | DatasourceConfigLocal
    | DatasourceConfigOBS
    | DatasourceConfigS3
    | DatasourceConfigS3DelegatedAccess
)


class _CommonFields(TypedDict):
    """The fields every datasource config has, as the generated models name them."""

    full_path: str
    purpose: DatasourcePurpose
    thumb_suffix: str | Unset


def _common(
    full_path: str, thumbnail_suffix: str | None, purpose: str | DatasourcePurpose
) -> _CommonFields:
    """The common fields from a setter's arguments (no thumbnail suffix: the server's default)."""
    return {
        "full_path": full_path,
        "purpose": DatasourcePurpose(wire_value(purpose)),
        "thumb_suffix": UNSET if thumbnail_suffix is None else thumbnail_suffix,
    }


class DatasourcesMixin(WorkflowBase):
    """The current dataset's datasources: set one per purpose, read it, verify access."""

    def _set_datasource(self, body: Datasource) -> None:
        check(put_datasource.sync_detailed(self.dataset_id, client=self.api, body=body))

    def set_local_config(
        self,
        relative_path: str = "",
        web_server_location: str | None = "http://localhost:3456",
        thumbnail_suffix: str | None = DEFAULT_THUMB_SUFFIX,
        purpose: str | DatasourcePurpose = DatasourcePurpose.INPUT_OUTPUT,
    ) -> None:
        """A LOCAL datasource: a directory the workers see (under WORKER_LOCAL_DATASOURCE_ROOT)."""
        self._set_datasource(
            DatasourceConfigLocal(
                **_common(relative_path, thumbnail_suffix, purpose),
                type_="LOCAL",
                web_server_location=UNSET if web_server_location is None else web_server_location,
            )
        )

    def set_obs_config(
        self,
        resource_path: str,
        obs_endpoint: str,
        obs_access_key_id: str,
        obs_secret_access_key: str,
        thumbnail_suffix: str | None = DEFAULT_THUMB_SUFFIX,
        purpose: str | DatasourcePurpose = DatasourcePurpose.INPUT_OUTPUT,
    ) -> None:
        """An S3-compatible datasource (``obs://bucket/prefix`` at ``obs_endpoint``)."""
        self._set_datasource(
            DatasourceConfigOBS(
                **_common(resource_path, thumbnail_suffix, purpose),
                type_="OBS",
                obs_endpoint=obs_endpoint,
                obs_access_key_id=obs_access_key_id,
                obs_secret_access_key=obs_secret_access_key,
            )
        )

    def set_s3_config(
        self,
        resource_path: str,
        region: str,
        access_key: str,
        secret_access_key: str,
        thumbnail_suffix: str | None = DEFAULT_THUMB_SUFFIX,
        purpose: str | DatasourcePurpose = DatasourcePurpose.INPUT_OUTPUT,
    ) -> None:
        """An AWS S3 datasource (``s3://bucket/prefix``; ``region`` is an AWS region)."""
        self._set_datasource(
            DatasourceConfigS3(
                **_common(resource_path, thumbnail_suffix, purpose),
                type_="S3",
                s_3_region=DatasourceConfigS3S3Region(wire_value(region)),
                s_3_access_key_id=access_key,
                s_3_secret_access_key=secret_access_key,
            )
        )

    def set_s3_delegated_access_config(
        self,
        resource_path: str,
        region: str,
        role_arn: str,
        external_id: str,
        thumbnail_suffix: str | None = DEFAULT_THUMB_SUFFIX,
        purpose: str | DatasourcePurpose = DatasourcePurpose.INPUT_OUTPUT,
    ) -> None:
        """An AWS S3 datasource read through an IAM role
        (``role_arn``, assumed with ``external_id``)."""
        aws_region = DatasourceConfigS3DelegatedAccessS3Region(wire_value(region))
        self._set_datasource(
            DatasourceConfigS3DelegatedAccess(
                **_common(resource_path, thumbnail_suffix, purpose),
                type_="S3DelegatedAccess",
                s_3_region=aws_region,
                s_3arn=role_arn,
                s_3_external_id=external_id,
            )
        )

    def set_gcs_config(
        self,
        resource_path: str,
        project_id: str,
        credentials: str,
        thumbnail_suffix: str | None = DEFAULT_THUMB_SUFFIX,
        purpose: str | DatasourcePurpose = DatasourcePurpose.INPUT_OUTPUT,
    ) -> None:
        """A Google Cloud Storage datasource (``gs://bucket/prefix``; ``credentials``: the
        service account's JSON)."""
        self._set_datasource(
            DatasourceConfigGCS(
                **_common(resource_path, thumbnail_suffix, purpose),
                type_="GCS",
                gcs_project_id=project_id,
                gcs_credentials=credentials,
            )
        )

    def set_azure_config(
        self,
        container_name: str,
        account_name: str,
        sas_token: str,
        thumbnail_suffix: str | None = DEFAULT_THUMB_SUFFIX,
        purpose: str | DatasourcePurpose = DatasourcePurpose.INPUT_OUTPUT,
    ) -> None:
        """An Azure Blob Storage datasource (``container_name`` in ``account_name``, read
        with the SAS token)."""
        self._set_datasource(
            DatasourceConfigAzure(
                **_common(container_name, thumbnail_suffix, purpose),
                type_="AZURE",
                account_name=account_name,
                account_key=sas_token,
            )
        )

    def get_datasource(self, purpose: str | DatasourcePurpose | None = None) -> Datasource:
        """The INPUT_OUTPUT datasource, else INPUT (or exactly ``purpose``); secrets masked."""
        response = api_get_datasource.sync_detailed(
            self.dataset_id,
            client=self.api,
            purpose=UNSET if purpose is None else DatasourcePurpose(wire_value(purpose)),
        )
        check(response)
        parsed = response.parsed
        if not isinstance(parsed, Datasource):
            raise WinnowApiError(
                int(response.status_code), "UNEXPECTED_RESPONSE", "expected a datasource config"
            )
        return parsed

    def list_datasource_permissions(self) -> dict[str, Any]:
        """``{"can_read": ..., "can_write": ..., "can_list": ..., "can_overwrite": ...}``
        plus ``errors`` (snake_case keys, as lightly returns them)."""
        response = verify_datasource.sync_detailed(self.dataset_id, client=self.api)
        data = ok(response, DatasourceConfigVerifyData)
        result: dict[str, Any] = {
            "can_read": data.can_read,
            "can_write": data.can_write,
            "can_list": data.can_list,
            "can_overwrite": data.can_overwrite,
        }
        errors = data.errors
        if errors is not None and not isinstance(errors, Unset):
            result["errors"] = {
                key: value
                for key in ("can_read", "can_write", "can_list", "can_overwrite")
                if isinstance(value := getattr(errors, key), str)
            }
        return result
