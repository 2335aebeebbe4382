"""Writing a ``Batch`` into the store: the one path every connector and importer goes through.

In one transaction: the raw payload, the profile snapshot, posts and their engagement snapshots,
comments (pseudonymised and redacted here, before anything is written), quarantined bad records
(each stored once, however often it is met), and the edge's checkpoint. Records name their
account by ``account_ref``; a ``Resolver`` maps that to a registry account, and records of
accounts not in the registry are quarantined.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Engine, String
from sqlalchemy.orm import Session, sessionmaker

from govsocial.collect import payload_json
from govsocial.collect.privacy import (
    Pseudonymiser,
    Redactions,
    decoded,
    redact,
    redact_comment,
    redact_payload,
    redact_reason,
    scrub_payload,
    scrub_quarantined,
    without_secrets,
)
from govsocial.collect.records import BadRecord, Batch, CommentRecord, PostRecord, ProfileRecord, RawPayload
from govsocial.encodings import is_storable
from govsocial.store import activity
from govsocial.store import tables as t
from govsocial.store.db import transaction
from govsocial.store.write_lock import write_lock

#: What is kept of a comments payload that is not JSON (it cannot be scrubbed, so it is not kept).
NOT_KEPT = "[not kept: a comments file holds commenter identities; the rows are stored pseudonymised]"

#: ``(platform, account_ref) -> accounts.id`` or None when the account is not in the registry.
Resolver = Callable[[str, str], int | None]


@dataclass
class StoreCounts:
    """What storing batches did, by kind of row and outcome."""

    counts: Counter[str] = field(default_factory=Counter)

    def add(self, kind: str, outcomes: Counter[str]) -> None:
        for outcome, n in outcomes.items():
            self.counts[f"{kind}.{outcome}"] += n

    def as_dict(self) -> dict[str, int]:
        return dict(sorted(self.counts.items()))

    @property
    def changed(self) -> bool:
        """Whether storing added or altered a row (``stored_changes``)."""
        return stored_changes(self.counts)


#: The outcomes that add or alter a stored row; "noop" (met again, the same) and "quarantined" do not.
CHANGES = (activity.INSERT, activity.UPDATE)


def stored_changes(counts: Mapping[str, int]) -> bool:
    """Whether a run's counts (``StoreCounts.counts``, or ``collection_runs.counts`` as recorded) say
    it added or altered a post, comment or snapshot: what the metrics are computed from."""
    return any(n > 0 and key.rpartition(".")[2] in CHANGES for key, n in counts.items())


#: Comments inserted (by the writers sharing an ``Inserted``) before the planner's statistics are
#: checked (see ``BatchWriter``).
ANALYZE_AFTER = 5_000


@dataclass
class Inserted:
    """Comments inserted so far by one writer, or by the writers of one run, which share it; and
    whether the statistics were checked."""

    comments: int = 0
    checked: bool = False


@dataclass
class PreparedBatch:
    """A batch with the work done that needs no database (``BatchWriter.prepare``)."""

    batch: Batch
    #: The raw payload's row (its body the kept copy, scrubbed), or None for a batch without one.
    raw: dict[str, Any] | None
    #: Each comment with its row: pseudonymised and redacted, ``post_id`` set when written.
    comments: list[tuple[CommentRecord, dict[str, Any]]]


@dataclass(frozen=True)
class BatchWriter:
    """Stores batches for one run; ``source`` labels rows ("api:facebook", "import:generic", "sample")."""

    run_id: int | None
    source: str
    resolve: Resolver
    pseudonymise: Pseudonymiser
    account_id: int | None = None  # the account a connector is collecting, for raw payloads and checkpoints
    #: After ``analyze_after`` comments are inserted (counted in ``inserted``, which the writers of a
    #: run share), the writer makes sure PostgreSQL's planner has statistics for them.
    inserted: Inserted = field(default_factory=Inserted, compare=False, repr=False)
    analyze_after: int = ANALYZE_AFTER
    #: The handles kept in comments (``privacy.handles``: the collected account's own, which its
    #: commenters reply to); every other ``@handle`` in a comment is a person's and is redacted.
    own_handles: frozenset[str] = frozenset()

    def write(self, session: Session, batch: Batch, counts: StoreCounts) -> None:
        """Write one batch in the caller's transaction (``prepare``, then ``apply``)."""
        self.apply(session, self.prepare(batch), counts)

    def prepare(self, batch: Batch) -> PreparedBatch:
        """The work on ``batch`` that needs no database: the kept copy of its payload (scrubbed)
        and its comments' rows (pseudonymised and redacted). ``store_batch`` does it before taking
        the store's write lock, so processes that collect side by side do it side by side."""
        # The comments' texts, redacted once for the kept copy and the rows.
        redactions = Redactions(self.own_handles)
        raw = self._raw_values(batch, redactions)
        comments = [(comment, self._comment_row(comment, redactions)) for comment in batch.comments]
        return PreparedBatch(batch, raw, comments)

    def apply(self, session: Session, prepared: PreparedBatch, counts: StoreCounts) -> None:
        """Write a prepared batch in the caller's transaction."""
        batch = prepared.batch
        raw_id = self._insert_raw(session, prepared.raw)
        bad = list(batch.bad)
        if batch.profile is not None:
            self._profile(session, batch, raw_id, bad, counts)
        post_keys = self._posts(session, batch, raw_id, bad, counts)
        self._comments(session, prepared.comments, post_keys, bad, counts, batch.comment_locations)
        self._quarantine(session, bad, _platform(batch, self.source), counts)
        if batch.checkpoint is not None and self.account_id is not None:
            activity.save_checkpoint(session, self.account_id, batch.edge, batch.checkpoint)

    def _raw_values(self, batch: Batch, redactions: Redactions) -> dict[str, Any] | None:
        """The raw payload's row, its body the copy that is kept."""
        if batch.raw is None:
            return None
        values = batch.raw.model_dump()
        if batch.comments or batch.edge.startswith("comments"):
            platform = batch.comments[0].platform if batch.comments else batch.raw.source.split(":", 1)[0]
            values["body"] = self._kept_comments(batch.raw, platform, redactions)
        else:
            values["body"] = _kept_body(batch.raw)
        values.update(run_id=self.run_id, account_id=self.account_id)
        return values

    def _insert_raw(self, session: Session, values: dict[str, Any] | None) -> int | None:
        if values is None:
            return None
        # A Core insert (not an ORM object and a flush of it: 3x the time); what the session holds
        # is flushed first, as the ORM flush did, so rows are written in the same order.
        session.flush()
        return activity.insert_row(session, t.RawPayloadRow, values)

    def _kept_comments(self, raw: RawPayload, platform: str, redactions: Redactions | None = None) -> str:
        """The copy of a comments payload that is kept: without commenter identities, personal data
        or secrets (``scrub_payload``). It is made from what the connector decoded where it passed
        that on (``privacy.with_decoded``), else from the body; bodies that are not JSON are not kept."""
        known, data = decoded(raw)
        if not known:
            try:
                data = payload_json.loads(raw.body)
            except json.JSONDecodeError:
                return NOT_KEPT
        return payload_json.dumps(scrub_payload(data, platform, self.pseudonymise, redactions))

    def _profile(
        self, session: Session, batch: Batch, raw_id: int | None, bad: list[BadRecord], counts: StoreCounts
    ) -> None:
        profile = batch.profile
        assert profile is not None
        account_id = self.resolve(profile.platform, profile.account_ref)
        if account_id is None:
            bad.append(_not_in_registry(self.source, profile, batch.profile_location))
            return
        row = {
            "account_id": account_id,
            "taken_at": profile.taken_at,
            "followers": profile.followers,
            "following": profile.following,
            "posts_count": profile.posts_count,
            "name": profile.name,
            "source": self.source,
            "raw_id": raw_id,
        }
        counts.add("profiles", activity.insert_profile_snapshots(session, [row]))
        _seen_alive(session, account_id, profile.taken_at.date())

    def _posts(
        self,
        session: Session,
        batch: Batch,
        raw_id: int | None,
        bad: list[BadRecord],
        counts: StoreCounts,
    ) -> dict[tuple[str, str], int]:
        rows, kept = [], []
        for post in batch.posts:
            account_id = self.resolve(post.platform, post.account_ref)
            if account_id is None:
                bad.append(_not_in_registry(self.source, post, batch.post_locations.get(post.post_id)))
                continue
            rows.append(self._post_row(post, account_id, raw_id))
            kept.append(post)
        outcomes, ids = activity.upsert_posts(session, rows)
        counts.add("posts", outcomes)
        snapshots = [_snapshot_row(p, ids[(p.platform, p.post_id)]) for p in kept if p.counts is not None]
        counts.add("post_snapshots", activity.insert_post_snapshots(session, snapshots))
        return ids

    def _post_row(self, post: PostRecord, account_id: int, raw_id: int | None) -> dict[str, Any]:
        now = dt.datetime.now(dt.UTC)
        return {
            "account_id": account_id,
            "platform": post.platform,
            "post_id": post.post_id,
            "created_at": post.created_at,
            "created_at_raw": post.created_at_raw,
            "format": post.format.value,
            "text": redact(post.text),
            "url": post.url,
            "link": post.link,
            "media": list(post.media),
            "followers_at_posting": post.followers_at_posting,
            # What the source says beyond the common fields (reach, watch time, the post's type...):
            # strings redacted as the text is, ids kept (``redact_payload``).
            "extra": redact_payload(post.extra) if post.extra else None,
            "source": self.source,
            "first_seen_at": now,
            "last_seen_at": now,
            "raw_id": raw_id,
        }

    def _comments(
        self,
        session: Session,
        comments: list[tuple[CommentRecord, dict[str, Any]]],
        post_keys: dict[tuple[str, str], int],
        bad: list[BadRecord],
        counts: StoreCounts,
        locations: Mapping[str, str],
    ) -> None:
        if not comments:
            return
        missing = {(c.platform, c.post_id) for c, _row in comments} - post_keys.keys()
        known = {**post_keys, **activity.post_ids(session, missing)} if missing else post_keys
        rows = []
        for comment, row in comments:
            post_id = known.get((comment.platform, comment.post_id))
            if post_id is None:
                bad.append(
                    BadRecord(
                        source=self.source,
                        location=_comment_location(comment.comment_id, locations.get(comment.comment_id)),
                        reason=f"post {comment.post_id!r} is not in the store (import its posts first)",
                        content=_safe_comment_json(comment),
                    )
                )
                continue
            row["post_id"] = post_id
            rows.append(row)
        outcomes = activity.upsert_comments(session, rows)
        counts.add("comments", outcomes)
        self._after_inserting(session, outcomes[activity.INSERT])

    def _after_inserting(self, session: Session, comments: int) -> None:
        """Once ``analyze_after`` comments are inserted, have their table analysed if the planner does
        not know about them yet (``activity.analyze_if_stale``): a store filling from empty is
        otherwise read by guesswork until autovacuum catches up, each lookup scanning the
        platform's every row."""
        inserted = self.inserted
        inserted.comments += comments
        if not inserted.checked and inserted.comments >= self.analyze_after:
            inserted.checked = True
            activity.analyze_if_stale(session, t.Comment, inserted.comments)

    def _comment_row(self, comment: CommentRecord, redactions: Redactions | None = None) -> dict[str, Any]:
        """The comment's row; its ``post_id`` (the post's row) is set when it is written."""
        return {
            "post_id": None,
            "platform": comment.platform,
            "comment_id": comment.comment_id,
            "parent_comment_id": comment.parent_id,
            "created_at": comment.created_at,
            "author": self.pseudonymise(comment.platform, comment.author_id),
            "is_page_reply": comment.is_page_reply,
            "text": (redactions or Redactions(self.own_handles))(comment.text),
            "likes": comment.likes,
            "replies": comment.replies,
            "source": self.source,
        }

    def _quarantine(self, session: Session, bad: list[BadRecord], platform: str, counts: StoreCounts) -> None:
        """Store the bad records. Every one comes this way, whoever made it (a connector dumps the
        raw listing item, an importer its line), so their privacy is applied here: what is stored
        of a record is ``_quarantined_content``, its reason and location as they are.

        A record already in the quarantine (the same fingerprint: a file imported again, an API
        item met again) is counted there, not stored twice (``activity.upsert_quarantined``). The run still
        counts every bad record it met ("quarantined"), so a re-run says the file has bad rows."""
        if not bad:
            return
        now = dt.datetime.now(dt.UTC)
        rows = [self._quarantined_row(record, platform, now) for record in bad]
        activity.upsert_quarantined(session, rows)
        counts.counts["quarantined"] += len(bad)

    def _quarantined_row(self, record: BadRecord, platform: str, now: dt.datetime) -> dict[str, Any]:
        content = self._quarantined_content(record.content, platform)
        location = fitted_location(record.location)
        reason = redact_reason(record.reason)
        return {
            "run_id": self.run_id,
            "source": record.source,
            "location": location,
            "reason": reason,
            "content": content,
            "created_at": now,
            "fingerprint": t.QuarantinedRecord.fingerprint_of(record.source, location, reason, content),
            "times_seen": 1,
            "last_run_id": self.run_id,
            "last_seen_at": now,
        }

    def _quarantined_content(self, content: str, platform: str) -> str:
        """What is kept of a bad record: JSON (an array or object) with commenters pseudonymised
        under ``platform`` or removed, personal data redacted and secrets removed, ids kept so that
        the item can be found again (``privacy.scrub_quarantined``); other text (a line of a file)
        with personal data, ``@handles`` (it may be a comment's, ``privacy.redact_comment``) and
        secrets removed."""
        try:
            data = payload_json.loads(content)
            if isinstance(data, dict | list):
                kept = scrub_quarantined(data, platform, self.pseudonymise, self.own_handles)
                return payload_json.dumps(kept)
        except (json.JSONDecodeError, RecursionError):
            pass  # not JSON (or too deep to walk): kept as text
        return storable_body(redact_comment(without_secrets(content), self.own_handles) or "")


