"""Pydantic schemas: the Lightly v1 wire format (camelCase) and the worker config documents."""
