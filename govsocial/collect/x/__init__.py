"""X (Twitter) API v2 connector: an account's follower count, its posts with like, repost, reply,
quote and view counts, and the replies in each post's conversation (the account's own marked).

An app-only bearer token on a paid plan is needed. Every post read is billed, so posts are read
incrementally (``since_id``) and replies only where the recent search can still see them (7 days).
"""
