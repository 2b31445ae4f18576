"""Datasource configs: one per (dataset, purpose); secrets encrypted at rest, masked on read."""
