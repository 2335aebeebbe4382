"""Account addresses: any spelling of an account's address, reduced to one comparable key.

"Is this account official?" comes down to comparing an address someone found with the ones in
the registry, so every spelling of the same account must reduce to the same
``(platform, kind, key)`` and a look-alike host must never reduce to a real one.
``PlatformCatalogue.parse`` accepts a URL in any form people write it (with or without scheme,
``www.``/``m.``, trailing slash, query, ``#!/`` fragment, full-width characters, percent-encoded
or IDNA host) or a bare handle when the platform is named; ``PlatformCatalogue.address`` builds
one from a known handle or id.

Errors (all ``AddressError``, a ``ValueError``): ``UnknownPlatformError`` when the host or
platform name is not in the catalogue, ``NotAnAccountError`` when the platform is known but the
address is not an account (a group, a post, a login page, an invalid handle).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import SplitResult, parse_qs, quote, unquote, urlsplit

from govsocial.errors import AddressError, NotAnAccountError, RegistryError, UnknownPlatformError
from govsocial.registry.platforms import DEFAULT_PLATFORMS, Platform, UrlRule, normalise_host

MAX_ADDRESS_LENGTH = 2048  # longer text is not an address; refusing it bounds the regex work
_SHOWN_LENGTH = 200
_SCHEME_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
# An http(s) URL's scheme and authority (a user name, the host, a port); something must follow
# "://" that does not start a path.
_HTTP_URL_RE = re.compile(r"(https?)://(?=[^\s/])([^\s/?#]*)", re.IGNORECASE)
_LABEL_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_URL_MARKS = frozenset("/?#")
# A value of a kind with no pattern of its own: no control characters and nothing that would
# split a URL, so it can always be put into a canonical URL and read back.
_PLAIN_VALUE_RE = re.compile(r"[^\x00-\x1f\x7f/?#\\]{1,200}")
# Characters left as they are when a value is put into a canonical URL template.
_URL_SAFE = "@:+!$&'()*,;=-._~"
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class AccountAddress:
    """One address of an account: compare ``identity`` (or platform, kind and key), not URLs."""

    platform: str
    kind: str
    value: str
    key: str
    canonical_url: str | None

    @property
    def identity(self) -> tuple[str, str, str]:
        """``(platform, kind, key)``: equal for every spelling of the same address."""
        return (self.platform, self.kind, self.key)


@dataclass(frozen=True)
class _CompiledRule:
    rule: UrlRule
    regex: re.Pattern[str]
    value_regex: re.Pattern[str] | None

    @classmethod
    def compile(cls, rule: UrlRule) -> _CompiledRule:
        # Paths of every platform in the catalogue are case-insensitive for their fixed words.
        regex = re.compile(rule.pattern, re.IGNORECASE)
        value_regex = re.compile(rule.value_pattern) if rule.value_pattern else None
        return cls(rule, regex, value_regex)

    def value(self, match: re.Match[str], query: dict[str, list[str]]) -> str | None:
        """The captured value, or None when this rule does not apply after all."""
        if self.rule.query_param is None:
            found: str | None = match["value"]
        else:
            found = next((v for v in query.get(self.rule.query_param, []) if v), None)
        if found is None or (self.value_regex is not None and not self.value_regex.fullmatch(found)):
            return None
        return found


@dataclass(frozen=True)
class _CompiledPlatform:
    platform: Platform
    rules_by_host: dict[str, tuple[_CompiledRule, ...]]
    value_regexes: dict[str, re.Pattern[str]]
    kinds: frozenset[str]

    @classmethod
    def compile(cls, platform: Platform) -> _CompiledPlatform:
        rules = [_CompiledRule.compile(rule) for rule in platform.rules]
        general = tuple(r for r in rules if r.rule.host is None)
        by_host = {host: tuple(r for r in rules if r.rule.host == host) or general for host in platform.hosts}
        patterns = {**platform.value_patterns, "handle": platform.handle_pattern}
        regexes = {kind: re.compile(pattern) for kind, pattern in patterns.items()}
        return cls(platform, by_host, regexes, frozenset(platform.kinds()))

    @property
    def name(self) -> str:
        return self.platform.name_en

    def key_for(self, kind: str, value: str) -> str:
        """The match key: NFKC, without characters the platform ignores, casefolded if it may be."""
        key = unicodedata.normalize("NFKC", value)
        for char in self.platform.ignored_chars.get(kind, ""):
            key = key.replace(char, "")
        return key if kind in self.platform.case_sensitive_kinds else key.casefold()

    def canonical_url(self, kind: str, value: str) -> str | None:
        template = self.platform.canonical.get(kind)
        return None if template is None else template.format(value=quote(value, safe=_URL_SAFE))

    def check_value(self, kind: str, value: str, shown: str) -> None:
        """Raise ``NotAnAccountError`` unless ``value`` is well formed for ``kind``."""
        regex = self.value_regexes.get(kind, _PLAIN_VALUE_RE)
        if not (regex.fullmatch(value) and _PLAIN_VALUE_RE.fullmatch(value)):
            raise NotAnAccountError(f"{shown}: {value!r} is not a valid {self.name} {kind}")


class _HostMatch(NamedTuple):
    platform: str
    entry: str  # the host entry of the platform that matched (decides which rules apply)
    label: str  # the sub-domain label of a wildcard entry ("" otherwise)


class PlatformCatalogue:
    """The platforms in force, with their rules compiled once, and the address parser."""

    def __init__(self, platforms: Iterable[Platform]) -> None:
        self._platforms: dict[str, _CompiledPlatform] = {}
        for platform in platforms:
            if platform.key in self._platforms:
                raise RegistryError(f"platform {platform.key!r} appears twice in the catalogue")
            self._platforms[platform.key] = _CompiledPlatform.compile(platform)
        self._hosts, self._wildcards = _host_index(self._platforms.values())
        self._names = _name_index(self._platforms.values())

    @classmethod
    def default(cls) -> PlatformCatalogue:
        """The catalogue shipped with govsocial (``DEFAULT_PLATFORMS``)."""
        return cls(DEFAULT_PLATFORMS)

    def __iter__(self) -> Iterator[Platform]:
        return (compiled.platform for compiled in self._platforms.values())

    def __len__(self) -> int:
        return len(self._platforms)

    def get(self, key: str) -> Platform:
        """The platform with this catalogue key; ``UnknownPlatformError`` if there is none."""
        return self._compiled(key).platform

    def resolve_name(self, name: str) -> Platform:
        """The platform a name, key or alias stands for, ignoring case, spaces, ``-`` and ``_``."""
        key = self._names.get(_name_key(name))
        if key is None:
            raise UnknownPlatformError(
                f"{name!r} is not a platform in the catalogue (known: {self._known()})"
            )
        return self._platforms[key].platform

    def parse(self, text: str, platform: str | None = None) -> AccountAddress:
        """The address a URL (or, with ``platform``, a bare handle such as ``@newsgovhk``) names.

        ``platform`` may be a key or any name ``resolve_name`` accepts. Raises
        ``UnknownPlatformError`` for a host or platform not in the catalogue (or a bare handle
        without a platform), ``NotAnAccountError`` for a known platform's page that is not an
        account, and ``AddressError`` for a URL of another platform than the one named.
        """
        shown = _shown(text)
        expected = None if platform is None else self._compiled(self.resolve_name(platform).key)
        cleaned = _clean(text, shown)
        if expected is not None and expected.platform.url_kind is not None:
            return _web_address(expected, cleaned, shown)
        if self._looks_like_url(cleaned):
            return self._parse_url(cleaned, expected, shown)
        if expected is None:
            raise UnknownPlatformError(
                f"{shown}: not the address of a platform in the catalogue "
                "(a bare handle needs its platform, for example platform='x')"
            )
        return self._parse_bare(cleaned, expected, shown)

    def address(self, platform: str, kind: str, value: str) -> AccountAddress:
        """The address of a known handle or id, checked as the platform's URLs would check it."""
        compiled = self._compiled(platform)
        if kind not in compiled.kinds:
            kinds = ", ".join(sorted(compiled.kinds))
            raise NotAnAccountError(f"{value}: {compiled.name} has no address kind {kind!r} (kinds: {kinds})")
        cleaned = unicodedata.normalize("NFKC", value).strip()
        if kind == "handle":
            cleaned = cleaned.removeprefix("@")
        return self._address_of_kind(compiled, kind, cleaned, _shown(value))

    # -- internals ---------------------------------------------------------------------------

    def _compiled(self, key: str) -> _CompiledPlatform:
        compiled = self._platforms.get(key)
        if compiled is None:
            raise UnknownPlatformError(
                f"{key!r} is not a platform key in the catalogue (known: {self._known()})"
            )
        return compiled

    def _known(self) -> str:
        return ", ".join(self._platforms)

    def _lookup_host(self, host: str) -> _HostMatch | None:
        found = self._hosts.get(host)
        if found is not None:
            return found
        label, _, base = host.partition(".")
        wildcard = self._wildcards.get(base)
        if wildcard is None or not _LABEL_RE.fullmatch(label):
            return None
        return wildcard._replace(label=label)

    def _looks_like_url(self, text: str) -> bool:
        # A handle never holds "/", "?" or "#"; a bare host ("facebook.com") is a URL too.
        if _SCHEME_RE.match(text) or _URL_MARKS.intersection(text):
            return True
        return self._lookup_host(text.lower().rstrip(".")) is not None

    def _parse_url(self, text: str, expected: _CompiledPlatform | None, shown: str) -> AccountAddress:
        parts = _split_url(text, shown)
        host = _host_of(parts, shown)
        match = self._lookup_host(host)
        if match is None:
            raise UnknownPlatformError(f"{shown}: {host!r} is not the host of a platform in the catalogue")
        compiled = self._platforms[match.platform]
        if expected is not None and compiled is not expected:
            raise AddressError(f"{shown}: an address on {compiled.name}, not on {expected.name}")
        _check_scheme_and_user(parts, compiled, shown)
        path, query = _path_and_query(parts, match.label)
        return self._apply_rules(compiled, match.entry, path, query, shown)

    def _apply_rules(
        self, compiled: _CompiledPlatform, entry: str, path: str, query: dict[str, list[str]], shown: str
    ) -> AccountAddress:
        for rule in compiled.rules_by_host[entry]:
            match = rule.regex.fullmatch(path)
            if match is None:
                continue
            if rule.rule.reject is not None:
                raise NotAnAccountError(f"{shown}: {rule.rule.reject}")
            value = rule.value(match, query)
            if value is not None:
                return self._make(compiled, rule.rule.kind, value, shown)
        if path == "/":
            raise NotAnAccountError(f"{shown}: the {compiled.name} home page, not an account")
        raise NotAnAccountError(f"{shown}: not a {compiled.name} account address")

    def _parse_bare(self, text: str, compiled: _CompiledPlatform, shown: str) -> AccountAddress:
        value = text.removeprefix("@")
        if not value:
            raise NotAnAccountError(f"{shown}: an empty {compiled.name} handle")
        first_error: NotAnAccountError | None = None
        for kind in compiled.platform.bare_kinds:
            try:
                return self._address_of_kind(compiled, kind, value, shown)
            except NotAnAccountError as exc:
                first_error = first_error or exc
        raise first_error or NotAnAccountError(f"{shown}: {compiled.name} takes no bare handles")

    def _address_of_kind(
        self, compiled: _CompiledPlatform, kind: str, value: str, shown: str
    ) -> AccountAddress:
        if kind == compiled.platform.url_kind:
            return _web_address(compiled, value, shown)
        address = self._make(compiled, kind, value, shown)
        if address.canonical_url is None:
            return address
        # Read the canonical URL back so that a value is valid exactly when its URL is: a
        # reserved word ("groups") or a value of another kind is refused as the URL would be.
        try:
            read_back = self._parse_url(address.canonical_url, compiled, shown)
        except NotAnAccountError:
            raise
        except AddressError as exc:  # e.g. a Tumblr name that cannot be a host name label
            raise NotAnAccountError(f"{shown}: {value!r} is not a valid {compiled.name} {kind}") from exc
        if read_back.kind != kind or read_back.key != address.key:
            raise NotAnAccountError(f"{shown}: {value!r} is not a valid {compiled.name} {kind}")
        return address

    def _make(self, compiled: _CompiledPlatform, kind: str, value: str, shown: str) -> AccountAddress:
        compiled.check_value(kind, value, shown)
        return AccountAddress(
            platform=compiled.platform.key,
            kind=kind,
            value=value,
            key=compiled.key_for(kind, value),
            canonical_url=compiled.canonical_url(kind, value),
        )


