from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.http_validation_error import HTTPValidationError
from ...types import File, FileTypes
from io import BytesIO
from typing import cast



def _get_kwargs(
    dataset_id: str,
    embedding_id: str,
    *,
    body: File,
    expires: int,
    signature: str,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    params: dict[str, Any] = {}

    params["expires"] = expires

    params["signature"] = signature


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/v1/files/datasets/{dataset_id}/embeddings/{embedding_id}/upload".format(dataset_id=quote(str(dataset_id), safe=""),embedding_id=quote(str(embedding_id), safe=""),),
        "params": params,
    }

    _kwargs["content"] = body.payload
    headers["Content-Type"] = "application/octet-stream"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Any | HTTPValidationError | None:
    if response.status_code == 200:
        response_200 = cast(Any, None)
        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Any | HTTPValidationError]:
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
    body: File,
    expires: int,
    signature: str,

) -> Response[Any | HTTPValidationError]:
    """ Upload Embedding

     Receive an embeddings CSV (lightly's ``save_embeddings`` format) at a ``writeCSVUrl``.

    Any content type; the body is the file. A CSV that does not follow the format is a 400
    naming the problem. The dataset gains a sample for every file name it lacked, and the
    embedding becomes processed. Answers 200 with an empty body, as an object store does.

    Args:
        dataset_id (str):
        embedding_id (str):
        expires (int):
        signature (str):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        dataset_id=dataset_id,
embedding_id=embedding_id,
body=body,
expires=expires,
signature=signature,

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
    body: File,
    expires: int,
    signature: str,

) -> Any | HTTPValidationError | None:
    """ Upload Embedding

     Receive an embeddings CSV (lightly's ``save_embeddings`` format) at a ``writeCSVUrl``.

    Any content type; the body is the file. A CSV that does not follow the format is a 400
    naming the problem. The dataset gains a sample for every file name it lacked, and the
    embedding becomes processed. Answers 200 with an empty body, as an object store does.

    Args:
        dataset_id (str):
        embedding_id (str):
        expires (int):
        signature (str):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | HTTPValidationError
     """


    return sync_detailed(
        dataset_id=dataset_id,
embedding_id=embedding_id,
client=client,
body=body,
expires=expires,
signature=signature,

    ).parsed

async def asyncio_detailed(
    dataset_id: str,
    embedding_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: File,
    expires: int,
    signature: str,

) -> Response[Any | HTTPValidationError]:
    """ Upload Embedding

     Receive an embeddings CSV (lightly's ``save_embeddings`` format) at a ``writeCSVUrl``.

    Any content type; the body is the file. A CSV that does not follow the format is a 400
    naming the problem. The dataset gains a sample for every file name it lacked, and the
    embedding becomes processed. Answers 200 with an empty body, as an object store does.

    Args:
        dataset_id (str):
        embedding_id (str):
        expires (int):
        signature (str):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        dataset_id=dataset_id,
embedding_id=embedding_id,
body=body,
expires=expires,
signature=signature,

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
    body: File,
    expires: int,
    signature: str,

) -> Any | HTTPValidationError | None:
    """ Upload Embedding

     Receive an embeddings CSV (lightly's ``save_embeddings`` format) at a ``writeCSVUrl``.

    Any content type; the body is the file. A CSV that does not follow the format is a 400
    naming the problem. The dataset gains a sample for every file name it lacked, and the
    embedding becomes processed. Answers 200 with an empty body, as an object store does.

    Args:
        dataset_id (str):
        embedding_id (str):
        expires (int):
        signature (str):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | HTTPValidationError
     """


    return (await asyncio_detailed(
        dataset_id=dataset_id,
embedding_id=embedding_id,
client=client,
body=body,
expires=expires,
signature=signature,

    )).parsed
