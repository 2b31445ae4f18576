"""The flow tests' fixtures (real API, GPU worker and reporter processes; S3) for the client."""

from tests.flow.conftest import api, s3, services  # noqa: F401
