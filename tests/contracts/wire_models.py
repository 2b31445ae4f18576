"""JSON Schemas of the lightly 1.5.26 response models (lightly-client-wire.md §5.1, enums §4).

Hand-written from the wire reference, independent of the server's own pydantic models, so a
regression in a response shape is caught without installing the lightly client. The client's
models forbid extra keys at every level (``additionalProperties: false`` here), ids are 24 lower
hex, timestamps strict non-negative integers (ms; ``datasourceProcessedUntilTimestamp`` s).
"""

from __future__ import annotations

from typing import Any

import jsonschema

OBJECT_ID: dict[str, Any] = {"type": "string", "pattern": "^[a-f0-9]{24}$"}
TIMESTAMP: dict[str, Any] = {"type": "integer", "minimum": 0}
STRING: dict[str, Any] = {"type": "string"}
NON_EMPTY: dict[str, Any] = {"type": "string", "minLength": 1}
STRINGS: dict[str, Any] = {"type": "array", "items": STRING}
INTEGER: dict[str, Any] = {"type": "integer"}
BOOLEAN: dict[str, Any] = {"type": "boolean"}
HTTP_URL: dict[str, Any] = {"type": "string", "pattern": r"^https?://.+$"}
ENTITY_NAME: dict[str, Any] = {
    "type": "string",
    "minLength": 3,
    "pattern": "^[a-zA-Z0-9][a-zA-Z0-9 _-]+$",
}
TAG_NAME: dict[str, Any] = {
    "type": "string",
    "minLength": 3,
    "pattern": "^[a-zA-Z0-9][a-zA-Z0-9 .:;=@_-]+$",
}
BITMASK: dict[str, Any] = {"type": "string", "pattern": "^0x[a-f0-9]+$"}
VERSION_STRING: dict[str, Any] = {"type": "string", "pattern": r"^[0-9]+\.[0-9]+\.[0-9]+$"}


def _enum(*values: str) -> dict[str, Any]:
    return {"type": "string", "enum": list(values)}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """Optional keys may also be ``null`` (the client's ``obj.get(key)`` maps both to None)."""
    return {"anyOf": [schema, {"type": "null"}]}


def _object(required: dict[str, Any], optional: dict[str, Any] | None = None) -> dict[str, Any]:
    optional = optional or {}
    return {
        "type": "object",
        "additionalProperties": False,
        "required": sorted(required),
        "properties": {
            **required,
            **{key: _nullable(schema) for key, schema in optional.items()},
        },
    }


