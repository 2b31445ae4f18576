from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.dataset_data import DatasetData
from ...models.http_validation_error import HTTPValidationError
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    *,
    shared: bool | None | Unset = UNSET,
    get_assets_of_team: bool | None | Unset = UNSET,
    token: None | str | Unset = UNSET,
    page_size: int | None | Unset = UNSET,
    page_offset: int | Unset = 0,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    json_shared: bool | None | Unset
    if isinstance(shared, Unset):
        json_shared = UNSET
    else:
        json_shared = shared
    params["shared"] = json_shared

    json_get_assets_of_team: bool | None | Unset
    if isinstance(get_assets_of_team, Unset):
        json_get_assets_of_team = UNSET
    else:
        json_get_assets_of_team = get_assets_of_team
    params["getAssetsOfTeam"] = json_get_assets_of_team

    json_token: None | str | Unset
    if isinstance(token, Unset):
        json_token = UNSET
    else:
        json_token = token
    params["token"] = json_token

    json_page_size: int | None | Unset
    if isinstance(page_size, Unset):
        json_page_size = UNSET
    else:
        json_page_size = page_size
    params["pageSize"] = json_page_size

    params["pageOffset"] = page_offset


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/datasets",
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> HTTPValidationError | list[DatasetData] | None:
    if response.status_code == 200:
        response_200 = []
        _response_200 = response.json()
        for response_200_item_data in (_response_200):
            response_200_item = DatasetData.from_dict(response_200_item_data)



            response_200.append(response_200_item)

        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[HTTPValidationError | list[DatasetData]]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    shared: bool | None | Unset = UNSET,
    get_assets_of_team: bool | None | Unset = UNSET,
    token: None | str | Unset = UNSET,
    page_size: int | None | Unset = UNSET,
    page_offset: int | Unset = 0,

) -> Response[HTTPValidationError | list[DatasetData]]:
    """ List Datasets

     The caller's own datasets; ``shared=true``: those others shared with the caller.

    ``getAssetsOfTeam=true`` (without ``shared``) lists team datasets: Winnow has no teams, so
    ``[]``. The client asks for all three lists and de-duplicates them.

    Args:
        shared (bool | None | Unset):
        get_assets_of_team (bool | None | Unset):
        token (None | str | Unset): Winnow API token
        page_size (int | None | Unset):
        page_offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | list[DatasetData]]
     """


    kwargs = _get_kwargs(
        shared=shared,
get_assets_of_team=get_assets_of_team,
token=token,
page_size=page_size,
page_offset=page_offset,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient | Client,
    shared: bool | None | Unset = UNSET,
    get_assets_of_team: bool | None | Unset = UNSET,
    token: None | str | Unset = UNSET,
    page_size: int | None | Unset = UNSET,
    page_offset: int | Unset = 0,

) -> HTTPValidationError | list[DatasetData] | None:
    """ List Datasets

     The caller's own datasets; ``shared=true``: those others shared with the caller.

    ``getAssetsOfTeam=true`` (without ``shared``) lists team datasets: Winnow has no teams, so
    ``[]``. The client asks for all three lists and de-duplicates them.

    Args:
        shared (bool | None | Unset):
        get_assets_of_team (bool | None | Unset):
        token (None | str | Unset): Winnow API token
        page_size (int | None | Unset):
        page_offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | list[DatasetData]
     """


    return sync_detailed(
        client=client,
shared=shared,
get_assets_of_team=get_assets_of_team,
token=token,
page_size=page_size,
page_offset=page_offset,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    shared: bool | None | Unset = UNSET,
    get_assets_of_team: bool | None | Unset = UNSET,
    token: None | str | Unset = UNSET,
    page_size: int | None | Unset = UNSET,
    page_offset: int | Unset = 0,

) -> Response[HTTPValidationError | list[DatasetData]]:
    """ List Datasets

     The caller's own datasets; ``shared=true``: those others shared with the caller.

    ``getAssetsOfTeam=true`` (without ``shared``) lists team datasets: Winnow has no teams, so
    ``[]``. The client asks for all three lists and de-duplicates them.

    Args:
        shared (bool | None | Unset):
        get_assets_of_team (bool | None | Unset):
        token (None | str | Unset): Winnow API token
        page_size (int | None | Unset):
        page_offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | list[DatasetData]]
     """


    kwargs = _get_kwargs(
        shared=shared,
get_assets_of_team=get_assets_of_team,
token=token,
page_size=page_size,
page_offset=page_offset,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    shared: bool | None | Unset = UNSET,
    get_assets_of_team: bool | None | Unset = UNSET,
    token: None | str | Unset = UNSET,
    page_size: int | None | Unset = UNSET,
    page_offset: int | Unset = 0,

) -> HTTPValidationError | list[DatasetData] | None:
    """ List Datasets

     The caller's own datasets; ``shared=true``: those others shared with the caller.

    ``getAssetsOfTeam=true`` (without ``shared``) lists team datasets: Winnow has no teams, so
    ``[]``. The client asks for all three lists and de-duplicates them.

    Args:
        shared (bool | None | Unset):
        get_assets_of_team (bool | None | Unset):
        token (None | str | Unset): Winnow API token
        page_size (int | None | Unset):
        page_offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | list[DatasetData]
     """


    return (await asyncio_detailed(
        client=client,
shared=shared,
get_assets_of_team=get_assets_of_team,
token=token,
page_size=page_size,
page_offset=page_offset,

    )).parsed
