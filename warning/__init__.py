"""warning package."""
