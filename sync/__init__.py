"""Sync protocol, merge rules, client and reference server. Knows nothing of `fieldkit` or Qt."""