#: The characters ``quarantine.location`` holds (PostgreSQL refuses more; SQLite would keep them).
LOCATION_CHARS: int = cast(String, t.QuarantinedRecord.__table__.c.location.type).length or 500


def fitted_location(location: str) -> str:
    """``location`` as ``quarantine.location`` holds it: as it is, or, when longer (a Graph listing's
    URL with its ``fields`` runs to 800 characters), its start and its end (the path, and the
    cursor and limit that say which page) around "…". The same text for the same location, so a
    record met again is still one record."""
    if len(location) <= LOCATION_CHARS:
        return location
    head = LOCATION_CHARS * 3 // 5
    return f"{location[:head]}…{location[head + 1 - LOCATION_CHARS :]}"


def _platform(batch: Batch, source: str) -> str:
    """The platform a batch's bad records come from, for their commenters' pseudonyms: that of its
    records, else the writer's ("api:facebook"), else the first part of ``source``."""
    for records in (batch.comments, batch.posts):
        if records:
            return records[0].platform
    if batch.profile is not None:
        return batch.profile.platform
    kind, _, rest = source.partition(":")
    return rest if kind == "api" and rest else kind


def _kept_body(raw: RawPayload) -> str:
    """The kept copy of a payload without commenters (a profile, a page of posts, a file of posts):
    personal data redacted as in the rows, secrets removed (Graph bodies repeat the token in their
    paging URLs). JSON is redacted string by string, ids kept (``privacy.redact_payload``), from
    what the connector decoded where it passed that on (``privacy.with_decoded``); the body is kept
    as received where that changes nothing, else written again. Other text (CSV, RSS) is redacted
    as text (``_kept_text``).

    A body as received holds a NUL or a surrogate only as the escapes ``\\u0000`` and ``\\ud800``
    (JSON allows no NUL of its own), which the store keeps; one written with a surrogate as it
    is (an importer's ``json.dumps(..., ensure_ascii=False)``) is written again, as
    ``payload_json.dumps`` always writes: with the escape."""
    known, data = decoded(raw)
    try:
        if not known:
            data = payload_json.loads(raw.body)
        kept = redact_payload(data)
    except (json.JSONDecodeError, RecursionError):
        return _kept_text(raw.body)
    if kept == data:  # nothing personal and no secret in any string or key (the common case)
        body = without_secrets(raw.body)
        if is_storable(body):
            return body
    return payload_json.dumps(kept)


