"""Tag bitmasks: bit i (least significant first) marks the dataset sample with ``idx == i``."""

from __future__ import annotations

from collections.abc import Iterable


def indices_to_bitmask(indices: Iterable[int]) -> str:
    """Lowercase ``0x`` hex as Python's ``hex()`` writes it (``0x0`` when empty)."""
    value = 0
    for i in indices:
        value |= 1 << i
    return hex(value)


def bitmask_to_indices(bitmask: str) -> list[int]:
    """The set bit positions of a ``0x...`` bitmask, ascending."""
    value = int(bitmask, 16)
    return [i for i in range(value.bit_length()) if value >> i & 1]


def apply_tag_operation(first: str, second: str, operation: str) -> str:
    """``UNION``, ``INTERSECTION`` or ``DIFFERENCE`` (first minus second) of two bitmasks."""
    a, b = int(first, 16), int(second, 16)
    if operation == "UNION":
        return hex(a | b)
    if operation == "INTERSECTION":
        return hex(a & b)
    if operation == "DIFFERENCE":
        return hex(a & ~b)
    raise ValueError(f"unknown tag operation {operation!r}")
