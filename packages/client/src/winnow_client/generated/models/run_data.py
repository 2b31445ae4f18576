from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.run_state import RunState
from typing import cast

if TYPE_CHECKING:
  from ..models.run_artifact_data import RunArtifactData





T = TypeVar("T", bound="RunData")



@_attrs_define
class RunData:
    """ Lightly's ``DockerRunData``.

        Attributes:
            artifacts (list[RunArtifactData]):
            config_id (str):
            created_at (int):
            dataset_id (str):
            docker_version (str):
            id (str):
            last_modified_at (int):
            message (str):
            scheduled_id (str):
            state (RunState): Lightly's ``DockerRunState``: the stages a run moves through, in pipeline order.
            user_id (str):
     """

    artifacts: list[RunArtifactData]
    config_id: str
    created_at: int
    dataset_id: str
    docker_version: str
    id: str
    last_modified_at: int
    message: str
    scheduled_id: str
    state: RunState
    user_id: str





    def to_dict(self) -> dict[str, Any]:
        from ..models.run_artifact_data import RunArtifactData # noqa: PLC0415
        artifacts = []
        for artifacts_item_data in self.artifacts:
            artifacts_item = artifacts_item_data.to_dict()
            artifacts.append(artifacts_item)



        config_id = self.config_id

        created_at = self.created_at

        dataset_id = self.dataset_id

        docker_version = self.docker_version

        id = self.id

        last_modified_at = self.last_modified_at

        message = self.message

        scheduled_id = self.scheduled_id

        state = self.state.value

        user_id = self.user_id


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "artifacts": artifacts,
            "configId": config_id,
            "createdAt": created_at,
            "datasetId": dataset_id,
            "dockerVersion": docker_version,
            "id": id,
            "lastModifiedAt": last_modified_at,
            "message": message,
            "scheduledId": scheduled_id,
            "state": state,
            "userId": user_id,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.run_artifact_data import RunArtifactData # noqa: PLC0415
        d = dict(src_dict)
        artifacts = []
        _artifacts = d.pop("artifacts")
        for artifacts_item_data in (_artifacts):
            artifacts_item = RunArtifactData.from_dict(artifacts_item_data)



            artifacts.append(artifacts_item)


        config_id = d.pop("configId")

        created_at = d.pop("createdAt")

        dataset_id = d.pop("datasetId")

        docker_version = d.pop("dockerVersion")

        id = d.pop("id")

        last_modified_at = d.pop("lastModifiedAt")

        message = d.pop("message")

        scheduled_id = d.pop("scheduledId")

        state = RunState(d.pop("state"))




        user_id = d.pop("userId")

        run_data = cls(
            artifacts=artifacts,
            config_id=config_id,
            created_at=created_at,
            dataset_id=dataset_id,
            docker_version=docker_version,
            id=id,
            last_modified_at=last_modified_at,
            message=message,
            scheduled_id=scheduled_id,
            state=state,
            user_id=user_id,
        )

        return run_data

