from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.async_task_data import AsyncTaskData
from ...models.http_validation_error import HTTPValidationError
from ...models.sampling_create_request import SamplingCreateRequest
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    dataset_id: str,
    embedding_id: str,
    *,
    body: SamplingCreateRequest,
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
        "method": "post",
        "url": "/v1/datasets/{dataset_id}/embeddings/{embedding_id}/sampling".format(dataset_id=quote(str(dataset_id), safe=""),embedding_id=quote(str(embedding_id), safe=""),),
        "params": params,
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> AsyncTaskData | HTTPValidationError | None:
    if response.status_code == 200:
        response_200 = AsyncTaskData.from_dict(response.json())



        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[AsyncTaskData | HTTPValidationError]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    dataset_id: str,
    embedding_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: SamplingCreateRequest,
    token: None | str | Unset = UNSET,

) -> Response[AsyncTaskData | HTTPValidationError]:
    """ Trigger Sampling

     Start a sampling job on the embedding (``client.selection``); poll ``/v1/jobs/{jobId}``.

    CORESET (DIVERSITY), RANDOM, ACTIVE_LEARNING (uploaded scores) and CORAL (both) run on
    Winnow's selection engine; the result is a new tag named ``newTagName``.

    Args:
        dataset_id (str):
        embedding_id (str):
        token (None | str | Unset): Winnow API token
        body (SamplingCreateRequest): ``POST .../embeddings/{embeddingId}/sampling``
            (``client.selection``).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AsyncTaskData | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        dataset_id=dataset_id,
embedding_id=embedding_id,
body=body,
token=token,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    dataset_id: str,
    embedding_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: SamplingCreateRequest,
    token: None | str | Unset = UNSET,

) -> AsyncTaskData | HTTPValidationError | None:
    """ Trigger Sampling

     Start a sampling job on the embedding (``client.selection``); poll ``/v1/jobs/{jobId}``.

    CORESET (DIVERSITY), RANDOM, ACTIVE_LEARNING (uploaded scores) and CORAL (both) run on
    Winnow's selection engine; the result is a new tag named ``newTagName``.

    Args:
        dataset_id (str):
        embedding_id (str):
        token (None | str | Unset): Winnow API token
        body (SamplingCreateRequest): ``POST .../embeddings/{embeddingId}/sampling``
            (``client.selection``).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AsyncTaskData | HTTPValidationError
     """


    return sync_detailed(
        dataset_id=dataset_id,
embedding_id=embedding_id,
client=client,
body=body,
token=token,

    ).parsed

async def asyncio_detailed(
    dataset_id: str,
    embedding_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: SamplingCreateRequest,
    token: None | str | Unset = UNSET,

) -> Response[AsyncTaskData | HTTPValidationError]:
    """ Trigger Sampling

     Start a sampling job on the embedding (``client.selection``); poll ``/v1/jobs/{jobId}``.

    CORESET (DIVERSITY), RANDOM, ACTIVE_LEARNING (uploaded scores) and CORAL (both) run on
    Winnow's selection engine; the result is a new tag named ``newTagName``.

    Args:
        dataset_id (str):
        embedding_id (str):
        token (None | str | Unset): Winnow API token
        body (SamplingCreateRequest): ``POST .../embeddings/{embeddingId}/sampling``
            (``client.selection``).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AsyncTaskData | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        dataset_id=dataset_id,
embedding_id=embedding_id,
body=body,
token=token,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    dataset_id: str,
    embedding_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: SamplingCreateRequest,
    token: None | str | Unset = UNSET,

) -> AsyncTaskData | HTTPValidationError | None:
    """ Trigger Sampling

     Start a sampling job on the embedding (``client.selection``); poll ``/v1/jobs/{jobId}``.

    CORESET (DIVERSITY), RANDOM, ACTIVE_LEARNING (uploaded scores) and CORAL (both) run on
    Winnow's selection engine; the result is a new tag named ``newTagName``.

    Args:
        dataset_id (str):
        embedding_id (str):
        token (None | str | Unset): Winnow API token
        body (SamplingCreateRequest): ``POST .../embeddings/{embeddingId}/sampling``
            (``client.selection``).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AsyncTaskData | HTTPValidationError
     """


    return (await asyncio_detailed(
        dataset_id=dataset_id,
embedding_id=embedding_id,
client=client,
body=body,
token=token,

    )).parsed
