"""CLI commands for scenarios (filled in by its issue)."""
