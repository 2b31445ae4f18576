"""`make demo`: a real curation run through the Winnow API on real sample photos.

Uploads scikit-image's bundled photos (plus faces from its LFW subset, two exact duplicates
and two corrupt files) to the INPUT bucket of the local stack, creates a dataset with INPUT
and LIGHTLY datasources, schedules a DIVERSITY selection, follows the run, downloads the
report and the selected filenames, and prints where they are.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

import boto3
import numpy as np
import skimage.data
from PIL import Image
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from winnow_client import WinnowApiError, WinnowWorkflowClient

PHOTO_SUFFIXES = (".png", ".jpg")
N_FACES = 60
N_SAMPLES = 12
INPUT_PREFIX = "demo-images"
STAGES = [
    "OPEN",
    "STARTED",
    "INITIALIZING",
    "LOADING_DATASET",
    "CHECKING_CORRUPTNESS",
    "EMBEDDING",
    "SAMPLING",
    "SAVING_RESULTS",
    "GENERATING_REPORT",
    "COMPLETED",
]

console = Console()


def read_env(path: Path) -> dict[str, str]:
    if not path.exists():
        sys.exit(f"demo: {path} not found; run `make up` first")
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {k.strip(): v.strip() for k, v in pairs}


def _png(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(array).save(buf, format="PNG")
    return buf.getvalue()


def sample_images() -> dict[str, bytes]:
    """Real photos shipped with scikit-image, and the two kinds of bad file a bucket has."""
    data_dir = Path(skimage.data.__file__).parent
    files = {
        f"photos/{p.name}": p.read_bytes()
        for p in sorted(data_dir.iterdir())
        if p.suffix in PHOTO_SUFFIXES
    }
    faces = np.load(data_dir / "lfw_subset.npy")[:N_FACES]
    for i, face in enumerate(faces):
        img = Image.fromarray((face * 255).astype(np.uint8)).resize((64, 64))
        files[f"faces/face_{i:03d}.png"] = _png(np.asarray(img))
    # Exact copies (their names sort after the originals, which are kept) and two corrupt files.
    files["photos/astronaut_copy.png"] = files["photos/astronaut.png"]
    files["faces/face_000_copy.png"] = files["faces/face_000.png"]
    files["broken/truncated_rocket.jpg"] = files["photos/rocket.jpg"][:4000]
    files["broken/png_named_jpg.jpg"] = files["photos/coffee.png"]
    return files


def upload(env: dict[str, str], files: dict[str, bytes]) -> None:
    s3 = boto3.client(
        "s3",
        endpoint_url=env["S3_ENDPOINT_URL"],
        aws_access_key_id=env["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=env["S3_SECRET_ACCESS_KEY"],
        region_name=env.get("S3_REGION", "us-east-1"),
    )
    bucket = env["S3_INPUT_BUCKET"]
    wanted = {f"{INPUT_PREFIX}/{name}" for name in files}
    # Sync, not add: files left over from an older demo would change the input set.
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=INPUT_PREFIX):
        for obj in page.get("Contents", []):
            if obj["Key"] not in wanted:
                s3.delete_object(Bucket=bucket, Key=obj["Key"])
    for name, data in files.items():
        s3.put_object(Bucket=bucket, Key=f"{INPUT_PREFIX}/{name}", Body=data)


def follow(client: WinnowWorkflowClient, scheduled_id: str) -> str:
    """Show the run's stage and message until it ends; returns the final state."""
    columns = (
        TextColumn("[bold]{task.fields[state]:<20}"),
        BarColumn(),
        TextColumn("{task.fields[message]}"),
        TimeElapsedColumn(),
    )
    state = "OPEN"
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("run", total=len(STAGES) - 1, state="OPEN", message="")
        for info in client.compute_worker_run_info_generator(scheduled_id, poll_interval_s=1):
            state = info.state
            step = STAGES.index(state) if state in STAGES else progress.tasks[0].completed
            progress.update(task, completed=step, state=state, message=info.message[:70])
            console.log(f"{state}: {info.message}")
    return state


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stack-env", type=Path, default=Path(".winnow/stack.env"))
    parser.add_argument("--out", type=Path, default=Path("out/demo"))
    parser.add_argument("--n-samples", type=int, default=N_SAMPLES)
    args = parser.parse_args()
    env = read_env(args.stack_env)

    files = sample_images()
    console.print(f"Uploading {len(files)} sample images to s3://{env['S3_INPUT_BUCKET']}/...")
    upload(env, files)

    # lightly's ApiWorkflowClient method names, on the client generated from the API's schema.
    client = WinnowWorkflowClient(env["WINNOW_TOKEN"], server_location=env["WINNOW_API_URL"])
    name = f"demo-{time.strftime('%Y%m%d-%H%M%S')}"
    client.create_dataset(name)
    dataset_id = client.dataset_id
    lightly_prefix = f"obs://{env['S3_LIGHTLY_BUCKET']}/{name}"
    for purpose, path in (
        ("INPUT", f"obs://{env['S3_INPUT_BUCKET']}/{INPUT_PREFIX}"),
        ("LIGHTLY", lightly_prefix),
    ):
        client.set_obs_config(
            path,
            env["S3_ENDPOINT_URL"],
            env["S3_ACCESS_KEY_ID"],
            env["S3_SECRET_ACCESS_KEY"],
            purpose=purpose,
        )
    scheduled_id = client.schedule_compute_worker_run(
        worker_config={"enable_corruptness_check": True, "remove_exact_duplicates": True},
        selection_config={
            "n_samples": args.n_samples,
            "strategies": [{"input": {"type": "EMBEDDINGS"}, "strategy": {"type": "DIVERSITY"}}],
        },
    )
    console.print(f"Dataset {name} ({dataset_id}); scheduled run {scheduled_id}")
    state = follow(client, scheduled_id)
    run = client.get_compute_worker_run_from_scheduled_run(scheduled_id)
    if state != "COMPLETED":
        console.print(f"[red]Run ended in {state}: {run.message}")
        return 1

    out = args.out / name
    pdf, report = out / "report.pdf", out / "report.json"
    client.download_compute_worker_run_report_pdf(run, pdf)
    client.download_compute_worker_run_report_json(run, report)
    selected = client.export_filenames_by_tag_name("initial-tag")
    selected_path = out / "selected_filenames.txt"
    selected_path.write_text(selected + "\n")
    console.print(f"\n[green]Run {run.id} completed: {run.message}")
    console.print(f"report.pdf:          {pdf.resolve()}")
    console.print(f"report.json:         {report.resolve()}")
    console.print(f"selected filenames:  {selected_path.resolve()}")
    console.print(f"outputs in bucket:   {lightly_prefix}/.lightly/runs/{run.id}/")
    console.print(
        f"dashboard:           {env['WINNOW_API_URL'].rstrip('/')}/dashboard/#/runs/{run.id}"
        f" (log in with WINNOW_TOKEN from {args.stack_env})"
    )
    console.print("\nSelected:\n  " + "\n  ".join(selected.splitlines()))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except WinnowApiError as exc:
        sys.exit(f"demo: the API refused a request: {exc}")
