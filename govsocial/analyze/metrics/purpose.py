"""Purpose metrics (being written)."""
