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
    expires: int,
    signature: str,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    params["expires"] = expires

    params["signature"] = signature


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/files/datasets/{dataset_id}/embeddings/{embedding_id}".format(dataset_id=quote(str(dataset_id), safe=""),embedding_id=quote(str(embedding_id), safe=""),),
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> File | HTTPValidationError | None:
    if response.status_code == 200:
        response_200 = File(
             payload = BytesIO(response.content)
        )



        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[File | HTTPValidationError]:
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
    expires: int,
    signature: str,

) -> Response[File | HTTPValidationError]:
    """ Download Embedding

     Stream an embedding's CSV byte for byte as uploaded (or as its run wrote it).

    ``readCSVUrl`` points here (``download_embeddings_csv``, ``append_embeddings``).

    Args:
        dataset_id (str):
        embedding_id (str):
        expires (int):
        signature (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[File | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        dataset_id=dataset_id,
embedding_id=embedding_id,
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
    expires: int,
    signature: str,

) -> File | HTTPValidationError | None:
    """ Download Embedding

     Stream an embedding's CSV byte for byte as uploaded (or as its run wrote it).

    ``readCSVUrl`` points here (``download_embeddings_csv``, ``append_embeddings``).

    Args:
        dataset_id (str):
        embedding_id (str):
        expires (int):
        signature (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        File | HTTPValidationError
     """


    return sync_detailed(
        dataset_id=dataset_id,
embedding_id=embedding_id,
client=client,
expires=expires,
signature=signature,

    ).parsed

async def asyncio_detailed(
    dataset_id: str,
    embedding_id: str,
    *,
    client: AuthenticatedClient | Client,
    expires: int,
    signature: str,

) -> Response[File | HTTPValidationError]:
    """ Download Embedding

     Stream an embedding's CSV byte for byte as uploaded (or as its run wrote it).

    ``readCSVUrl`` points here (``download_embeddings_csv``, ``append_embeddings``).

    Args:
        dataset_id (str):
        embedding_id (str):
        expires (int):
        signature (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[File | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        dataset_id=dataset_id,
embedding_id=embedding_id,
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
    expires: int,
    signature: str,

) -> File | HTTPValidationError | None:
    """ Download Embedding

     Stream an embedding's CSV byte for byte as uploaded (or as its run wrote it).

    ``readCSVUrl`` points here (``download_embeddings_csv``, ``append_embeddings``).

    Args:
        dataset_id (str):
        embedding_id (str):
        expires (int):
        signature (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        File | HTTPValidationError
     """


    return (await asyncio_detailed(
        dataset_id=dataset_id,
embedding_id=embedding_id,
client=client,
expires=expires,
signature=signature,

    )).parsed
