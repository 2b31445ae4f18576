"""Repositories: every query of the system, used by the API and by both workers.

One module per table group, imported as a module
(``from winnow_common.db.repositories import datasets as dataset_repo``). Functions take the
caller's ``Session``, flush and never commit: the edge (an API request, a task's short
transaction) owns the transaction. Lookups answer ``None`` for a missing row and leave the
error, whose message names the request field, to the caller; only the few lookups shared by
the API and the workers with one agreed message raise (``runs.require``,
``datasources.for_purpose``).
"""

from winnow_common.db.repositories._base import UniqueViolation

__all__ = ["UniqueViolation"]
