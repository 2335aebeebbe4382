"""Typed records at the collection boundary: what every connector and importer yields.

Counts that a platform hides or does not give are ``None`` ("unknown"), never 0. Times are
timezone-aware UTC; the raw time string is kept beside them, because several sources (Telegram,
CSV exports) do not write UTC. Commenter identities arrive in clear here and are pseudonymised by
the runner before anything is written (see ``collect.privacy``).

Every string a record holds is one both stores keep as it is (``storable_text``): a platform's JSON
may carry ``\\u0000`` or an unpaired surrogate (``\\ud800``) and a file may hold NUL bytes, which
PostgreSQL refuses and no driver can send as UTF-8. Texts lose their NULs and have lone surrogates
replaced by U+FFFD here, once, for every connector and importer; an id holding either is refused,
so the record is quarantined with the field named. Only a raw payload's ``body`` and a bad record's
``content`` stay as read: storage keeps them in a form the stores accept (``collect.storage``).

Every string a record holds also fits its column on both stores. SQLite enforces no ``VARCHAR(n)``
length and PostgreSQL does, so a value longer than its column was stored on one and failed the whole
page or file on the other. Free texts (a URL, a link, a raw time, a name) are ``TEXT`` and kept
whole; an id longer than its column (``ID_CHARS``, ``PLATFORM_CHARS``) is refused like one holding
a NUL, never shortened.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from govsocial.encodings import escaped_text, is_storable, storable_text, storable_value

#: The largest count the store holds: its count columns are ``Integer``, 32 bits on PostgreSQL.
#: Importers turn a larger number in a file into a bad row rather than fail the whole import.
MAX_COUNT = 2**31 - 1


class PostFormat(enum.StrEnum):
    """What kind of post it is, across platforms."""

    TEXT = "text"
    IMAGE = "image"
    VIDEO = "video"
    LINK = "link"
    LIVE = "live"
    OTHER = "other"


class Record(BaseModel):
    """Records are immutable and reject unknown fields (a typo is a bug, not data)."""

    model_config = ConfigDict(frozen=True, extra="forbid")


# --- text both stores keep ---------------------------------------------------------------------

#: Why an id that ``is_storable`` refuses is not stored (the record is quarantined with it).
UNSTORABLE_ID = (
    "holds a NUL character (U+0000) or an unpaired UTF-16 surrogate (U+D800-U+DFFF), which the store"
    " cannot keep; an id is never changed, so the record is not stored"
)


def _storable(value: str | None) -> str | None:
    """A field validator: ``storable_text`` of a text (None stays None)."""
    return storable_text(value) if value is not None else None


def _escaped(value: str) -> str:
    """A field validator: ``escaped_text`` of a location or a reason."""
    return escaped_text(value)


def _unchanged_id(value: str | None) -> str | None:
    """A field validator: an id (or a platform key) is kept exactly or refused (``UNSTORABLE_ID``):
    changing one could make it another item's id."""
    if value is not None and not is_storable(value):
        raise ValueError(UNSTORABLE_ID)
    return value


#: The most characters of an id the store keeps (``posts.post_id``, ``comments.comment_id`` and
#: ``comments.parent_comment_id`` are ``String(200)``), and of a platform key (``String(32)``).
#: PostgreSQL refuses a longer value, and with it the whole page or file it came in; SQLite would
#: keep it. tests/collect/test_long_values.py checks that these agree with ``store.tables``.
ID_CHARS = 200
PLATFORM_CHARS = 32


def too_long_id(length: int, limit: int) -> str:
    """Why an id of ``length`` characters, longer than the ``limit`` its column holds, is refused."""
    return (
        f"is {length:,} characters long, more than the {limit} the store keeps; an id is never"
        " shortened (it could become another item's id), so the record is not stored"
    )


