"""Guards every connector's paging loops share: cursors that go round in a circle, stored cursors the
platform no longer accepts, and listing pages whose items are not a list.

A platform bug, or a proxy that caches one page, can hand back a cursor the listing has already
followed: ``A -> B -> A``, or the same ``next_token`` for ever. Checking only that the next cursor
differs from the current one catches the second case, not the first, and such a listing was read
until the run was killed. ``SeenCursors`` remembers every cursor one listing has followed, so the
loop stops at the first one it sees again; the connector then ends the listing as complete (so the
next run does not walk into the same circle from its checkpoint) and records ``cycle_gap`` on the
batch, which the runner reports with the run's other gaps.

A cursor stored in a checkpoint can go stale before the next run uses it (YouTube answers
``invalidPageToken``, X refuses an expired ``pagination_token`` or ``next_token``). Failing would fail
every later run from the same checkpoint, so ``ListingPaging.restart`` lets the listing be read again
from the top, once, and gives the gap to record (``restart_gap``); what was stored already is a noop
when read again. A refusal with no stored cursor, or a second one, is raised: the top of the listing
was refused, which reading again cannot mend.

``listing_items`` reads a page's list of items, so that a page whose ``data`` is an object is a
``PayloadError`` (the account stops with an error naming the URL, as for any other malformed page,
and the next run resumes from the last checkpoint) instead of being read as an empty page.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any, Protocol

from govsocial.collect.errors import CollectError, PayloadError
from govsocial.collect.records import RawPayload

#: A listing's position: an opaque token, or the query parameters that locate the next page
#: (Graph's time-paged edges use ``until`` and ``__paging_token`` together).
Cursor = str | Mapping[str, str]


class SeenCursors:
    """The cursors one listing has followed; ``repeats`` says when the next one is among them."""

    def __init__(self, start: Cursor | None = None) -> None:
        self._seen: set[Hashable] = set()
        if start:  # a listing resumed from a checkpoint must not come back to where it resumed
            self._seen.add(_key(start))

    def repeats(self, cursor: Cursor) -> bool:
        """Whether this listing has followed ``cursor`` already; if not, it is remembered as followed."""
        key = _key(cursor)
        if key in self._seen:
            return True
        self._seen.add(key)
        return False


def _key(cursor: Cursor) -> Hashable:
    return cursor if isinstance(cursor, str) else tuple(sorted(cursor.items()))


def cycle_gap(listing: str) -> str:
    """The gap recorded when ``listing`` (e.g. "post listing") hands back a cursor it gave before."""
    return (
        f"{listing} gave a paging cursor it had already given; "
        "paging stopped there (items after it may be missing)"
    )


def restart_gap(listing: str, exc: CollectError, term: str = "page token") -> str:
    """The gap recorded when ``listing``'s cursor (``term``: the platform's word for it) is refused and
    the listing is read from the top again."""
    return f"{listing}: the {term} was refused ({exc}); read again from the first page"


class Resumable(Protocol):
    """A listing's position kept by a connector: ``after`` is the stored cursor of the next page."""

    after: str | None


class ListingPaging:
    """The paging state of one listing: the cursors it has followed (``seen``) and whether it has been
    read again from the top already after its stored cursor was refused."""

    def __init__(self, listing: str, start: Cursor | None, term: str = "page token") -> None:
        self.listing = listing
        self.term = term
        self.seen = SeenCursors(start)
        self._restarted = False

    def restart(self, cursor: Resumable, exc: CollectError) -> str:
        """After the platform refused ``cursor.after`` (``exc``): move ``cursor`` to the top and return
        the gap to record. Raises ``exc`` when there was no stored cursor or the listing was restarted
        already."""
        if cursor.after is None or self._restarted:
            raise exc
        self._restarted = True
        cursor.after = None
        self.seen = SeenCursors()
        return restart_gap(self.listing, exc, self.term)


def listing_items(page: Mapping[str, Any], raw: RawPayload, key: str = "data") -> list[Any]:
    """The items of a listing page (``page[key]``, absent: none); ``PayloadError`` when they are not a list.

    The error names the platform (the first part of ``raw.source``) and the URL asked for (redacted)."""
    items = page.get(key)
    if items is None:
        return []
    if not isinstance(items, list):
        platform = raw.source.split(":", 1)[0]
        shape = type(items).__name__
        raise PayloadError(f"{platform}: {raw.location}: the page's {key!r} is {shape}, not a list of items")
    return items