def _kept_text(text: str) -> str:
    """``text`` that is not JSON, with secrets removed and personal data redacted, as the store can
    keep it (``storable_body``)."""
    return storable_body(redact(without_secrets(text)) or "")


def storable_body(text: str) -> str:
    """A kept body or quarantined content that is not JSON (a CSV section, a feed, a line of a
    file): as it is, or, when it holds what no store keeps (NUL, which PostgreSQL refuses; a
    surrogate without its pair, which has no UTF-8 form), written as one JSON string
    (``"..."``, a NUL as ``\\u0000``), from which ``json.loads`` gives the text back exactly. A
    file section starts with its header line and a feed is XML, so a text body that reads as a
    JSON string is one written here."""
    return text if is_storable(text) else payload_json.dumps(text)


def _seen_alive(session: Session, account_id: int, day: dt.date) -> None:
    """Liveness: a profile answered, so the account was alive on ``day``."""
    account = session.get(t.Account, account_id)
    if account is None:
        return
    if account.first_seen_on is None or day < account.first_seen_on:
        account.first_seen_on = day
    if account.last_seen_on is None or day > account.last_seen_on:
        account.last_seen_on = day


def _snapshot_row(post: PostRecord, post_id: int) -> dict[str, Any]:
    assert post.counts is not None
    return {"post_id": post_id, **post.counts.model_dump()}


