"""Lightly's item-offset pagination: ``pageOffset`` is an item index, not a page number."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query
from pydantic import BaseModel


class Page(BaseModel):
    """One page of a listing: ``size`` items (all when None) from item ``offset`` on."""

    size: int | None
    offset: int


# PostgreSQL's LIMIT and OFFSET are bigints: a larger value is a 422, not a database error.
MAX_PAGE_VALUE = 2**63 - 1


def get_page(
    page_size: Annotated[int | None, Query(alias="pageSize", ge=1, le=MAX_PAGE_VALUE)] = None,
    page_offset: Annotated[int, Query(alias="pageOffset", ge=0, le=MAX_PAGE_VALUE)] = 0,
) -> Page:
    return Page(size=page_size, offset=page_offset)


PageDep = Annotated[Page, Depends(get_page)]
