"""Attractiveness metrics (being written)."""
