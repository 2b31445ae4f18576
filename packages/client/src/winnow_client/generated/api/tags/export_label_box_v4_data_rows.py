from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.export_label_box_v4_data_rows_format_type_0 import ExportLabelBoxV4DataRowsFormatType0
from ...models.file_name_format import FileNameFormat
from ...models.http_validation_error import HTTPValidationError
from ...models.label_box_v4_data_row import LabelBoxV4DataRow
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    dataset_id: str,
    tag_id: str,
    *,
    token: None | str | Unset = UNSET,
    page_size: int | None | Unset = UNSET,
    page_offset: int | Unset = 0,
    expires_in: int | None | Unset = UNSET,
    access_control: None | str | Unset = UNSET,
    file_name_format: FileNameFormat | Unset = UNSET,
    include_meta_data: bool | Unset = False,
    format_: ExportLabelBoxV4DataRowsFormatType0 | None | Unset = UNSET,
    preview_example: bool | Unset = False,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

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

    json_expires_in: int | None | Unset
    if isinstance(expires_in, Unset):
        json_expires_in = UNSET
    else:
        json_expires_in = expires_in
    params["expiresIn"] = json_expires_in

    json_access_control: None | str | Unset
    if isinstance(access_control, Unset):
        json_access_control = UNSET
    else:
        json_access_control = access_control
    params["accessControl"] = json_access_control

    json_file_name_format: str | Unset = UNSET
    if not isinstance(file_name_format, Unset):
        json_file_name_format = file_name_format.value

    params["fileNameFormat"] = json_file_name_format

    params["includeMetaData"] = include_meta_data

    json_format_: None | str | Unset
    if isinstance(format_, Unset):
        json_format_ = UNSET
    elif isinstance(format_, ExportLabelBoxV4DataRowsFormatType0):
        json_format_ = format_.value
    else:
        json_format_ = format_
    params["format"] = json_format_

    params["previewExample"] = preview_example


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/datasets/{dataset_id}/tags/{tag_id}/export/LabelBoxV4/datarows".format(dataset_id=quote(str(dataset_id), safe=""),tag_id=quote(str(tag_id), safe=""),),
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> HTTPValidationError | list[LabelBoxV4DataRow] | None:
    if response.status_code == 200:
        response_200 = []
        _response_200 = response.json()
        for response_200_item_data in (_response_200):
            response_200_item = LabelBoxV4DataRow.from_dict(response_200_item_data)



            response_200.append(response_200_item)

        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[HTTPValidationError | list[LabelBoxV4DataRow]]:
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
    token: None | str | Unset = UNSET,
    page_size: int | None | Unset = UNSET,
    page_offset: int | Unset = 0,
    expires_in: int | None | Unset = UNSET,
    access_control: None | str | Unset = UNSET,
    file_name_format: FileNameFormat | Unset = UNSET,
    include_meta_data: bool | Unset = False,
    format_: ExportLabelBoxV4DataRowsFormatType0 | None | Unset = UNSET,
    preview_example: bool | Unset = False,

) -> Response[HTTPValidationError | list[LabelBoxV4DataRow]]:
    """ Export Label Box V4 Data Rows

     The tag's samples as Labelbox v4 data rows (``row_data``, ``global_key``,
    ``media_type``).

    Args:
        dataset_id (str):
        tag_id (str):
        token (None | str | Unset): Winnow API token
        page_size (int | None | Unset):
        page_offset (int | Unset):  Default: 0.
        expires_in (int | None | Unset):
        access_control (None | str | Unset):
        file_name_format (FileNameFormat | Unset):
        include_meta_data (bool | Unset):  Default: False.
        format_ (ExportLabelBoxV4DataRowsFormatType0 | None | Unset):
        preview_example (bool | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | list[LabelBoxV4DataRow]]
     """


    kwargs = _get_kwargs(
        dataset_id=dataset_id,
tag_id=tag_id,
token=token,
page_size=page_size,
page_offset=page_offset,
expires_in=expires_in,
access_control=access_control,
file_name_format=file_name_format,
include_meta_data=include_meta_data,
format_=format_,
preview_example=preview_example,

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
    token: None | str | Unset = UNSET,
    page_size: int | None | Unset = UNSET,
    page_offset: int | Unset = 0,
    expires_in: int | None | Unset = UNSET,
    access_control: None | str | Unset = UNSET,
    file_name_format: FileNameFormat | Unset = UNSET,
    include_meta_data: bool | Unset = False,
    format_: ExportLabelBoxV4DataRowsFormatType0 | None | Unset = UNSET,
    preview_example: bool | Unset = False,

) -> HTTPValidationError | list[LabelBoxV4DataRow] | None:
    """ Export Label Box V4 Data Rows

     The tag's samples as Labelbox v4 data rows (``row_data``, ``global_key``,
    ``media_type``).

    Args:
        dataset_id (str):
        tag_id (str):
        token (None | str | Unset): Winnow API token
        page_size (int | None | Unset):
        page_offset (int | Unset):  Default: 0.
        expires_in (int | None | Unset):
        access_control (None | str | Unset):
        file_name_format (FileNameFormat | Unset):
        include_meta_data (bool | Unset):  Default: False.
        format_ (ExportLabelBoxV4DataRowsFormatType0 | None | Unset):
        preview_example (bool | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | list[LabelBoxV4DataRow]
     """


    return sync_detailed(
        dataset_id=dataset_id,
tag_id=tag_id,
client=client,
token=token,
page_size=page_size,
page_offset=page_offset,
expires_in=expires_in,
access_control=access_control,
file_name_format=file_name_format,
include_meta_data=include_meta_data,
format_=format_,
preview_example=preview_example,

    ).parsed

