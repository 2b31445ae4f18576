from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.create_entity_response import CreateEntityResponse
from ...models.http_validation_error import HTTPValidationError
from ...models.prediction_singleton_classification import PredictionSingletonClassification
from ...models.prediction_singleton_instance_segmentation import PredictionSingletonInstanceSegmentation
from ...models.prediction_singleton_keypoint_detection import PredictionSingletonKeypointDetection
from ...models.prediction_singleton_object_detection import PredictionSingletonObjectDetection
from ...models.prediction_singleton_semantic_segmentation import PredictionSingletonSemanticSegmentation
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    dataset_id: str,
    sample_id: str,
    *,
    body: list[PredictionSingletonClassification | PredictionSingletonInstanceSegmentation | PredictionSingletonKeypointDetection | PredictionSingletonObjectDetection | PredictionSingletonSemanticSegmentation],
    prediction_uuid_timestamp: int | None | Unset = UNSET,
    token: None | str | Unset = UNSET,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    params: dict[str, Any] = {}

    json_prediction_uuid_timestamp: int | None | Unset
    if isinstance(prediction_uuid_timestamp, Unset):
        json_prediction_uuid_timestamp = UNSET
    else:
        json_prediction_uuid_timestamp = prediction_uuid_timestamp
    params["predictionUUIDTimestamp"] = json_prediction_uuid_timestamp

    json_token: None | str | Unset
    if isinstance(token, Unset):
        json_token = UNSET
    else:
        json_token = token
    params["token"] = json_token


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/datasets/{dataset_id}/predictions/samples/{sample_id}".format(dataset_id=quote(str(dataset_id), safe=""),sample_id=quote(str(sample_id), safe=""),),
        "params": params,
    }

    _kwargs["json"] = []
    for body_item_data in body:
        body_item: dict[str, Any]
        if isinstance(body_item_data, PredictionSingletonClassification):
            body_item = body_item_data.to_dict()
        elif isinstance(body_item_data, PredictionSingletonObjectDetection):
            body_item = body_item_data.to_dict()
        elif isinstance(body_item_data, PredictionSingletonSemanticSegmentation):
            body_item = body_item_data.to_dict()
        elif isinstance(body_item_data, PredictionSingletonInstanceSegmentation):
            body_item = body_item_data.to_dict()
        else:
            body_item = body_item_data.to_dict()

        _kwargs["json"].append(body_item)



    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> CreateEntityResponse | HTTPValidationError | None:
    if response.status_code == 201:
        response_201 = CreateEntityResponse.from_dict(response.json())



        return response_201

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[CreateEntityResponse | HTTPValidationError]:
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
    body: list[PredictionSingletonClassification | PredictionSingletonInstanceSegmentation | PredictionSingletonKeypointDetection | PredictionSingletonObjectDetection | PredictionSingletonSemanticSegmentation],
    prediction_uuid_timestamp: int | None | Unset = UNSET,
    token: None | str | Unset = UNSET,

) -> Response[CreateEntityResponse | HTTPValidationError]:
    """ Create Or Update Prediction By Sample Id

     Replace the sample's predictions of each task the singletons name (checked against the
    task's schema first); the id is the sample's.

    Args:
        dataset_id (str):
        sample_id (str):
        prediction_uuid_timestamp (int | None | Unset):
        token (None | str | Unset): Winnow API token
        body (list[PredictionSingletonClassification | PredictionSingletonInstanceSegmentation |
            PredictionSingletonKeypointDetection | PredictionSingletonObjectDetection |
            PredictionSingletonSemanticSegmentation]):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CreateEntityResponse | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        dataset_id=dataset_id,
sample_id=sample_id,
body=body,
prediction_uuid_timestamp=prediction_uuid_timestamp,
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
    body: list[PredictionSingletonClassification | PredictionSingletonInstanceSegmentation | PredictionSingletonKeypointDetection | PredictionSingletonObjectDetection | PredictionSingletonSemanticSegmentation],
    prediction_uuid_timestamp: int | None | Unset = UNSET,
    token: None | str | Unset = UNSET,

) -> CreateEntityResponse | HTTPValidationError | None:
    """ Create Or Update Prediction By Sample Id

     Replace the sample's predictions of each task the singletons name (checked against the
    task's schema first); the id is the sample's.

    Args:
        dataset_id (str):
        sample_id (str):
        prediction_uuid_timestamp (int | None | Unset):
        token (None | str | Unset): Winnow API token
        body (list[PredictionSingletonClassification | PredictionSingletonInstanceSegmentation |
            PredictionSingletonKeypointDetection | PredictionSingletonObjectDetection |
            PredictionSingletonSemanticSegmentation]):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CreateEntityResponse | HTTPValidationError
     """


    return sync_detailed(
        dataset_id=dataset_id,
sample_id=sample_id,
client=client,
body=body,
prediction_uuid_timestamp=prediction_uuid_timestamp,
token=token,

    ).parsed

async def asyncio_detailed(
    dataset_id: str,
    sample_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: list[PredictionSingletonClassification | PredictionSingletonInstanceSegmentation | PredictionSingletonKeypointDetection | PredictionSingletonObjectDetection | PredictionSingletonSemanticSegmentation],
    prediction_uuid_timestamp: int | None | Unset = UNSET,
    token: None | str | Unset = UNSET,

) -> Response[CreateEntityResponse | HTTPValidationError]:
    """ Create Or Update Prediction By Sample Id

     Replace the sample's predictions of each task the singletons name (checked against the
    task's schema first); the id is the sample's.

    Args:
        dataset_id (str):
        sample_id (str):
        prediction_uuid_timestamp (int | None | Unset):
        token (None | str | Unset): Winnow API token
        body (list[PredictionSingletonClassification | PredictionSingletonInstanceSegmentation |
            PredictionSingletonKeypointDetection | PredictionSingletonObjectDetection |
            PredictionSingletonSemanticSegmentation]):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CreateEntityResponse | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        dataset_id=dataset_id,
sample_id=sample_id,
body=body,
prediction_uuid_timestamp=prediction_uuid_timestamp,
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
    body: list[PredictionSingletonClassification | PredictionSingletonInstanceSegmentation | PredictionSingletonKeypointDetection | PredictionSingletonObjectDetection | PredictionSingletonSemanticSegmentation],
    prediction_uuid_timestamp: int | None | Unset = UNSET,
    token: None | str | Unset = UNSET,

) -> CreateEntityResponse | HTTPValidationError | None:
    """ Create Or Update Prediction By Sample Id

     Replace the sample's predictions of each task the singletons name (checked against the
    task's schema first); the id is the sample's.

    Args:
        dataset_id (str):
        sample_id (str):
        prediction_uuid_timestamp (int | None | Unset):
        token (None | str | Unset): Winnow API token
        body (list[PredictionSingletonClassification | PredictionSingletonInstanceSegmentation |
            PredictionSingletonKeypointDetection | PredictionSingletonObjectDetection |
            PredictionSingletonSemanticSegmentation]):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CreateEntityResponse | HTTPValidationError
     """


    return (await asyncio_detailed(
        dataset_id=dataset_id,
sample_id=sample_id,
client=client,
body=body,
prediction_uuid_timestamp=prediction_uuid_timestamp,
token=token,

    )).parsed