def _stored_id(limit: int) -> Callable[[str | None], str | None]:
    """A field validator for an id that is stored: ``_unchanged_id``, and refused when it is longer
    than the ``limit`` characters of its column (``too_long_id``)."""

    def check(value: str | None) -> str | None:
        value = _unchanged_id(value)
        if value is not None and len(value) > limit:
            raise ValueError(too_long_id(len(value), limit))
        return value

    return check


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError("times must carry a time zone (convert the source's local time first)")
    return value.astimezone(dt.UTC) if value is not None else None


#: The plausible times of a post, comment or follower count: none was published before 1990, and
#: none later than a little after now (clock skew between a source and this machine). A date outside
#: is a misread date or time zone, and it would not only be wrong: the metrics have a period for
#: every day, week and month between the oldest and newest time stored, so one post dated year 1
#: made a refresh write 9 million empty values.
EARLIEST = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)
FUTURE_SLACK = dt.timedelta(days=2)


def plausible(value: dt.datetime) -> bool:
    """Whether an aware time lies between ``EARLIEST`` and ``FUTURE_SLACK`` after now."""
    return EARLIEST <= value <= dt.datetime.now(dt.UTC) + FUTURE_SLACK


def _published(value: dt.datetime) -> dt.datetime:
    """``_aware``, and refused unless ``plausible``."""
    aware = _aware(value)
    assert aware is not None
    if not plausible(aware):
        raise ValueError(
            f"{aware.isoformat()} is not a plausible time (before {EARLIEST.year} or more than"
            f" {FUTURE_SLACK.days} days after now): check the source's date format and time zone"
        )
    return aware


class RawPayload(Record):
    """One response or file section exactly as received, kept beside the normalised rows."""

    source: str = Field(
        description="Endpoint or file kind, e.g. 'facebook:/{page}/posts' or 'import:crowdtangle'."
    )
    location: str = Field(description="URL without secrets, or file name and line range.")
    fetched_at: dt.datetime
    status: int | None = None
    body: str = Field(description="As received; ``collect.storage`` keeps it in a form the store accepts.")

    _text = field_validator("source", "location")(_escaped)


class ProfileRecord(Record):
    """An account's profile as seen now: the follower count is a time-stamped snapshot."""

    platform: str
    account_ref: str = Field(description="The platform's id or handle of the account.")
    taken_at: dt.datetime
    followers: int | None = None
    following: int | None = None
    posts_count: int | None = None
    name: str | None = None
    platform_id: str | None = None

    _tz = field_validator("taken_at")(_published)
    # The account is stored as the registry's (resolved from ``account_ref``), the name as ``TEXT``.
    _ids = field_validator("account_ref", "platform_id")(_unchanged_id)
    _platform = field_validator("platform")(_stored_id(PLATFORM_CHARS))
    _text = field_validator("name")(_storable)


class PostCounts(Record):
    """Engagement counts of a post at one moment; None = not given by the source."""

    taken_at: dt.datetime
    reactions: dict[str, int] | None = Field(
        default=None,
        description="Per reaction type: like, love, haha, wow, sad, angry, care; or all types together "
        "under store.tables.REACTIONS_TOTAL where the source gives no types.",
    )
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    views: int | None = None
    quotes: int | None = None
    replies: int | None = None
    clicks: int | None = None

    _tz = field_validator("taken_at")(_aware)

    @field_validator("reactions")
    @classmethod
    def _reaction_names(cls, value: dict[str, int] | None) -> dict[str, int] | None:
        """Reaction names come from the source (Telegram's emoji): kept as the store can."""
        return {storable_text(name): n for name, n in value.items()} if value is not None else None


class PostRecord(Record):
    """A post of an official account."""

    platform: str
    post_id: str
    account_ref: str
    created_at: dt.datetime
    created_at_raw: str | None = None
    format: PostFormat = PostFormat.OTHER
    text: str | None = None
    url: str | None = None
    link: str | None = None
    media: list[str] = Field(default_factory=list)
    followers_at_posting: int | None = None
    counts: PostCounts | None = None
    extra: dict[str, Any] = Field(default_factory=dict)

    _tz = field_validator("created_at")(_published)
    _ids = field_validator("account_ref")(_unchanged_id)
    _platform = field_validator("platform")(_stored_id(PLATFORM_CHARS))
    _stored_ids = field_validator("post_id")(_stored_id(ID_CHARS))
    # Texts are ``TEXT`` columns, kept whole however long (a link with its tracking query).
    _text = field_validator("created_at_raw", "text", "url", "link")(_storable)

    @field_validator("media", "extra")
    @classmethod
    def _storable_values(cls, value: Any) -> Any:
        return storable_value(value)


