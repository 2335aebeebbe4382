"""Facebook Pages connector (Graph API): Page follower counts, posts with reactions by type,
comment and share counts, and comments with replies (``client``); payload mapping (``types``);
Graph error and usage-header rules shared with the Instagram connector (``errors``)."""
