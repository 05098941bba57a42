"""Tasks of the compliance app (filled in as capabilities land)."""
