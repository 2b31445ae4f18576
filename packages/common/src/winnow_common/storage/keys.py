"""Deterministic keys of everything a run writes, relative to the LIGHTLY datasource root.

The layout mirrors the Lightly Worker's output folder (config/, data/, filenames/, plots/,
report.pdf, report.json), one folder per run.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RunKeys:
    run_id: str

    @property
    def root(self) -> str:
        return f".lightly/runs/{self.run_id}"

    def _key(self, rel: str) -> str:
        return f"{self.root}/{rel}"

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
    def corruptness_info(self) -> str:
        return self._key("data/corruptness_check_information.json")

    @property
    def exact_duplicates(self) -> str:
        """``{duplicate: kept}`` of the exact-duplicate check."""
        return self._key("data/exact_duplicates.json")

    def filenames(self, kind: str) -> str:
        """``filenames/{kind}_filenames.txt`` for kind in corrupt, duplicate, removed, selected."""
        if kind not in FILENAME_LIST_KINDS:
            raise ValueError(f"unknown filename list {kind!r}")
        return self._key(f"filenames/{kind}_filenames.txt")

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
        return self._key("log.txt")


FILENAME_LIST_KINDS = ("corrupt", "duplicate", "removed", "selected")
