"""Samples: mappings (bit order), partial listings, read URLs and custom metadata updates."""
