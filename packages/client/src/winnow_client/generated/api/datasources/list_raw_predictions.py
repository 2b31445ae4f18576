from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.datasource_raw_samples_predictions_data import DatasourceRawSamplesPredictionsData
from ...models.http_validation_error import HTTPValidationError
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    dataset_id: str,
    *,
    task_name: str,
    cursor: None | str | Unset = UNSET,
    use_redirected_read_url: bool | None | Unset = UNSET,
    token: None | str | Unset = UNSET,
    from_: int | None | Unset = UNSET,
    to: int | None | Unset = UNSET,
    relevant_filenames_file_name: None | str | Unset = UNSET,
    relevant_filenames_run_id: None | str | Unset = UNSET,
    relevant_filenames_artifact_id: None | str | Unset = UNSET,
    page_size: int | Unset = 1000,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    params["taskName"] = task_name

    json_cursor: None | str | Unset
    if isinstance(cursor, Unset):
        json_cursor = UNSET
    else:
        json_cursor = cursor
    params["cursor"] = json_cursor

    json_use_redirected_read_url: bool | None | Unset
    if isinstance(use_redirected_read_url, Unset):
        json_use_redirected_read_url = UNSET
    else:
        json_use_redirected_read_url = use_redirected_read_url
    params["useRedirectedReadUrl"] = json_use_redirected_read_url

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
        "url": "/v1/datasets/{dataset_id}/datasource/predictions/list".format(dataset_id=quote(str(dataset_id), safe=""),),
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> DatasourceRawSamplesPredictionsData | HTTPValidationError | None:
    if response.status_code == 200:
        response_200 = DatasourceRawSamplesPredictionsData.from_dict(response.json())



        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[DatasourceRawSamplesPredictionsData | HTTPValidationError]:
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
    task_name: str,
    cursor: None | str | Unset = UNSET,
    use_redirected_read_url: bool | None | Unset = UNSET,
    token: None | str | Unset = UNSET,
    from_: int | None | Unset = UNSET,
    to: int | None | Unset = UNSET,
    relevant_filenames_file_name: None | str | Unset = UNSET,
    relevant_filenames_run_id: None | str | Unset = UNSET,
    relevant_filenames_artifact_id: None | str | Unset = UNSET,
    page_size: int | Unset = 1000,

) -> Response[DatasourceRawSamplesPredictionsData | HTTPValidationError]:
    """ List Raw Predictions

     One page of a task's prediction files (``.lightly/predictions/<taskName>/**.json``).

    Args:
        dataset_id (str):
        task_name (str):
        cursor (None | str | Unset): From the previous page or from list/dnc.
        use_redirected_read_url (bool | None | Unset):
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
        Response[DatasourceRawSamplesPredictionsData | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        dataset_id=dataset_id,
task_name=task_name,
cursor=cursor,
use_redirected_read_url=use_redirected_read_url,
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
    task_name: str,
    cursor: None | str | Unset = UNSET,
    use_redirected_read_url: bool | None | Unset = UNSET,
    token: None | str | Unset = UNSET,
    from_: int | None | Unset = UNSET,
    to: int | None | Unset = UNSET,
    relevant_filenames_file_name: None | str | Unset = UNSET,
    relevant_filenames_run_id: None | str | Unset = UNSET,
    relevant_filenames_artifact_id: None | str | Unset = UNSET,
    page_size: int | Unset = 1000,

) -> DatasourceRawSamplesPredictionsData | HTTPValidationError | None:
    """ List Raw Predictions

     One page of a task's prediction files (``.lightly/predictions/<taskName>/**.json``).

    Args:
        dataset_id (str):
        task_name (str):
        cursor (None | str | Unset): From the previous page or from list/dnc.
        use_redirected_read_url (bool | None | Unset):
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
        DatasourceRawSamplesPredictionsData | HTTPValidationError
     """


    return sync_detailed(
        dataset_id=dataset_id,
client=client,
task_name=task_name,
cursor=cursor,
use_redirected_read_url=use_redirected_read_url,
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
    task_name: str,
    cursor: None | str | Unset = UNSET,
    use_redirected_read_url: bool | None | Unset = UNSET,
    token: None | str | Unset = UNSET,
    from_: int | None | Unset = UNSET,
    to: int | None | Unset = UNSET,
    relevant_filenames_file_name: None | str | Unset = UNSET,
    relevant_filenames_run_id: None | str | Unset = UNSET,
    relevant_filenames_artifact_id: None | str | Unset = UNSET,
    page_size: int | Unset = 1000,

) -> Response[DatasourceRawSamplesPredictionsData | HTTPValidationError]:
    """ List Raw Predictions

     One page of a task's prediction files (``.lightly/predictions/<taskName>/**.json``).

    Args:
        dataset_id (str):
        task_name (str):
        cursor (None | str | Unset): From the previous page or from list/dnc.
        use_redirected_read_url (bool | None | Unset):
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
        Response[DatasourceRawSamplesPredictionsData | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        dataset_id=dataset_id,
task_name=task_name,
cursor=cursor,
use_redirected_read_url=use_redirected_read_url,
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
    task_name: str,
    cursor: None | str | Unset = UNSET,
    use_redirected_read_url: bool | None | Unset = UNSET,
    token: None | str | Unset = UNSET,
    from_: int | None | Unset = UNSET,
    to: int | None | Unset = UNSET,
    relevant_filenames_file_name: None | str | Unset = UNSET,
    relevant_filenames_run_id: None | str | Unset = UNSET,
    relevant_filenames_artifact_id: None | str | Unset = UNSET,
    page_size: int | Unset = 1000,

) -> DatasourceRawSamplesPredictionsData | HTTPValidationError | None:
    """ List Raw Predictions

     One page of a task's prediction files (``.lightly/predictions/<taskName>/**.json``).

    Args:
        dataset_id (str):
        task_name (str):
        cursor (None | str | Unset): From the previous page or from list/dnc.
        use_redirected_read_url (bool | None | Unset):
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
        DatasourceRawSamplesPredictionsData | HTTPValidationError
     """


    return (await asyncio_detailed(
        dataset_id=dataset_id,
client=client,
task_name=task_name,
cursor=cursor,
use_redirected_read_url=use_redirected_read_url,
token=token,
from_=from_,
to=to,
relevant_filenames_file_name=relevant_filenames_file_name,
relevant_filenames_run_id=relevant_filenames_run_id,
relevant_filenames_artifact_id=relevant_filenames_artifact_id,
page_size=page_size,

    )).parsed
