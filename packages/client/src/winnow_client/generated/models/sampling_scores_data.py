from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.sampling_method import SamplingMethod
from typing import cast

if TYPE_CHECKING:
  from ..models.sample_score import SampleScore





T = TypeVar("T", bound="SamplingScoresData")



@_attrs_define
class SamplingScoresData:
    """ The importance score of every ranked sample of a finished sampling job, best first.

    Keeping the first ``k`` entries is what the engine selects for ``k`` (the job's tag holds
    the first ``selectedCount``, plus the preselected samples). ``score`` is the sampler's own
    quantity normalised to [0, 1] (CORESET: distance to the samples ranked before it; RANDOM:
    the random draw; ACTIVE_LEARNING: the uploaded score; CORAL: their product).

        Attributes:
            job_id (str):
            method (SamplingMethod): lightly's ``SamplingMethod``.
            preselected_count (int):
            samples (list[SampleScore]):
            selected_count (int):
            tag_id (str):
     """

    job_id: str
    method: SamplingMethod
    preselected_count: int
    samples: list[SampleScore]
    selected_count: int
    tag_id: str





    def to_dict(self) -> dict[str, Any]:
        from ..models.sample_score import SampleScore # noqa: PLC0415
        job_id = self.job_id

        method = self.method.value

        preselected_count = self.preselected_count

        samples = []
        for samples_item_data in self.samples:
            samples_item = samples_item_data.to_dict()
            samples.append(samples_item)



        selected_count = self.selected_count

        tag_id = self.tag_id


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "jobId": job_id,
            "method": method,
            "preselectedCount": preselected_count,
            "samples": samples,
            "selectedCount": selected_count,
            "tagId": tag_id,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.sample_score import SampleScore # noqa: PLC0415
        d = dict(src_dict)
        job_id = d.pop("jobId")

        method = SamplingMethod(d.pop("method"))




        preselected_count = d.pop("preselectedCount")

        samples = []
        _samples = d.pop("samples")
        for samples_item_data in (_samples):
            samples_item = SampleScore.from_dict(samples_item_data)



            samples.append(samples_item)


        selected_count = d.pop("selectedCount")

        tag_id = d.pop("tagId")

        sampling_scores_data = cls(
            job_id=job_id,
            method=method,
            preselected_count=preselected_count,
            samples=samples,
            selected_count=selected_count,
            tag_id=tag_id,
        )

        return sampling_scores_data

