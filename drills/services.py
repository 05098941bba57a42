"""Services of the drills app (filled in as capabilities land)."""
