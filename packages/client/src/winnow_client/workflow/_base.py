"""``WorkflowBase``: the connection and state that every mixin of the workflow client shares."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Self

import httpx

from winnow_client.generated import Client

if TYPE_CHECKING:
    from winnow_client.generated.models import TagData


class WorkflowBase:
    """The API connection (``api``, the generated ``Client``) and the current dataset's id.

    ``token``: else ``WINNOW_TOKEN`` / ``LIGHTLY_TOKEN``. ``server_location``: else
    ``WINNOW_SERVER_LOCATION`` / ``LIGHTLY_SERVER_LOCATION`` (the API's base URL).
    ``dataset_id`` is the dataset the dataset-scoped methods act on (``create_dataset`` sets it).
    """

    def __init__(
        self,
        token: str | None = None,
        dataset_id: str | None = None,
        *,
        server_location: str | None = None,
        timeout: float = 180.0,
    ) -> None:
        token = token or os.environ.get("WINNOW_TOKEN") or os.environ.get("LIGHTLY_TOKEN")
        if not token:
            raise ValueError("no token: pass token= or set WINNOW_TOKEN (or LIGHTLY_TOKEN)")
        location = (
            server_location
            or os.environ.get("WINNOW_SERVER_LOCATION")
            or os.environ.get("LIGHTLY_SERVER_LOCATION")
        )
        if not location:
            raise ValueError(
                "no server: pass server_location= or set WINNOW_SERVER_LOCATION "
                "(or LIGHTLY_SERVER_LOCATION) to the Winnow API's URL"
            )
        self.server_location = location.strip().rstrip("/")
        self.token = token
        # The token is a query parameter on every route (the Lightly wire format), so it is a
        # default parameter of the underlying httpx client rather than an argument per call.
        self.api = Client(
            base_url=self.server_location,
            timeout=httpx.Timeout(timeout),
            httpx_args={"params": {"token": token}},
        )
        self._dataset_id = dataset_id
        # The embedding ``selection`` samples on (lightly's attribute of the same name): set by
        # ``upload_embeddings`` and ``set_embedding_id_to_latest``.
        self.embedding_id: str | None = None

    def close(self) -> None:
        """Close the HTTP connections."""
        self.api.get_httpx_client().close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    if TYPE_CHECKING:
        # What one mixin uses of another, declared for the type checker only: at run time the
        # composed client (workflow/client.py) finds them on the mixin that defines them.

        @property
        def dataset_id(self) -> str:
            """The current dataset (``DatasetsMixin``)."""
            ...

        @dataset_id.setter
        def dataset_id(self, dataset_id: str) -> None: ...

        def get_tag_by_name(self, tag_name: str) -> TagData:
            """The tag named ``tag_name`` (``TagsMixin``)."""
            ...

        def get_tag_by_id(self, tag_id: str) -> TagData:
            """The tag ``tag_id`` (``TagsMixin``)."""
            ...

        def get_all_tags(self) -> list[TagData]:
            """Every tag of the current dataset (``TagsMixin``)."""
            ...

        def get_filenames(self) -> list[str]:
            """Every sample's filename in bitmask order (``TagsMixin``)."""
            ...

        def set_embedding_id_to_latest(self) -> None:
            """``embedding_id`` := the dataset's newest embedding (``EmbeddingsMixin``)."""
            ...
