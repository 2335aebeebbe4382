"""The citizen survey's store: the questions' answer codes, responses, the rate limit and the form key.

Anonymous by design (docs/survey.md):

* A response is keyed by the SHA-256 of the browser's random token (a cookie the portal sets), never
  by anything about the person or the device; sending the survey again from the same browser
  replaces that browser's answers, so each browser counts once.
* It keeps the day it was sent, not the time, and no free text: a comment box could carry a name,
  a phone number or an address.
* Submissions per client address are counted for the rate limit as the address's SHA-256 and
  deleted once older than the window, like failed admin sign-ins (``store.users``).

Every time is passed in (``now``), so tests move a clock instead of waiting.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
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
#: Optional district: Hong Kong's 18 District Council districts.
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

    def check(self) -> None:
        """Raise ``SurveyError`` for anything that is not one of the survey's choices."""
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
            ("district", self.district, DISTRICTS),
        )
        for what, choice, allowed in singles:
            if choice is not None:
                _choices(what, [choice], allowed)

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


def save(session: Session, token: str, answers: Answers, today: dt.date) -> bool:
    """Store the answers of the browser holding ``token``; True when they replace earlier ones."""
    answers.check()
    token_hash = digest(token)
    row = session.scalars(select(t.SurveyResponse).where(t.SurveyResponse.token_hash == token_hash)).first()
    replaced = row is not None
    if row is None:
        row = t.SurveyResponse(token_hash=token_hash)
        session.add(row)
    row.submitted_on = today
    row.age_band, row.district = answers.age_band, answers.district
    for name in RATINGS:
        setattr(row, name, answers.ratings.get(name))
    row.channels = list(answers.channels)
    row.reactions = dict(answers.reactions)
    row.expectation, row.consideration = answers.expectation, answers.consideration
    session.flush()
    return replaced


def has_answered(session: Session, token: str) -> bool:
    """Whether the browser holding ``token`` has a stored response."""
    found = select(t.SurveyResponse.id).where(t.SurveyResponse.token_hash == digest(token))
    return session.scalar(found) is not None


def responses(session: Session) -> Iterator[t.SurveyResponse]:
    """Every stored response, oldest id first."""
    yield from session.scalars(select(t.SurveyResponse).order_by(t.SurveyResponse.id))


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
