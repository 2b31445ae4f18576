from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.datasource_config_azure import DatasourceConfigAzure
from ...models.datasource_config_gcs import DatasourceConfigGCS
from ...models.datasource_config_lightly import DatasourceConfigLightly
from ...models.datasource_config_local import DatasourceConfigLocal
from ...models.datasource_config_obs import DatasourceConfigOBS
from ...models.datasource_config_s3 import DatasourceConfigS3
from ...models.datasource_config_s3_delegated_access import DatasourceConfigS3DelegatedAccess
from ...models.datasource_purpose import DatasourcePurpose
from ...models.http_validation_error import HTTPValidationError
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    dataset_id: str,
    *,
    purpose: DatasourcePurpose | None | Unset = UNSET,
    token: None | str | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    json_purpose: None | str | Unset
    if isinstance(purpose, Unset):
        json_purpose = UNSET
    elif isinstance(purpose, DatasourcePurpose):
        json_purpose = purpose.value
    else:
        json_purpose = purpose
    params["purpose"] = json_purpose

    json_token: None | str | Unset
    if isinstance(token, Unset):
        json_token = UNSET
    else:
        json_token = token
    params["token"] = json_token


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/datasets/{dataset_id}/datasource".format(dataset_id=quote(str(dataset_id), safe=""),),
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> DatasourceConfigAzure | DatasourceConfigGCS | DatasourceConfigLightly | DatasourceConfigLocal | DatasourceConfigOBS | DatasourceConfigS3 | DatasourceConfigS3DelegatedAccess | HTTPValidationError | None:
    if response.status_code == 200:
        def _parse_response_200(data: object) -> DatasourceConfigAzure | DatasourceConfigGCS | DatasourceConfigLightly | DatasourceConfigLocal | DatasourceConfigOBS | DatasourceConfigS3 | DatasourceConfigS3DelegatedAccess:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                response_200_type_0 = DatasourceConfigLocal.from_dict(data)



                return response_200_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                response_200_type_1 = DatasourceConfigOBS.from_dict(data)



                return response_200_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                response_200_type_2 = DatasourceConfigS3.from_dict(data)



                return response_200_type_2
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                response_200_type_3 = DatasourceConfigS3DelegatedAccess.from_dict(data)



                return response_200_type_3
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                response_200_type_4 = DatasourceConfigGCS.from_dict(data)



                return response_200_type_4
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                response_200_type_5 = DatasourceConfigAzure.from_dict(data)



                return response_200_type_5
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            response_200_type_6 = DatasourceConfigLightly.from_dict(data)



            return response_200_type_6

        response_200 = _parse_response_200(response.json())

        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[DatasourceConfigAzure | DatasourceConfigGCS | DatasourceConfigLightly | DatasourceConfigLocal | DatasourceConfigOBS | DatasourceConfigS3 | DatasourceConfigS3DelegatedAccess | HTTPValidationError]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    dataset_id: str,
    *,
    client: AuthenticatedClient | Client,
    purpose: DatasourcePurpose | None | Unset = UNSET,
    token: None | str | Unset = UNSET,

) -> Response[DatasourceConfigAzure | DatasourceConfigGCS | DatasourceConfigLightly | DatasourceConfigLocal | DatasourceConfigOBS | DatasourceConfigS3 | DatasourceConfigS3DelegatedAccess | HTTPValidationError]:
    """ Get Datasource

     The datasource for ``purpose``; without it INPUT_OUTPUT, else INPUT. Secrets masked.

    Args:
        dataset_id (str):
        purpose (DatasourcePurpose | None | Unset):
        token (None | str | Unset): Winnow API token

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DatasourceConfigAzure | DatasourceConfigGCS | DatasourceConfigLightly | DatasourceConfigLocal | DatasourceConfigOBS | DatasourceConfigS3 | DatasourceConfigS3DelegatedAccess | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        dataset_id=dataset_id,
purpose=purpose,
token=token,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    dataset_id: str,
    *,
    client: AuthenticatedClient | Client,
    purpose: DatasourcePurpose | None | Unset = UNSET,
    token: None | str | Unset = UNSET,

) -> DatasourceConfigAzure | DatasourceConfigGCS | DatasourceConfigLightly | DatasourceConfigLocal | DatasourceConfigOBS | DatasourceConfigS3 | DatasourceConfigS3DelegatedAccess | HTTPValidationError | None:
    """ Get Datasource

     The datasource for ``purpose``; without it INPUT_OUTPUT, else INPUT. Secrets masked.

    Args:
        dataset_id (str):
        purpose (DatasourcePurpose | None | Unset):
        token (None | str | Unset): Winnow API token

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DatasourceConfigAzure | DatasourceConfigGCS | DatasourceConfigLightly | DatasourceConfigLocal | DatasourceConfigOBS | DatasourceConfigS3 | DatasourceConfigS3DelegatedAccess | HTTPValidationError
     """


    return sync_detailed(
        dataset_id=dataset_id,
client=client,
purpose=purpose,
token=token,

    ).parsed

async def asyncio_detailed(
    dataset_id: str,
    *,
    client: AuthenticatedClient | Client,
    purpose: DatasourcePurpose | None | Unset = UNSET,
    token: None | str | Unset = UNSET,

) -> Response[DatasourceConfigAzure | DatasourceConfigGCS | DatasourceConfigLightly | DatasourceConfigLocal | DatasourceConfigOBS | DatasourceConfigS3 | DatasourceConfigS3DelegatedAccess | HTTPValidationError]:
    """ Get Datasource

     The datasource for ``purpose``; without it INPUT_OUTPUT, else INPUT. Secrets masked.

    Args:
        dataset_id (str):
        purpose (DatasourcePurpose | None | Unset):
        token (None | str | Unset): Winnow API token

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DatasourceConfigAzure | DatasourceConfigGCS | DatasourceConfigLightly | DatasourceConfigLocal | DatasourceConfigOBS | DatasourceConfigS3 | DatasourceConfigS3DelegatedAccess | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        dataset_id=dataset_id,
purpose=purpose,
token=token,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    dataset_id: str,
    *,
    client: AuthenticatedClient | Client,
    purpose: DatasourcePurpose | None | Unset = UNSET,
    token: None | str | Unset = UNSET,

) -> DatasourceConfigAzure | DatasourceConfigGCS | DatasourceConfigLightly | DatasourceConfigLocal | DatasourceConfigOBS | DatasourceConfigS3 | DatasourceConfigS3DelegatedAccess | HTTPValidationError | None:
    """ Get Datasource

     The datasource for ``purpose``; without it INPUT_OUTPUT, else INPUT. Secrets masked.

    Args:
        dataset_id (str):
        purpose (DatasourcePurpose | None | Unset):
        token (None | str | Unset): Winnow API token

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DatasourceConfigAzure | DatasourceConfigGCS | DatasourceConfigLightly | DatasourceConfigLocal | DatasourceConfigOBS | DatasourceConfigS3 | DatasourceConfigS3DelegatedAccess | HTTPValidationError
     """


    return (await asyncio_detailed(
        dataset_id=dataset_id,
client=client,
purpose=purpose,
token=token,

    )).parsed
