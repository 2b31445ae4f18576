"""The client's exceptions, named as lightly names them."""

from __future__ import annotations


class WinnowApiError(Exception):
    """A non-2xx answer: HTTP status, Lightly error code and the server's message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"HTTP {status} {code}: {message}")
        self.status, self.code, self.message = status, code, message


class ArtifactNotExist(ValueError):
    """The run has no artifact of the wanted type (lightly's ``ArtifactNotExist``)."""


class TagDoesNotExistError(ValueError):
    """No tag of that name in the dataset (lightly's ``TagDoesNotExistError``)."""


class EmbeddingDoesNotExistError(ValueError):
    """No embedding of that name in the dataset (lightly's ``EmbeddingDoesNotExistError``)."""