class CommentRecord(Record):
    """A comment or reply on a post. ``author_id`` is in clear only until the runner pseudonymises it."""

    platform: str
    comment_id: str
    post_id: str
    parent_id: str | None = None
    created_at: dt.datetime
    created_at_raw: str | None = None
    author_id: str | None = None
    is_page_reply: bool = False
    text: str | None = None
    likes: int | None = None
    replies: int | None = None

    _tz = field_validator("created_at")(_published)
    _platform = field_validator("platform")(_stored_id(PLATFORM_CHARS))
    # ``post_id`` is matched against the posts' ids: a longer one names no post the store can hold.
    _stored_ids = field_validator("comment_id", "post_id", "parent_id")(_stored_id(ID_CHARS))
    # The author's id only goes into the pseudonym, which hashes its UTF-8: a surrogate would fail it.
    _text = field_validator("created_at_raw", "author_id", "text")(_storable)


#: ``CommentRecord``'s fields in the order it declares them (the order of its ``__dict__`` and dumps).
_COMMENT_FIELDS = tuple(CommentRecord.model_fields)
_STR_OR_NONE = (str, type(None))
_INT_OR_NONE = (int, type(None))
_new_object = object.__new__
_set_attribute = object.__setattr__


def comment_record(
    *,
    platform: str,
    comment_id: str,
    post_id: str,
    parent_id: str | None = None,
    created_at: dt.datetime,
    created_at_raw: str | None = None,
    author_id: str | None = None,
    is_page_reply: bool = False,
    text: str | None = None,
    likes: int | None = None,
    replies: int | None = None,
) -> CommentRecord:
    """``CommentRecord(...)`` with the same arguments, checked by exact type first.

    Connectors build each comment from values their own code made (``str(...)``, counts that are
    ``int`` or None, times in UTC), which pydantic would only check again: 2-3 µs a comment, a
    tenth of what storing one costs. When every value has exactly the type declared for its
    field (``str``, not a subclass; ``int``, not ``bool``; a ``datetime`` whose ``tzinfo`` is
    ``datetime.UTC``) and every string is one the validators keep as it is (ids no longer than their
    columns; ids, raw time and author in ASCII without NUL; the text ``is_storable``: 0.6 µs for a
    comment of 30 Chinese characters), pydantic would return it unchanged (``_aware`` too: such a
    time is already UTC), so the record is made as ``model_construct`` makes one, without validation.
    Anything else goes to ``CommentRecord(...)``, which converts it or raises the
    ``ValidationError`` it always did, so a bad payload item is quarantined with the same reason.
    """
    if (
        type(platform) is str
        and type(comment_id) is str
        and type(post_id) is str
        and type(parent_id) in _STR_OR_NONE
        and type(created_at) is dt.datetime
        and created_at.tzinfo is dt.UTC
        and plausible(created_at)
        and type(created_at_raw) in _STR_OR_NONE
        and type(author_id) in _STR_OR_NONE
        and type(is_page_reply) is bool
        and type(text) in _STR_OR_NONE
        and type(likes) in _INT_OR_NONE
        and type(replies) in _INT_OR_NONE
        # Ids that fit their columns (a longer one is refused, naming it, by the validators).
        and len(platform) <= PLATFORM_CHARS
        and len(comment_id) <= ID_CHARS
        and len(post_id) <= ID_CHARS
        and (parent_id is None or len(parent_id) <= ID_CHARS)
        # Strings the validators keep as they are: ids, the raw time and the author in ASCII without
        # NUL (one search over them together; anything else is validated), the text ``is_storable``.
        and (
            plain
            := f"{platform}{comment_id}{post_id}{parent_id or ''}{created_at_raw or ''}{author_id or ''}"
        ).isascii()
        and "\x00" not in plain
        and (text is None or is_storable(text))
    ):
        # What ``model_construct`` sets, in the declared order (tests check that it matches).
        record = _new_object(CommentRecord)
        _set_attribute(
            record,
            "__dict__",
            {
                "platform": platform,
                "comment_id": comment_id,
                "post_id": post_id,
                "parent_id": parent_id,
                "created_at": created_at,
                "created_at_raw": created_at_raw,
                "author_id": author_id,
                "is_page_reply": is_page_reply,
                "text": text,
                "likes": likes,
                "replies": replies,
            },
        )
        _set_attribute(record, "__pydantic_fields_set__", set(_COMMENT_FIELDS))
        _set_attribute(record, "__pydantic_extra__", None)
        _set_attribute(record, "__pydantic_private__", None)
        return record
    return CommentRecord(
        platform=platform,
        comment_id=comment_id,
        post_id=post_id,
        parent_id=parent_id,
        created_at=created_at,
        created_at_raw=created_at_raw,
        author_id=author_id,
        is_page_reply=is_page_reply,
        text=text,
        likes=likes,
        replies=replies,
    )


