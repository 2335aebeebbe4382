"""Properties of address parsing that must hold for any input, checked with Hypothesis."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from govsocial.errors import AddressError, UnknownPlatformError
from govsocial.registry.addresses import AccountAddress, PlatformCatalogue
from govsocial.registry.platforms import DEFAULT_PLATFORMS

CATALOGUE = PlatformCatalogue.default()


@dataclass(frozen=True)
class Url:
    """A known-good account URL taken apart, so that tests can respell each part."""

    host: str  # without www./m.
    path: str
    query: str = ""
    prefixes: tuple[str, ...] = ("www", "m")  # generic sub-domains the platform accepts


GOOD_URLS = [
    Url("facebook.com", "/cfs.hk"),
    Url("facebook.com", "/CentreforHealthProtection"),
    Url("facebook.com", "/profile.php", "id=100064657123456"),
    Url("facebook.com", "/people/Bloomy-The-Tree/100064657123456"),
    Url("fb.com", "/hkpost.official"),
    Url("instagram.com", "/cyberdefender.hk"),
    Url("youtube.com", "/c/ChpGovHkChannel"),
    Url("youtube.com", "/channel/UC67ZoAyxc5C_DebyxveemLQ"),
    Url("youtube.com", "/@CyberDefenderHK"),
    Url("youtube.com", "/cyberdefenderhk"),
    Url("x.com", "/newsgovhk"),
    Url("twitter.com", "/intent/user", "screen_name=newsgovhk"),
    Url("t.me", "/HKFIGHTCOVID19", prefixes=("www",)),
    Url("whatsapp.com", "/channel/0029VaB5r1v2v1Ik0zC6xF3m", prefixes=("www",)),
    Url("v.douyin.com", "/iRabLepf", prefixes=()),
    Url("weibo.com", "/n/%E9%A6%99%E6%B8%AF%E5%85%AC%E5%8B%99%E5%93%A1%E4%BA%8B%E5%8B%99%E5%B1%80"),
    Url("weibo.com", "/u/1234567890"),
    Url("linkedin.com", "/company/nist"),
    Url("noaasanctuaries.tumblr.com", "/", prefixes=()),
    Url("medium.com", "/@usnistgov", prefixes=("www",)),
    Url("bsky.app", "/profile/nasa.gov"),
    Url("threads.net", "/@cyberdefender.hk"),
    Url("github.com", "/usnistgov", prefixes=("www",)),
]


@st.composite
def respelled(draw: st.DrawFn, url: Url) -> str:
    """The same address written another way: scheme, host case, prefix, slash, query, fragment."""
    scheme = draw(st.sampled_from(["https://", "http://", "", "//", "HTTPS://"]))
    prefix = draw(st.sampled_from(["", *(f"{p}." for p in url.prefixes)]))
    host = "".join(c.upper() if draw(st.booleans()) else c for c in prefix + url.host)
    slash = draw(st.sampled_from(["", "/", "//"])) if url.path != "/" else "/"
    extra = draw(st.sampled_from(["", "utm_source=share", "ref=page_internal&hl=zh-hk"]))
    query = "&".join(q for q in (url.query, extra) if q)
    fragment = draw(st.sampled_from(["", "#", "#top"]))
    space = draw(st.sampled_from(["", " ", "\t", "\n"]))
    return (
        f"{space}{scheme}{host}{url.path.rstrip('/')}{slash}{'?' + query if query else ''}{fragment}{space}"
    )


@given(data=st.data(), url=st.sampled_from(GOOD_URLS))
def test_spelling_never_changes_the_key(data: st.DataObject, url: Url) -> None:
    plain = CATALOGUE.parse(f"https://{url.host}{url.path}{'?' + url.query if url.query else ''}")
    assert CATALOGUE.parse(data.draw(respelled(url))).identity == plain.identity


def _round_trip(address: AccountAddress) -> None:
    assert address.canonical_url is not None
    again = CATALOGUE.parse(address.canonical_url)
    assert again.identity == address.identity
    assert again.canonical_url == address.canonical_url


@given(url=st.sampled_from(GOOD_URLS))
def test_parsing_a_canonical_url_is_idempotent(url: Url) -> None:
    _round_trip(CATALOGUE.parse(f"https://{url.host}{url.path}?{url.query}"))


@st.composite
def handles(draw: st.DrawFn) -> AccountAddress:
    """A valid address of kind "handle" on a platform that has a URL for handles."""
    platform = draw(st.sampled_from([p for p in DEFAULT_PLATFORMS if "handle" in p.canonical]))
    value = draw(st.from_regex(platform.handle_pattern, fullmatch=True))
    try:
        return CATALOGUE.address(platform.key, "handle", value)
    except AddressError:
        assume(False)  # a reserved word ("home") or a value of another kind (digits on Facebook)
        raise


@settings(max_examples=300)
@given(address=handles())
def test_any_valid_handle_round_trips_through_its_canonical_url(address: AccountAddress) -> None:
    _round_trip(address)
    assert CATALOGUE.parse(address.value, platform=address.platform).identity == address.identity


URLISH = st.builds(
    lambda scheme, host, path: f"{scheme}{host}{path}",
    st.sampled_from(["", "https://", "http://", "//", "ftp://", "javascript:"]),
    st.sampled_from(sorted({h.removeprefix("*.") for p in DEFAULT_PLATFORMS for h in p.hosts}))
    | st.text(max_size=30),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=60),
)


@settings(max_examples=500)
@given(
    text=st.text(max_size=200) | URLISH,
    platform=st.none() | st.sampled_from([p.key for p in DEFAULT_PLATFORMS]),
)
def test_any_text_gives_an_address_or_an_address_error(text: str, platform: str | None) -> None:
    try:
        address = CATALOGUE.parse(text, platform=platform)
    except AddressError:
        return
    assert address.key
    assert platform is None or address.platform == platform


def _exact_hosts() -> set[str]:
    return {h for p in DEFAULT_PLATFORMS for h in p.hosts if not h.startswith("*.")}


def _accepted_hosts() -> set[str]:
    """Every host name the catalogue's own data says is a platform host (wildcards aside)."""
    accepted = set(_exact_hosts())
    for p in DEFAULT_PLATFORMS:
        accepted.update(f"{sub}.{h}" for h in p.hosts if not h.startswith("*.") for sub in p.subdomains)
    return accepted


