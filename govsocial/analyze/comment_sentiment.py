"""Stored comment sentiment: every citizen comment's label and score, kept in ``comment_sentiments``.

The metrics refresh and ``govsocial sentiment score`` call :func:`score_comments`, which scores the
comments that need it and nothing else:

- citizen comments only: a page's replies to its commenters are the government speaking, not
  public opinion, and are never scored (nor are comments without text);
- a comment needs a score when it has no row in ``comment_sentiments``, when its text has changed
  since it was scored (the row's ``content_hash`` differs from the comment's), or when it was
  scored by another analyser or another version of it (the row's ``analyser`` differs from
  :func:`analyser_id`).

The analyser identifier is the analyser's name followed by ``@`` and a fingerprint of its model
(``linear@3f2a9c01b7d4``), so that a retrained model, shipped in a new release or configured with
``sentiment_analyser``, rescores every comment on the next refresh without anyone asking for it.
Analysers from plugins get their ``version`` attribute as the fingerprint when they have one, and
their bare name otherwise.

Comments are read in pages of ``chunk`` rows in primary-key order (keyset pagination, the same on
SQLite and PostgreSQL), scored and written back in one transaction per page, so memory stays
bounded whatever the store holds, an interrupted run keeps what it wrote, and running it again
finds nothing left to do. A comment removed from the store takes its sentiment row with it (the
foreign key cascades).

Each run ends by recording which analysers labelled the comments on each account's posts it covered
(``store.sentiments.record_analysers``, ``comment_analysers``), which the opinion sections read
rather than every comment on each page view.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, Select, and_, false, func, or_, select, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from govsocial.analyze.sentiment import Analyser, Sentiment, default_analyser, load_analyser
from govsocial.store import tables as t
from govsocial.store.sentiments import record_analysers

#: Comments read, scored and written per transaction.
CHUNK = 20_000
#: ``comment_sentiments.analyser`` holds at most this many characters.
ANALYSER_CHARS = 100
_FINGERPRINT_CHARS = 12

_comments = t.Comment.__table__
_sentiments = t.CommentSentiment.__table__
_posts = t.Post.__table__
_accounts = t.Account.__table__

#: Called after each page with (comments scored so far, comments to score in all).
Progress = Callable[[int, int], None]


@dataclass
class ScoreReport:
    """What a scoring run did: how many comments needed a score, how many got one, how long it took."""

    analyser: str
    jurisdiction: str | None
    pending: int = 0
    scored: int = 0
    seconds: float = 0.0

    @property
    def per_second(self) -> float:
        """Comments scored per second, end to end (reading, scoring and writing)."""
        return self.scored / self.seconds if self.seconds > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "analyser": self.analyser,
            "jurisdiction": self.jurisdiction,
            "pending": self.pending,
            "scored": self.scored,
            "seconds": round(self.seconds, 3),
            "per_second": round(self.per_second),
        }

    def summary(self) -> str:
        """One line for the command line."""
        where = f" ({self.jurisdiction})" if self.jurisdiction else ""
        if not self.scored:
            return f"sentiment{where}: every comment is already scored by {self.analyser}"
        return (
            f"sentiment{where}: {self.scored:,} comments scored by {self.analyser} in {self.seconds:.1f} s "
            f"({self.per_second:,.0f} comments/s)"
        )


def score_comments(
    engine: Engine,
    analyser: Analyser | str | None = None,
    jurisdiction: str | None = None,
    rescore: bool = False,
    chunk: int = CHUNK,
    progress: Progress | None = None,
) -> ScoreReport:
    """Score every citizen comment that needs it (see the module docstring) and store the results.

    - ``analyser``: an analyser, the name of one (``load_analyser``), or None for the default.
    - ``jurisdiction``: only comments on that jurisdiction's accounts (default: every comment).
    - ``rescore``: score every citizen comment again, whatever is stored.
    - ``chunk``: comments per page and transaction; ``progress``: called after each page.
    """
    started = time.perf_counter()
    model = analyser if analyser is not None and not isinstance(analyser, str) else _load(analyser)
    report = ScoreReport(analyser_id(model), jurisdiction)
    with engine.connect() as connection:
        report.pending = _count(connection, report.analyser, jurisdiction, rescore)
    if progress is not None:
        progress(0, report.pending)
    after = 0
    while report.pending:
        with engine.begin() as connection:
            rows = connection.execute(
                _pending(report.analyser, jurisdiction, rescore, after).limit(chunk)
            ).all()
            if not rows:
                break
            _store(connection, report.analyser, rows, model.analyse([row.text for row in rows]))
        after = rows[-1].id
        report.scored += len(rows)
        if progress is not None:
            progress(min(report.scored, report.pending), report.pending)
    # Even when nothing needed a score: comments forgotten since the last run take their analyser
    # with them, and a store upgraded or filled by other means gets its rows.
    with engine.begin() as connection:
        record_analysers(connection, jurisdiction)
    report.seconds = time.perf_counter() - started
    return report


def _load(name: str | None) -> Analyser:
    return default_analyser() if not name else load_analyser(name)


def analyser_id(analyser: Analyser) -> str:
    """What ``comment_sentiments.analyser`` records: ``NAME@FINGERPRINT`` (see the module docstring)."""
    version = getattr(analyser, "version", None)
    fingerprint = str(version) if version else _model_fingerprint(getattr(analyser, "model", None))
    name = analyser.name
    if fingerprint is None:
        return name[:ANALYSER_CHARS]
    return f"{name[: ANALYSER_CHARS - _FINGERPRINT_CHARS - 1]}@{fingerprint[:_FINGERPRINT_CHARS]}"


#: Fingerprints of the models seen in this process, by object id (a model is never mutated).
_FINGERPRINTS: dict[int, str] = {}


def _model_fingerprint(model: Any) -> str | None:
    """A short digest of a linear model's numbers, or None for anything else.

    Hashing every weight would take longer than scoring a page of comments; the biases, the
    temperature, the number of features, the weights' sums and the training description change
    with any retraining, which is all the digest has to notice.
    """
    weights = getattr(model, "weights", None)
    if not isinstance(weights, dict):
        return None
    cached = _FINGERPRINTS.get(id(model))
    if cached is not None:
        return cached
    summary = {
        "bias": list(getattr(model, "bias", ())),
        "temperature": getattr(model, "temperature", None),
        "features": len(weights),
        "negative": round(math.fsum(w[0] for w in weights.values()), 6),
        "positive": round(math.fsum(w[1] for w in weights.values()), 6),
        "about": getattr(model, "about", None),
    }
    encoded = json.dumps(summary, sort_keys=True, default=str, ensure_ascii=False).encode("utf-8")
    digest = hashlib.sha256(encoded).hexdigest()[:_FINGERPRINT_CHARS]
    _FINGERPRINTS[id(model)] = digest
    return digest


# --- Reading --------------------------------------------------------------------------------------


def _citizen_comments() -> ColumnElement[bool]:
    """Comments that carry public opinion: not the page's own replies, with some text."""
    return and_(
        _comments.c.is_page_reply == false(),
        _comments.c.text.is_not(None),
        func.length(func.trim(_comments.c.text)) > 0,
    )


