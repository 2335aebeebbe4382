"""Privacy by design for what citizens write: keyed pseudonyms and redaction of personal data.

Commenters are ordinary citizens and the system never needs who they are, only whether the same
person wrote twice. Their platform id becomes an HMAC-SHA256 pseudonym under a secret key from
the settings (``GOVSOCIAL_PSEUDONYM_KEY``): stable for counting, useless for finding the person
without the key. Personal data in text — Hong Kong identity card numbers with a valid check digit,
Hong Kong phone numbers and email addresses — is replaced before anything is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from govsocial.errors import ConfigurationError

PSEUDONYM_CHARS = 32
#: Pseudonyms a ``Pseudonymiser`` remembers (about 20 MB) before it starts afresh.
KNOWN_PSEUDONYMS = 100_000

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])")
# One or two letters, six digits, then the check digit, optionally in brackets: A123456(3), AB9876543.
HKID = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{1,2})(\d{6})\s?[(（]?([0-9Aa])[)）]?(?![A-Za-z0-9])")
# Eight digits starting 2, 3 (fixed lines), 5, 6, 7, 9 (mobiles), optionally after +852, split 4-4 or not.
PHONE = re.compile(r"(?<![\d+])(?:\+?852[\s-]?)?([235679]\d{3})[\s-]?(\d{4})(?!\d)")
YEAR = re.compile(r"(?:19|20)\d\d")
# What every HKID (a letter, six digits) or phone number (the core of PHONE) holds: one search for
# it spares the two substitutions in most strings (times, ids, texts without numbers).
CANDIDATE = re.compile(r"[A-Za-z]\d{6}|[235679]\d{3}[\s-]?\d{4}")
# What every CANDIDATE holds: four digits in a row. Searching for them first is 4x faster than
# searching for CANDIDATE (which tries its first branch at every letter) in texts without them.
DIGITS = re.compile(r"\d\d\d\d")


def hkid_check_digit(letters: str, digits: str) -> str:
    """The check digit of an HKID (``A``, ``123456`` -> ``3``), per the published algorithm."""
    values = [36] if len(letters) == 1 else []  # a one-letter prefix counts as a leading space (36)
    values += [ord(c) - ord("A") + 10 for c in letters.upper()]
    values += [int(d) for d in digits]
    total = sum(value * weight for value, weight in zip(values, range(9, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    return "A" if check == 10 else str(check)


def _hkid(match: re.Match[str]) -> str:
    letters, digits, check = match.groups()
    return "[HKID]" if hkid_check_digit(letters, digits) == check.upper() else match.group(0)


def _phone(match: re.Match[str]) -> str:
    first, second = match.groups()
    if YEAR.fullmatch(first) and YEAR.fullmatch(second):
        return match.group(0)  # "2019 2020" is two years, not a phone number
    return "[PHONE]"


def redact(text: str | None) -> str | None:
    """``text`` with emails, valid HKID numbers and Hong Kong phone numbers replaced."""
    if not text:
        return text
    return _redact(text)


def _redact(text: str) -> str:
    # Cheap tests first, because most strings (texts without numbers, ids, times) hold nothing:
    # every email has an "@"; a string of digits only can be nothing but a phone number of 8
    # digits, or 11 with 852 before them; and HKIDs and phone numbers hold a ``CANDIDATE``, which
    # holds four ``DIGITS``.
    if "@" in text:
        text = EMAIL.sub("[EMAIL]", text)
    if text.isdecimal() and len(text) not in (8, 11):
        return text
    if DIGITS.search(text) is None or CANDIDATE.search(text) is None:
        return text
    return PHONE.sub(_phone, HKID.sub(_hkid, text))


def _redacted_leaf(text: str) -> str:
    """``redact(text)`` for a non-empty string, with the tests that pass most strings inlined."""
    if "@" in text:
        return _redact(text)
    if _DIGITS(text) is None or _CANDIDATE(text) is None:
        return text
    return PHONE.sub(_phone, HKID.sub(_hkid, text))


_DIGITS = DIGITS.search
_CANDIDATE = CANDIDATE.search


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
#: Keys that are dropped or treated specially: one test of this set passes every other key.
_NOT_PLAIN = IDENTITY_DROP | _SPECIAL_KEYS
#: JSON leaves other than strings: kept as they are.
_SCALARS = (int, float, bool, type(None))


def scrub_payload(data: object, platform: str, pseudonymise: Pseudonymiser) -> object:
    """A copy of a comments payload with commenter identities pseudonymised or removed and
    personal data redacted from every string, so raw payloads can be kept without identities."""
    if isinstance(data, dict):
        return _scrub_dict(data, platform, pseudonymise)
    if isinstance(data, list):
        return _scrub_list(data, platform, pseudonymise)
    if isinstance(data, str):
        return redact(data)
    return data


# ``_scrub_dict`` and ``_scrub_list`` do what ``scrub_payload`` does for each value, with the values of
# decoded JSON (exact ``str``, ``dict``, ``list``, numbers) handled here, without a call of
# ``scrub_payload`` and ``redact`` for each: a page of comments holds thousands. Anything else
# (subclasses, other objects) goes through ``scrub_payload`` as before.


def _scrub_dict(data: dict[str, object], platform: str, pseudonymise: Pseudonymiser) -> dict[str, object]:
    scrubbed: dict[str, object] = {}
    for key, value in data.items():
        if key in _NOT_PLAIN:
            if key not in IDENTITY_DROP:
                scrubbed[key] = _scrub_item(key, value, platform, pseudonymise)
        elif type(value) is str:
            scrubbed[key] = _redacted_leaf(value)
        elif type(value) is dict:
            scrubbed[key] = _scrub_dict(value, platform, pseudonymise)
        elif type(value) is list:
            scrubbed[key] = _scrub_list(value, platform, pseudonymise)
        elif type(value) in _SCALARS:
            scrubbed[key] = value
        else:
            scrubbed[key] = scrub_payload(value, platform, pseudonymise)
    return scrubbed


def _scrub_list(data: list[object], platform: str, pseudonymise: Pseudonymiser) -> list[object]:
    scrubbed: list[object] = []
    for value in data:
        if type(value) is dict:
            scrubbed.append(_scrub_dict(value, platform, pseudonymise))
        elif type(value) is str:
            scrubbed.append(_redacted_leaf(value))
        elif type(value) in _SCALARS:
            scrubbed.append(value)
        else:
            scrubbed.append(scrub_payload(value, platform, pseudonymise))
    return scrubbed


def _scrub_item(key: str, value: object, platform: str, pseudonymise: Pseudonymiser) -> object:
    if key in IDENTITY_IDS:
        identity = value.get("value") if isinstance(value, dict) else value
        return pseudonymise(platform, str(identity)) if identity is not None else None
    if key in IDENTITY_OBJECTS and isinstance(value, dict):
        identity = value.get("id") or value.get("username") or value.get("name")
        return {"pseudonym": pseudonymise(platform, str(identity)) if identity else None}
    if key == "users" and isinstance(value, list):  # X expansions: the repliers' user objects
        return [{"pseudonym": pseudonymise(platform, str(u.get("id")))} for u in value if isinstance(u, dict)]
    return scrub_payload(value, platform, pseudonymise)
