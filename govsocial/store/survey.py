"""The citizen survey's store: the questions' answer codes, responses, the rate limit and the form key.

Anonymous by design (docs/survey.md):

* A response is keyed by the SHA-256 of the browser's random token (a cookie the portal sets), never
  by anything about the person or the device; sending the survey again from the same browser
  replaces that browser's answers, so each browser counts once.
* It keeps the day it was sent, not the time, and no free text: a comment box could carry a name,
  a phone number or an address.
* Submissions per client address are counted for the rate limit as the address's SHA-256 and
  deleted once older than the window, like failed admin sign-ins (``store.users``).
* What is sent is not published at once: it waits in ``pending`` until a batch of at least
  ``analyze.survey.MIN_GROUP`` new or changed responses is released together (``lock_releases``,
  ``waiting``, ``publish``, ``add_release``; the rule itself is ``analyze.survey.release_due``), so
  that comparing the results before and after one person answers tells nothing of that person.
  ``responses`` gives only what is published. A store that refuses writes (a read-only replica or
  file) refuses a release, which its readers tell apart from other errors (``refused_as_read_only``).

Every time is passed in (``now``), so tests move a clock instead of waiting.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import sqlite3
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from sqlalchemy import delete, false, func, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from govsocial.errors import GovsocialError
from govsocial.store import tables as t
from govsocial.store.queries import ascii_digits

#: The six 0-10 ratings, in the study's order: the column of each in ``survey_responses``.
RATINGS = (
    "explaining_policy",
    "public_participation",
    "responding_to_crises",
    "clarifying_misinformation",
    "building_image",
    "understanding_sentiment",
)
RATING_MIN, RATING_MAX = 0, 10
#: Where people learn about government news (the study's list; up to three may be chosen).
CHANNELS = (
    "other_pages_media",
    "friends_shares",
    "follow_government_pages",
    "friends_send_tag",
    "government_ads",
    "government_sms",
    "government_app",
    "officials_blogs",
    "none",
)
MAX_CHANNELS = 3
#: The channel that says the person follows no government news: it excludes the others.
NO_CHANNEL = "none"
#: The ways of reacting to a government post, and how often.
REACTIONS = ("emoji", "share", "comment")
FREQUENCIES = ("often", "sometimes", "rarely", "never", "dont_know")
#: Reacting "often or sometimes": what the study reports.
ACTIVE_FREQUENCIES = ("often", "sometimes")
#: The main expectation when contacting the government through social media (one choice).
EXPECTATIONS = (
    "get_response",
    "receive_information",
    "voice_opinion",
    "discuss_posts",
    "other",
    "no_expectation",
    "dont_know",
)
#: The most important consideration before interacting (one choice).
CONSIDERATIONS = (
    "privacy",
    "effect",
    "trust",
    "channel_credibility",
    "interest",
    "other",
    "nothing_special",
    "dont_know",
)
#: Optional age bands: the study's 15-34 split in five-year bands, then wider ones.
AGE_BANDS = ("15-19", "20-24", "25-29", "30-34", "35-44", "45-54", "55-64", "65+")
#: Hong Kong's 18 District Council districts: the codes its responses have stored since the survey
#: began (``survey_responses.district``), now in data/registry/hk/districts.csv and written into
#: ``districts`` by migration 0019. The survey asks the districts the store holds (``districts_of``).
DISTRICTS = (
    "central_western",
    "wan_chai",
    "eastern",
    "southern",
    "yau_tsim_mong",
    "sham_shui_po",
    "kowloon_city",
    "wong_tai_sin",
    "kwun_tong",
    "kwai_tsing",
    "tsuen_wan",
    "tuen_mun",
    "yuen_long",
    "north",
    "tai_po",
    "sha_tin",
    "sai_kung",
    "islands",
)
#: The longest district code a response can store (``survey_responses.district``).
DISTRICT_MAX = 32


@dataclass(frozen=True)
class District:
    """One of a jurisdiction's districts, as ``registry load`` stored it from ``districts.csv``."""

    code: str
    name_en: str
    name_zh_hant: str | None = None
    name_zh_hans: str | None = None

    def name(self, locale: str) -> str:
        """The name in ``locale`` (``en``, ``zh-hant``, ``zh-hans``), else in the nearest script
        (the other Chinese one for Chinese), else English, which every district has."""
        fallbacks = {
            "zh-hant": (self.name_zh_hant, self.name_zh_hans),
            "zh-hans": (self.name_zh_hans, self.name_zh_hant),
        }
        return next((name for name in fallbacks.get(locale, ()) if name), self.name_en)


