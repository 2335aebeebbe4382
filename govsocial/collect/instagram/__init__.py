"""Instagram connector (Graph API, Business/Creator accounts): follower counts, media with like and
comment counts, and comments with replies on the collecting account's own media (``client``);
payload mapping (``types``). Error and usage-header rules are Facebook's (``collect.facebook.errors``)."""
