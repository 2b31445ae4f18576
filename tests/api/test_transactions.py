"""The edge owns the transaction: data is committed and jobs published before the response."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.api.conftest import ApiUser, GpuQueue
from tests.api.helpers import DIVERSITY, create_config, create_dataset, set_obs
from winnow_api.main import create_app
from winnow_common.db.models import Dataset, ScheduledRun, User
from winnow_common.db.session import session_factory


class _OnResponseStart:
    """ASGI wrapper that runs ``check`` (from another DB session) when a response starts."""

    def __init__(self, app: Any, check: Callable[[int], None]) -> None:
        self.app, self.check = app, check

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        async def checked_send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                self.check(message["status"])
            await send(message)

        await self.app(scope, receive, send=checked_send)


def _count(model: type, user: ApiUser) -> int:
    with session_factory()() as session:
        user_id = session.scalar(select(User.id).where(User.email == user.email))
        stmt = select(func.count()).select_from(model).where(model.user_id == user_id)  # type: ignore[attr-defined]
        return int(session.scalar(stmt) or 0)


def test_create_is_committed_before_the_201_is_sent(user: ApiUser) -> None:
    seen: list[tuple[int, int]] = []
    app = _OnResponseStart(
        create_app(), lambda status: seen.append((status, _count(Dataset, user)))
    )
    with TestClient(app) as client:
        create_dataset(client, user.params)
    assert seen == [(201, 1)]


def test_schedule_is_committed_and_published_before_the_201_is_sent(
    client: TestClient, user: ApiUser, gpu_queue: GpuQueue
) -> None:
    dataset_id = create_dataset(client, user.params)
    set_obs(client, user.params, dataset_id, "INPUT")
    set_obs(client, user.params, dataset_id, "LIGHTLY")
    config_id = create_config(
        client, user.params, {"selection": {"nSamples": 2, "strategies": DIVERSITY}}
    ).json()["id"]
    seen: list[tuple[int, int, int]] = []

    def check(status: int) -> None:
        seen.append((status, _count(ScheduledRun, user), gpu_queue.count()))

    with TestClient(_OnResponseStart(create_app(), check)) as checked:
        response = checked.post(
            f"/v1/datasets/{dataset_id}/docker/worker/schedule",
            params=user.params,
            json={"configId": config_id, "priority": "MID"},
        )
    assert response.status_code == 201
    assert seen == [(201, 1, 1)]
