"""Registry records: the typed rows of the registry files and of import / export.

One format serves the bundled directory (``data/registry/<jurisdiction>/*.csv``), ``registry
import`` and ``registry export``, so an exported file re-imports unchanged. List-valued fields
are written ``a|b|c`` in CSV and as arrays in JSON.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Annotated, Any, ClassVar, get_args

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from govsocial.encodings import is_storable
from govsocial.registry.addresses import http_url
from govsocial.settings import Settings
from govsocial.store.tables import AccountStatus, OrgType

CODE_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,63}$"
LIST_SEPARATOR = "|"


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _split_list(value: Any) -> Any:
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(LIST_SEPARATOR) if part.strip()]
    return value


OptStr = Annotated[str | None, BeforeValidator(_blank_to_none)]
OptDate = Annotated[dt.date | None, BeforeValidator(_blank_to_none)]
StrList = Annotated[list[str], BeforeValidator(_split_list)]


class Record(BaseModel):
    """Common behaviour: strict field names, CSV columns in a fixed order, only text the store keeps."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)
    columns: ClassVar[tuple[str, ...]] = ()

    @field_validator("*", mode="before")
    @classmethod
    def _only_storable_text(cls, value: Any) -> Any:
        """A registry file is reviewed data: a NUL or a lone surrogate in it is an error to fix in
        the file (reported with its line by lint and import), not text to change silently. SQLite
        would store it and PostgreSQL refuse it, failing a whole load or import."""
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(text, str) and not is_storable(text) for text in texts):
            raise ValueError(
                "holds a NUL character (U+0000) or an unpaired UTF-16 surrogate (U+D800-U+DFFF),"
                " which the store cannot keep: remove it from the file"
            )
        return value

    def to_row(self) -> dict[str, str]:
        """The record as CSV cells: lists joined with ``|``, dates ISO, None empty."""
        data = self.model_dump(mode="json")
        return {name: _cell(data.get(name)) for name in self.columns}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return LIST_SEPARATOR.join(str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else ""
    return str(value)


def _check_url(value: str | None) -> str | None:
    """An http(s) URL, its scheme and host in lower case (``addresses.http_url``)."""
    return None if value is None else http_url(value)


_HOST = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$")


def _check_domains(value: list[str]) -> list[str]:
    """Host names, lower case, without scheme or path: ``gov.hk``, ``www.gov.hk``."""
    domains = [domain.strip().lower().rstrip(".") for domain in value]
    for domain in domains:
        if not _HOST.match(domain):
            raise ValueError(f"{domain!r} is not a host name (write gov.hk, not https://www.gov.hk/)")
    return domains


#: The portal's interface languages, which a jurisdiction's ``default_locale`` must be one of.
LOCALES: tuple[str, ...] = get_args(Settings.model_fields["default_locale"].annotation)


def _check_timezone(value: str) -> str:
    """An IANA zone (``Asia/Hong_Kong``): the metrics cut days in it, and fail on a name they cannot find."""
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{value!r} is not an IANA time zone (write e.g. Asia/Hong_Kong)") from None
    return value


def _check_locale(value: str) -> str:
    if value not in LOCALES:
        raise ValueError(f"{value!r} is not a language of the portal; give one of {', '.join(LOCALES)}")
    return value


def _check_name_languages(value: list[str]) -> list[str]:
    known = name_languages()
    unknown = [language for language in value if language not in known]
    if unknown:
        raise ValueError(
            f"{', '.join(map(repr, unknown))}: organisations have names only in {', '.join(known)}"
        )
    return value


class JurisdictionRecord(Record):
    """A government: ``jurisdiction.toml`` in its registry folder.

    ``population`` (with the year it counts and its source) divides followers in the popularity
    metrics; ``eservice_domains`` are the hosts of the government's online services: a post that
    links to one of them, or to a sub-domain of one, "leads users to public services".
    ``timezone`` must be an IANA zone, ``default_locale`` a language of the portal, and
    ``required_name_languages`` languages an organisation has a ``name_*`` column for.
    """

    code: str = Field(pattern=CODE_PATTERN)
    name_en: str
    name_zh_hant: OptStr = None
    name_zh_hans: OptStr = None
    default_locale: str = "en"
    timezone: str = "UTC"
    required_name_languages: list[str] = Field(default_factory=lambda: ["en"])
    population: int | None = Field(default=None, gt=0)
    population_year: int | None = Field(default=None, ge=1800, le=2200)
    population_source: OptStr = None
    eservice_domains: list[str] = Field(default_factory=list)
    source: OptStr = None

    _domains = field_validator("eservice_domains")(_check_domains)
    _timezone = field_validator("timezone")(_check_timezone)
    _locale = field_validator("default_locale")(_check_locale)
    _languages = field_validator("required_name_languages")(_check_name_languages)


class OrganisationRecord(Record):
    """A row of ``organisations.csv``."""

    columns: ClassVar[tuple[str, ...]] = (
        "code",
        "org_type",
        "parent_code",
        "name_en",
        "name_zh_hant",
        "name_zh_hans",
        "website",
        "source",
    )

    code: str = Field(pattern=CODE_PATTERN)
    org_type: OrgType
    parent_code: OptStr = None
    name_en: str = Field(min_length=1)
    name_zh_hant: OptStr = None
    name_zh_hans: OptStr = None
    website: OptStr = None
    source: OptStr = None

    _website = field_validator("website")(_check_url)


def name_languages() -> tuple[str, ...]:
    """The languages an organisation has a name column for: ``en``, ``zh_hant``, ``zh_hans``."""
    return tuple(
        name.removeprefix("name_") for name in OrganisationRecord.model_fields if name.startswith("name_")
    )


class AccountRecord(Record):
    """A row of ``accounts.csv``: an account, whom it belongs to, and the evidence.

    The address is ``url`` when there is one (the handle is then read from it), else
    ``handle`` on ``platform``. ``aliases`` are other URLs of the same account.
    """

    columns: ClassVar[tuple[str, ...]] = (
        "org_codes",
        "platform",
        "url",
        "handle",
        "platform_id",
        "aliases",
        "status",
        "display_name_en",
        "display_name_zh_hant",
        "display_name_zh_hans",
        "languages",
        "tags",
        "evidence_url",
        "evidence_note",
        "evidence_date",
        "reviewed_on",
        "first_seen_on",
        "last_seen_on",
        "archived_on",
        "archived_reason",
        "notes",
    )

    org_codes: StrList = Field(min_length=1)
    platform: str = Field(min_length=1)
    url: OptStr = None
    handle: OptStr = None
    platform_id: OptStr = None
    aliases: StrList = Field(default_factory=list)
    status: AccountStatus = AccountStatus.PUBLISHED
    display_name_en: OptStr = None
    display_name_zh_hant: OptStr = None
    display_name_zh_hans: OptStr = None
    languages: StrList = Field(default_factory=list)
    tags: StrList = Field(default_factory=list)
    evidence_url: OptStr = None
    evidence_note: OptStr = None
    evidence_date: OptDate = None
    reviewed_on: OptDate = None
    first_seen_on: OptDate = None
    last_seen_on: OptDate = None
    archived_on: OptDate = None
    archived_reason: OptStr = None
    notes: OptStr = None

    _urls = field_validator("url", "evidence_url")(_check_url)

    @field_validator("aliases")
    @classmethod
    def _alias_urls(cls, value: list[str]) -> list[str]:
        return [http_url(alias) for alias in value]


class FactRecord(Record):
    """A row of ``unconfirmed.csv``: a source says the organisation has an account there."""

    columns: ClassVar[tuple[str, ...]] = (
        "org_code",
        "platform",
        "claimed_handle",
        "historical",
        "note",
        "source",
        "source_date",
    )

    org_code: str = Field(pattern=CODE_PATTERN)
    platform: str = Field(min_length=1)
    claimed_handle: str = ""
    historical: bool = False
    note: OptStr = None
    source: str = Field(min_length=1)
    source_date: OptStr = None

    @field_validator("historical", mode="before")
    @classmethod
    def _yes_no(cls, value: Any) -> Any:
        if isinstance(value, str):
            return value.strip().lower() in {"yes", "y", "true", "1"}
        return value

    @field_validator("claimed_handle", mode="before")
    @classmethod
    def _none_to_empty(cls, value: Any) -> Any:
        return "" if value is None else value


#: A district's code: what ``survey_responses.district`` stores (32 characters at most).
DISTRICT_CODE_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,31}$"


