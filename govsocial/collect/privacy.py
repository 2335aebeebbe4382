"""Privacy by design for what citizens write: keyed pseudonyms and redaction of personal data.

Commenters are ordinary citizens and the system never needs who they are, only whether the same
person wrote twice. Their platform id becomes an HMAC-SHA256 pseudonym under a secret key from
the settings (``GOVSOCIAL_PSEUDONYM_KEY``): stable for counting, useless for finding the person
without the key. Personal data in text — Hong Kong identity card numbers with a valid check digit,
Hong Kong phone numbers (ASCII or full-width digits) and email addresses, also where Chinese text
runs straight into them, and the identity and phone numbers of other places
(``redaction_patterns``), whatever the jurisdiction — is replaced before anything is stored;
``docs/privacy.md`` lists what is not (dates written YYYYMMDD, money amounts, numbers of other
lengths). In what commenters and the page's replies to them write, an ``@handle`` names a
commenter (a reply starts with the handle of the person it answers) and becomes ``[USER]``
(``redact_comment``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from typing import Any

from pydantic import PrivateAttr

from govsocial.collect import redaction_patterns
from govsocial.collect.records import RawPayload
from govsocial.errors import ConfigurationError

PSEUDONYM_CHARS = 32
#: Pseudonyms a ``Pseudonymiser`` remembers (about 20 MB) before it starts afresh.
KNOWN_PSEUDONYMS = 100_000

# An address as a word of its own; its local part may be in any script ("張三@example.hk").
EMAIL_WORD = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])")
# An ASCII address inside Chinese text, which runs straight into it ("請電郵至abc@example.com查詢"):
# Chinese characters count as ``\w``, so ``EMAIL_WORD`` finds no word boundary there.
EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![A-Za-z0-9-])"
)
# An @handle (X, Instagram, Threads, YouTube, Telegram, Douyin), "@" also full-width, not after a
# Latin letter or digit ("user@localhost" is no mention; addresses are gone already, EMAIL). A Latin
# handle is ASCII, so the Chinese that runs straight after it stays ("@citizen_1多謝"), and does
# not end in a dot (a sentence's); a handle in another script ("@陳大文 你好") runs to a space or a
# punctuation mark.
MENTION = re.compile(
    r"(?<![A-Za-z0-9_.+@＠-])[@＠](?:[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,62}[A-Za-z0-9_])?(?![A-Za-z0-9_@＠])"
    r"|[^\W\d_A-Za-z]\w{0,31})"
)
# One or two letters, six digits, then the check digit, optionally in brackets: A123456(3), AB9876543.
# A closing bracket belongs to the number only after an opening one: "(A1234563)" keeps its own.
HKID = re.compile(
    r"(?<![A-Za-z0-9])([A-Za-z]{1,2})(\d{6})\s?(?:[(（]([0-9Aa])[)）]?|([0-9Aa]))(?![A-Za-z0-9])"
)
# Eight digits starting 2, 3 (fixed lines), 5, 6, 7, 9 (mobiles), optionally after +852, split 4-4 or not,
# in ASCII or full-width digits and hyphens (Chinese input methods type both: "９１２３－４５６７").
# Not after "$" or a decimal point nor before one: HK$91234567, 3.91234567 and 91234567.5 are amounts
# ("Tel.91234567" and "91234567,98765432" are phone numbers).
PHONE = re.compile(
    r"(?<![\d+$])(?<!\d\.)(?:[+＋]?[8８][5５][2２][\s\-－]?)?([235679２３５６７９]\d{3})[\s\-－]?(\d{4})(?!\d|\.\d)"
)
YEAR = re.compile(r"(?:[1１][9９]|[2２][0０])\d\d")
# What every HKID (a letter, six digits) or phone number (the core of PHONE) holds: one search for
# it spares the two substitutions in most strings (times, ids, texts without numbers).
CANDIDATE = re.compile(r"[A-Za-z]\d{6}|[235679２３５６７９]\d{3}[\s\-－]?\d{4}")
# What every CANDIDATE, and every match of ``redaction_patterns`` but one written digit by digit
# ("+1 2 3 4 5 6 7 8"), holds: four digits in a row, or two and two split by a space or a hyphen
# ("QQ 12 34 56 C", "+886 912 345 678"), the hyphen also full-width ("＋１ ００－００－０００").
# Searching for them first is 4x faster than searching for CANDIDATE (which tries its first branch
# at every letter) in texts without them; an alternative for a "+" would make it 3x slower.
DIGITS = re.compile(r"\d\d[\s\-－]?\d\d")
#: The lengths of a string of digits only that may be personal data: a Hong Kong (8, 11 with 852),
#: Taiwan (10), UK or mainland (11) phone number, a mainland resident ID (18).
NUMBER_LENGTHS = frozenset({8, 10, 11, 18})


def hkid_check_digit(letters: str, digits: str) -> str:
    """The check digit of an HKID (``A``, ``123456`` -> ``3``), per the published algorithm."""
    values = [36] if len(letters) == 1 else []  # a one-letter prefix counts as a leading space (36)
    values += [ord(c) - ord("A") + 10 for c in letters.upper()]
    values += [int(d) for d in digits]
    total = sum(value * weight for value, weight in zip(values, range(9, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    return "A" if check == 10 else str(check)


def _hkid(match: re.Match[str]) -> str:
    letters, digits, bracketed, bare = match.groups()
    check = bracketed or bare
    return "[HKID]" if hkid_check_digit(letters, digits) == check.upper() else match.group(0)


def _phone(match: re.Match[str]) -> str:
    first, second = match.groups()
    if YEAR.fullmatch(first) and YEAR.fullmatch(second):
        return match.group(0)  # "2019 2020" is two years, not a phone number
    if match.group(0) == first + second and _is_date(first + second):
        return match.group(0)  # "20240315" is a date; with +852 or a space it would be a number
    if redaction_patterns.is_amount(match.string, match.start(), match.end()):
        return match.group(0)  # "£91234567", "HKD 91234567", "91234567元", "61234567 pounds"
    return "[PHONE]"


def _is_date(digits: str) -> bool:
    """Whether eight digits are a date of this century written YYYYMMDD (``int`` reads full-width
    digits too); 21xxxxxx and later are fixed-line numbers."""
    year = int(digits[:4])
    if not 2000 <= year < 2100:
        return False
    try:
        dt.date(year, int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return False
    return True


def redact(text: str | None) -> str | None:
    """``text`` with emails, valid HKID numbers, Hong Kong phone numbers and the identity and phone
    numbers of other places (``redaction_patterns``) replaced."""
    if not text:
        return text
    return _redact(text)


def redact_comment(text: str | None, keep: frozenset[str] = frozenset()) -> str | None:
    """``redact(text)`` for what commenters (and the page, replying to them) write: ``@handles`` too
    become ``[USER]``, but for those in ``keep`` (``handles``: the account's own, which citizens
    reply to). A reply starts with the handle of the person it answers ("@citizen_1 Yes, from
    today"), which is a commenter's platform identity, never stored in clear; another official
    account's handle is lost with them (over-redaction is the safer error)."""
    if not text:
        return text
    return _redact_comment(text, keep)


#: How the store names the item it could not place: by the id of its account or post ("facebook
#: account '19292868552' is not in the registry", "post '77_91234567' is not in the store").
_NAMED_ID = re.compile(r"""((?:account|post) (?:'[^'\n]*'|"[^"\n]*"))""")


def redact_reason(reason: str) -> str:
    """Why a record was refused, as it is kept (``quarantine.reason``): it often quotes the value
    refused ("likes: 'call 9123 4567' is not a whole number"), which may be personal data or a
    secret, so it is redacted as the record's content is (``@handles`` as ``[USER]`` included);
    ``govsocial collect quarantine`` and the admin pages show it. The id of an account or a post
    the store names (``_NAMED_ID``) is kept, as in the content (``is_id_key``): it is what the
    operator registers or imports next, and a Facebook page id (11 digits starting "19") would
    otherwise be taken for a mainland phone number."""
    parts = _NAMED_ID.split(without_secrets(reason))
    # ``@handles`` too, as in a comment's text: a quoted comment names the people it mentions.
    return "".join(
        part if index % 2 else _redact_comment(part, frozenset()) if part else part
        for index, part in enumerate(parts)
    )


def handles(*names: str | None) -> frozenset[str]:
    """The handles ``redact_comment`` keeps, as it compares them: without "@", case folded."""
    return frozenset(name.lstrip("@＠").casefold() for name in names if name)


def _redact_comment(text: str, keep: frozenset[str]) -> str:
    redacted = _redact(text)
    if "@" not in redacted and "＠" not in redacted:
        return redacted

    def mention(match: re.Match[str]) -> str:
        return match.group(0) if match.group(0)[1:].casefold() in keep else "[USER]"

    return MENTION.sub(mention, redacted)


def _redact(text: str) -> str:
    if "\x00" in text:
        return _redact_with_nul(text)
    return _redact_plain(text)


def _redact_with_nul(text: str) -> str:
    """``_redact`` of a text holding NUL characters (a kept payload's string or file text: a
    record's texts have none, ``encodings.storable_text``): the store keeps the text without them,
    so a number or an address a NUL splits ("9123\\x004567") is personal data all the same. The
    text is redacted as it is, NULs kept; where that misses what its NUL-free copy reveals, the
    redacted NUL-free copy is returned instead."""
    kept = _redact_plain(text)
    without = _redact_plain(text.replace("\x00", ""))
    return kept if kept.replace("\x00", "") == without else without


def _redact_plain(text: str) -> str:
    # Cheap tests first, because most strings (texts without numbers, ids, times) hold nothing:
    # every email has an "@"; a string of digits only can be nothing but a phone number or an ID
    # of ``NUMBER_LENGTHS``; everything else holds ``DIGITS``, and Hong Kong's a ``CANDIDATE``.
    if "@" in text:
        text = EMAIL_WORD.sub("[EMAIL]", EMAIL.sub("[EMAIL]", text))
    if text.isdecimal() and len(text) not in NUMBER_LENGTHS:
        return text
    if DIGITS.search(text) is None:
        return text
    if CANDIDATE.search(text) is None:
        return redaction_patterns.redact_international(text)
    # HKIDs first: a valid one is an HKID even where it looks like a UK National Insurance number
    # ("AB123456A"). Other places' phone numbers before Hong Kong's, so that "+44 20 7946 0018" is
    # redacted whole, not only its "7946 0018".
    text = redaction_patterns.redact_international(HKID.sub(_hkid, text))
    return PHONE.sub(_phone, text)


# The shape of an ASCII string: every digit made "5". Whether ``redact`` or ``without_secrets``
# can change a string depends on its digits only through whether they are digits, except for
# PHONE's first digit ([235679]) and prefix (852), which ``_PHONE_SHAPE`` widens to any digit. So
# where nothing of ``_SHAPE_RISKS`` is found in a string's shape, neither changes the string. Ids,
# times and links repeat a few shapes (a Graph id is 15 and 17 digits round an underscore), so the
# answer for a shape is remembered: one table lookup instead of up to six substring and regular
# expression searches (1 µs for a link full of digits).
_SHAPE = bytes.maketrans(b"0123456789", b"5555555555")
_PHONE_SHAPE = re.compile(r"(?<![\d+])(?:\+?\d{3}[\s-]?)?\d{4}[\s-]?\d{4}(?!\d)")
#: Shapes seen, and whether a string of that shape may need ``without_secrets`` or ``redact``;
#: the table starts afresh when full.
_SHAPES: dict[bytes, bool] = {}
KNOWN_SHAPES = 4096


def _shape_risk(shape: bytes) -> bool:
    """Whether a string of this shape may hold a secret, an email, an identity or a phone number
    (then remembered)."""
    text = shape.decode("ascii")
    # A NUL may split a phone number or an address (``_redact_with_nul``).
    risk = (
        "@" in text
        or "\x00" in text
        or any(pattern.search(text) for pattern in _SHAPE_RISKS)
        or redaction_patterns.shape_risk(text)
    )
    if len(_SHAPES) >= KNOWN_SHAPES:
        _SHAPES.clear()
    _SHAPES[shape] = risk
    return risk


def _redacted_leaf(text: str, redactions: Redactions | None = None) -> str:
    """``redact(without_secrets(text))`` for a string of a decoded payload, cheap tests first;
    texts go through ``redactions`` where given (the comments' own texts are redacted again for
    their rows)."""
    if text.isascii() and " " not in text:
        # Ids, times, links: by shape. (Texts with spaces go the other way: each has its own shape,
        # and they would only crowd the table.)
        shape = text.encode("ascii").translate(_SHAPE)
        risk = _SHAPES.get(shape)
        if not (_shape_risk(shape) if risk is None else risk):
            return text
    if "=" in text and _may_hold_secret(text):
        text = without_secrets(text)
    if redactions is not None:
        return redactions.redact(text)
    return _redact(text)


#: Query parameters whose values are secrets.
SECRET_NAMES = ("access_token", "input_token", "key", "api_key", "appsecret_proof", "client_secret")


def _secret_name(name: str) -> str:
    """A pattern of ``name`` where it starts a parameter: at a word boundary, or right after a JSON
    escape (``\\u0026access_token=``, an "&" as some encoders write it: "6a" is no word boundary).

    An escape is ``\\u`` and any four digits, so that a string's shape (``_SHAPE``: digits made "5")
    matches wherever the string does. Both are checked after the name's first letter
    (``a(?:(?<=\\ba)|...)ccess_token``): the same matches as ``\\b(access_token|...)=``, but a pattern
    that starts with a letter lets the regex engine skip ahead to those letters, 4x faster.
    """
    first = name[0]
    return rf"{first}(?:(?<=\b{first})|(?<=\\u\d{{4}}{first})){name[1:]}"


# A value ends at a backslash too: no token holds one, and in an escaped body the next parameter
# starts there (``access_token=***\u0026after=...`` keeps its cursor).
SECRET_IN_URL = re.compile("(" + "|".join(map(_secret_name, SECRET_NAMES)) + r")=[^&\"'\s\\]+")
#: What ``_shape_risk`` looks for in a shape: everything ``without_secrets`` and ``redact`` change
#: holds a match of one of these (an email holds an "@", tested apart; other places' numbers,
#: ``redaction_patterns.shape_risk``).
_SHAPE_RISKS = (SECRET_IN_URL, HKID, _PHONE_SHAPE)
# Every match of SECRET_IN_URL holds one of these words, at most 7 characters after its start
# ("secret" in "client_secret"), and looks at most 6 characters back from its start (a ``\u0026``).
_SECRET_WORDS = ("token", "key", "secret", "proof")
_SECRET_REACH = 16


def without_secrets(text: str) -> str:
    """``text`` with the values of ``SECRET_IN_URL`` parameters replaced by ``***``.

    The expression runs only from shortly before the first of the words every match holds (found
    by plain substring search, 20x faster than the expression): the paging URLs that carry
    tokens come last in a Graph response, so most of a body is not scanned at all.
    """
    first = min((found for word in _SECRET_WORDS if (found := text.find(word)) >= 0), default=-1)
    if first < 0:
        return text
    # A match starts at most 7 characters before its word, so at least ``_SECRET_REACH - 7`` after
    # ``start``, and looks at most 6 characters back: what comes before ``start`` decides nothing.
    start = max(0, first - _SECRET_REACH)
    return text[:start] + SECRET_IN_URL.sub(r"\1=***", text[start:])


def _may_hold_secret(text: str) -> bool:
    """Whether ``text`` (which holds an "=") holds a word that every secret parameter holds."""
    return "token" in text or "key" in text or "secret" in text or "proof" in text


class Pseudonymiser:
    """Keyed pseudonyms of platform identities: same person, same pseudonym; no key, no identity."""

    def __init__(self, key: str | None) -> None:
        self._key = key.encode("utf-8") if key else None
        # HMAC state after the key: copying it is cheaper than keying a new HMAC for each identity.
        self._keyed = hmac.new(self._key, digestmod=hashlib.sha256) if self._key else None
        # Pseudonyms already computed: each commenter is asked for twice per comment (the row and
        # the raw payload) and people write more than once. Bounded; it lives as long as the key.
        self._known: dict[tuple[str, str], str] = {}

    def __repr__(self) -> str:
        return "Pseudonymiser(key=***)"

    def __call__(self, platform: str, identity: str | None) -> str | None:
        """The pseudonym of ``identity`` on ``platform`` (None stays None)."""
        if identity is None:
            return None
        known = self._known.get((platform, identity))
        if known is not None:
            return known
        if self._keyed is None:
            raise ConfigurationError(
                "GOVSOCIAL_PSEUDONYM_KEY is not set: commenters cannot be stored without a pseudonym key "
                "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
        mac = self._keyed.copy()
        mac.update(f"{platform}:{identity}".encode())
        pseudonym = mac.hexdigest()[:PSEUDONYM_CHARS]
        if len(self._known) >= KNOWN_PSEUDONYMS:
            self._known.clear()
        self._known[(platform, identity)] = pseudonym
        return pseudonym


class Redactions:
    """``redact_comment`` for the texts of one batch of comments, remembering what it gave for each
    text object.

    A comment's text is redacted twice: in the kept copy of its payload and for its row, and both
    are the same string object (the connector's record holds the string its page decoded to). The
    second time is a lookup by identity (the result is kept with the text, so the identity cannot
    be reused while it is remembered): long texts cost most to search, 6 µs for 800 characters.
    Make one per batch; it holds every text of it. ``keep``: the handles that stay (``handles``).
    """

    def __init__(self, keep: frozenset[str] = frozenset()) -> None:
        self._done: dict[int, tuple[str, str]] = {}
        self._keep = keep

    def redact(self, text: str) -> str:
        """``redact_comment(text)`` for a non-empty ``text``."""
        done = self._done.get(id(text))
        if done is not None and done[0] is text:
            return done[1]
        redacted = _redact_comment(text, self._keep)
        self._done[id(text)] = (text, redacted)
        return redacted

    def __call__(self, text: str | None) -> str | None:
        """``redact_comment(text)``."""
        return self.redact(text) if text else text


# Keys under which platforms put a commenter's identity: the value is replaced by a pseudonym
# (ids) or removed (names, pictures, profile links). Seen in Facebook/Instagram/Threads ("from",
# "username"), YouTube ("authorChannelId", "authorDisplayName"...), X ("author_id", includes.users).
IDENTITY_OBJECTS = frozenset({"from", "author", "user", "owner"})
IDENTITY_IDS = frozenset({"author_id", "authorChannelId", "from_id", "user_id", "in_reply_to_user_id"})
IDENTITY_DROP = frozenset(
    {
        "authorDisplayName",
        "authorProfileImageUrl",
        "authorChannelUrl",
        "username",
        "name",
        "profile_image_url",
        "picture",
        "screen_name",
        "link",
    }
)


#: Keys whose values ``_scrub_item`` treats specially; the values of all other keys are only redacted.
_SPECIAL_KEYS = IDENTITY_IDS | IDENTITY_OBJECTS | {"users"}
#: Keys that are dropped or treated specially.
_NOT_PLAIN = IDENTITY_DROP | _SPECIAL_KEYS
#: Keys seen that are none of those and hold no secret: one test of this set passes them. Payloads
#: use a few dozen keys; the set stops growing at ``KNOWN_KEYS`` (later keys are tested each time).
_PLAIN_KEYS: set[str] = set()
KNOWN_KEYS = 4096
#: JSON leaves other than strings: kept as they are.
_SCALARS = frozenset({int, float, bool, type(None)})


def scrub_payload(
    data: object, platform: str, pseudonymise: Pseudonymiser, redactions: Redactions | None = None
) -> object:
    """A copy of a comments payload with commenter identities pseudonymised or removed, personal
    data redacted from every string and secret URL parameters removed (``without_secrets``), so
    raw payloads can be kept without identities. Texts are redacted through ``redactions`` if
    given, as comments (``redact_comment``: ``@handles`` too), which then knows them for the rows
    of the same batch; else as ``redact`` does. The store always gives one (``BatchWriter``)."""
    if isinstance(data, dict):
        return _scrub_dict(data, platform, pseudonymise, redactions)
    if isinstance(data, list):
        return _scrub_list(data, platform, pseudonymise, redactions)
    if isinstance(data, str):
        return _redacted_leaf(data, redactions) if data else data
    return data


# ``_scrub_dict`` and ``_scrub_list`` do what ``scrub_payload`` does for each value, with the values of
# decoded JSON (exact ``str``, ``dict``, ``list``, numbers) handled here, without a call of
# ``scrub_payload`` for each: a page of comments holds thousands. Anything else (subclasses, other
# objects) goes through ``scrub_payload``.


def _scrub_dict(
    data: dict[Any, Any], platform: str, pseudonymise: Pseudonymiser, redactions: Redactions | None
) -> dict[Any, Any]:
    scrubbed: dict[Any, Any] = {}
    for key, value in data.items():
        if key not in _PLAIN_KEYS and not _plain_key(key):
            if key in IDENTITY_DROP:
                continue
            if key in _SPECIAL_KEYS:
                scrubbed[key] = _scrub_item(key, value, platform, pseudonymise, redactions)
                continue
            key = without_secrets(key) if isinstance(key, str) else key
        kind = type(value)
        if kind is str:
            # An item's id is kept as it is: ``privacy forget`` finds the comment in the kept page by
            # it, and a Graph id such as "77_91234567" would otherwise lose its "phone number".
            scrubbed[key] = value if _is_item_id(value, key) else _redacted_leaf(value, redactions)
        elif kind is dict:
            scrubbed[key] = _scrub_dict(value, platform, pseudonymise, redactions)
        elif kind is list:
            scrubbed[key] = _scrub_list(value, platform, pseudonymise, redactions)
        elif kind in _SCALARS:
            scrubbed[key] = value
        else:
            scrubbed[key] = scrub_payload(value, platform, pseudonymise, redactions)
    return scrubbed


def _plain_key(key: object) -> bool:
    """Whether ``key`` is neither special nor holds a secret; such string keys are remembered."""
    if key in _NOT_PLAIN:
        return False
    if not isinstance(key, str):
        return True
    if "=" in key and _may_hold_secret(key):
        return False
    if len(_PLAIN_KEYS) < KNOWN_KEYS:
        _PLAIN_KEYS.add(key)
    return True


def _scrub_list(
    data: list[Any], platform: str, pseudonymise: Pseudonymiser, redactions: Redactions | None
) -> list[Any]:
    scrubbed: list[Any] = []
    for value in data:
        kind = type(value)
        if kind is dict:
            scrubbed.append(_scrub_dict(value, platform, pseudonymise, redactions))
        elif kind is str:
            scrubbed.append(_redacted_leaf(value, redactions))
        elif kind in _SCALARS:
            scrubbed.append(value)
        else:
            scrubbed.append(scrub_payload(value, platform, pseudonymise, redactions))
    return scrubbed


def _scrub_item(
    key: str, value: object, platform: str, pseudonymise: Pseudonymiser, redactions: Redactions | None
) -> object:
    if key in IDENTITY_IDS:
        identity = value.get("value") if isinstance(value, dict) else value
        return pseudonymise(platform, str(identity)) if identity is not None else None
    if key in IDENTITY_OBJECTS and isinstance(value, dict):
        identity = value.get("id") or value.get("username") or value.get("name")
        return {"pseudonym": pseudonymise(platform, str(identity)) if identity else None}
    if key == "users" and isinstance(value, list):  # X expansions: the repliers' user objects
        return [{"pseudonym": pseudonymise(platform, str(u.get("id")))} for u in value if isinstance(u, dict)]
    return scrub_payload(value, platform, pseudonymise, redactions)


# --- payloads without commenters, and quarantined items: ids kept ----------------------------------

#: What an id looks like ("20531316728_10158658756111729", "Ugx3...AaABAg", "1234567890123456789"):
#: a value of an id key that does not is redacted as a text.
_ID_VALUE = re.compile(r"[A-Za-z0-9_.:-]{1,200}")


def is_id_key(key: object) -> bool:
    """Whether ``key`` names an id of an item (a post, comment, video, page), or the account a record
    belongs to (``account_ref``): "id", "post_id", "videoId", "edit_history_tweet_ids"... Such ids
    are not personal data, and are what an operator finds the item again by; a Graph id such as
    "123_91234567" would otherwise lose what looks like a phone number. The keys of a person's id
    (``IDENTITY_IDS``: "author_id", "authorChannelId"...) are not among them: ``scrub_quarantined``
    pseudonymises their values, ``redact_payload`` redacts them as texts."""
    if not isinstance(key, str) or key in IDENTITY_IDS:
        return False
    return key in ("id", "ids", "account_ref") or key.endswith(("_id", "Id", "_ids", "Ids"))


def redact_payload(data: object) -> object:
    """A copy of a decoded payload without commenters (a profile, a page of posts) with personal data
    redacted from every string and secret URL parameters removed (``_redacted_leaf``), the values of
    id keys (``is_id_key``) kept as they are; keys are cleared of secrets only. A comments payload
    goes through ``scrub_payload`` instead."""
    return _keep_ids(data, None, None, None)


def scrub_quarantined(
    data: object, platform: str, pseudonymise: Pseudonymiser, keep: frozenset[str] = frozenset()
) -> object:
    """``scrub_payload`` for a quarantined item (a listing item that did not parse, a record of an
    account not in the registry): commenter identities pseudonymised or removed, personal data
    and ``@handles`` but those in ``keep`` redacted (``redact_comment``: most quarantined items are
    comments), secrets removed, the values of id keys kept (``is_id_key``), so that an operator
    can find the item again."""
    return _keep_ids(data, None, (platform, pseudonymise), Redactions(keep))


# ``redact_payload`` and ``scrub_quarantined`` walk the value with the key it is under (a list's items
# are under the list's key, so "ids": [...] keeps its ids too), handling the values of decoded JSON
# here as ``_scrub_dict`` does (a page of posts holds thousands of strings); anything else goes
# through ``_keep_ids``.
Identities = tuple[str, Pseudonymiser]
#: Keys seen, and whether they name an id (``is_id_key``); the table stops growing at ``KNOWN_KEYS``.
_ID_KEYS: dict[object, bool] = {}


def _keep_ids(
    value: object, key: object, identities: Identities | None, redactions: Redactions | None
) -> object:
    if isinstance(value, dict):
        return _keep_ids_dict(value, identities, redactions)
    if isinstance(value, list):
        return _keep_ids_list(value, key, identities, redactions)
    if isinstance(value, str):
        return _kept_string(value, key, redactions)
    return value


def _keep_ids_dict(
    data: dict[Any, Any], identities: Identities | None, redactions: Redactions | None
) -> dict[Any, Any]:
    kept: dict[Any, Any] = {}
    for key, value in data.items():
        name = key
        if key not in _PLAIN_KEYS and not _plain_key(key):
            if identities is not None and key in _NOT_PLAIN:
                if key not in IDENTITY_DROP:
                    kept[key] = _scrub_item(key, value, *identities, None)
                continue
            name = without_secrets(key) if isinstance(key, str) else key
        kind = type(value)
        if kind is str:
            kept[name] = _kept_string(value, key, redactions)
        elif kind is dict:
            kept[name] = _keep_ids_dict(value, identities, redactions)
        elif kind is list:
            kept[name] = _keep_ids_list(value, key, identities, redactions)
        elif kind in _SCALARS:
            kept[name] = value
        else:
            kept[name] = _keep_ids(value, key, identities, redactions)
    return kept


def _keep_ids_list(
    data: list[Any], key: object, identities: Identities | None, redactions: Redactions | None
) -> list[Any]:
    kept: list[Any] = []
    for value in data:
        kind = type(value)
        if kind is dict:
            kept.append(_keep_ids_dict(value, identities, redactions))
        elif kind is str:
            kept.append(_kept_string(value, key, redactions))
        elif kind in _SCALARS:
            kept.append(value)
        else:
            kept.append(_keep_ids(value, key, identities, redactions))
    return kept


def _kept_string(value: str, key: object, redactions: Redactions | None) -> str:
    """A string under ``key``: as it is if it is an id, else redacted (``_redacted_leaf``, through
    ``redactions`` where given)."""
    if not value or _is_item_id(value, key):
        return value
    return _redacted_leaf(value, redactions)


def _is_item_id(value: str, key: object) -> bool:
    """Whether ``value`` under ``key`` is an item's id (``is_id_key``, and shaped as one)."""
    is_id = _ID_KEYS.get(key)
    if is_id is None:
        is_id = is_id_key(key)
        if len(_ID_KEYS) < KNOWN_KEYS:
            _ID_KEYS[key] = is_id
    return is_id and _ID_VALUE.fullmatch(value) is not None


class DecodedPayload(RawPayload):
    """A ``RawPayload`` that also holds what its ``body`` decodes to (``with_decoded``), so that the
    writer keeps its scrubbed copy without decoding the body a second time (2 µs a comment)."""

    _data: Any = PrivateAttr(default=None)


def with_decoded(raw: RawPayload, data: Any) -> DecodedPayload:
    """``raw`` with ``data``, which must be exactly what ``json.loads(raw.body)`` gives and must not be
    changed afterwards: the copy of a comments payload that is kept is made from ``data``."""
    payload = DecodedPayload(**{name: getattr(raw, name) for name in RawPayload.model_fields})
    payload._data = data
    return payload


def decoded(raw: RawPayload) -> tuple[bool, Any]:
    """``(True, data)`` for a payload made by ``with_decoded``, else ``(False, None)``."""
    if isinstance(raw, DecodedPayload):
        return True, raw._data
    return False, None
