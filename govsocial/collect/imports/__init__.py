"""File importers: exports of what cannot be collected through an API."""
