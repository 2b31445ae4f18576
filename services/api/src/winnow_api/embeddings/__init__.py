"""Embeddings: see router.py."""
