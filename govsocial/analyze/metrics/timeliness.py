"""Timeliness metrics (being written)."""
