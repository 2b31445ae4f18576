"""``WinnowClient``: the earlier name of the client, kept for existing scripts.

New code uses ``WinnowWorkflowClient`` (``winnow_client.workflow``), whose constructor takes
``token`` first like lightly's ``ApiWorkflowClient``.
"""

from __future__ import annotations

from winnow_client.workflow import WinnowWorkflowClient


class WinnowClient(WinnowWorkflowClient):
    """``WinnowClient(api_url, token, dataset_id=None)``: a ``WinnowWorkflowClient``."""

    def __init__(self, api_url: str, token: str, dataset_id: str | None = None) -> None:
        super().__init__(token=token, dataset_id=dataset_id, server_location=api_url)
