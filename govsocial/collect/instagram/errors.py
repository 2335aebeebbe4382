"""Instagram's error rules: the Graph API's, shared with Facebook (``collect.facebook.errors``).

Instagram adds throttle code 80002 (its Business Use Case limit), which the shared rules already
treat as a rate limit; everything else (190 expired token, 10/200 permissions, 100 "does not exist")
means the same as on Facebook. Business discovery's 110/2207013 ("Invalid user id": no professional
account has the user name asked for) is one of the shared rules too: the account is reported gone.
"""

from __future__ import annotations

import httpx

from govsocial.collect.errors import CollectError
from govsocial.collect.facebook import errors as graph

pause = graph.pause


def classify(response: httpx.Response) -> CollectError | None:
    """The ``CollectError`` a Graph API response for Instagram means, or None."""
    return graph.classify(response, "instagram")
