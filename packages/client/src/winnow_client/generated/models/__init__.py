""" Contains all the data models used in inputs/outputs """

from .artifact_storage_location import ArtifactStorageLocation
from .artifact_type import ArtifactType
from .compute_worker_state import ComputeWorkerState
from .config import Config
from .context import Context
from .create_entity_response import CreateEntityResponse
from .create_worker_request import CreateWorkerRequest
from .creator import Creator
from .dataset_create_request import DatasetCreateRequest
from .dataset_data import DatasetData
from .dataset_type import DatasetType
from .datasource_config_azure import DatasourceConfigAzure
from .datasource_config_gcs import DatasourceConfigGCS
from .datasource_config_lightly import DatasourceConfigLightly
from .datasource_config_local import DatasourceConfigLocal
from .datasource_config_obs import DatasourceConfigOBS
from .datasource_config_s3 import DatasourceConfigS3
from .datasource_config_s3_delegated_access import DatasourceConfigS3DelegatedAccess
from .datasource_config_s3_delegated_access_s3_region import DatasourceConfigS3DelegatedAccessS3Region
from .datasource_config_s3s3_region import DatasourceConfigS3S3Region
from .datasource_config_verify_data import DatasourceConfigVerifyData
from .datasource_purpose import DatasourcePurpose
from .datasource_verify_errors import DatasourceVerifyErrors
from .file_name_format import FileNameFormat
from .get_mappings_field import GetMappingsField
from .get_sample_read_url_type import GetSampleReadUrlType
from .get_samples_partial_mode import GetSamplesPartialMode
from .http_validation_error import HTTPValidationError
from .image_type import ImageType
from .response_health import ResponseHealth
from .run_artifact_data import RunArtifactData
from .run_attempt_data import RunAttemptData
from .run_data import RunData
from .run_state import RunState
from .sample_data_modes import SampleDataModes
from .sample_data_modes_custom_meta_data_type_0 import SampleDataModesCustomMetaDataType0
from .sample_update_request import SampleUpdateRequest
from .sample_update_request_custom_meta_data_type_0 import SampleUpdateRequestCustomMetaDataType0
from .sample_update_request_exif_type_0 import SampleUpdateRequestExifType0
from .sample_update_request_meta_data_type_0 import SampleUpdateRequestMetaDataType0
from .scheduled_run_create_request import ScheduledRunCreateRequest
from .scheduled_run_data import ScheduledRunData
from .scheduled_run_priority import ScheduledRunPriority
from .scheduled_run_state import ScheduledRunState
from .shared_access_config_create_request import SharedAccessConfigCreateRequest
from .shared_access_config_data import SharedAccessConfigData
from .tag_arithmetics_request import TagArithmeticsRequest
from .tag_arithmetics_request_operation import TagArithmeticsRequestOperation
from .tag_bit_mask_response import TagBitMaskResponse
from .tag_create_request import TagCreateRequest
from .tag_create_request_changes_type_0_item import TagCreateRequestChangesType0Item
from .tag_creator import TagCreator
from .tag_data import TagData
from .validation_error import ValidationError
from .worker_config_create_request import WorkerConfigCreateRequest
from .worker_data import WorkerData
from .worker_status_data import WorkerStatusData

__all__ = (
    "ArtifactStorageLocation",
    "ArtifactType",
    "ComputeWorkerState",
    "Config",
    "Context",
    "CreateEntityResponse",
    "CreateWorkerRequest",
    "Creator",
    "DatasetCreateRequest",
    "DatasetData",
    "DatasetType",
    "DatasourceConfigAzure",
    "DatasourceConfigGCS",
    "DatasourceConfigLightly",
    "DatasourceConfigLocal",
    "DatasourceConfigOBS",
    "DatasourceConfigS3",
    "DatasourceConfigS3DelegatedAccess",
    "DatasourceConfigS3DelegatedAccessS3Region",
    "DatasourceConfigS3S3Region",
    "DatasourceConfigVerifyData",
    "DatasourcePurpose",
    "DatasourceVerifyErrors",
    "FileNameFormat",
    "GetMappingsField",
    "GetSampleReadUrlType",
    "GetSamplesPartialMode",
    "HTTPValidationError",
    "ImageType",
    "ResponseHealth",
    "RunArtifactData",
    "RunAttemptData",
    "RunData",
    "RunState",
    "SampleDataModes",
    "SampleDataModesCustomMetaDataType0",
    "SampleUpdateRequest",
    "SampleUpdateRequestCustomMetaDataType0",
    "SampleUpdateRequestExifType0",
    "SampleUpdateRequestMetaDataType0",
    "ScheduledRunCreateRequest",
    "ScheduledRunData",
    "ScheduledRunPriority",
    "ScheduledRunState",
    "SharedAccessConfigCreateRequest",
    "SharedAccessConfigData",
    "TagArithmeticsRequest",
    "TagArithmeticsRequestOperation",
    "TagBitMaskResponse",
    "TagCreateRequest",
    "TagCreateRequestChangesType0Item",
    "TagCreator",
    "TagData",
    "ValidationError",
    "WorkerConfigCreateRequest",
    "WorkerData",
    "WorkerStatusData",
)