def districts_of(session: Session, jurisdiction: str) -> list[District]:
    """The districts the survey asks about on ``jurisdiction``'s portal, in its file's order: none
    when its registry folder has no ``districts.csv`` (no district question)."""
    query = select(t.District).where(t.District.jurisdiction == jurisdiction).order_by(t.District.position)
    return [District(r.code, r.name_en, r.name_zh_hant, r.name_zh_hans) for r in session.scalars(query)]


class SurveyError(GovsocialError, ValueError):
    """An answer that is not one of the survey's choices."""


@dataclass(frozen=True)
class Answers:
    """One person's answers, every one optional (``None`` or empty: not answered / don't know)."""

    ratings: dict[str, int | None] = field(default_factory=dict)
    channels: list[str] = field(default_factory=list)
    reactions: dict[str, str] = field(default_factory=dict)
    expectation: str | None = None
    consideration: str | None = None
    age_band: str | None = None
    district: str | None = None

    def check(self, districts: Collection[str] | None = None) -> None:
        """Raise ``SurveyError`` for anything that is not one of the survey's choices: a district not
        among ``districts``, the codes of the jurisdiction the portal asks about (``districts_of``).
        None: the caller checked the district already (``save`` from the page) or has no
        jurisdiction (tests); it must still fit its column."""
        for name, value in self.ratings.items():
            if name not in RATINGS:
                raise SurveyError(f"no rating {name!r}")
            if value is not None and not RATING_MIN <= value <= RATING_MAX:
                raise SurveyError(f"{name} must be {RATING_MIN}-{RATING_MAX}")
        if len(self.channels) > MAX_CHANNELS or len(set(self.channels)) != len(self.channels):
            raise SurveyError(f"choose at most {MAX_CHANNELS} different channels")
        _choices("channel", self.channels, CHANNELS)
        # "I do not follow government news" excludes every channel: both at once is no answer.
        if NO_CHANNEL in self.channels and len(self.channels) > 1:
            raise SurveyError(f"{NO_CHANNEL!r} cannot be chosen with another channel")
        _choices("reaction", list(self.reactions), REACTIONS)
        _choices("frequency", list(self.reactions.values()), FREQUENCIES)
        singles: tuple[tuple[str, str | None, tuple[str, ...]], ...] = (
            ("expectation", self.expectation, EXPECTATIONS),
            ("consideration", self.consideration, CONSIDERATIONS),
            ("age band", self.age_band, AGE_BANDS),
        )
        for what, choice, allowed in singles:
            if choice is not None:
                _choices(what, [choice], allowed)
        if self.district is not None:
            if len(self.district) > DISTRICT_MAX:
                raise SurveyError(f"a district code has at most {DISTRICT_MAX} characters")
            if districts is not None:
                _choices("district", [self.district], tuple(districts))

    @property
    def empty(self) -> bool:
        """Whether nothing at all was answered (such a response is not stored)."""
        return not (
            any(v is not None for v in self.ratings.values())
            or self.channels
            or self.reactions
            or self.expectation
            or self.consideration
        )


def _choices(what: str, values: list[str], allowed: tuple[str, ...]) -> None:
    for value in values:
        if value not in allowed:
            raise SurveyError(f"{value!r} is not a {what} of the survey")


def digest(value: str) -> str:
    """The SHA-256 (hex) of a random token or an address: what is stored instead of it."""
    return hashlib.sha256(value.encode()).hexdigest()


def new_token() -> str:
    """A browser's random token: 256 bits, from the operating system's generator."""
    return secrets.token_urlsafe(32)


def save(
    session: Session, token: str, answers: Answers, today: dt.date, districts: Collection[str] | None = None
) -> bool:
    """Store the answers of the browser holding ``token`` as its version waiting to be released;
    True when the browser had answered before. ``districts``: the codes the district must be among
    (the portal gives its jurisdiction's, ``districts_of``); None checks only its length.

    Only ``pending`` is written for a browser that had answered: its published answers stay as they
    were until the next release, or their disappearance would itself give the new ones away. A new
    browser's row also gets the answers in its answer columns (they cannot be empty), unpublished
    while ``released_at`` is NULL.

    Holds the release lock (``lock_releases``) to the end of the caller's transaction, taken before
    the row is written: a release waits for this transaction's version, and this transaction never
    holds the row's lock while waiting for a release that waits for that row (on PostgreSQL, a
    release's ``FOR UPDATE`` and this row's write taken in the other order were a deadlock)."""
    answers.check(districts)
    lock_releases(session)
    token_hash = digest(token)
    row = session.scalars(select(t.SurveyResponse).where(t.SurveyResponse.token_hash == token_hash)).first()
    replaced = row is not None
    version = _version(answers, today)
    if row is None:
        row = t.SurveyResponse(token_hash=token_hash)
        _set_answers(row, version)
        session.add(row)
    row.pending = version
    session.flush()
    return replaced


