"""Reports of the incidents app (filled in as capabilities land)."""
