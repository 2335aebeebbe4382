"""Popularity metrics (being written)."""
