"""Frame and crop samples read with the real, unmodified ``lightly==1.5.26`` client.

Run with the interpreter of the throwaway venv that holds the lightly client:

    LIGHTLY_SERVER_LOCATION=... LIGHTLY_TOKEN=... python lightly_samples_script.py '{...}'

The argument is a JSON object: ``dataset_name`` (read its samples and its ``initial-tag``),
optionally ``crops_dataset_name`` (the same for the crops dataset a run created), and optionally
``sequence_run_id`` with ``output_dir`` (download that run's sequence information).
Prints one JSON object on the last stdout line.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from lightly.api import ApiWorkflowClient
from lightly.openapi_generated.swagger_client.models import SamplePartialMode


def _samples(client: ApiWorkflowClient, name: str) -> dict[str, Any]:
    """Every sample of dataset ``name`` (lightly's own models validate each one)."""
    client.set_dataset_id_by_name(name)
    samples = client._samples_api.get_samples_partial_by_dataset_id(
        dataset_id=client.dataset_id, mode=SamplePartialMode.FULL, page_size=5000, page_offset=0
    )
    tag = client.get_tag_by_name("initial-tag")
    dataset = client.get_dataset_by_id(client.dataset_id)
    return {
        "dataset_id": client.dataset_id,
        "dataset_type": getattr(dataset.type, "value", dataset.type),
        "tag_filenames": sorted(client.get_filenames_in_tag(tag)),
        "samples": [
            {
                "id": s.id,
                "file_name": s.file_name,
                "type": getattr(s.type, "value", s.type),
                "video_frame_data": s.video_frame_data.to_dict() if s.video_frame_data else None,
                "crop_data": s.crop_data.to_dict() if s.crop_data else None,
            }
            for s in samples
        ],
    }


def main(args: dict[str, Any]) -> dict[str, Any]:
    client = ApiWorkflowClient()
    out: dict[str, Any] = {"dataset": _samples(client, args["dataset_name"])}
    if args.get("crops_dataset_name"):
        out["crops"] = _samples(client, args["crops_dataset_name"])
    if args.get("sequence_run_id"):
        run = client.get_compute_worker_run(args["sequence_run_id"])
        path = Path(args["output_dir"]) / "sequence_information.json"
        client.download_compute_worker_run_sequence_information(run=run, output_path=str(path))
        out["sequence_information"] = json.loads(path.read_text())
    return out


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1])), default=str))
