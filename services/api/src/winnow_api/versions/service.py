"""What the version routes answer, and the health check's database round trip."""

from __future__ import annotations

from sqlalchemy.orm import Session

from winnow_common.db.repositories import health as health_repo

# The newest lightly client release that still ships lightly.api.
LIGHTLY_CLIENT_VERSION = "1.5.26"


def check_health(session: Session) -> None:
    """One database round trip (raises when the database does not answer)."""
    health_repo.ping(session)
