"""Wire models of a dataset's embeddings: ``DatasetEmbeddingData``, ``WriteCSVUrlData``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field

from winnow_common.schemas.base import ObjectId, Timestamp, WireResponse

if TYPE_CHECKING:
    from winnow_common.db import models


class DatasetEmbeddingData(WireResponse):
    """One embedding of a dataset; ``is2d`` once its 2-D projection was computed."""

    id: ObjectId
    name: str
    is_processed: bool
    created_at: Timestamp
    # lightly spells it ``is2d`` (camelCase would give ``is2D``).
    is2d: bool | None = Field(default=None, alias="is2d")

    @classmethod
    def from_row(cls, row: models.Embedding) -> DatasetEmbeddingData:
        """The wire form of an embedding."""
        return cls(
            id=row.id,
            name=row.name,
            is_processed=row.is_processed,
            created_at=row.created_at,
            is2d=row.projection_key is not None,
        )


class WriteCSVUrlData(WireResponse):
    """Where to PUT the embeddings CSV (signed, token-free) and the new embedding's id."""

    signed_write_url: str
    embedding_id: ObjectId
