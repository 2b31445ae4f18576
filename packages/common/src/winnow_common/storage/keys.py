"""Deterministic keys of everything a run writes, relative to the LIGHTLY datasource root.

The layout mirrors the Lightly Worker's output folder (config/, data/, filenames/, plots/,
report.pdf, report.json, log.txt, memlog.txt, the checkpoint). A server run writes it under
``.lightly/runs/<run id>/``; the standalone CLI writes it at the top of its output directory.
Inputs the user provides live under ``.lightly/`` as in Lightly (relevant filenames, custom
embeddings, metadata, predictions) and the datapool state under ``.lightly/datapool/``.
"""

from __future__ import annotations

from dataclasses import dataclass

FILENAME_LIST_KINDS = ("corrupt", "duplicate", "removed", "selected")
CHECKPOINT_FILE_NAME = "lightly_epoch_{epoch}.ckpt"
DATAPOOL_KEY = ".lightly/datapool/datapool_latest.csv"
DATAPOOL_PROCESSED_KEY = ".lightly/datapool/processed_filenames.txt"
USER_EMBEDDINGS_PREFIX = ".lightly/embeddings/"
#: Selected video frames, extracted by the run that selected them: ``<prefix><frame name>``.
#: A ``VIDEO_FRAME`` sample's image lives here (the INPUT datasource holds only the video).
FRAMES_PREFIX = ".lightly/frames/"
#: Selected object crops: ``<prefix><crop sample file name>``; a ``CROP`` sample's image.
CROPS_PREFIX = ".lightly/crops/"


def frame_image_key(frame_name: str) -> str:
    """The LIGHTLY datasource key of an extracted frame (a ``VIDEO_FRAME`` sample's image)."""
    return f"{FRAMES_PREFIX}{frame_name}"


def crop_image_key(crop_name: str) -> str:
    """The LIGHTLY datasource key of a crop image (a ``CROP`` sample's image)."""
    return f"{CROPS_PREFIX}{crop_name}"


@dataclass(frozen=True)
class RunKeys:
    """Keys of one run's output folder; ``root`` is ``""`` for a standalone output directory."""

    root: str

    @classmethod
    def for_run(cls, run_id: str) -> RunKeys:
        """The folder of a server run in the LIGHTLY datasource."""
        return cls(f".lightly/runs/{run_id}")

    def _key(self, rel: str) -> str:
        return f"{self.root}/{rel}" if self.root else rel

    @property
    def config(self) -> str:
        return self._key("config/config.json")

    @property
    def embeddings_csv(self) -> str:
        return self._key("data/embeddings.csv")

    @property
    def selected_embeddings_csv(self) -> str:
        return self._key("data/selected_embeddings.csv")

    @property
    def selected_embeddings_with_datapool_csv(self) -> str:
        return self._key("data/selected_embeddings_including_datapool.csv")

    @property
    def corruptness_info(self) -> str:
        return self._key("data/corruptness_check_information.json")

    @property
    def exact_duplicates(self) -> str:
        """``{duplicate: kept}`` of the exact-duplicate check."""
        return self._key("data/exact_duplicates.json")

    @property
    def metadata(self) -> str:
        """Per-sample ``lightly.*`` metadata the worker computed (JSON lines)."""
        return self._key("data/metadata.jsonl")

    @property
    def predictions(self) -> str:
        """Per-sample digest of every prediction task (categories, scores) for the reporter."""
        return self._key("data/predictions.json")

    @property
    def sequence_information(self) -> str:
        """Lightly's ``sequence_information.json`` (runs with ``selectedSequenceLength`` > 1)."""
        return self._key("data/sequence_information.json")

    @property
    def videos(self) -> str:
        """Every input video: frames, fps, corrupt reason, selected frames (for the reporter).

        ``{"videos": [{"video": key, "n_frames": int, "fps": float, "duration_sec": float,
        "corrupt": reason | null, "selected_frame_indices": [int],
        "selected_frame_timestamps_sec": [float]}]}`` sorted by ``video``; absent for runs
        without videos.
        """
        return self._key("data/videos.json")

    @property
    def report_v2_json(self) -> str:
        return self._key("report_v2.json")

    @property
    def selection_info(self) -> str:
        """How the selection went: strategies, stop reason, preselected datapool samples."""
        return self._key("data/selection.json")

    def dumped_file(self, filename: str) -> str:
        """Where ``dump_dataset`` copies a selected file."""
        return self._key(f"data/sampled/{filename}")

    def filenames(self, kind: str) -> str:
        """``filenames/{kind}_filenames.txt`` for kind in corrupt, duplicate, removed, selected."""
        if kind not in FILENAME_LIST_KINDS:
            raise ValueError(f"unknown filename list {kind!r}")
        return self._key(f"filenames/{kind}_filenames.txt")

    def checkpoint(self, epoch: int) -> str:
        return self._key(CHECKPOINT_FILE_NAME.format(epoch=epoch))

    def plot(self, name: str) -> str:
        return self._key(f"plots/{name}")

    @property
    def report_pdf(self) -> str:
        return self._key("report.pdf")

    @property
    def report_json(self) -> str:
        return self._key("report.json")

    @property
    def log(self) -> str:
        """The run's whole log: every attempt's log after a header naming the attempt."""
        return self._key("log.txt")

    @property
    def memlog(self) -> str:
        """The GPU stage's memory log (the MEMLOG artifact): one section per attempt."""
        return self._key("memlog.txt")

    def attempt_log(self, number: int) -> str:
        """The log of one attempt, written while it runs (so a crash keeps most of it)."""
        return self._key(f"logs/attempt-{number:02d}.txt")

    def work(self, rel: str) -> str:
        """Stage checkpoints and their data (``work/ledger/*.json``, shards), for resuming."""
        return self._key(f"work/{rel}")
