"""Sync client (being built)."""
