""" Contains all the data models used in inputs/outputs """

from .active_learning_score_create_request import ActiveLearningScoreCreateRequest
from .artifact_storage_location import ArtifactStorageLocation
from .artifact_type import ArtifactType
from .async_task_data import AsyncTaskData
from .compute_worker_state import ComputeWorkerState
from .config import Config
from .configuration_entry import ConfigurationEntry
from .configuration_entry_valuedatatype import ConfigurationEntryValuedatatype
from .configuration_set_request import ConfigurationSetRequest
from .context import Context
from .create_entity_response import CreateEntityResponse
from .create_worker_request import CreateWorkerRequest
from .creator import Creator
from .crop_data import CropData
from .dataset_create_request import DatasetCreateRequest
from .dataset_data import DatasetData
from .dataset_embedding_data import DatasetEmbeddingData
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
from .datasource_processed_until_timestamp_request import DatasourceProcessedUntilTimestampRequest
from .datasource_processed_until_timestamp_response import DatasourceProcessedUntilTimestampResponse
from .datasource_purpose import DatasourcePurpose
from .datasource_raw_samples_data import DatasourceRawSamplesData
from .datasource_raw_samples_data_row import DatasourceRawSamplesDataRow
from .datasource_raw_samples_metadata_data import DatasourceRawSamplesMetadataData
from .datasource_raw_samples_metadata_data_row import DatasourceRawSamplesMetadataDataRow
from .datasource_raw_samples_predictions_data import DatasourceRawSamplesPredictionsData
from .datasource_raw_samples_predictions_data_row import DatasourceRawSamplesPredictionsDataRow
from .datasource_verify_errors import DatasourceVerifyErrors
from .dimensionality_reduction_method import DimensionalityReductionMethod
from .divide_and_conquer_cursor_data import DivideAndConquerCursorData
from .export_label_box_data_rows_format_type_0 import ExportLabelBoxDataRowsFormatType0
from .export_label_box_v4_data_rows_format_type_0 import ExportLabelBoxV4DataRowsFormatType0
from .export_label_studio_tasks_format_type_0 import ExportLabelStudioTasksFormatType0
from .file_name_format import FileNameFormat
from .get_mappings_field import GetMappingsField
from .get_sample_read_url_type import GetSampleReadUrlType
from .get_samples_partial_mode import GetSamplesPartialMode
from .http_validation_error import HTTPValidationError
from .image_type import ImageType
from .job_result_type import JobResultType
from .job_state import JobState
from .job_status_data import JobStatusData
from .job_status_data_result import JobStatusDataResult
from .label_box_data_row import LabelBoxDataRow
from .label_box_v4_data_row import LabelBoxV4DataRow
from .label_studio_task import LabelStudioTask
from .label_studio_task_data import LabelStudioTaskData
from .prediction_singleton_classification import PredictionSingletonClassification
from .prediction_singleton_instance_segmentation import PredictionSingletonInstanceSegmentation
from .prediction_singleton_keypoint_detection import PredictionSingletonKeypointDetection
from .prediction_singleton_object_detection import PredictionSingletonObjectDetection
from .prediction_singleton_semantic_segmentation import PredictionSingletonSemanticSegmentation
from .prediction_task_category import PredictionTaskCategory
from .prediction_task_category_keypoints import PredictionTaskCategoryKeypoints
from .prediction_task_schema_keypoint import PredictionTaskSchemaKeypoint
from .prediction_task_schema_simple import PredictionTaskSchemaSimple
from .prediction_task_schema_simple_type import PredictionTaskSchemaSimpleType
from .response_health import ResponseHealth
from .run_artifact_data import RunArtifactData
from .run_attempt_data import RunAttemptData
from .run_data import RunData
from .run_state import RunState
from .sample_data_modes import SampleDataModes
from .sample_data_modes_custom_meta_data_type_0 import SampleDataModesCustomMetaDataType0
from .sample_score import SampleScore
from .sample_type import SampleType
from .sample_update_request import SampleUpdateRequest
from .sample_update_request_custom_meta_data_type_0 import SampleUpdateRequestCustomMetaDataType0
from .sample_update_request_exif_type_0 import SampleUpdateRequestExifType0
from .sample_update_request_meta_data_type_0 import SampleUpdateRequestMetaDataType0
from .sampling_config import SamplingConfig
from .sampling_config_stopping_condition import SamplingConfigStoppingCondition
from .sampling_create_request import SamplingCreateRequest
from .sampling_method import SamplingMethod
from .sampling_scores_data import SamplingScoresData
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
from .trigger_2d_embedding_job_request import Trigger2DEmbeddingJobRequest
from .validation_error import ValidationError
from .video_frame_data import VideoFrameData
from .worker_config_create_request import WorkerConfigCreateRequest
from .worker_data import WorkerData
from .worker_status_data import WorkerStatusData
from .write_csv_url_data import WriteCSVUrlData

