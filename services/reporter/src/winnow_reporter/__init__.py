"""Winnow reporter: turns a finished curation run into report.json and a PDF report."""
