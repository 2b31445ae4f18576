"""Configuration: see router.py."""
