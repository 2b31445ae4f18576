"""Which datasource types the workers can read: a run is refused at scheduling otherwise."""

from __future__ import annotations

# Types whose storage ``open_datasource`` opens (and so the GPU worker and reporter read).
WORKER_TYPES = frozenset({"LOCAL", "OBS", "S3", "GCS", "AZURE"})

_WHY_NOT = {
    "S3DelegatedAccess": (
        "assuming an IAM role (s3ARN, s3ExternalId) is not supported by this cluster; "
        "use type S3 with an access key instead"
    ),
    "LIGHTLY": "it is Lightly's hosted storage, which this cluster cannot reach",
}


def unreadable_reason(type_: str) -> str | None:
    """Why workers cannot read a datasource of ``type_``; None when they can."""
    if type_ in WORKER_TYPES:
        return None
    why = _WHY_NOT.get(type_, "this cluster has no reader for it")
    readable = ", ".join(sorted(WORKER_TYPES))
    return (
        f"datasource type {type_} is not supported by this server (its workers cannot read "
        f"it): {why}; readable types: {readable}"
    )
