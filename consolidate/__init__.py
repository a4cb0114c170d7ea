"""consolidate package."""