def http_url(text: str) -> str:
    """``text``, an http(s) URL, with its scheme and host in lower case, as ``_web_address`` keeps
    a feed's: they are case-insensitive (RFC 3986), so ``HTTPS://WWW.Facebook.com/...`` is a URL
    like any other. The rest (a user name, the path, the query) is kept as written: a handle in a
    path may be case-sensitive. ``ValueError`` if ``text`` is not an http(s) URL."""
    match = _HTTP_URL_RE.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not an http(s) URL")
    user, at, host = match[2].rpartition("@")
    return f"{match[1].lower()}://{user}{at}{host.lower()}{text[match.end() :]}"


def _web_address(compiled: _CompiledPlatform, text: str, shown: str) -> AccountAddress:
    """The address of a platform whose accounts are URLs on any host (a news feed).

    The value and canonical URL are the URL with its scheme and host in lower case and no
    fragment; the key leaves the scheme out, because a feed moved from http to https is the same.
    """
    kind = compiled.platform.url_kind or ""
    parts = _split_url(text, shown)
    if parts.scheme.lower() not in ("http", "https") or not _SCHEME_RE.match(text):
        raise NotAnAccountError(f"{shown}: {compiled.name} addresses are full http(s) URLs")
    host = _host_of(parts, shown)
    if "@" in parts.netloc:
        raise NotAnAccountError(f"{shown}: has a user name before the host, which a feed address never has")
    try:
        port = parts.port
    except ValueError as exc:
        raise NotAnAccountError(f"{shown}: not a valid port") from exc
    scheme = parts.scheme.lower()
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    rest = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    value = f"{scheme}://{netloc}{rest}"
    pattern = compiled.value_regexes.get(kind)
    if pattern is not None and not pattern.fullmatch(value):
        raise NotAnAccountError(f"{shown}: not a valid {compiled.name} {kind} address")
    return AccountAddress(compiled.platform.key, kind, value, key=netloc + rest, canonical_url=value)


