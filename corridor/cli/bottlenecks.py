"""CLI commands for bottlenecks (filled in by its issue)."""
