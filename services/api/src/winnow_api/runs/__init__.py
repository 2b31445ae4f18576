"""Worker configs, scheduled runs, runs, run artifacts and run tags."""
