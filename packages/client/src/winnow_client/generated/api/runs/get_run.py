from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.http_validation_error import HTTPValidationError
from ...models.run_data import RunData
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    run_id: str,
    *,
    token: None | str | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    json_token: None | str | Unset
    if isinstance(token, Unset):
        json_token = UNSET
    else:
        json_token = token
    params["token"] = json_token


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/docker/runs/{run_id}".format(run_id=quote(str(run_id), safe=""),),
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> HTTPValidationError | RunData | None:
    if response.status_code == 200:
        response_200 = RunData.from_dict(response.json())



        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[HTTPValidationError | RunData]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    run_id: str,
    *,
    client: AuthenticatedClient | Client,
    token: None | str | Unset = UNSET,

) -> Response[HTTPValidationError | RunData]:
    """ Get Run

     One run with its artifacts (its starter, the dataset's owner and collaborators).

    Args:
        run_id (str):
        token (None | str | Unset): Winnow API token

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | RunData]
     """


    kwargs = _get_kwargs(
        run_id=run_id,
token=token,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    run_id: str,
    *,
    client: AuthenticatedClient | Client,
    token: None | str | Unset = UNSET,

) -> HTTPValidationError | RunData | None:
    """ Get Run

     One run with its artifacts (its starter, the dataset's owner and collaborators).

    Args:
        run_id (str):
        token (None | str | Unset): Winnow API token

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | RunData
     """


    return sync_detailed(
        run_id=run_id,
client=client,
token=token,

    ).parsed

async def asyncio_detailed(
    run_id: str,
    *,
    client: AuthenticatedClient | Client,
    token: None | str | Unset = UNSET,

) -> Response[HTTPValidationError | RunData]:
    """ Get Run

     One run with its artifacts (its starter, the dataset's owner and collaborators).

    Args:
        run_id (str):
        token (None | str | Unset): Winnow API token

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | RunData]
     """


    kwargs = _get_kwargs(
        run_id=run_id,
token=token,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    run_id: str,
    *,
    client: AuthenticatedClient | Client,
    token: None | str | Unset = UNSET,

) -> HTTPValidationError | RunData | None:
    """ Get Run

     One run with its artifacts (its starter, the dataset's owner and collaborators).

    Args:
        run_id (str):
        token (None | str | Unset): Winnow API token

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | RunData
     """


    return (await asyncio_detailed(
        run_id=run_id,
client=client,
token=token,

    )).parsed
