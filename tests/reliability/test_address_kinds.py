"""URL normalisation for every platform and every kind of address it has, checked with Hypothesis.

``tests/registry/test_addresses_properties.py`` checks respellings of known URLs, handles of the
platforms that have a handle URL, arbitrary text and look-alike hosts. This module makes sure no
platform or address kind is left out: for each (platform, kind) with a canonical URL, any value the
catalogue accepts gives a URL that parses back to the same address, and that URL respelled (scheme,
host case, ``www.``, trailing slash, tracking query) still does. Feed addresses (RSS/Atom), which
are URLs themselves, round-trip as they are.
"""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit, urlunsplit

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from govsocial.errors import AddressError
from govsocial.registry.addresses import AccountAddress, PlatformCatalogue
from govsocial.registry.platforms import DEFAULT_PLATFORMS, Platform
from tests.reliability.tally import TALLY

CATALOGUE = PlatformCatalogue.default()
KINDS = [(p, kind) for p in DEFAULT_PLATFORMS for kind in p.canonical]
#: Per (platform, kind): 25 in ``make test``; ``make soak`` sets ``GOVSOCIAL_FUZZ_EXAMPLES`` higher.
EXAMPLES = max(25, int(os.environ.get("GOVSOCIAL_FUZZ_EXAMPLES", "25")) // 4)
ROUND_TRIP = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.filter_too_much]
)
#: A value group that takes any path segment: drawn from plain characters instead, so that most
#: drawn values are ones the platform accepts.
_ANY_SEGMENT = re.compile(r"\[\^[^\]]*\][+*]")
_PLAIN = r"[A-Za-z0-9_.-]{1,30}"


def value_regex(platform: Platform, kind: str) -> str:
    """A regex of values of ``kind``: the declared one, else the URL rules' value group."""
    if kind in platform.value_patterns:
        return platform.value_patterns[kind]
    if kind == "handle":
        return platform.handle_pattern
    for rule in platform.rules:
        if rule.kind == kind and not rule.reject:
            if rule.value_pattern:
                return rule.value_pattern
            group = re.search(r"\(\?P<value>(.*?)\)(?:\(\?:/\.\*\)\?)?$", rule.pattern)
            if group:
                return _ANY_SEGMENT.sub(_PLAIN, group.group(1))
    return _PLAIN


@st.composite
def addresses(draw: st.DrawFn, platform: Platform, kind: str) -> AccountAddress:
    value = draw(st.from_regex(value_regex(platform, kind), fullmatch=True))
    try:
        return CATALOGUE.address(platform.key, kind, value)
    except AddressError:
        assume(False)  # a reserved word, or a value of another kind
        raise


def respell(draw: st.DrawFn, url: str) -> str:
    """``url`` with its scheme, host case and trailing slash changed and a tracking query added."""
    parts = urlsplit(url)
    scheme = draw(st.sampled_from([parts.scheme, "http", "HTTPS"]))
    host = "".join(c.upper() if draw(st.booleans()) else c for c in parts.netloc)
    path = parts.path.rstrip("/") + draw(st.sampled_from(["", "/"]))
    extra = draw(st.sampled_from(["", "utm_source=share&utm_medium=copy"]))
    query = "&".join(q for q in (parts.query, extra) if q)
    return urlunsplit((scheme, host, path, query, ""))


def test_every_platform_with_urls_is_covered() -> None:
    covered = {p.key for p, _ in KINDS}
    assert covered | {"rss", "wechat"} == {p.key for p in DEFAULT_PLATFORMS}
    # WeChat official accounts have no public account URL, so there is nothing to round-trip.
    assert next(p for p in DEFAULT_PLATFORMS if p.key == "wechat").canonical == {}


@pytest.mark.parametrize(("platform", "kind"), KINDS, ids=[f"{p.key}-{k}" for p, k in KINDS])
@ROUND_TRIP
@given(data=st.data())
def test_each_kind_round_trips_through_its_canonical_url(
    platform: Platform, kind: str, data: st.DataObject
) -> None:
    address = data.draw(addresses(platform, kind))
    assert address.canonical_url is not None
    again = CATALOGUE.parse(address.canonical_url)
    assert (again.identity, again.canonical_url) == (address.identity, address.canonical_url)
    respelled = respell(data.draw, address.canonical_url)
    assert CATALOGUE.parse(respelled).identity == address.identity, respelled
    TALLY.add("URL normalisation examples (every platform and kind)")


FEED = st.builds(
    "{}://{}/{}".format,
    st.sampled_from(["http", "https"]),
    st.from_regex(r"[a-z0-9]{1,12}(\.[a-z0-9]{1,8}){1,2}\.(hk|com|org|gov\.hk)", fullmatch=True),
    st.from_regex(r"[A-Za-z0-9_/.-]{0,40}(\?[a-z]{1,5}=[A-Za-z0-9]{1,5})?", fullmatch=True),
)


@ROUND_TRIP
@given(url=FEED)
def test_feed_addresses_round_trip(url: str) -> None:
    try:
        address = CATALOGUE.address("rss", "feed", url)
    except AddressError:
        assume(False)
        raise
    assert address.canonical_url is not None
    assert CATALOGUE.address("rss", "feed", address.canonical_url).identity == address.identity
    TALLY.add("URL normalisation examples (every platform and kind)")
