"""CLI commands for maps (filled in by its issue)."""
