"""Sampling: see router.py."""
