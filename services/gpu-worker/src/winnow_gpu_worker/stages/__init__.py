"""Pipeline stages: each a function over stores and arrays, composed by ``pipeline.py``."""