REAL_HOSTS = sorted(_exact_hosts())
WILDCARD_BASES = {h.removeprefix("*.") for p in DEFAULT_PLATFORMS for h in p.hosts if h.startswith("*.")}
LABEL = st.from_regex(r"[a-z0-9][a-z0-9-]{0,12}", fullmatch=True)


@st.composite
def look_alike_hosts(draw: st.DrawFn) -> str:
    real = draw(st.sampled_from(REAL_HOSTS))
    label = draw(LABEL)
    shape = draw(st.sampled_from(["glued-before", "dot-before", "dash-before", "dot-after", "glued-after"]))
    host = {
        "glued-before": f"{label}{real}",
        "dot-before": f"{label}.{real}",
        "dash-before": f"{label}-{real}",
        "dot-after": f"{real}.{label}",
        "glued-after": f"{real}{label}",
    }[shape]
    # A sub-domain the catalogue lists (www.facebook.com, v.douyin.com, name.tumblr.com) is real.
    assume(host not in _accepted_hosts())
    assume(not (shape == "dot-before" and real in WILDCARD_BASES))
    return host


@settings(max_examples=500)
@given(host=look_alike_hosts(), path=st.sampled_from(["/cfs.hk", "/@newsgovhk", "/HKFIGHTCOVID19", "/", ""]))
def test_look_alike_hosts_are_never_accepted(host: str, path: str) -> None:
    for text in (f"https://{host}{path}", f"{host}{path}", f"https://{REAL_HOSTS[0]}@{host}{path}"):
        with pytest.raises(UnknownPlatformError):
            CATALOGUE.parse(text)
