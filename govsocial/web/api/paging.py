"""Links between the pages of a list: an RFC 8288 ``Link`` header with ``rel="next"`` and
``rel="prev"``.

A ``limit`` above ``GOVSOCIAL_MAX_PAGE_SIZE`` is lowered, not refused (docs/api.md, "Conventions"),
and the body does not say so: a client that steps ``offset`` by the limit it asked for would skip
the rows between. The links carry the limit in force, so following ``next`` to the end reads every
row once. They are relative references (``</api/v1/timeline?limit=50&offset=50>``), resolved against
the request's own address, so they hold behind a proxy that rewrites the host. The header is not part
of the body: the ETag and the page cache are unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import Depends, Request, Response

from govsocial.web.deps import PagingDep

#: The ``Link`` header as the OpenAPI document declares it on a paged list's 200 answer.
LINK_HEADER = {
    "description": 'The next and previous pages (RFC 8288, rel="next" and rel="prev"), with the limit '
    "in force; absent when the list fits on one page.",
    "schema": {"type": "string"},
}


def paged(responses: Mapping[int | str, Any]) -> dict[int | str, Any]:
    """``responses`` (a route's documented answers) with the ``Link`` header declared on its 200."""
    ok = dict(responses.get(200, {}))
    ok["headers"] = {**ok.get("headers", {}), "Link": LINK_HEADER}
    return {**responses, 200: ok}


#: The parameters a link sets; every other one is kept as the request gave it.
PAGE_PARAMETERS = ("limit", "offset")


def links(path: str, query: Sequence[tuple[str, str]], limit: int, offset: int, count: int) -> str | None:
    """The ``Link`` header of the page at ``offset`` of ``limit`` rows among ``count``: ``next`` unless
    it is the last page, ``prev`` unless it is the first; None for a lone page."""
    kept = [(name, value) for name, value in query if name not in PAGE_PARAMETERS]
    targets = []
    if offset + limit < count:
        targets.append(("next", offset + limit))
    if offset > 0:
        targets.append(("prev", max(min(offset, count) - limit, 0)))
    parts = [
        f'<{quote(path)}?{urlencode([*kept, ("limit", str(limit)), ("offset", str(start))])}>; rel="{rel}"'
        for rel, start in targets
    ]
    return ", ".join(parts) or None


class Pager:
    """``limit`` and ``offset`` as ``PagingDep`` reads them, and the links of the page they choose."""

    def __init__(self, request: Request, response: Response, paging: PagingDep) -> None:
        self.limit = paging.limit
        self.offset = paging.offset
        self._request = request
        self._response = response

    def link(self, count: int) -> None:
        """Set the ``Link`` header of this page among ``count`` matches."""
        query = self._request.query_params.multi_items()
        header = links(self._request.url.path, query, self.limit, self.offset, count)
        if header is not None:
            self._response.headers["Link"] = header


PagerDep = Annotated[Pager, Depends()]
