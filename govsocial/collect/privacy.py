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

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])")
# One or two letters, six digits, then the check digit, optionally in brackets: A123456(3), AB9876543.
HKID = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{1,2})(\d{6})\s?[(（]?([0-9Aa])[)）]?(?![A-Za-z0-9])")
# Eight digits starting 2, 3 (fixed lines), 5, 6, 7, 9 (mobiles), optionally after +852, split 4-4 or not.
PHONE = re.compile(r"(?<![\d+])(?:\+?852[\s-]?)?([235679]\d{3})[\s-]?(\d{4})(?!\d)")
YEAR = re.compile(r"(?:19|20)\d\d")
# What every HKID (a letter, six digits) or phone number (the core of PHONE) holds: one search for
# it spares the two substitutions in most strings (times, ids, texts without numbers).
CANDIDATE = re.compile(r"[A-Za-z]\d{6}|[235679]\d{3}[\s-]?\d{4}")


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
    # Cheap tests first, because most strings (texts without numbers, ids, times) hold nothing:
    # every email has an "@"; a string of digits only can be nothing but a phone number of 8
    # digits, or 11 with 852 before them; and HKIDs and phone numbers hold a ``CANDIDATE``.
    if "@" in text:
        text = EMAIL.sub("[EMAIL]", text)
    if text.isdecimal() and len(text) not in (8, 11):
        return text
    if CANDIDATE.search(text) is None:
        return text
    text = HKID.sub(_hkid, text)
    return PHONE.sub(_phone, text)


class Pseudonymiser:
    """Keyed pseudonyms of platform identities: same person, same pseudonym; no key, no identity."""

    def __init__(self, key: str | None) -> None:
        self._key = key.encode("utf-8") if key else None
        # HMAC state after the key: copying it is cheaper than keying a new HMAC for each identity.
        self._keyed = hmac.new(self._key, digestmod=hashlib.sha256) if self._key else None

    def __repr__(self) -> str:
        return "Pseudonymiser(key=***)"

    def __call__(self, platform: str, identity: str | None) -> str | None:
        """The pseudonym of ``identity`` on ``platform`` (None stays None)."""
        if identity is None:
            return None
        if self._keyed is None:
            raise ConfigurationError(
                "GOVSOCIAL_PSEUDONYM_KEY is not set: commenters cannot be stored without a pseudonym key "
                "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
        mac = self._keyed.copy()
        mac.update(f"{platform}:{identity}".encode())
        return mac.hexdigest()[:PSEUDONYM_CHARS]


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


def scrub_payload(data: object, platform: str, pseudonymise: Pseudonymiser) -> object:
    """A copy of a comments payload with commenter identities pseudonymised or removed and
    personal data redacted from every string, so raw payloads can be kept without identities."""
    if isinstance(data, dict):
        return _scrub_dict(data, platform, pseudonymise)
    if isinstance(data, list):
        return [scrub_payload(item, platform, pseudonymise) for item in data]
    if isinstance(data, str):
        return redact(data)
    return data


def _scrub_dict(data: dict[str, object], platform: str, pseudonymise: Pseudonymiser) -> dict[str, object]:
    # The same as calling ``_scrub_item`` on every kept key, with the common leaves (strings)
    # handled here without two calls per value: a page of comments holds thousands of them.
    scrubbed: dict[str, object] = {}
    for key, value in data.items():
        if key in IDENTITY_DROP:
            continue
        if key in _SPECIAL_KEYS:
            scrubbed[key] = _scrub_item(key, value, platform, pseudonymise)
        elif isinstance(value, str):
            scrubbed[key] = redact(value)
        else:
            scrubbed[key] = scrub_payload(value, platform, pseudonymise)
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
