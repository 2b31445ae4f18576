"""Re-export: the relevant-filenames rule lives in ``winnow_common.relevant_files`` so the GPU
worker and the API's datasource listings use one rule."""

from winnow_common.relevant_files import (
    LIGHTLY_DIR,
    RelevantFiles,
    RelevantLine,
    load_relevant_filenames,
    parse_relevant_filenames,
)

__all__ = [
    "LIGHTLY_DIR",
    "RelevantFiles",
    "RelevantLine",
    "load_relevant_filenames",
    "parse_relevant_filenames",
]
