"""`fieldkit …` command line (being built)."""
