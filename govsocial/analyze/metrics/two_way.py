"""Two_way metrics (being written)."""
