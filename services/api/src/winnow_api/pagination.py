"""Lightly's item-offset pagination: ``pageOffset`` is an item index, not a page number."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query
from pydantic import BaseModel
from sqlalchemy import Select


class Page(BaseModel):
    size: int | None
    offset: int

    def apply(self, stmt: Select) -> Select:  # type: ignore[type-arg]
        """Limit a statement (which must have a stable ORDER BY) to this page."""
        stmt = stmt.offset(self.offset)
        return stmt.limit(self.size) if self.size is not None else stmt


def get_page(
    page_size: Annotated[int | None, Query(alias="pageSize", ge=1)] = None,
    page_offset: Annotated[int, Query(alias="pageOffset", ge=0)] = 0,
) -> Page:
    return Page(size=page_size, offset=page_offset)


PageDep = Annotated[Page, Depends(get_page)]
