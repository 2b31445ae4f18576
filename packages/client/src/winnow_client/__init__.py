"""Winnow's Python client: the lightly ``ApiWorkflowClient`` method names over plain HTTP."""

from winnow_client.client import ComputeWorkerRunInfo, WinnowApiError, WinnowClient

__all__ = ["ComputeWorkerRunInfo", "WinnowApiError", "WinnowClient"]