__all__ = (
    "ActiveLearningScoreCreateRequest",
    "ArtifactStorageLocation",
    "ArtifactType",
    "AsyncTaskData",
    "ComputeWorkerState",
    "Config",
    "ConfigurationEntry",
    "ConfigurationEntryValuedatatype",
    "ConfigurationSetRequest",
    "Context",
    "CreateEntityResponse",
    "CreateWorkerRequest",
    "Creator",
    "CropData",
    "DatasetCreateRequest",
    "DatasetData",
    "DatasetEmbeddingData",
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
    "DatasourceProcessedUntilTimestampRequest",
    "DatasourceProcessedUntilTimestampResponse",
    "DatasourcePurpose",
    "DatasourceRawSamplesData",
    "DatasourceRawSamplesDataRow",
    "DatasourceRawSamplesMetadataData",
    "DatasourceRawSamplesMetadataDataRow",
    "DatasourceRawSamplesPredictionsData",
    "DatasourceRawSamplesPredictionsDataRow",
    "DatasourceVerifyErrors",
    "DimensionalityReductionMethod",
    "DivideAndConquerCursorData",
    "ExportLabelBoxDataRowsFormatType0",
    "ExportLabelBoxV4DataRowsFormatType0",
    "ExportLabelStudioTasksFormatType0",
    "FileNameFormat",
    "GetMappingsField",
    "GetSampleReadUrlType",
    "GetSamplesPartialMode",
    "HTTPValidationError",
    "ImageType",
    "JobResultType",
    "JobState",
    "JobStatusData",
    "JobStatusDataResult",
    "LabelBoxDataRow",
    "LabelBoxV4DataRow",
    "LabelStudioTask",
    "LabelStudioTaskData",
    "PredictionSingletonClassification",
    "PredictionSingletonInstanceSegmentation",
    "PredictionSingletonKeypointDetection",
    "PredictionSingletonObjectDetection",
    "PredictionSingletonSemanticSegmentation",
    "PredictionTaskCategory",
    "PredictionTaskCategoryKeypoints",
    "PredictionTaskSchemaKeypoint",
    "PredictionTaskSchemaSimple",
    "PredictionTaskSchemaSimpleType",
    "ResponseHealth",
    "RunArtifactData",
    "RunAttemptData",
    "RunData",
    "RunState",
    "SampleDataModes",
    "SampleDataModesCustomMetaDataType0",
    "SampleScore",
    "SampleType",
    "SampleUpdateRequest",
    "SampleUpdateRequestCustomMetaDataType0",
    "SampleUpdateRequestExifType0",
    "SampleUpdateRequestMetaDataType0",
    "SamplingConfig",
    "SamplingConfigStoppingCondition",
    "SamplingCreateRequest",
    "SamplingMethod",
    "SamplingScoresData",
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
    "Trigger2DEmbeddingJobRequest",
    "ValidationError",
    "VideoFrameData",
    "WorkerConfigCreateRequest",
    "WorkerData",
    "WorkerStatusData",
    "WriteCSVUrlData",
)
