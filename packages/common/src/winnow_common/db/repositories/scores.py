"""Active-learning scores of a tag's samples (``upload_scores``): one list per score type."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from winnow_common.db.models import ActiveLearningScore
from winnow_common.ids import new_object_id, now_ms


def upsert(session: Session, tag_id: str, score_type: str, scores: list[float]) -> str:
    """Create or replace the tag's scores of ``score_type``; returns the row's id (kept when
    replaced). One statement, so two concurrent uploads of a type cannot collide."""
    now = now_ms()
    stmt = insert(ActiveLearningScore).values(
        id=new_object_id(),
        tag_id=tag_id,
        score_type=score_type,
        scores=scores,
        created_at=now,
        last_modified_at=now,
    )
    upsert_stmt = stmt.on_conflict_do_update(
        index_elements=[ActiveLearningScore.tag_id, ActiveLearningScore.score_type],
        set_={"scores": stmt.excluded.scores, "last_modified_at": now},
    ).returning(ActiveLearningScore.id)
    return str(session.execute(upsert_stmt).scalar_one())


def get(session: Session, tag_id: str, score_type: str) -> ActiveLearningScore | None:
    """The tag's scores of one type."""
    return session.scalar(
        select(ActiveLearningScore).where(
            ActiveLearningScore.tag_id == tag_id, ActiveLearningScore.score_type == score_type
        )
    )


def latest_type(session: Session, tag_id: str) -> str | None:
    """The score type last uploaded for the tag (``None`` when it has none)."""
    return session.scalar(
        select(ActiveLearningScore.score_type)
        .where(ActiveLearningScore.tag_id == tag_id)
        .order_by(ActiveLearningScore.last_modified_at.desc(), ActiveLearningScore.id.desc())
        .limit(1)
    )
