from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.active_learning_score_create_request import ActiveLearningScoreCreateRequest
from ...models.create_entity_response import CreateEntityResponse
from ...models.http_validation_error import HTTPValidationError
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    dataset_id: str,
    tag_id: str,
    *,
    body: ActiveLearningScoreCreateRequest,
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
        "url": "/v1/datasets/{dataset_id}/tags/{tag_id}/scores".format(dataset_id=quote(str(dataset_id), safe=""),tag_id=quote(str(tag_id), safe=""),),
        "params": params,
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> CreateEntityResponse | HTTPValidationError | None:
    if response.status_code == 201:
        response_201 = CreateEntityResponse.from_dict(response.json())



        return response_201

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[CreateEntityResponse | HTTPValidationError]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    dataset_id: str,
    tag_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: ActiveLearningScoreCreateRequest,
    token: None | str | Unset = UNSET,

) -> Response[CreateEntityResponse | HTTPValidationError]:
    """ Create Or Update Active Learning Score

     Create or replace the tag's scores of ``scoreType`` (``upload_scores``): one value per
    sample of the tag, in its bit order.

    Args:
        dataset_id (str):
        tag_id (str):
        token (None | str | Unset): Winnow API token
        body (ActiveLearningScoreCreateRequest): Scores of a tag's samples, in the tag's sample
            (bit) order (``upload_scores``).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CreateEntityResponse | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        dataset_id=dataset_id,
tag_id=tag_id,
body=body,
token=token,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    dataset_id: str,
    tag_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: ActiveLearningScoreCreateRequest,
    token: None | str | Unset = UNSET,

) -> CreateEntityResponse | HTTPValidationError | None:
    """ Create Or Update Active Learning Score

     Create or replace the tag's scores of ``scoreType`` (``upload_scores``): one value per
    sample of the tag, in its bit order.

    Args:
        dataset_id (str):
        tag_id (str):
        token (None | str | Unset): Winnow API token
        body (ActiveLearningScoreCreateRequest): Scores of a tag's samples, in the tag's sample
            (bit) order (``upload_scores``).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CreateEntityResponse | HTTPValidationError
     """


    return sync_detailed(
        dataset_id=dataset_id,
tag_id=tag_id,
client=client,
body=body,
token=token,

    ).parsed

async def asyncio_detailed(
    dataset_id: str,
    tag_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: ActiveLearningScoreCreateRequest,
    token: None | str | Unset = UNSET,

) -> Response[CreateEntityResponse | HTTPValidationError]:
    """ Create Or Update Active Learning Score

     Create or replace the tag's scores of ``scoreType`` (``upload_scores``): one value per
    sample of the tag, in its bit order.

    Args:
        dataset_id (str):
        tag_id (str):
        token (None | str | Unset): Winnow API token
        body (ActiveLearningScoreCreateRequest): Scores of a tag's samples, in the tag's sample
            (bit) order (``upload_scores``).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CreateEntityResponse | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        dataset_id=dataset_id,
tag_id=tag_id,
body=body,
token=token,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    dataset_id: str,
    tag_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: ActiveLearningScoreCreateRequest,
    token: None | str | Unset = UNSET,

) -> CreateEntityResponse | HTTPValidationError | None:
    """ Create Or Update Active Learning Score

     Create or replace the tag's scores of ``scoreType`` (``upload_scores``): one value per
    sample of the tag, in its bit order.

    Args:
        dataset_id (str):
        tag_id (str):
        token (None | str | Unset): Winnow API token
        body (ActiveLearningScoreCreateRequest): Scores of a tag's samples, in the tag's sample
            (bit) order (``upload_scores``).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CreateEntityResponse | HTTPValidationError
     """


    return (await asyncio_detailed(
        dataset_id=dataset_id,
tag_id=tag_id,
client=client,
body=body,
token=token,

    )).parsed
