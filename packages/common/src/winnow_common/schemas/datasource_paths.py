"""Config keys that name a file in the LIGHTLY datasource: what a valid path looks like.

Checked when a config is created (HTTP 422) and again by the worker before it reads the file,
with the same functions, so both give the same message.
"""

from __future__ import annotations

LIGHTLY_FOLDER = ".lightly/"
RELEVANT_FILENAMES_KEY = "docker.relevantFilenamesFile"
EMBEDDINGS_KEY = "docker.embeddings"


def _relative_path_problem(path: str) -> str | None:
    """Why ``path`` is not a plain relative key (``None`` when it is one)."""
    if path.startswith("/"):
        return "it must be relative to the LIGHTLY datasource root, without a leading '/'"
    segments = path.split("/")
    if ".." in segments:
        return "it must not contain a '..' segment"
    if "." in segments:
        return "it must not start with or contain './'"
    if "" in segments:
        return "it must name a file (no empty segment, no trailing '/')"
    return None


def relevant_filenames_problem(path: str) -> str | None:
    """What is wrong with a ``relevantFilenamesFile`` value (``None`` when it is valid).

    Lightly requires a path relative to the LIGHTLY datasource root inside ``.lightly/``, e.g.
    ``.lightly/relevant_filenames.txt``: no leading ``/``, no ``./`` and no ``..`` segment.
    """
    reason = _relative_path_problem(path)
    if reason is None and not path.startswith(LIGHTLY_FOLDER):
        reason = f"it must be located in the '{LIGHTLY_FOLDER}' folder"
    if reason is None:
        return None
    return (
        f"'{RELEVANT_FILENAMES_KEY}' {path!r} is not valid: {reason} "
        f"(e.g. '{LIGHTLY_FOLDER}relevant_filenames.txt' in the LIGHTLY datasource)"
    )


def embeddings_path_problem(path: str) -> str | None:
    """What is wrong with a ``docker.embeddings`` value (``None`` when it is valid).

    A relative path without a leading ``/`` or a ``..`` segment; a bare name is looked up in
    ``.lightly/embeddings/`` of the LIGHTLY datasource.
    """
    if path.startswith("/"):
        reason = "it must be a relative path, without a leading '/'"
    elif ".." in path.split("/"):
        reason = "it must not contain a '..' segment"
    else:
        return None
    return f"'{EMBEDDINGS_KEY}' {path!r} is not valid: {reason}"
