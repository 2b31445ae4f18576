"""``ArtifactsMixin``: download a run's artifacts (lightly's ``_ArtifactsMixin``)."""

from __future__ import annotations

from pathlib import Path

from winnow_client.generated.api.runs import get_artifact_read_url
from winnow_client.generated.models import RunArtifactData, RunData
from winnow_client.workflow._base import WorkflowBase
from winnow_client.workflow._responses import download, ok, wire_value
from winnow_client.workflow.errors import ArtifactNotExist


class ArtifactsMixin(WorkflowBase):
    """A run's artifacts (log, report, checkpoint, ...) through their signed read URLs."""

    @staticmethod
    def _artifact(run: RunData, artifact_type: str) -> RunArtifactData:
        for artifact in run.artifacts or []:
            if wire_value(artifact.type_) == artifact_type:
                return artifact
        raise ArtifactNotExist(f"Run {run.id} has no artifact of type {artifact_type}.")

    def _artifact_url(self, run: RunData, artifact: RunArtifactData) -> str:
        response = get_artifact_read_url.sync_detailed(run.id, artifact.id, client=self.api)
        return ok(response, str)

    def _download_artifact(
        self, run: RunData, artifact_type: str, output_path: str | Path, timeout: float
    ) -> None:
        artifact = self._artifact(run, artifact_type)
        download(self._artifact_url(run, artifact), output_path, timeout)

    def download_compute_worker_run_artifacts(
        self, run: RunData, output_dir: str | Path, timeout: float = 60
    ) -> None:
        """Every artifact of the run, to ``output_dir/<artifact file name>``."""
        for artifact in run.artifacts or []:
            url = self._artifact_url(run, artifact)
            download(url, Path(output_dir) / artifact.file_name, timeout)

    def download_compute_worker_run_checkpoint(
        self, run: RunData, output_path: str | Path, timeout: float = 60
    ) -> None:
        """The run's ``CHECKPOINT`` artifact (the trained model) to ``output_path``."""
        self._download_artifact(run, "CHECKPOINT", output_path, timeout)

    def get_compute_worker_run_checkpoint_url(self, run: RunData) -> str:
        """A signed URL (no token needed) of the run's ``CHECKPOINT`` artifact."""
        return self._artifact_url(run, self._artifact(run, "CHECKPOINT"))

    def download_compute_worker_run_report_pdf(
        self, run: RunData, output_path: str | Path, timeout: float = 60
    ) -> None:
        """The run's ``REPORT_PDF`` artifact to ``output_path``."""
        self._download_artifact(run, "REPORT_PDF", output_path, timeout)

    def download_compute_worker_run_report_json(
        self, run: RunData, output_path: str | Path, timeout: float = 60
    ) -> None:
        """The run's ``REPORT_JSON`` artifact (simple counts) to ``output_path``."""
        self._download_artifact(run, "REPORT_JSON", output_path, timeout)

    def download_compute_worker_run_report_v2_json(
        self, run: RunData, output_path: str | Path, timeout: float = 60
    ) -> None:
        """The run's ``REPORT_V2_JSON`` artifact (the full report) to ``output_path``."""
        self._download_artifact(run, "REPORT_V2_JSON", output_path, timeout)

    def download_compute_worker_run_log(
        self, run: RunData, output_path: str | Path, timeout: float = 60
    ) -> None:
        """The run's ``LOG`` artifact (its ``log.txt``) to ``output_path``."""
        self._download_artifact(run, "LOG", output_path, timeout)

    def download_compute_worker_run_memory_log(
        self, run: RunData, output_path: str | Path, timeout: float = 60
    ) -> None:
        """The run's ``MEMLOG`` artifact to ``output_path``."""
        self._download_artifact(run, "MEMLOG", output_path, timeout)

    def download_compute_worker_run_corruptness_check_information(
        self, run: RunData, output_path: str | Path, timeout: float = 60
    ) -> None:
        """The run's ``CORRUPTNESS_CHECK_INFORMATION`` artifact to ``output_path``."""
        self._download_artifact(run, "CORRUPTNESS_CHECK_INFORMATION", output_path, timeout)

    def download_compute_worker_run_sequence_information(
        self, run: RunData, output_path: str | Path, timeout: float = 60
    ) -> None:
        """The run's ``SEQUENCE_INFORMATION`` artifact to ``output_path``."""
        self._download_artifact(run, "SEQUENCE_INFORMATION", output_path, timeout)