def _version(answers: Answers, today: dt.date) -> dict[str, Any]:
    """The answers as a waiting version (JSON): what ``publish`` writes into the answer columns."""
    return {
        "submitted_on": today.isoformat(),
        "age_band": answers.age_band,
        "district": answers.district,
        "ratings": {name: answers.ratings.get(name) for name in RATINGS},
        "channels": list(answers.channels),
        "reactions": dict(answers.reactions),
        "expectation": answers.expectation,
        "consideration": answers.consideration,
    }


def _set_answers(row: t.SurveyResponse, version: dict[str, Any]) -> None:
    row.submitted_on = dt.date.fromisoformat(version["submitted_on"])
    row.age_band, row.district = version["age_band"], version["district"]
    for name in RATINGS:
        setattr(row, name, version["ratings"].get(name))
    row.channels = list(version["channels"])
    row.reactions = dict(version["reactions"])
    row.expectation, row.consideration = version["expectation"], version["consideration"]


def has_answered(session: Session, token: str) -> bool:
    """Whether the browser holding ``token`` has a stored response (released or waiting)."""
    found = select(t.SurveyResponse.id).where(t.SurveyResponse.token_hash == digest(token))
    return session.scalar(found) is not None


def responses(session: Session) -> Iterator[t.SurveyResponse]:
    """Every published response, oldest id first: the rows released in a batch, with the answers
    released last (a version still waiting is not among them, nor a row never released)."""
    query = select(t.SurveyResponse).where(t.SurveyResponse.released_at.is_not(None))
    yield from session.scalars(query.order_by(t.SurveyResponse.id))


def count(session: Session) -> int:
    """How many browsers have a stored response, released or waiting (the page's "Responses so
    far": a count tells nothing of anyone's answers)."""
    return session.scalar(select(func.count()).select_from(t.SurveyResponse)) or 0


def waiting_count(session: Session) -> int:
    """How many responses have a version waiting for the next release."""
    where = t.SurveyResponse.pending.is_not(None)
    return session.scalar(select(func.count()).select_from(t.SurveyResponse).where(where)) or 0


def released_count(session: Session) -> int:
    """How many responses are published (``responses``), without reading them."""
    where = t.SurveyResponse.released_at.is_not(None)
    return session.scalar(select(func.count()).select_from(t.SurveyResponse).where(where)) or 0


# --- Releases --------------------------------------------------------------------------------------

#: The PostgreSQL advisory lock that one release check holds at a time, to its transaction's end
#: (any number kept for this use; ``store.alerts`` and ``store.audit`` use others).
RELEASE_LOCK_KEY = 0x7375_7276  # "surv"


