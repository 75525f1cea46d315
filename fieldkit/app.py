"""Composition root of the desktop app (being built)."""
