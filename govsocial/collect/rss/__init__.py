"""RSS and Atom feeds: a government's press releases, the clock that social posts are timed against.

A feed needs no credential. Its URL is the account's address (platform ``rss``, kind ``feed``).
The connector reads the feed with a conditional GET (``ETag`` / ``Last-Modified``), turns each
item into a ``PostRecord`` of format ``link`` and remembers which items it has seen, so a feed
that has not changed costs one small request and no rows. See ``docs/collectors/rss.md``.
"""
