from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.divide_and_conquer_cursor_data import DivideAndConquerCursorData
from ...models.http_validation_error import HTTPValidationError
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    dataset_id: str,
    *,
    dnc_shards: int,
    token: None | str | Unset = UNSET,
    from_: int | None | Unset = UNSET,
    to: int | None | Unset = UNSET,
    relevant_filenames_file_name: None | str | Unset = UNSET,
    relevant_filenames_run_id: None | str | Unset = UNSET,
    relevant_filenames_artifact_id: None | str | Unset = UNSET,
    page_size: int | Unset = 1000,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    params["dncShards"] = dnc_shards

    json_token: None | str | Unset
    if isinstance(token, Unset):
        json_token = UNSET
    else:
        json_token = token
    params["token"] = json_token

    json_from_: int | None | Unset
    if isinstance(from_, Unset):
        json_from_ = UNSET
    else:
        json_from_ = from_
    params["from"] = json_from_

    json_to: int | None | Unset
    if isinstance(to, Unset):
        json_to = UNSET
    else:
        json_to = to
    params["to"] = json_to

    json_relevant_filenames_file_name: None | str | Unset
    if isinstance(relevant_filenames_file_name, Unset):
        json_relevant_filenames_file_name = UNSET
    else:
        json_relevant_filenames_file_name = relevant_filenames_file_name
    params["relevantFilenamesFileName"] = json_relevant_filenames_file_name

    json_relevant_filenames_run_id: None | str | Unset
    if isinstance(relevant_filenames_run_id, Unset):
        json_relevant_filenames_run_id = UNSET
    else:
        json_relevant_filenames_run_id = relevant_filenames_run_id
    params["relevantFilenamesRunId"] = json_relevant_filenames_run_id

    json_relevant_filenames_artifact_id: None | str | Unset
    if isinstance(relevant_filenames_artifact_id, Unset):
        json_relevant_filenames_artifact_id = UNSET
    else:
        json_relevant_filenames_artifact_id = relevant_filenames_artifact_id
    params["relevantFilenamesArtifactId"] = json_relevant_filenames_artifact_id

    params["pageSize"] = page_size


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/datasets/{dataset_id}/datasource/metadata/list/dnc".format(dataset_id=quote(str(dataset_id), safe=""),),
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> DivideAndConquerCursorData | HTTPValidationError | None:
    if response.status_code == 200:
        response_200 = DivideAndConquerCursorData.from_dict(response.json())



        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[DivideAndConquerCursorData | HTTPValidationError]:
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
    dnc_shards: int,
    token: None | str | Unset = UNSET,
    from_: int | None | Unset = UNSET,
    to: int | None | Unset = UNSET,
    relevant_filenames_file_name: None | str | Unset = UNSET,
    relevant_filenames_run_id: None | str | Unset = UNSET,
    relevant_filenames_artifact_id: None | str | Unset = UNSET,
    page_size: int | Unset = 1000,

) -> Response[DivideAndConquerCursorData | HTTPValidationError]:
    """ List Raw Metadata Dnc

     Cursors of ``dncShards`` key ranges of the custom metadata files.

    Args:
        dataset_id (str):
        dnc_shards (int):
        token (None | str | Unset): Winnow API token
        from_ (int | None | Unset): Only files modified at or after (s).
        to (int | None | Unset): Only files modified at or before (s).
        relevant_filenames_file_name (None | str | Unset): Only files this relevant-filenames file
            (in the LIGHTLY datasource, relative to its root) names; metadata and predictions by their
            sample.
        relevant_filenames_run_id (None | str | Unset): With relevantFilenamesArtifactId: the run
            whose artifact is the relevant-filenames file.
        relevant_filenames_artifact_id (None | str | Unset): With relevantFilenamesRunId: the
            artifact used as the relevant-filenames file.
        page_size (int | Unset):  Default: 1000.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DivideAndConquerCursorData | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        dataset_id=dataset_id,
dnc_shards=dnc_shards,
token=token,
from_=from_,
to=to,
relevant_filenames_file_name=relevant_filenames_file_name,
relevant_filenames_run_id=relevant_filenames_run_id,
relevant_filenames_artifact_id=relevant_filenames_artifact_id,
page_size=page_size,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    dataset_id: str,
    *,
    client: AuthenticatedClient | Client,
    dnc_shards: int,
    token: None | str | Unset = UNSET,
    from_: int | None | Unset = UNSET,
    to: int | None | Unset = UNSET,
    relevant_filenames_file_name: None | str | Unset = UNSET,
    relevant_filenames_run_id: None | str | Unset = UNSET,
    relevant_filenames_artifact_id: None | str | Unset = UNSET,
    page_size: int | Unset = 1000,

) -> DivideAndConquerCursorData | HTTPValidationError | None:
    """ List Raw Metadata Dnc

     Cursors of ``dncShards`` key ranges of the custom metadata files.

    Args:
        dataset_id (str):
        dnc_shards (int):
        token (None | str | Unset): Winnow API token
        from_ (int | None | Unset): Only files modified at or after (s).
        to (int | None | Unset): Only files modified at or before (s).
        relevant_filenames_file_name (None | str | Unset): Only files this relevant-filenames file
            (in the LIGHTLY datasource, relative to its root) names; metadata and predictions by their
            sample.
        relevant_filenames_run_id (None | str | Unset): With relevantFilenamesArtifactId: the run
            whose artifact is the relevant-filenames file.
        relevant_filenames_artifact_id (None | str | Unset): With relevantFilenamesRunId: the
            artifact used as the relevant-filenames file.
        page_size (int | Unset):  Default: 1000.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DivideAndConquerCursorData | HTTPValidationError
     """


    return sync_detailed(
        dataset_id=dataset_id,
client=client,
dnc_shards=dnc_shards,
token=token,
from_=from_,
to=to,
relevant_filenames_file_name=relevant_filenames_file_name,
relevant_filenames_run_id=relevant_filenames_run_id,
relevant_filenames_artifact_id=relevant_filenames_artifact_id,
page_size=page_size,

    ).parsed

async def asyncio_detailed(
    dataset_id: str,
    *,
    client: AuthenticatedClient | Client,
    dnc_shards: int,
    token: None | str | Unset = UNSET,
    from_: int | None | Unset = UNSET,
    to: int | None | Unset = UNSET,
    relevant_filenames_file_name: None | str | Unset = UNSET,
    relevant_filenames_run_id: None | str | Unset = UNSET,
    relevant_filenames_artifact_id: None | str | Unset = UNSET,
    page_size: int | Unset = 1000,

) -> Response[DivideAndConquerCursorData | HTTPValidationError]:
    """ List Raw Metadata Dnc

     Cursors of ``dncShards`` key ranges of the custom metadata files.

    Args:
        dataset_id (str):
        dnc_shards (int):
        token (None | str | Unset): Winnow API token
        from_ (int | None | Unset): Only files modified at or after (s).
        to (int | None | Unset): Only files modified at or before (s).
        relevant_filenames_file_name (None | str | Unset): Only files this relevant-filenames file
            (in the LIGHTLY datasource, relative to its root) names; metadata and predictions by their
            sample.
        relevant_filenames_run_id (None | str | Unset): With relevantFilenamesArtifactId: the run
            whose artifact is the relevant-filenames file.
        relevant_filenames_artifact_id (None | str | Unset): With relevantFilenamesRunId: the
            artifact used as the relevant-filenames file.
        page_size (int | Unset):  Default: 1000.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DivideAndConquerCursorData | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        dataset_id=dataset_id,
