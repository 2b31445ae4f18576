"""``CollaborationMixin``: share a dataset (lightly's ``_CollaborationMixin``)."""

from __future__ import annotations

from winnow_client.generated.api.collaboration import get_shared_access, share_dataset
from winnow_client.generated.models import (
    Creator,
    SharedAccessConfigCreateRequest,
    SharedAccessConfigData,
)
from winnow_client.workflow._base import WorkflowBase
from winnow_client.workflow._responses import check, ok_list


class CollaborationMixin(WorkflowBase):
    """Who else may write to a dataset."""

    def share_dataset_only_with(self, dataset_id: str, user_emails: list[str]) -> None:
        """Give exactly ``user_emails`` write access (``[]`` revokes everyone)."""
        body = SharedAccessConfigCreateRequest(
            access_type="WRITE", users=list(user_emails), creator=Creator.USER_PIP
        )
        check(share_dataset.sync_detailed(dataset_id, client=self.api, body=body))

    def get_shared_users(self, dataset_id: str) -> list[str]:
        """The emails of the users with write access to the dataset."""
        configs = ok_list(
            get_shared_access.sync_detailed(dataset_id, client=self.api), SharedAccessConfigData
        )
        for config in configs:
            if config.access_type == "WRITE":
                return list(config.users)
        return []
