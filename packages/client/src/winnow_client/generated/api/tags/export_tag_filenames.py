from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.file_name_format import FileNameFormat
from ...models.http_validation_error import HTTPValidationError
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    dataset_id: str,
    tag_id: str,
    *,
    file_name_format: FileNameFormat | Unset = UNSET,
    token: None | str | Unset = UNSET,
    page_size: int | None | Unset = UNSET,
    page_offset: int | Unset = 0,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    json_file_name_format: str | Unset = UNSET
    if not isinstance(file_name_format, Unset):
        json_file_name_format = file_name_format.value

    params["fileNameFormat"] = json_file_name_format

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
        "url": "/v1/datasets/{dataset_id}/tags/{tag_id}/export/basic/filenames".format(dataset_id=quote(str(dataset_id), safe=""),tag_id=quote(str(tag_id), safe=""),),
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
    tag_id: str,
    *,
    client: AuthenticatedClient | Client,
    file_name_format: FileNameFormat | Unset = UNSET,
    token: None | str | Unset = UNSET,
    page_size: int | None | Unset = UNSET,
    page_offset: int | Unset = 0,

) -> Response[HTTPValidationError | str]:
    """ Export Tag Filenames

     The tag's samples, ``\\n``-joined, paginated by item; ``""`` past the end.

    ``NAME``: paths relative to the INPUT root; ``DATASOURCE_FULL``: full datasource paths;
    ``REDIRECTED_READ_URL``: signed token-free URLs. All three list the same samples in the
    same (bit) order, so the client can zip them.

    Args:
        dataset_id (str):
        tag_id (str):
        file_name_format (FileNameFormat | Unset):
        token (None | str | Unset): Winnow API token
        page_size (int | None | Unset):
        page_offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | str]
     """


    kwargs = _get_kwargs(
        dataset_id=dataset_id,
tag_id=tag_id,
file_name_format=file_name_format,
token=token,
page_size=page_size,
page_offset=page_offset,

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
    file_name_format: FileNameFormat | Unset = UNSET,
    token: None | str | Unset = UNSET,
    page_size: int | None | Unset = UNSET,
    page_offset: int | Unset = 0,

) -> HTTPValidationError | str | None:
    """ Export Tag Filenames

     The tag's samples, ``\\n``-joined, paginated by item; ``""`` past the end.

    ``NAME``: paths relative to the INPUT root; ``DATASOURCE_FULL``: full datasource paths;
    ``REDIRECTED_READ_URL``: signed token-free URLs. All three list the same samples in the
    same (bit) order, so the client can zip them.

    Args:
        dataset_id (str):
        tag_id (str):
        file_name_format (FileNameFormat | Unset):
        token (None | str | Unset): Winnow API token
        page_size (int | None | Unset):
        page_offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | str
     """


    return sync_detailed(
        dataset_id=dataset_id,
tag_id=tag_id,
client=client,
file_name_format=file_name_format,
token=token,
page_size=page_size,
page_offset=page_offset,

    ).parsed

async def asyncio_detailed(
    dataset_id: str,
    tag_id: str,
    *,
    client: AuthenticatedClient | Client,
    file_name_format: FileNameFormat | Unset = UNSET,
    token: None | str | Unset = UNSET,
    page_size: int | None | Unset = UNSET,
    page_offset: int | Unset = 0,

) -> Response[HTTPValidationError | str]:
    """ Export Tag Filenames

     The tag's samples, ``\\n``-joined, paginated by item; ``""`` past the end.

    ``NAME``: paths relative to the INPUT root; ``DATASOURCE_FULL``: full datasource paths;
    ``REDIRECTED_READ_URL``: signed token-free URLs. All three list the same samples in the
    same (bit) order, so the client can zip them.

    Args:
        dataset_id (str):
        tag_id (str):
        file_name_format (FileNameFormat | Unset):
        token (None | str | Unset): Winnow API token
        page_size (int | None | Unset):
        page_offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | str]
     """


    kwargs = _get_kwargs(
        dataset_id=dataset_id,
tag_id=tag_id,
file_name_format=file_name_format,
token=token,
page_size=page_size,
page_offset=page_offset,

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
    file_name_format: FileNameFormat | Unset = UNSET,
    token: None | str | Unset = UNSET,
    page_size: int | None | Unset = UNSET,
    page_offset: int | Unset = 0,

) -> HTTPValidationError | str | None:
    """ Export Tag Filenames

     The tag's samples, ``\\n``-joined, paginated by item; ``""`` past the end.

    ``NAME``: paths relative to the INPUT root; ``DATASOURCE_FULL``: full datasource paths;
    ``REDIRECTED_READ_URL``: signed token-free URLs. All three list the same samples in the
    same (bit) order, so the client can zip them.

    Args:
        dataset_id (str):
        tag_id (str):
        file_name_format (FileNameFormat | Unset):
        token (None | str | Unset): Winnow API token
        page_size (int | None | Unset):
        page_offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | str
     """


    return (await asyncio_detailed(
        dataset_id=dataset_id,
tag_id=tag_id,
client=client,
file_name_format=file_name_format,
token=token,
page_size=page_size,
page_offset=page_offset,

    )).parsed
