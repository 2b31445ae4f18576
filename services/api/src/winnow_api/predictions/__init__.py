"""Predictions: see router.py."""
