"""The public portal (server-rendered pages) and the open JSON API, built by ``create_app``."""