def _needs_score(analyser: str) -> ColumnElement[bool]:
    """No stored row, or one for other text or another analyser (the row is left-joined)."""
    return or_(
        _sentiments.c.comment_id.is_(None),
        _sentiments.c.content_hash != _comments.c.content_hash,
        _sentiments.c.analyser != analyser,
    )


def _narrow(statement: Select[Any], analyser: str, jurisdiction: str | None, rescore: bool) -> Select[Any]:
    statement = statement.where(_citizen_comments())
    if not rescore:
        statement = statement.outerjoin(_sentiments, _sentiments.c.comment_id == _comments.c.id).where(
            _needs_score(analyser)
        )
    if jurisdiction is not None:
        statement = (
            statement.join(_posts, _posts.c.id == _comments.c.post_id)
            .join(_accounts, _accounts.c.id == _posts.c.account_id)
            .where(_accounts.c.jurisdiction == jurisdiction)
        )
    return statement


def _count(connection: Connection, analyser: str, jurisdiction: str | None, rescore: bool) -> int:
    statement = _narrow(select(func.count()).select_from(_comments), analyser, jurisdiction, rescore)
    return int(connection.execute(statement).scalar_one())


def _pending(analyser: str, jurisdiction: str | None, rescore: bool, after: int) -> Select[Any]:
    """The next page of comments to score after comment id ``after`` (keyset pagination)."""
    statement: Select[Any] = select(_comments.c.id, _comments.c.content_hash, _comments.c.text)
    statement = _narrow(statement, analyser, jurisdiction, rescore)
    return statement.where(_comments.c.id > after).order_by(_comments.c.id)


# --- Writing --------------------------------------------------------------------------------------


def _store(connection: Connection, analyser: str, rows: Sequence[Any], results: list[Sentiment]) -> None:
    """Insert or replace the sentiment rows of one page of comments."""
    now = t._now()
    if connection.dialect.name == "postgresql":
        # One statement over arrays: psycopg's executemany sends a statement per row, which made
        # writing cost more than scoring.
        connection.execute(
            _PG_UPSERT,
            {
                "ids": [row.id for row in rows],
                "hashes": [row.content_hash for row in rows],
                "labels": [result.label for result in results],
                "scores": [float(result.score) for result in results],
                "analyser": analyser,
                "scored_at": now,
            },
        )
        return
    values = [
        {
            "comment_id": row.id,
            "analyser": analyser,
            "content_hash": row.content_hash,
            "label": result.label,
            "score": float(result.score),
            "scored_at": now,
        }
        for row, result in zip(rows, results, strict=True)
    ]
    statement = sqlite_insert(t.CommentSentiment)
    statement = statement.on_conflict_do_update(
        index_elements=["comment_id"],
        set_={name: statement.excluded[name] for name in _UPDATED},
    )
    connection.execute(statement, values)


_UPDATED = ("analyser", "content_hash", "label", "score", "scored_at")
_PG_UPSERT = text(
    "INSERT INTO comment_sentiments (comment_id, analyser, content_hash, label, score, scored_at) "
    "SELECT page.id, :analyser, page.hash, page.label, page.score, :scored_at "
    "FROM unnest(CAST(:ids AS integer[]), CAST(:hashes AS varchar[]), CAST(:labels AS varchar[]), "
    "CAST(:scores AS double precision[])) AS page(id, hash, label, score) "
    "ON CONFLICT (comment_id) DO UPDATE SET " + ", ".join(f"{name} = excluded.{name}" for name in _UPDATED)
)
