"""Perception metrics (being written)."""
