"""winnow-localstack: Winnow's local stack (Postgres, Redis, SeaweedFS S3, app processes).

Start it with ``winnow-stack up`` or, from Python/pytest, ``LocalStack(state_dir).up()``.
"""

from .errors import StackError
from .specs import SERVICES, ServiceSpec
from .stack import ComponentStatus, LocalStack

__all__ = ["SERVICES", "ComponentStatus", "LocalStack", "ServiceSpec", "StackError"]
__version__ = "0.1.0"
