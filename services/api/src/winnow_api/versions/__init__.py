"""Unauthenticated version and health routes."""
