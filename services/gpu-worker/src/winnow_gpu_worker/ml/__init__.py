"""Pure ML stage functions for the GPU worker.

Nothing in this package imports Celery, the database or the web stack, so every stage can be
unit-tested on a CPU with tiny generated images and reused from any orchestration layer.
"""
