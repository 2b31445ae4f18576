from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.http_validation_error import HTTPValidationError
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    *,
    current_version: None | str | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    json_current_version: None | str | Unset
    if isinstance(current_version, Unset):
        json_current_version = UNSET
    else:
        json_current_version = current_version
    params["currentVersion"] = json_current_version


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/versions/pip/latest",
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> HTTPValidationError | str | None:
    if response.status_code == 200:
        response_200 = cast(str, response.json())
        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[HTTPValidationError | str]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    current_version: None | str | Unset = UNSET,

) -> Response[HTTPValidationError | str]:
    """ Latest Client Version

     The newest lightly client version (so ``import lightly`` prints no upgrade nag).

    Args:
        current_version (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | str]
     """


    kwargs = _get_kwargs(
        current_version=current_version,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient | Client,
    current_version: None | str | Unset = UNSET,

) -> HTTPValidationError | str | None:
    """ Latest Client Version

     The newest lightly client version (so ``import lightly`` prints no upgrade nag).

    Args:
        current_version (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | str
     """


    return sync_detailed(
        client=client,
current_version=current_version,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    current_version: None | str | Unset = UNSET,

) -> Response[HTTPValidationError | str]:
    """ Latest Client Version

     The newest lightly client version (so ``import lightly`` prints no upgrade nag).

    Args:
        current_version (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | str]
     """


    kwargs = _get_kwargs(
        current_version=current_version,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    current_version: None | str | Unset = UNSET,

) -> HTTPValidationError | str | None:
    """ Latest Client Version

     The newest lightly client version (so ``import lightly`` prints no upgrade nag).

    Args:
        current_version (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | str
     """


    return (await asyncio_detailed(
        client=client,
current_version=current_version,

    )).parsed
