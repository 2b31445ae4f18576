"""Collaboration: who a dataset is shared with (one WRITE config per dataset)."""
