"""YouTube Data API v3 connector: a channel's subscriber count, its uploads with view, like and
comment counts, and the comment threads under each video (with the channel's own replies marked).

An API key is enough for public channels. Every call spends units of a daily quota (10,000 by
default, reset at midnight Pacific time), so the connector lists uploads through the 1-unit
``playlistItems`` method rather than the 100-unit ``search`` and counts what it spends.
"""