def lock_releases(session: Session) -> None:
    """Hold, to the end of the caller's transaction, the right to release: two submitters must not
    both release one batch, or summarise the store as it was before the other's release. ``save``
    takes it before writing a version, so a transaction holds it before any response's row lock
    (always in that order: no deadlock with a release's ``FOR UPDATE``); taking it again in the
    same transaction is harmless.

    PostgreSQL: a transaction advisory lock. SQLite: its one write lock, taken by a write that
    changes nothing; without it, the reads that follow could see the store before a write another
    connection commits between them and this transaction's first write."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(RELEASE_LOCK_KEY)))
        return
    nothing = update(t.SurveyRelease).where(false()).values(id=t.SurveyRelease.id)
    session.execute(nothing.execution_options(synchronize_session=False))


#: PostgreSQL's ``read_only_sql_transaction``: a hot-standby replica, or a read-only transaction
#: (``default_transaction_read_only`` set for the server, the database or the role).
READ_ONLY_SQLSTATE = "25006"


def refused_as_read_only(error: DBAPIError) -> bool:
    """Whether the store refused ``error``'s statement because it may not be written: PostgreSQL's
    SQLSTATE 25006, or SQLite's ``SQLITE_READONLY`` ("attempt to write a readonly database": a file
    opened read-only or that the user may only read; its extended codes keep the primary code in
    their low byte). A locked store, a lost connection or any other error is not."""
    driver_error = error.orig
    if getattr(driver_error, "sqlstate", None) == READ_ONLY_SQLSTATE:
        return True
    code = getattr(driver_error, "sqlite_errorcode", None)
    return isinstance(code, int) and code & 0xFF == sqlite3.SQLITE_READONLY


def waiting(session: Session) -> list[t.SurveyResponse]:
    """The rows with a version waiting, oldest id first, locked to the end of the transaction
    (PostgreSQL: ``FOR UPDATE``, so that a submitter's new version written meanwhile is read once
    it is committed, not overwritten by an older one)."""
    query = select(t.SurveyResponse).where(t.SurveyResponse.pending.is_not(None))
    query = query.order_by(t.SurveyResponse.id).with_for_update()
    # populate_existing: the rows as the locked read gives them, not as this session held them.
    return list(session.scalars(query.execution_options(populate_existing=True)))


def publish(session: Session, rows: list[t.SurveyResponse], now: dt.datetime) -> None:
    """Release the waiting version of every one of ``rows``: it becomes the published answers."""
    for row in rows:
        if row.pending is None:
            continue
        _set_answers(row, row.pending)
        row.pending = None
        row.released_at = now
    session.flush()


def add_release(
    session: Session,
    made_at: dt.datetime,
    made_on: dt.date,
    respondents: int,
    changed: int,
    ratings: dict[str, dict[str, float | int | None]],
    districts: dict[str, int] | None = None,
) -> t.SurveyRelease:
    """Record a release and the figures it made public (``districts``: its responses by published
    district, ``analyze.survey.district_counts``)."""
    release = t.SurveyRelease(
        made_at=made_at,
        made_on=made_on,
        respondents=respondents,
        changed=changed,
        ratings=ratings,
        districts=districts,
    )
    session.add(release)
    session.flush()
    return release


def latest_release(session: Session, before: dt.date | None = None) -> t.SurveyRelease | None:
    """The release made last (on a day before ``before`` when given); None before the first."""
    query = select(t.SurveyRelease).order_by(t.SurveyRelease.made_at.desc(), t.SurveyRelease.id.desc())
    if before is not None:
        query = query.where(t.SurveyRelease.made_on < before)
    return session.scalars(query.limit(1)).first()


def released_between(session: Session, start: dt.date, end: dt.date) -> int:
    """How many responses the releases made from ``start`` to the day before ``end`` published."""
    made_on = t.SurveyRelease.made_on
    total = select(func.sum(t.SurveyRelease.changed)).where(made_on >= start, made_on < end)
    return int(session.scalar(total) or 0)


# --- Rate limit ------------------------------------------------------------------------------------


def recent_submissions(session: Session, client: str, since: dt.datetime) -> int:
    """Submissions from ``client`` since ``since`` (older ones are deleted: they count no more)."""
    session.execute(delete(t.SurveySubmission).where(t.SurveySubmission.at < since))
    count = select(func.count()).select_from(t.SurveySubmission)
    return session.scalar(count.where(t.SurveySubmission.client == digest(client))) or 0


def record_submission(session: Session, client: str, now: dt.datetime) -> None:
    """Count a submission from ``client``."""
    session.add(t.SurveySubmission(at=now, client=digest(client)))


# --- The signed start time -------------------------------------------------------------------------


class Start(Enum):
    """What the form's signed start time says about a submission."""

    OK = "ok"
    TOO_FAST = "too_fast"
    EXPIRED = "expired"
    FORGED = "forged"


def signing_key(session: Session) -> bytes:
    """The key that signs form start times: made once, at random, and kept in the store.

    Kept in the store rather than in a setting so that every worker and every restart uses the same
    key without configuration; it protects only against bots skipping the form, not secrets.
    """
    key = session.scalar(select(t.SurveyKey.key).where(t.SurveyKey.id == 1))
    if key is None:
        try:
            with session.begin_nested():
                session.add(t.SurveyKey(id=1, key=secrets.token_hex(32)))
        except IntegrityError:  # another worker made it first: use theirs
            pass
        key = session.scalar(select(t.SurveyKey.key).where(t.SurveyKey.id == 1))
    assert key is not None
    return bytes.fromhex(key)


def sign_start(key: bytes, at: dt.datetime) -> str:
    """The form's hidden start field: the Unix time and its HMAC-SHA256."""
    stamp = str(int(at.timestamp()))
    return f"{stamp}.{hmac.new(key, stamp.encode(), hashlib.sha256).hexdigest()}"


def check_start(
    key: bytes, value: str, now: dt.datetime, minimum: dt.timedelta, maximum: dt.timedelta
) -> Start:
    """Whether a form shown at the signed time ``value`` may be submitted ``now``."""
    stamp, _, mac = value.partition(".")
    expected = hmac.new(key, stamp.encode(), hashlib.sha256).hexdigest()
    # Bytes: compare_digest refuses str with non-ASCII characters (a TypeError, not a forgery).
    # ASCII digits: str.isdigit is also true of "²", which int() refuses.
    if not ascii_digits(stamp) or not hmac.compare_digest(mac.encode(), expected.encode()):
        return Start.FORGED
    elapsed = now - dt.datetime.fromtimestamp(int(stamp), dt.UTC)
    if elapsed < minimum:
        return Start.TOO_FAST
    return Start.EXPIRED if elapsed > maximum else Start.OK
