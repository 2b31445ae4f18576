from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.get_sample_read_url_type import GetSampleReadUrlType
from ...models.http_validation_error import HTTPValidationError
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    dataset_id: str,
    sample_id: str,
    *,
    type_: GetSampleReadUrlType | Unset = GetSampleReadUrlType.FULL,
    token: None | str | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    json_type_: str | Unset = UNSET
    if not isinstance(type_, Unset):
        json_type_ = type_.value

    params["type"] = json_type_

    json_token: None | str | Unset
    if isinstance(token, Unset):
        json_token = UNSET
    else:
        json_token = token
    params["token"] = json_token


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/datasets/{dataset_id}/samples/{sample_id}/readurl".format(dataset_id=quote(str(dataset_id), safe=""),sample_id=quote(str(sample_id), safe=""),),
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
    dataset_id: str,
    sample_id: str,
    *,
    client: AuthenticatedClient | Client,
    type_: GetSampleReadUrlType | Unset = GetSampleReadUrlType.FULL,
    token: None | str | Unset = UNSET,

) -> Response[HTTPValidationError | str]:
    """ Get Sample Read Url

     A signed, token-free URL that streams the sample's image: an image's file from the INPUT
    datasource, a video frame's or crop's extracted image from the LIGHTLY datasource.

    Winnow keeps no thumbnails, so ``type=thumbnail`` also gets the full image.

    Args:
        dataset_id (str):
        sample_id (str):
        type_ (GetSampleReadUrlType | Unset):  Default: GetSampleReadUrlType.FULL.
        token (None | str | Unset): Winnow API token

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | str]
     """


    kwargs = _get_kwargs(
        dataset_id=dataset_id,
sample_id=sample_id,
type_=type_,
token=token,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    dataset_id: str,
    sample_id: str,
    *,
    client: AuthenticatedClient | Client,
    type_: GetSampleReadUrlType | Unset = GetSampleReadUrlType.FULL,
    token: None | str | Unset = UNSET,

) -> HTTPValidationError | str | None:
    """ Get Sample Read Url

     A signed, token-free URL that streams the sample's image: an image's file from the INPUT
    datasource, a video frame's or crop's extracted image from the LIGHTLY datasource.

    Winnow keeps no thumbnails, so ``type=thumbnail`` also gets the full image.

    Args:
        dataset_id (str):
        sample_id (str):
        type_ (GetSampleReadUrlType | Unset):  Default: GetSampleReadUrlType.FULL.
        token (None | str | Unset): Winnow API token

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | str
     """


    return sync_detailed(
        dataset_id=dataset_id,
sample_id=sample_id,
client=client,
type_=type_,
token=token,

    ).parsed

async def asyncio_detailed(
    dataset_id: str,
    sample_id: str,
    *,
    client: AuthenticatedClient | Client,
    type_: GetSampleReadUrlType | Unset = GetSampleReadUrlType.FULL,
    token: None | str | Unset = UNSET,

) -> Response[HTTPValidationError | str]:
    """ Get Sample Read Url

     A signed, token-free URL that streams the sample's image: an image's file from the INPUT
    datasource, a video frame's or crop's extracted image from the LIGHTLY datasource.

    Winnow keeps no thumbnails, so ``type=thumbnail`` also gets the full image.

    Args:
        dataset_id (str):
        sample_id (str):
        type_ (GetSampleReadUrlType | Unset):  Default: GetSampleReadUrlType.FULL.
        token (None | str | Unset): Winnow API token

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | str]
     """


    kwargs = _get_kwargs(
        dataset_id=dataset_id,
sample_id=sample_id,
type_=type_,
token=token,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    dataset_id: str,
    sample_id: str,
    *,
    client: AuthenticatedClient | Client,
    type_: GetSampleReadUrlType | Unset = GetSampleReadUrlType.FULL,
    token: None | str | Unset = UNSET,

) -> HTTPValidationError | str | None:
    """ Get Sample Read Url

     A signed, token-free URL that streams the sample's image: an image's file from the INPUT
    datasource, a video frame's or crop's extracted image from the LIGHTLY datasource.

    Winnow keeps no thumbnails, so ``type=thumbnail`` also gets the full image.

    Args:
        dataset_id (str):
        sample_id (str):
        type_ (GetSampleReadUrlType | Unset):  Default: GetSampleReadUrlType.FULL.
        token (None | str | Unset): Winnow API token

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | str
     """


    return (await asyncio_detailed(
        dataset_id=dataset_id,
sample_id=sample_id,
client=client,
type_=type_,
token=token,

    )).parsed
