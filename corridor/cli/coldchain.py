"""CLI commands for coldchain (filled in by its issue)."""
