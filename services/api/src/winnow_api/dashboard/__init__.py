"""Serving the dashboard (winnow_dashboard's static pages) and its log-in session."""
