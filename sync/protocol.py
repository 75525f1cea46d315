"""Sync protocol (being built)."""