class DistrictRecord(Record):
    """A row of ``districts.csv``: one of the jurisdiction's districts (regions, boroughs, planning
    areas), which the citizen survey asks about. ``code`` is what a response stores, so it must stay
    the same for as long as answers with it mean something; the names are in the organisations'
    name languages (Simplified derived from Traditional when empty, as for organisations)."""

    columns: ClassVar[tuple[str, ...]] = ("code", "name_en", "name_zh_hant", "name_zh_hans")

    code: str = Field(pattern=DISTRICT_CODE_PATTERN)
    name_en: str
    name_zh_hant: OptStr = None
    name_zh_hans: OptStr = None

    @field_validator("name_en")
    @classmethod
    def _named(cls, value: str) -> str:
        if not value:
            raise ValueError("empty: every district needs its English name (the page's fallback)")
        return value


class ClarificationRecord(Record):
    """A row of ``clarifications.csv``: a post that clarifies misinformation, marked by a reviewer.

    ``rumour_first_seen`` is when the rumour first appeared, as ISO 8601 with its zone
    (``2026-08-24T09:30+08:00``); ``rumour_url`` where it appeared; ``source`` who or what says
    the post is a clarification (a reviewer's name, a fact-check page).
    """

    columns: ClassVar[tuple[str, ...]] = ("post_url", "rumour_first_seen", "rumour_url", "note", "source")

    post_url: str
    rumour_first_seen: Annotated[dt.datetime | None, BeforeValidator(_blank_to_none)] = None
    rumour_url: OptStr = None
    note: OptStr = None
    source: str = Field(min_length=1)

    _urls = field_validator("post_url", "rumour_url")(_check_url)

    @field_validator("rumour_first_seen")
    @classmethod
    def _with_zone(cls, value: dt.datetime | None) -> dt.datetime | None:
        if value is not None and value.utcoffset() is None:
            raise ValueError("give the time zone, e.g. 2026-08-24T09:30+08:00")
        return value