class BadRecord(Record):
    """Something that could not be turned into a record: quarantined and reported, never lost."""

    source: str
    location: str
    reason: str
    content: str = Field(description="As read; ``collect.storage`` keeps it in a form the store accepts.")

    _text = field_validator("source", "location", "reason")(_escaped)


def error_reason(error: BaseException) -> str:
    """What a ``BadRecord`` says of the error that made it: the error's type, then for a
    ``ValidationError`` each field and what is wrong with it but never the value (pydantic's message
    quotes the input, which may be a commenter's id), else the first line of the message."""
    if isinstance(error, ValidationError):
        return f"ValidationError: {error.title}: {what_is_wrong(error)}"
    return f"{type(error).__name__}: {error}".splitlines()[0]


def what_is_wrong(error: ValidationError) -> str:
    """Each field a record refused and why ("created_at: ... is not a plausible time"), without the
    value and without pydantic's links."""
    return "; ".join(
        f"{'.'.join(str(part) for part in item['loc'])}: {item['msg'].removeprefix('Value error, ')}"
        for item in error.errors(include_url=False, include_input=False)
    )


def listing_bad_record(source: str, location: str, item: Any, error: BaseException) -> BadRecord:
    """An item of a platform's listing that could not be read: the item as JSON (storage scrubs
    commenters out of it before it is quarantined) with ``error_reason``."""
    content = json.dumps(item, ensure_ascii=False, default=str)
    return BadRecord(source=source, location=location, reason=error_reason(error), content=content)


class Batch(Record):
    """One unit the runner stores atomically: records, their raw payload, and the checkpoint to
    resume from once they are stored. A run killed after any batch resumes without loss or
    duplicates, because the rows and the checkpoint are committed together."""

    edge: str = Field(description="What was being read: 'profile', 'posts', 'comments:{post_id}'.")
    raw: RawPayload | None = None
    profile: ProfileRecord | None = None
    posts: list[PostRecord] = Field(default_factory=list)
    comments: list[CommentRecord] = Field(default_factory=list)
    bad: list[BadRecord] = Field(default_factory=list)
    checkpoint: dict[str, Any] | None = Field(
        default=None, description="State of this edge after the batch; None leaves it unchanged."
    )
    gap: str | None = Field(default=None, description="Why data may be missing after this batch, if it may.")
    #: Where an importer read each post and comment (by its id: the first row of that id) and the
    #: profile, so that one storage quarantines (its account is not in the registry, a comment's post
    #: is not stored) is located like a bad row ("posts.csv, line 5"), not only by its account or id.
    post_locations: dict[str, str] = Field(default_factory=dict)
    comment_locations: dict[str, str] = Field(default_factory=dict)
    profile_location: str | None = None