def _comment_location(comment_id: str, where: str | None) -> str:
    """Where a comment quarantined for want of its post is: ``comment ID``, then where an importer
    read it (``comment c2 (comments.csv, line 3)``). The id comes first so that a long file name,
    cut by ``fitted_location``, never cuts it: ``privacy forget`` finds the record by it once its
    content has been purged (``store.forget``)."""
    return f"comment {comment_id}" + (f" ({where})" if where else "")


def _not_in_registry(source: str, record: PostRecord | ProfileRecord, location: str | None) -> BadRecord:
    """The bad record of a post or follower count whose account the registry does not have: located
    where an importer read it (``location``: a file's line), else by its account. The registry
    knows an account by its addresses and by its ``platform_id``: an export naming a registered
    page by its numeric id (Meta Business Suite's Page ID, CrowdTangle's Facebook Id) resolves once
    the page has that id."""
    platform, ref = record.platform, record.account_ref
    return BadRecord(
        source=source,
        location=location or f"{platform} account {ref}",
        reason=(
            f"{platform} account {ref!r} is not in the registry, by address or by platform_id (add the "
            "account, or set its platform_id if it is registered by address; then import again)"
        ),
        content=record.model_dump_json(),
    )


def _safe_comment_json(comment: CommentRecord) -> str:
    """A quarantined comment without its author's identity (privacy applies to bad records too)."""
    data = comment.model_dump(mode="json", exclude={"author_id"})
    return json.dumps(data, ensure_ascii=False)


def store_batch(
    engine: Engine, sessions: sessionmaker[Session], writer: BatchWriter, batch: Batch, counts: StoreCounts
) -> None:
    """Store ``batch`` in its own transaction, as collections and imports do: prepared first, then
    written (``store_prepared``)."""
    store_prepared(engine, sessions, writer, writer.prepare(batch), counts)


def store_prepared(
    engine: Engine,
    sessions: sessionmaker[Session],
    writer: BatchWriter,
    prepared: PreparedBatch,
    counts: StoreCounts,
) -> None:
    """Write a prepared batch in its own transaction, holding the store's write lock
    (``store.write_lock``: one writer at a time on SQLite, the next let in as soon as it is free)."""
    with write_lock(engine), transaction(sessions) as session:
        writer.apply(session, prepared, counts)