def _host_index(
    platforms: Iterable[_CompiledPlatform],
) -> tuple[dict[str, _HostMatch], dict[str, _HostMatch]]:
    """Exact host names (entries and their generic sub-domains) and wildcard bases."""
    exact: dict[str, _HostMatch] = {}
    wildcards: dict[str, _HostMatch] = {}
    for compiled in platforms:
        platform = compiled.platform
        for entry in platform.hosts:
            if entry.startswith("*."):
                _claim(wildcards, entry[2:], _HostMatch(platform.key, entry, ""))
            else:
                _claim(exact, entry, _HostMatch(platform.key, entry, ""))
    for compiled in platforms:
        platform = compiled.platform
        for entry in (e for e in platform.hosts if not e.startswith("*.")):
            for sub in platform.subdomains:
                # An entry written out in full (page.line.me) wins over a generic sub-domain.
                if f"{sub}.{entry}" not in exact:
                    exact[f"{sub}.{entry}"] = _HostMatch(platform.key, entry, "")
    return exact, wildcards


def _claim(index: dict[str, _HostMatch], host: str, match: _HostMatch) -> None:
    owner = index.setdefault(host, match)
    if owner.platform != match.platform:
        raise RegistryError(f"host {host!r} is claimed by both {owner.platform!r} and {match.platform!r}")


