"""Threads API connector: the token owner's own account only (the Threads API reads no other
profile without the Profile Discovery permission): follower count, posts with their insights
(views, likes, replies, reposts, quotes) and each post's conversation, its own replies marked.
"""