def _list(item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": item}


# --- enums (§4) ---------------------------------------------------------------------------
DATASET_TYPE = _enum("Crops", "Images", "Videos")
IMAGE_TYPE = _enum("full", "thumbnail", "meta")
DATASOURCE_PURPOSE = _enum("INPUT_OUTPUT", "INPUT", "LIGHTLY")
S3_REGION = _enum(
    *[
        "us-east-2",
        "us-east-1",
        "us-west-1",
        "us-west-2",
        "af-south-1",
        "ap-east-1",
        "ap-south-2",
        "ap-southeast-3",
        "ap-southeast-4",
        "ap-south-1",
        "ap-northeast-3",
        "ap-northeast-2",
        "ap-southeast-1",
        "ap-southeast-2",
        "ap-northeast-1",
        "ca-central-1",
        "cn-northwest-1",
        "eu-central-1",
        "eu-west-1",
        "eu-west-2",
        "eu-south-1",
        "eu-west-3",
        "eu-north-1",
        "eu-south-2",
        "eu-central-2",
        "me-south-1",
        "me-central-1",
        "sa-east-1",
        "us-gov-east",
        "us-gov-west",
    ]
)
SHARED_ACCESS_TYPE = _enum("WRITE")
DOCKER_WORKER_TYPE = _enum("FULL")
DOCKER_WORKER_STATE = _enum("OFFLINE", "CRASHED", "IDLE", "BUSY")
SCHEDULED_PRIORITY = _enum("LOW", "MID", "HIGH", "CRITICAL")
SCHEDULED_STATE = _enum("OPEN", "LOCKED", "DONE", "CANCELED")
RUN_STATE = _enum(
    *[
        "STARTED",
        "INITIALIZING",
        "LOADING_DATASET",
        "LOADING_METADATA",
        "LOADING_PREDICTION",
        "CHECKING_CORRUPTNESS",
        "INITIALIZING_OBJECT_CROPS",
        "COMPUTING_METADATA",
        "TRAINING",
        "EMBEDDING",
        "EMBEDDING_OBJECT_CROPS",
        "PRETAGGING",
        "COMPUTING_ACTIVE_LEARNING_SCORES",
        "SAMPLING",
        "EMBEDDING_FULL_IMAGES",
        "SAVING_RESULTS",
        "UPLOADING_DATASET",
        "GENERATING_REPORT",
        "UPLOADING_REPORT",
        "UPLOADED_REPORT",
        "UPLOADING_ARTIFACTS",
        "UPLOADED_ARTIFACTS",
        "COMPLETED",
        "FAILED",
        "CRASHED",
        "ABORTED",
    ]
)
ARTIFACT_TYPE = _enum(
    "LOG",
    "MEMLOG",
    "CHECKPOINT",
    "REPORT_PDF",
    "REPORT_JSON",
    "REPORT_V2_JSON",
    "CORRUPTNESS_CHECK_INFORMATION",
    "SEQUENCE_INFORMATION",
    "RELEVANT_FILENAMES",
)
ARTIFACT_STORAGE_LOCATION = _enum("LIGHTLY", "DATASOURCE")
SAMPLE_TYPE = _enum("CROP", "IMAGE", "VIDEO_FRAME")

# --- response models (§5.1) ----------------------------------------------------------------
CREATE_ENTITY_RESPONSE = _object({"id": OBJECT_ID})

DATASET_DATA = _object(
    {
        "id": OBJECT_ID,
        "name": ENTITY_NAME,
        "userId": STRING,
        "type": DATASET_TYPE,
        "nSamples": INTEGER,
        "sizeInBytes": INTEGER,
        "createdAt": TIMESTAMP,
        "lastModifiedAt": TIMESTAMP,
    },
    {
        "accessType": SHARED_ACCESS_TYPE,
        "imgType": IMAGE_TYPE,
        "metaDataConfigurationId": OBJECT_ID,
        "datasources": STRINGS,
        "datasourceProcessedUntilTimestamp": TIMESTAMP,
        "accessRole": {"type": "string", "pattern": "^0b[01]{6}$"},
        "parentDatasetId": OBJECT_ID,
        "originalDatasetId": OBJECT_ID,
    },
)

_DATASOURCE_OPTIONAL_BASE = {"id": OBJECT_ID, "thumbSuffix": STRING}


def _datasource(type_: str, required: dict[str, Any], optional: dict[str, Any]) -> dict[str, Any]:
    return _object(
        {"purpose": DATASOURCE_PURPOSE, "type": {"const": type_}, "fullPath": STRING, **required},
        {**_DATASOURCE_OPTIONAL_BASE, **optional},
    )


KMS_KEY = {"type": "string", "pattern": "^arn:aws:kms:[a-zA-Z0-9-]*:[0-9]{12}:key.+$"}
DATASOURCE_CONFIGS: dict[str, dict[str, Any]] = {
    "LOCAL": _datasource("LOCAL", {}, {"webServerLocation": HTTP_URL}),
    "OBS": _datasource(
        "OBS",
        {"obsEndpoint": HTTP_URL, "obsAccessKeyId": NON_EMPTY, "obsSecretAccessKey": NON_EMPTY},
        {},
    ),
    "S3": _datasource(
        "S3",
        {"s3Region": S3_REGION, "s3AccessKeyId": NON_EMPTY, "s3SecretAccessKey": NON_EMPTY},
        {"s3ServerSideEncryptionKMSKey": KMS_KEY},
    ),
    "S3DelegatedAccess": _datasource(
        "S3DelegatedAccess",
        {
            "s3Region": S3_REGION,
            "s3ExternalId": {
                "type": "string",
                "minLength": 10,
                "pattern": r"^[a-zA-Z0-9_+=,.@:\/-]+$",
            },
            "s3ARN": {
                "type": "string",
                "minLength": 12,
                "pattern": "^arn:aws:iam::[0-9]{12}:role.+$",
            },
        },
        {"s3ServerSideEncryptionKMSKey": KMS_KEY},
    ),
    "GCS": _datasource("GCS", {"gcsProjectId": NON_EMPTY, "gcsCredentials": STRING}, {}),
    "AZURE": _datasource("AZURE", {"accountName": NON_EMPTY, "accountKey": NON_EMPTY}, {}),
    "LIGHTLY": _datasource("LIGHTLY", {}, {}),
}
# The generated client dispatches on ``type``: exactly one subtype must match.
DATASOURCE_CONFIG: dict[str, Any] = {"oneOf": list(DATASOURCE_CONFIGS.values())}

_VERIFY_KEYS = ("canRead", "canWrite", "canList", "canOverwrite")
DATASOURCE_CONFIG_VERIFY_DATA = _object(
    dict.fromkeys(_VERIFY_KEYS, BOOLEAN),
    {"errors": _object({}, dict.fromkeys(_VERIFY_KEYS, STRING))},
)

DOCKER_WORKER_REGISTRY_ENTRY_DATA = _object(
    {
        "id": OBJECT_ID,
        "userId": STRING,
        "name": ENTITY_NAME,
        "workerType": DOCKER_WORKER_TYPE,
        "state": DOCKER_WORKER_STATE,
        "createdAt": TIMESTAMP,
        "lastModifiedAt": TIMESTAMP,
        "labels": STRINGS,
    },
    {"isDefault": BOOLEAN, "dockerVersion": STRING},
)

DOCKER_RUN_SCHEDULED_DATA = _object(
    {
        "id": OBJECT_ID,
        "datasetId": OBJECT_ID,
        "configId": OBJECT_ID,
        "priority": SCHEDULED_PRIORITY,
        "runsOn": STRINGS,
        "state": SCHEDULED_STATE,
        "createdAt": TIMESTAMP,
        "lastModifiedAt": TIMESTAMP,
    },
    {"userId": STRING, "owner": OBJECT_ID},
)

DOCKER_RUN_ARTIFACT_DATA = _object(
    {"id": OBJECT_ID, "type": ARTIFACT_TYPE, "fileName": STRING},
    {"storageLocation": ARTIFACT_STORAGE_LOCATION, "createdAt": TIMESTAMP},
)

DOCKER_RUN_DATA = _object(
    {
        "id": OBJECT_ID,
        "userId": STRING,
        "dockerVersion": STRING,
        "state": RUN_STATE,
        "createdAt": TIMESTAMP,
        "lastModifiedAt": TIMESTAMP,
    },
    {
        "archived": BOOLEAN,
        "datasetId": OBJECT_ID,
        "configId": OBJECT_ID,
        "scheduledId": OBJECT_ID,
        "message": STRING,
        "artifacts": _list(DOCKER_RUN_ARTIFACT_DATA),
    },
)
# What the workflow needs on top of the model (§6.24): artifacts, datasetId, scheduledId.
DOCKER_RUN_DATA_WORKFLOW = {
    "allOf": [DOCKER_RUN_DATA, {"required": ["artifacts", "datasetId", "scheduledId"]}]
}

TAG_DATA = _object(
    {
        "id": OBJECT_ID,
        "datasetId": OBJECT_ID,
        "name": TAG_NAME,
        "bitMaskData": BITMASK,
        "totSize": INTEGER,
        "createdAt": TIMESTAMP,
    },
    {
        "prevTagId": OBJECT_ID,
        "queryTagId": OBJECT_ID,
        "preselectedTagId": OBJECT_ID,
        "lastModifiedAt": TIMESTAMP,
        # TagChangeEntry[] is complex and Winnow should omit it: any non-null value fails.
        "changes": {"not": {}},
        "runId": OBJECT_ID,
    },
)

TAG_BIT_MASK_RESPONSE = _object({"bitMaskData": BITMASK})

SHARED_ACCESS_CONFIG_DATA = _object(
    {
        "id": OBJECT_ID,
        "owner": STRING,
        "accessType": SHARED_ACCESS_TYPE,
        "users": STRINGS,
        "teams": STRINGS,
        "createdAt": TIMESTAMP,
        "lastModifiedAt": TIMESTAMP,
    }
)

SAMPLE_DATA_MODES = _object(
    {"id": OBJECT_ID},
    {
        "type": SAMPLE_TYPE,
        "datasetId": OBJECT_ID,
        "fileName": STRING,
        "thumbName": STRING,
        "exif": {"type": "object"},
        "index": INTEGER,
        "createdAt": TIMESTAMP,
        "lastModifiedAt": TIMESTAMP,
        "metaData": {"type": "object"},
        "customMetaData": {"type": "object"},
        "videoFrameData": {"type": "object"},
        "cropData": {"type": "object"},
    },
)
# With mode=fileNames the server sends exactly id + fileName (§3.10).
SAMPLE_DATA_MODES_FILENAMES = _object({"id": OBJECT_ID, "fileName": STRING})

ERROR_BODY = {
    "type": "object",
    "required": ["code", "error"],
    "properties": {
        "code": {"type": "string", "pattern": "^[A-Z][A-Z0-9_]*$"},
        "error": STRING,
        "requestId": STRING,
        "errorLabels": STRINGS,
    },
    "additionalProperties": False,
}

ALL_SCHEMAS: dict[str, dict[str, Any]] = {
    "CreateEntityResponse": CREATE_ENTITY_RESPONSE,
    "DatasetData": DATASET_DATA,
    "DatasourceConfig": DATASOURCE_CONFIG,
    "DatasourceConfigVerifyData": DATASOURCE_CONFIG_VERIFY_DATA,
    "DockerWorkerRegistryEntryData": DOCKER_WORKER_REGISTRY_ENTRY_DATA,
    "DockerRunScheduledData": DOCKER_RUN_SCHEDULED_DATA,
    "DockerRunData": DOCKER_RUN_DATA,
    "DockerRunArtifactData": DOCKER_RUN_ARTIFACT_DATA,
    "TagData": TAG_DATA,
    "TagBitMaskResponse": TAG_BIT_MASK_RESPONSE,
    "SharedAccessConfigData": SHARED_ACCESS_CONFIG_DATA,
    "SampleDataModes": SAMPLE_DATA_MODES,
    "ApiErrorResponse": ERROR_BODY,
}


def list_of(schema: dict[str, Any]) -> dict[str, Any]:
    """A JSON array of ``schema`` items."""
    return _list(schema)


def validate(body: Any, schema: dict[str, Any]) -> None:
    """Raise ``jsonschema.ValidationError`` (with the path of the offending key) on a mismatch.

    jsonschema's ``integer`` already rejects ``true``/``false``; integral floats such as ``5.0``
    (which it would accept) are rejected by the extra check, like pydantic's ``StrictInt``.
    """
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    if errors:
        raise errors[0]
    _reject_float_integers(body)


def _reject_float_integers(body: Any, path: str = "$") -> None:
    """JSON Schema treats ``5.0`` as an integer; pydantic's ``StrictInt`` does not."""
    if isinstance(body, float) and body.is_integer():
        # Only flag floats: the schemas have no ``number`` fields, so any float is wrong.
        raise jsonschema.ValidationError(f"{path}: {body!r} is a float, the wire needs an int")
    if isinstance(body, dict):
        for key, value in body.items():
            _reject_float_integers(value, f"{path}.{key}")
    elif isinstance(body, list):
        for i, value in enumerate(body):
            _reject_float_integers(value, f"{path}[{i}]")