def _name_index(platforms: Iterable[_CompiledPlatform]) -> dict[str, str]:
    names: dict[str, str] = {}
    for compiled in platforms:
        p = compiled.platform
        for name in (p.key, p.name_en, p.name_zh_hant, p.name_zh_hans, *p.aliases):
            owner = names.setdefault(_name_key(name), p.key)
            if owner != p.key:
                raise RegistryError(f"platform name {name!r} is used by both {owner!r} and {p.key!r}")
    return names


def _name_key(name: str) -> str:
    folded = unicodedata.normalize("NFKC", name).casefold()
    return "".join(ch for ch in folded if not ch.isspace() and ch not in "-_")


def _shown(text: str) -> str:
    """The input as error messages quote it: stripped and cut short."""
    shown = text.strip()
    if len(shown) > _SHOWN_LENGTH:
        shown = shown[:_SHOWN_LENGTH] + "…"
    return shown or repr(text)


def _clean(text: str, shown: str) -> str:
    # NFKC turns full-width letters, digits and punctuation ("ｆａｃｅｂｏｏｋ．ｃｏｍ") into ASCII.
    cleaned = unicodedata.normalize("NFKC", text).strip()
    if len(cleaned) > MAX_ADDRESS_LENGTH:
        raise AddressError(f"{shown}: {len(cleaned)} characters, too long to be an account address")
    return cleaned