async def asyncio_detailed(
    dataset_id: str,
    tag_id: str,
    *,
    client: AuthenticatedClient | Client,
    token: None | str | Unset = UNSET,
    page_size: int | None | Unset = UNSET,
    page_offset: int | Unset = 0,
    expires_in: int | None | Unset = UNSET,
    access_control: None | str | Unset = UNSET,
    file_name_format: FileNameFormat | Unset = UNSET,
    include_meta_data: bool | Unset = False,
    format_: ExportLabelBoxV4DataRowsFormatType0 | None | Unset = UNSET,
    preview_example: bool | Unset = False,

) -> Response[HTTPValidationError | list[LabelBoxV4DataRow]]:
    """ Export Label Box V4 Data Rows

     The tag's samples as Labelbox v4 data rows (``row_data``, ``global_key``,
    ``media_type``).

    Args:
        dataset_id (str):
        tag_id (str):
        token (None | str | Unset): Winnow API token
        page_size (int | None | Unset):
        page_offset (int | Unset):  Default: 0.
        expires_in (int | None | Unset):
        access_control (None | str | Unset):
        file_name_format (FileNameFormat | Unset):
        include_meta_data (bool | Unset):  Default: False.
        format_ (ExportLabelBoxV4DataRowsFormatType0 | None | Unset):
        preview_example (bool | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | list[LabelBoxV4DataRow]]
     """


    kwargs = _get_kwargs(
        dataset_id=dataset_id,
tag_id=tag_id,
token=token,
page_size=page_size,
page_offset=page_offset,
expires_in=expires_in,
access_control=access_control,
file_name_format=file_name_format,
include_meta_data=include_meta_data,
format_=format_,
preview_example=preview_example,

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
    token: None | str | Unset = UNSET,
    page_size: int | None | Unset = UNSET,
    page_offset: int | Unset = 0,
    expires_in: int | None | Unset = UNSET,
    access_control: None | str | Unset = UNSET,
    file_name_format: FileNameFormat | Unset = UNSET,
    include_meta_data: bool | Unset = False,
    format_: ExportLabelBoxV4DataRowsFormatType0 | None | Unset = UNSET,
    preview_example: bool | Unset = False,

) -> HTTPValidationError | list[LabelBoxV4DataRow] | None:
    """ Export Label Box V4 Data Rows

     The tag's samples as Labelbox v4 data rows (``row_data``, ``global_key``,
    ``media_type``).

    Args:
        dataset_id (str):
        tag_id (str):
        token (None | str | Unset): Winnow API token
        page_size (int | None | Unset):
        page_offset (int | Unset):  Default: 0.
        expires_in (int | None | Unset):
        access_control (None | str | Unset):
        file_name_format (FileNameFormat | Unset):
        include_meta_data (bool | Unset):  Default: False.
        format_ (ExportLabelBoxV4DataRowsFormatType0 | None | Unset):
        preview_example (bool | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | list[LabelBoxV4DataRow]
     """


    return (await asyncio_detailed(
        dataset_id=dataset_id,
tag_id=tag_id,
client=client,
token=token,
page_size=page_size,
page_offset=page_offset,
expires_in=expires_in,
access_control=access_control,
file_name_format=file_name_format,
include_meta_data=include_meta_data,
format_=format_,
preview_example=preview_example,

    )).parsed
