from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.datasource_processed_until_timestamp_request import DatasourceProcessedUntilTimestampRequest
from ...models.http_validation_error import HTTPValidationError
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    dataset_id: str,
    *,
    body: DatasourceProcessedUntilTimestampRequest,
    token: None | str | Unset = UNSET,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    params: dict[str, Any] = {}

    json_token: None | str | Unset
    if isinstance(token, Unset):
        json_token = UNSET
    else:
        json_token = token
    params["token"] = json_token


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/v1/datasets/{dataset_id}/datasource/processedUntilTimestamp".format(dataset_id=quote(str(dataset_id), safe=""),),
        "params": params,
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Any | HTTPValidationError | None:
    if response.status_code == 200:
        response_200 = cast(Any, None)
        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Any | HTTPValidationError]:
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
    body: DatasourceProcessedUntilTimestampRequest,
    token: None | str | Unset = UNSET,

) -> Response[Any | HTTPValidationError]:
    """ Update Processed Until Timestamp

     Record how far the datasource has been processed (epoch seconds).

    Args:
        dataset_id (str):
        token (None | str | Unset): Winnow API token
        body (DatasourceProcessedUntilTimestampRequest): How far the datasource has been processed
            (epoch seconds).

            Strict (``false`` is not 0), as lightly's model; at most 2**53 (exact as a JSON number,
            inside the column's BIGINT).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        dataset_id=dataset_id,
body=body,
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
    body: DatasourceProcessedUntilTimestampRequest,
    token: None | str | Unset = UNSET,

) -> Any | HTTPValidationError | None:
    """ Update Processed Until Timestamp

     Record how far the datasource has been processed (epoch seconds).

    Args:
        dataset_id (str):
        token (None | str | Unset): Winnow API token
        body (DatasourceProcessedUntilTimestampRequest): How far the datasource has been processed
            (epoch seconds).

            Strict (``false`` is not 0), as lightly's model; at most 2**53 (exact as a JSON number,
            inside the column's BIGINT).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | HTTPValidationError
     """


    return sync_detailed(
        dataset_id=dataset_id,
client=client,
body=body,
token=token,

    ).parsed

async def asyncio_detailed(
    dataset_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: DatasourceProcessedUntilTimestampRequest,
    token: None | str | Unset = UNSET,

) -> Response[Any | HTTPValidationError]:
    """ Update Processed Until Timestamp

     Record how far the datasource has been processed (epoch seconds).

    Args:
        dataset_id (str):
        token (None | str | Unset): Winnow API token
        body (DatasourceProcessedUntilTimestampRequest): How far the datasource has been processed
            (epoch seconds).

            Strict (``false`` is not 0), as lightly's model; at most 2**53 (exact as a JSON number,
            inside the column's BIGINT).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        dataset_id=dataset_id,
body=body,
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
    body: DatasourceProcessedUntilTimestampRequest,
    token: None | str | Unset = UNSET,

) -> Any | HTTPValidationError | None:
    """ Update Processed Until Timestamp

     Record how far the datasource has been processed (epoch seconds).

    Args:
        dataset_id (str):
        token (None | str | Unset): Winnow API token
        body (DatasourceProcessedUntilTimestampRequest): How far the datasource has been processed
            (epoch seconds).

            Strict (``false`` is not 0), as lightly's model; at most 2**53 (exact as a JSON number,
            inside the column's BIGINT).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | HTTPValidationError
     """


    return (await asyncio_detailed(
        dataset_id=dataset_id,
client=client,
body=body,
token=token,

    )).parsed
