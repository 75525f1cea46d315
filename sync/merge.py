"""Sync merge (being built)."""