def _split_url(text: str, shown: str) -> SplitResult:
    candidate = text if _SCHEME_RE.match(text) or text.startswith("//") else "//" + text
    try:
        return urlsplit(candidate)
    except ValueError as exc:
        raise UnknownPlatformError(f"{shown}: not a well-formed URL ({exc})") from exc


def _host_of(parts: SplitResult, shown: str) -> str:
    # ``hostname`` is what a browser connects to: "facebook.com@evil.net" connects to evil.net.
    host = parts.hostname or ""
    if not host:
        raise UnknownPlatformError(f"{shown}: no host name, so no platform")
    try:
        return normalise_host(host)
    except UnicodeError as exc:
        raise UnknownPlatformError(f"{shown}: {host!r} is not a valid host name") from exc


def _check_scheme_and_user(parts: SplitResult, compiled: _CompiledPlatform, shown: str) -> None:
    if parts.scheme not in ("", "http", "https"):
        raise NotAnAccountError(
            f"{shown}: a {parts.scheme}: link, not the web address of a {compiled.name} account"
        )
    if "@" in parts.netloc:
        raise NotAnAccountError(
            f"{shown}: has a user name before the host, which a {compiled.name} address never has"
        )


def _path_and_query(parts: SplitResult, label: str) -> tuple[str, dict[str, list[str]]]:
    """The normalised path the rules see, and the decoded query parameters."""
    path, query = parts.path, parts.query
    if parts.fragment.startswith("!/"):
        # Old "#!/" URLs (facebook.com/#!/cfs.hk, twitter.com/#!/noaa) keep the real path here.
        path, _, fragment_query = parts.fragment[1:].partition("?")
        query = fragment_query or query
    decoded = unicodedata.normalize("NFKC", unquote(path))
    segments = [segment for segment in decoded.split("/") if segment]
    if label:
        segments.insert(0, label)
    params = parse_qs(query)
    return "/" + "/".join(segments), {
        k: [unicodedata.normalize("NFKC", v) for v in vs] for k, vs in params.items()
    }
