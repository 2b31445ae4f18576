"""Datasets: create, get, list, query by name, delete."""
