"""Winnow shared contracts. Services import these modules; they never copy them."""

__version__ = "0.1.0"