dnc_shards=dnc_shards,
token=token,
from_=from_,
to=to,
relevant_filenames_file_name=relevant_filenames_file_name,
relevant_filenames_run_id=relevant_filenames_run_id,
relevant_filenames_artifact_id=relevant_filenames_artifact_id,
page_size=page_size,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    dataset_id: str,
    *,
    client: AuthenticatedClient | Client,
    dnc_shards: int,
    token: None | str | Unset = UNSET,
    from_: int | None | Unset = UNSET,
    to: int | None | Unset = UNSET,
    relevant_filenames_file_name: None | str | Unset = UNSET,
    relevant_filenames_run_id: None | str | Unset = UNSET,
    relevant_filenames_artifact_id: None | str | Unset = UNSET,
    page_size: int | Unset = 1000,

) -> DivideAndConquerCursorData | HTTPValidationError | None:
    """ List Raw Metadata Dnc

     Cursors of ``dncShards`` key ranges of the custom metadata files.

    Args:
        dataset_id (str):
        dnc_shards (int):
        token (None | str | Unset): Winnow API token
        from_ (int | None | Unset): Only files modified at or after (s).
        to (int | None | Unset): Only files modified at or before (s).
        relevant_filenames_file_name (None | str | Unset): Only files this relevant-filenames file
            (in the LIGHTLY datasource, relative to its root) names; metadata and predictions by their
            sample.
        relevant_filenames_run_id (None | str | Unset): With relevantFilenamesArtifactId: the run
            whose artifact is the relevant-filenames file.
        relevant_filenames_artifact_id (None | str | Unset): With relevantFilenamesRunId: the
            artifact used as the relevant-filenames file.
        page_size (int | Unset):  Default: 1000.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DivideAndConquerCursorData | HTTPValidationError
     """


    return (await asyncio_detailed(
        dataset_id=dataset_id,
client=client,
dnc_shards=dnc_shards,
token=token,
from_=from_,
to=to,
relevant_filenames_file_name=relevant_filenames_file_name,
relevant_filenames_run_id=relevant_filenames_run_id,
relevant_filenames_artifact_id=relevant_filenames_artifact_id,
page_size=page_size,

    )).parsed
