"""Table-driven tests of account address parsing: every rule, every reject, every look-alike."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from govsocial.errors import AddressError, NotAnAccountError, UnknownPlatformError
from govsocial.registry.addresses import AccountAddress, PlatformCatalogue

CATALOGUE = PlatformCatalogue.default()
SHARED = Path(__file__).resolve().parents[2].parent / "shared"


def identity(text: str, platform: str | None = None) -> tuple[str, str, str]:
    return CATALOGUE.parse(text, platform=platform).identity


# -- accepted addresses: (input, platform argument, platform, kind, key) ---------------------------

ACCEPTED: list[tuple[str, str | None, str, str, str]] = [
    # The real Hong Kong addresses of data/hk/accounts.csv.
    (
        "https://www.facebook.com/CentreforHealthProtection",
        None,
        "facebook",
        "handle",
        "centreforhealthprotection",
    ),
    ("https://www.youtube.com/c/ChpGovHkChannel", None, "youtube", "custom", "chpgovhkchannel"),
    ("https://www.facebook.com/carrielam.hksar", None, "facebook", "handle", "carrielamhksar"),
    ("https://www.instagram.com/carrielam.hksar", None, "instagram", "handle", "carrielam.hksar"),
    ("https://www.facebook.com/CyberDefenderHK/", None, "facebook", "handle", "cyberdefenderhk"),
    ("https://www.instagram.com/cyberdefender.hk/", None, "instagram", "handle", "cyberdefender.hk"),
    ("https://www.instagram.com/cyberdefenderhk/", None, "instagram", "handle", "cyberdefenderhk"),
    ("https://www.youtube.com/c/CyberDefenderHK/", None, "youtube", "custom", "cyberdefenderhk"),
    (
        "https://www.youtube.com/channel/UC67ZoAyxc5C_DebyxveemLQ",
        None,
        "youtube",
        "id",
        "UC67ZoAyxc5C_DebyxveemLQ",
    ),
    ("https://www.youtube.com/cyberdefenderhk/", None, "youtube", "custom", "cyberdefenderhk"),
    (
        "https://whatsapp.com/channel/0029VaB5r1v2v1Ik0zC6xF3m",
        None,
        "whatsapp",
        "channel",
        "0029VaB5r1v2v1Ik0zC6xF3m",
    ),
    (
        "https://www.youtube.com/channel/UC7RQjGU3P6fPKoe74Vw2uXg",
        None,
        "youtube",
        "id",
        "UC7RQjGU3P6fPKoe74Vw2uXg",
    ),
    ("https://www.facebook.com/sehk.gov.hk", None, "facebook", "handle", "sehkgovhk"),
    ("https://www.facebook.com/cfs.hk", None, "facebook", "handle", "cfshk"),
    ("https://fb.com/hkpost.official", None, "facebook", "handle", "hkpostofficial"),
    ("https://t.me/HKFIGHTCOVID19", None, "telegram", "handle", "hkfightcovid19"),
    ("https://v.douyin.com/iRabLepf/", None, "douyin", "short", "iRabLepf"),
    # Facebook
    ("facebook.com/cfs.hk", None, "facebook", "handle", "cfshk"),
    ("fb.me/cfs.hk", None, "facebook", "handle", "cfshk"),
    ("https://mbasic.facebook.com/cfs.hk", None, "facebook", "handle", "cfshk"),
    ("https://business.facebook.com/cfs.hk", None, "facebook", "handle", "cfshk"),
    ("https://touch.facebook.com/cfs.hk", None, "facebook", "handle", "cfshk"),
    ("https://web.facebook.com/cfs.hk", None, "facebook", "handle", "cfshk"),
    ("https://www.facebook.com/pg/cfs.hk/about/", None, "facebook", "handle", "cfshk"),
    ("https://www.facebook.com/cfs.hk/posts/123456789", None, "facebook", "handle", "cfshk"),
    ("https://www.facebook.com/cfs.hk/about", None, "facebook", "handle", "cfshk"),
    ("https://www.facebook.com/#!/cfs.hk", None, "facebook", "handle", "cfshk"),
    ("https://www.facebook.com/home.php#!/cfs.hk", None, "facebook", "handle", "cfshk"),
    ("https://www.facebook.com/profile.php?id=100064657123456", None, "facebook", "id", "100064657123456"),
    (
        "https://www.facebook.com/profile.php?id=100064657123456&sk=about",
        None,
        "facebook",
        "id",
        "100064657123456",
    ),
    (
        "https://www.facebook.com/pages/Bloomy-The-Tree/100064657123456",
        None,
        "facebook",
        "id",
        "100064657123456",
    ),
    ("https://www.facebook.com/pages/100064657123456", None, "facebook", "id", "100064657123456"),
    (
        "https://www.facebook.com/people/Bloomy-The-Tree/100064657123456/",
        None,
        "facebook",
        "id",
        "100064657123456",
    ),
    (
        "https://www.facebook.com/p/Bloomy-The-Tree-100064657123456/",
        None,
        "facebook",
        "id",
        "100064657123456",
    ),
    ("http://facebook.com/207144502648963", None, "facebook", "id", "207144502648963"),
    ("https://www.facebook.com/NOAA-in-Alaska-196714957391/", None, "facebook", "id", "196714957391"),
    # Instagram
    ("instagr.am/cyberdefender.hk", None, "instagram", "handle", "cyberdefender.hk"),
    (
        "https://www.instagram.com/stories/cyberdefender.hk/3141592653/",
        None,
        "instagram",
        "handle",
        "cyberdefender.hk",
    ),
    ("https://www.instagram.com/cyberdefender.hk/reels/", None, "instagram", "handle", "cyberdefender.hk"),
    # YouTube
    ("https://www.youtube.com/@CyberDefenderHK", None, "youtube", "handle", "cyberdefenderhk"),
    ("https://m.youtube.com/@CyberDefenderHK/videos", None, "youtube", "handle", "cyberdefenderhk"),
    (
        "https://www.youtube.com/channel/UC67ZoAyxc5C_DebyxveemLQ/featured",
        None,
        "youtube",
        "id",
        "UC67ZoAyxc5C_DebyxveemLQ",
    ),
    ("https://www.youtube.com/c/ChpGovHkChannel/about", None, "youtube", "custom", "chpgovhkchannel"),
    (
        "https://www.youtube.com/user/NOAAHigherEducation/streams",
        None,
        "youtube",
        "user",
        "noaahighereducation",
    ),
    ("http://youtube.com/usnistgov", None, "youtube", "custom", "usnistgov"),
    # X
    ("https://x.com/newsgovhk", None, "x", "handle", "newsgovhk"),
    ("https://twitter.com/newsgovhk", None, "x", "handle", "newsgovhk"),
    ("https://mobile.twitter.com/newsgovhk", None, "x", "handle", "newsgovhk"),
    ("https://x.com/newsgovhk/status/1234567890123", None, "x", "handle", "newsgovhk"),
    ("http://twitter.com/@NOAA68", None, "x", "handle", "noaa68"),
    ("https://twitter.com/#!/newsgovhk", None, "x", "handle", "newsgovhk"),
    ("https://twitter.com/intent/user?screen_name=newsgovhk", None, "x", "handle", "newsgovhk"),
    ("https://twitter.com/intent/follow?screen_name=newsgovhk", None, "x", "handle", "newsgovhk"),
    ("https://twitter.com/intent/user?user_id=783214", None, "x", "id", "783214"),
    ("https://x.com/i/user/783214", None, "x", "id", "783214"),
    ("@newsgovhk", "x", "x", "handle", "newsgovhk"),
    ("newsgovhk", "X (Twitter)", "x", "handle", "newsgovhk"),
    # Threads, Bluesky, TikTok
    ("https://www.threads.net/@cyberdefender.hk", None, "threads", "handle", "cyberdefender.hk"),
    ("https://www.threads.com/@cyberdefender.hk/post/C1a2b3", None, "threads", "handle", "cyberdefender.hk"),
    ("https://bsky.app/profile/nasa.gov", None, "bluesky", "handle", "nasa.gov"),
    (
        "https://bsky.app/profile/did:plc:z72i7hdynmk6r22z27h6tvur",
        None,
        "bluesky",
        "did",
        "did:plc:z72i7hdynmk6r22z27h6tvur",
    ),
    ("https://bsky.app/profile/nasa.gov/post/3kabc", None, "bluesky", "handle", "nasa.gov"),
    ("https://www.tiktok.com/@hongkongpoliceforce", None, "tiktok", "handle", "hongkongpoliceforce"),
    (
        "https://www.tiktok.com/@hongkongpoliceforce/video/7300000000000000000",
        None,
        "tiktok",
        "handle",
        "hongkongpoliceforce",
    ),
    ("https://vm.tiktok.com/ZMabc123/", None, "tiktok", "short", "ZMabc123"),
    # Telegram
    ("https://telegram.me/HKFIGHTCOVID19", None, "telegram", "handle", "hkfightcovid19"),
    ("https://telegram.dog/HKFIGHTCOVID19", None, "telegram", "handle", "hkfightcovid19"),
    ("https://t.me/s/HKFIGHTCOVID19", None, "telegram", "handle", "hkfightcovid19"),
    ("https://t.me/HKFIGHTCOVID19/1234", None, "telegram", "handle", "hkfightcovid19"),
    # WhatsApp
    (
        "https://www.whatsapp.com/channel/0029VaB5r1v2v1Ik0zC6xF3m",
        None,
        "whatsapp",
        "channel",
        "0029VaB5r1v2v1Ik0zC6xF3m",
    ),
    ("https://wa.me/85291234567", None, "whatsapp", "phone", "85291234567"),
    ("https://api.whatsapp.com/send?phone=85291234567", None, "whatsapp", "phone", "85291234567"),
    # Weibo
    ("https://weibo.com/u/1234567890", None, "weibo", "id", "1234567890"),
    ("https://m.weibo.cn/u/1234567890", None, "weibo", "id", "1234567890"),
    ("https://weibo.com/profile/1234567890", None, "weibo", "id", "1234567890"),
    ("https://weibo.com/1234567890/NabcDEF", None, "weibo", "id", "1234567890"),
    ("weibo.com/n/香港公務員事務局", None, "weibo", "handle", "香港公務員事務局"),
    (
        "https://weibo.com/n/%E9%A6%99%E6%B8%AF%E5%85%AC%E5%8B%99%E5%93%A1%E4%BA%8B%E5%8B%99%E5%B1%80",
        None,
        "weibo",
        "handle",
        "香港公務員事務局",
    ),
    ("https://weibo.com/hkcsb", None, "weibo", "custom", "hkcsb"),
    ("香港公務員事務局", "weibo", "weibo", "handle", "香港公務員事務局"),
    # Douyin, Xiaohongshu
    (
        "https://www.douyin.com/user/MS4wLjABAAAAx9Yz_AbC-dEf",
        None,
        "douyin",
        "id",
        "MS4wLjABAAAAx9Yz_AbC-dEf",
    ),
    (
        "https://www.xiaohongshu.com/user/profile/5f2b3c4d5e6f7a8b9c0d1e2f",
        None,
        "xiaohongshu",
        "id",
        "5f2b3c4d5e6f7a8b9c0d1e2f",
    ),
    ("https://xhslink.com/AbCd12", None, "xiaohongshu", "short", "AbCd12"),
    # LinkedIn: one kind per LinkedIn namespace.
    ("https://www.linkedin.com/company/nist", None, "linkedin", "company", "nist"),
    ("https://hk.linkedin.com/company/nist/about/", None, "linkedin", "company", "nist"),
    ("https://www.linkedin.com/school/hku/", None, "linkedin", "school", "hku"),
    ("https://www.linkedin.com/showcase/10304554", None, "linkedin", "showcase", "10304554"),
    ("https://www.linkedin.com/in/some-person-12345/", None, "linkedin", "person", "some-person-12345"),
    # Flickr, GitHub, Pinterest, Medium, Tumblr, Vimeo
    ("http://flickr.com/photos/noaaimages", None, "flickr", "handle", "noaaimages"),
    ("https://www.flickr.com/people/noaaimages/", None, "flickr", "handle", "noaaimages"),
    ("https://www.flickr.com/photos/35591378@N03/albums", None, "flickr", "id", "35591378@n03"),
    ("https://github.com/usnistgov", None, "github", "handle", "usnistgov"),
    ("https://github.com/usnistgov/oscal-content", None, "github", "handle", "usnistgov"),
    ("https://github.com/orgs/usnistgov/repositories", None, "github", "handle", "usnistgov"),
    ("https://www.pinterest.com/uscensusbureau/", None, "pinterest", "handle", "uscensusbureau"),
    ("https://hk.pinterest.com/uscensusbureau/boards/", None, "pinterest", "handle", "uscensusbureau"),
    ("https://www.pinterest.co.uk/uscensusbureau/", None, "pinterest", "handle", "uscensusbureau"),
    ("https://medium.com/@usnistgov", None, "medium", "handle", "usnistgov"),
    ("https://usnistgov.medium.com/", None, "medium", "handle", "usnistgov"),
    ("https://usnistgov.medium.com/some-story-1a2b3c", None, "medium", "handle", "usnistgov"),
    ("https://medium.com/some-publication/a-story-1a2b3c", None, "medium", "publication", "some-publication"),
    ("http://noaasanctuaries.tumblr.com/", None, "tumblr", "handle", "noaasanctuaries"),
    ("https://noaasanctuaries.tumblr.com/post/12345", None, "tumblr", "handle", "noaasanctuaries"),
    ("https://www.tumblr.com/noaasanctuaries", None, "tumblr", "handle", "noaasanctuaries"),
    ("https://www.tumblr.com/blog/view/noaasanctuaries", None, "tumblr", "handle", "noaasanctuaries"),
    ("https://vimeo.com/usnistgov", None, "vimeo", "handle", "usnistgov"),
    ("https://vimeo.com/channels/staffpicks", None, "vimeo", "channel", "staffpicks"),
    # LINE, Snapchat, Google+, Storify, WeChat (bare only)
    ("https://line.me/R/ti/p/@hkgov", None, "line", "handle", "hkgov"),
    ("https://line.me/R/ti/p/%40hkgov", None, "line", "handle", "hkgov"),
    ("https://page.line.me/hkgov", None, "line", "handle", "hkgov"),
    ("https://lin.ee/AbCdEfG", None, "line", "short", "AbCdEfG"),
    ("https://www.snapchat.com/add/nasa", None, "snapchat", "handle", "nasa"),
    (
        "https://plus.google.com/+usdepartmentofcommerce/posts",
        None,
        "google_plus",
        "handle",
        "usdepartmentofcommerce",
    ),
    (
        "https://plus.google.com/b/105187765299030181970/+usnistgov",
        None,
        "google_plus",
        "handle",
        "usnistgov",
    ),
    ("https://plus.google.com/105187765299030181970", None, "google_plus", "id", "105187765299030181970"),
    ("https://storify.com/noaacleancoasts", None, "storify", "handle", "noaacleancoasts"),
    ("HKSARCSD", "wechat", "wechat", "handle", "hksarcsd"),
    ("香港警察", "微信", "wechat", "handle", "香港警察"),
]


@pytest.mark.parametrize(("text", "platform", "want_platform", "kind", "key"), ACCEPTED)
def test_accepted_addresses(text: str, platform: str | None, want_platform: str, kind: str, key: str) -> None:
    assert identity(text, platform) == (want_platform, kind, key)


@pytest.mark.parametrize("text", sorted({row[0] for row in ACCEPTED if row[1] is None}))
def test_a_url_parses_the_same_when_its_platform_is_named(text: str) -> None:
    found = CATALOGUE.parse(text)
    assert CATALOGUE.parse(text, platform=found.platform) == found


# -- spellings of one address -------------------------------------------------------------------

SAME: list[list[str]] = [
    [
        "https://www.facebook.com/cfs.hk",
        "http://www.facebook.com/cfs.hk",
        "facebook.com/cfs.hk",
        "www.facebook.com/cfs.hk/",
        "HTTPS://WWW.FACEBOOK.COM/cfs.hk",
        "https://m.facebook.com/cfs.hk",
        "https://mobile.facebook.com/cfs.hk?ref=page_internal",
        "https://www.facebook.com/cfs.hk#top",
        "  https://www.facebook.com/cfs.hk  \n",
        "https://www.facebook.com/CFS.HK",
        "https://www.facebook.com//cfs.hk//",
        "ｈｔｔｐｓ：／／ｗｗｗ．ｆａｃｅｂｏｏｋ．ｃｏｍ／ｃｆｓ．ｈｋ",
        "https://www.facebook.com/cfshk",
        "https://fb.com/cfs.hk",
        "https://www.facebook.com/%63fs.hk",
        "https://www.facebook.com./cfs.hk",
        "https://www.facebook.com:443/cfs.hk",
        "cfs.hk@facebook",
        "https://facebook\u3002com/cfs.hk",  # an ideographic full stop separates IDNA labels too
    ],
    [
        "https://www.youtube.com/c/CyberDefenderHK/",
        "https://www.youtube.com/cyberdefenderhk/",
        "https://youtube.com/CyberDefenderHK/videos",
        "https://m.youtube.com/c/cyberdefenderhk",
    ],
    ["https://t.me/HKFIGHTCOVID19", "t.me/hkfightcovid19", "https://telegram.me/s/HkFightCovid19"],
    ["https://x.com/newsgovhk", "https://twitter.com/NewsGovHK/", "@newsgovhk@x", "newsgovhk@X (Twitter)"],
    [
        "https://www.instagram.com/cyberdefender.hk/",
        "instagram.com/CyberDefender.HK",
        "@cyberdefender.hk@instagram",
    ],
]


def _spell(text: str) -> tuple[str, str, str]:
    # "handle@platform" in the table above means parse(handle, platform=platform).
    if "@" in text and "/" not in text and not text.startswith("http"):
        handle, _, platform = text.rpartition("@")
        return identity(handle, platform)
    return identity(text)


@pytest.mark.parametrize("spellings", SAME, ids=lambda group: group[0])
def test_spellings_of_one_address_give_one_identity(spellings: list[str]) -> None:
    assert {_spell(text) for text in spellings} == {_spell(spellings[0])}


DIFFERENT: list[tuple[str, str]] = [
    # The real anti-epidemic channel and the fake the government warned of (2020-02-22).
    ("https://t.me/HKFIGHTCOVID19", "https://t.me/hkfightcovid2020"),
    # Instagram counts the dot: these are two accounts (CyberDefender lists both).
    ("https://www.instagram.com/cyberdefender.hk/", "https://www.instagram.com/cyberdefenderhk/"),
    # Same text, different namespaces.
    ("https://www.youtube.com/@CyberDefenderHK", "https://www.youtube.com/c/CyberDefenderHK"),
    ("https://www.youtube.com/c/CyberDefenderHK", "https://www.youtube.com/user/CyberDefenderHK"),
    ("https://www.facebook.com/cfs.hk", "https://www.instagram.com/cfs.hk"),
    # Case-sensitive kinds keep case.
    (
        "https://www.youtube.com/channel/UC67ZoAyxc5C_DebyxveemLQ",
        "https://www.youtube.com/channel/UC67zoayxc5c_debyxveemlq",
    ),
    ("https://v.douyin.com/iRabLepf/", "https://v.douyin.com/irablepf/"),
    (
        "https://whatsapp.com/channel/0029VaB5r1v2v1Ik0zC6xF3m",
        "https://whatsapp.com/channel/0029vab5r1v2v1ik0zc6xf3m",
    ),
]


@pytest.mark.parametrize(("first", "second"), DIFFERENT)
def test_different_addresses_give_different_identities(first: str, second: str) -> None:
    assert identity(first) != identity(second)


# -- canonical URLs ----------------------------------------------------------------------------

CANONICAL: list[tuple[str, str | None]] = [
    ("facebook.com/cfs.hk/", "https://www.facebook.com/cfs.hk"),
    (
        "https://www.facebook.com/people/Bloomy/100064657123456",
        "https://www.facebook.com/profile.php?id=100064657123456",
    ),
    ("https://fb.com/hkpost.official", "https://www.facebook.com/hkpost.official"),
    ("instagram.com/carrielam.hksar", "https://www.instagram.com/carrielam.hksar/"),
    ("https://www.youtube.com/cyberdefenderhk/", "https://www.youtube.com/c/cyberdefenderhk"),
    ("https://m.youtube.com/@CyberDefenderHK/videos", "https://www.youtube.com/@CyberDefenderHK"),
    (
        "https://www.youtube.com/channel/UC7RQjGU3P6fPKoe74Vw2uXg/videos",
        "https://www.youtube.com/channel/UC7RQjGU3P6fPKoe74Vw2uXg",
    ),
    ("https://www.youtube.com/user/usnistgov", "https://www.youtube.com/user/usnistgov"),
    ("https://mobile.twitter.com/newsgovhk/status/1", "https://x.com/newsgovhk"),
    ("https://www.threads.net/@cyberdefender.hk", "https://www.threads.com/@cyberdefender.hk"),
    ("telegram.me/s/HKFIGHTCOVID19", "https://t.me/HKFIGHTCOVID19"),
    ("https://v.douyin.com/iRabLepf", "https://v.douyin.com/iRabLepf/"),
    ("https://m.weibo.cn/profile/1234567890", "https://weibo.com/u/1234567890"),
    ("weibo.com/n/香港", "https://weibo.com/n/%E9%A6%99%E6%B8%AF"),
    ("https://usnistgov.medium.com/", "https://medium.com/@usnistgov"),
    ("https://noaasanctuaries.tumblr.com/post/1", "https://www.tumblr.com/noaasanctuaries"),
    ("https://hk.linkedin.com/company/nist", "https://www.linkedin.com/company/nist/"),
    (
        "https://bsky.app/profile/did:plc:z72i7hdynmk6r22z27h6tvur",
        "https://bsky.app/profile/did:plc:z72i7hdynmk6r22z27h6tvur",
    ),
]


@pytest.mark.parametrize(("text", "url"), CANONICAL)
def test_canonical_url(text: str, url: str) -> None:
    assert CATALOGUE.parse(text).canonical_url == url


def test_a_kind_without_a_url_has_no_canonical_url() -> None:
    assert CATALOGUE.address("wechat", "handle", "HKSARCSD").canonical_url is None
    assert CATALOGUE.address("douyin", "handle", "hkpolice").canonical_url is None


def test_value_keeps_the_spelling_of_the_input() -> None:
    address = CATALOGUE.parse("https://www.facebook.com/CentreforHealthProtection/")
    assert address == AccountAddress(
        platform="facebook",
        kind="handle",
        value="CentreforHealthProtection",
        key="centreforhealthprotection",
        canonical_url="https://www.facebook.com/CentreforHealthProtection",
    )


# -- known pages that are not accounts ---------------------------------------------------------

NOT_ACCOUNTS: list[tuple[str, str]] = [
    ("https://www.facebook.com/groups/123", "a Facebook group, not an account"),
    ("https://www.facebook.com/groups/hkgov/permalink/1/", "group"),
    ("https://www.facebook.com/events/123456/", "event"),
    ("https://www.facebook.com/watch/?v=123", "video"),
    ("https://fb.watch/abc123/", "video"),
    ("https://www.facebook.com/share/p/abc/", "share"),
    ("https://www.facebook.com/sharer.php?u=https://www.cfs.gov.hk", "share"),
    ("https://www.facebook.com/sharer/sharer.php?u=x", "share"),
    ("https://www.facebook.com/login/?next=%2Fcfs.hk", "service page"),
    ("https://www.facebook.com/help/123", "service page"),
    ("https://www.facebook.com/photo.php?fbid=1", "photo"),
    ("https://www.facebook.com/photo/?fbid=1", "photo"),
    ("https://www.facebook.com/marketplace/item/1", "service page"),
    ("https://www.facebook.com/hashtag/covid19", "service page"),
    ("https://www.facebook.com/search/top?q=cfs", "service page"),
    ("https://www.facebook.com/profile.php", "without a numeric id"),
    ("https://www.facebook.com/profile.php?id=abc", "without a numeric id"),
    ("https://www.facebook.com/", "home page"),
    ("facebook.com", "home page"),
    ("https://www.facebook.com/pages/create", "service page"),
    ("https://www.facebook.com/Some-Page-Name", "not a valid Facebook handle"),
    ("https://www.instagram.com/p/Cabc123/", "post"),
    ("https://www.instagram.com/reel/Cabc123/", "reel"),
    ("https://www.instagram.com/reels/Cabc123/", "reel"),
    ("https://www.instagram.com/explore/tags/hongkong/", "service page"),
    ("https://www.instagram.com/accounts/login/", "service page"),
    ("https://www.instagram.com/direct/inbox/", "service page"),
    ("https://www.instagram.com/stories/highlights/1234/", "highlight"),
    ("https://youtu.be/dQw4w9WgXcQ", "video"),
    ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "video"),
    ("https://www.youtube.com/shorts/abc", "video"),
    ("https://www.youtube.com/embed/abc", "video"),
    ("https://www.youtube.com/playlist?list=PL1", "service page"),
    ("https://www.youtube.com/results?search_query=hk", "service page"),
    ("https://www.youtube.com/feed/trending", "service page"),
    ("https://www.youtube.com/channel/not-a-channel-id", "channel id"),
    ("https://x.com/home", "service page"),
    ("https://x.com/search?q=hk", "service page"),
    ("https://x.com/i/flow/login", "service page"),
    ("https://x.com/hashtag/HongKong", "service page"),
    ("https://x.com/settings/profile", "service page"),
    ("https://x.com/explore", "service page"),
    ("https://twitter.com/login", "service page"),
    ("https://twitter.com/intent/tweet?text=hi", "service page"),
    ("https://twitter.com/share?url=x", "service page"),
    ("https://twitter.com/this_handle_is_too_long", "not a valid X handle"),
    ("https://t.me/joinchat/AAAAAEabc", "private Telegram invite"),
    ("https://t.me/+AbCdEf123", "private Telegram invite"),
    ("https://t.me/addstickers/pack", "service link"),
    ("https://chat.whatsapp.com/AbCdEf", "group invite"),
    ("https://www.linkedin.com/groups/6947787", "a LinkedIn group"),
    ("https://www.linkedin.com/feed/", "service page"),
    ("https://www.douyin.com/video/7300000000000000000", "video"),
    ("https://www.xiaohongshu.com/explore/65a1b2c3d4e5f6a7b8c9d0e1", "note"),
    ("https://weibo.com/status/123", "post"),
    ("https://mp.weixin.qq.com/s/AbCdEf", "no public address"),
    ("https://www.pinterest.com/pin/123456/", "pin"),
    ("https://vimeo.com/123456789", "video"),
    ("https://www.tumblr.com/dashboard", "service page"),
    ("https://github.com/settings/profile", "service page"),
    ("https://www.threads.net/search", "not a Threads account address"),
    ("ftp://www.facebook.com/cfs.hk", "ftp"),
    ("https://someone@www.facebook.com/cfs.hk", "user name"),
]


@pytest.mark.parametrize(("text", "reason"), NOT_ACCOUNTS)
def test_known_platform_pages_that_are_not_accounts(text: str, reason: str) -> None:
    with pytest.raises(NotAnAccountError) as raised:
        CATALOGUE.parse(text)
    message = str(raised.value)
    assert message.startswith(f"{text.strip()}: ")
    assert reason in message


def test_the_group_message_names_the_input_and_the_reason() -> None:
    with pytest.raises(
        NotAnAccountError, match=r"^https://www\.facebook\.com/groups/123: a Facebook group, not an account$"
    ):
        CATALOGUE.parse("https://www.facebook.com/groups/123")


BAD_HANDLES: list[tuple[str, str]] = [
    ("", "x"),
    ("@", "x"),
    ("news govhk", "x"),
    ("newsgovhk@evil", "x"),
    ("a" * 16, "x"),
    ("home", "x"),
    ("groups", "facebook"),
    ("-abc", "tumblr"),
    ("abc", "telegram"),
    ("香港", "x"),
    ("bad\x00handle", "instagram"),
]


@pytest.mark.parametrize(("text", "platform"), BAD_HANDLES)
def test_bad_bare_handles(text: str, platform: str) -> None:
    with pytest.raises(NotAnAccountError):
        CATALOGUE.parse(text, platform=platform)


# -- look-alikes and unknown platforms ---------------------------------------------------------

LOOK_ALIKES: list[str] = [
    "facebook.com.evil.example/cfs.hk",
    "https://facebook.com.evil.example/cfs.hk",
    "faceb00k.com/cfs.hk",
    "https://facebook-com.net/cfs.hk",
    "https://evilfacebook.com/cfs.hk",
    "https://user:pass@facebook.com.evil.net/cfs.hk",
    "user:pass@facebook.com.evil.net",
    "https://facebook.com@evil.net/cfs.hk",
    "https://www.facebook.com@evil.net/cfs.hk",
    "https://fаcebook.com/cfs.hk",  # Cyrillic а
    "https://xn--fcebook-2fg.com/cfs.hk",
    "https://t.me.evil.net/HKFIGHTCOVID19",
    "t.me.evil.net",
    "https://developers.facebook.com/docs",
    "https://evil.facebook.com/cfs.hk",
    "https://www.www.facebook.com/cfs.hk",
    "https://a.b.tumblr.com/",
    "https://tumblr.com.evil.net/noaa",
    "https://x.com.evil.net/newsgovhk",
    "https://twitter.co/newsgovhk",
    "https://instagram.com-profile.net/cyberdefender.hk",
    "https://youtube.com.hk/c/CyberDefenderHK",
    "https://www.cfs.gov.hk/",
    "https:///cfs.hk",
    "http://[::1/cfs.hk",
]


@pytest.mark.parametrize("text", LOOK_ALIKES)
def test_look_alike_hosts_are_unknown_platforms(text: str) -> None:
    with pytest.raises(UnknownPlatformError):
        CATALOGUE.parse(text)


def test_a_look_alike_with_the_platform_named_is_still_refused() -> None:
    with pytest.raises(AddressError):
        CATALOGUE.parse("https://facebook.com.evil.example/cfs.hk", platform="facebook")


def test_a_bare_handle_needs_its_platform() -> None:
    with pytest.raises(UnknownPlatformError, match="needs its platform"):
        CATALOGUE.parse("@newsgovhk")
    with pytest.raises(UnknownPlatformError, match="needs its platform"):
        CATALOGUE.parse("cfs.hk")


def test_a_url_of_another_platform_than_the_one_named() -> None:
    with pytest.raises(AddressError, match="on Instagram, not on Facebook") as raised:
        CATALOGUE.parse("https://www.instagram.com/cfs.hk", platform="facebook")
    assert "https://www.instagram.com/cfs.hk" in str(raised.value)


def test_an_unknown_platform_name() -> None:
    with pytest.raises(UnknownPlatformError, match="myspace"):
        CATALOGUE.parse("tom", platform="myspace")


def test_too_long_text_is_refused() -> None:
    with pytest.raises(AddressError, match="too long"):
        CATALOGUE.parse("https://www.facebook.com/" + "a" * 5000)


# -- address(): from a known handle or id ----------------------------------------------------------


def test_address_builds_from_a_handle() -> None:
    assert CATALOGUE.address("x", "handle", "@newsgovhk").identity == ("x", "handle", "newsgovhk")
    assert CATALOGUE.address("facebook", "id", "1539066899649361").canonical_url == (
        "https://www.facebook.com/profile.php?id=1539066899649361"
    )
    assert CATALOGUE.address("youtube", "id", "UC67ZoAyxc5C_DebyxveemLQ") == CATALOGUE.parse(
        "https://www.youtube.com/channel/UC67ZoAyxc5C_DebyxveemLQ"
    )


def test_address_agrees_with_parse_on_the_key() -> None:
    parsed = CATALOGUE.parse("https://www.youtube.com/c/ChpGovHkChannel")
    assert CATALOGUE.address("youtube", parsed.kind, "chpgovhkchannel").key == parsed.key


@pytest.mark.parametrize(
    ("platform", "kind", "value"),
    [
        ("x", "handle", "https://x.com/newsgovhk"),  # a URL is not a handle
        ("x", "handle", "news@govhk"),
        ("facebook", "handle", "12345"),  # digits are a Facebook id, not a handle
        ("facebook", "id", "cfs.hk"),
        ("youtube", "id", "UCshort"),
        ("youtube", "handle", "ab"),
        ("instagram", "handle", "a" * 31),
        ("wechat", "handle", "香港 警察"),
        ("tumblr", "handle", "-abc"),
        ("x", "person", "newsgovhk"),  # X has no such kind
    ],
)
def test_address_refuses_bad_values(platform: str, kind: str, value: str) -> None:
    with pytest.raises(NotAnAccountError):
        CATALOGUE.address(platform, kind, value)


def test_address_of_an_unknown_platform() -> None:
    with pytest.raises(UnknownPlatformError):
        CATALOGUE.address("myspace", "handle", "tom")


# -- platform names ----------------------------------------------------------------------------

NAMES: list[tuple[str, str]] = [
    ("X (Twitter)", "x"),
    ("twitter", "x"),
    ("Twitter", "x"),
    ("x", "x"),
    ("X（Twitter）", "x"),
    ("WhatsApp Channel", "whatsapp"),
    ("whatsapp  channel", "whatsapp"),
    ("Youtube", "youtube"),
    ("YouTube", "youtube"),
    ("fb", "facebook"),
    ("Facebook", "facebook"),
    ("微博", "weibo"),
    ("Sina Weibo", "weibo"),
    ("抖音", "douyin"),
    ("小紅書", "xiaohongshu"),
    ("小红书", "xiaohongshu"),
    ("RedNote", "xiaohongshu"),
    ("Xiaohongshu", "xiaohongshu"),
    ("微信", "wechat"),
    ("Weixin", "wechat"),
    ("WeChat", "wechat"),
    ("google_plus", "google_plus"),
    ("Google+", "google_plus"),
    ("LinkedIn", "linkedin"),
    ("Telegram", "telegram"),
    ("Bluesky", "bluesky"),
    ("LINE", "line"),
]


@pytest.mark.parametrize(("name", "key"), NAMES)
def test_resolve_name(name: str, key: str) -> None:
    assert CATALOGUE.resolve_name(name).key == key


@pytest.mark.parametrize("name", ["MySpace", "", "facebook.com", "Twitterx"])
def test_resolve_name_refuses_unknown_names(name: str) -> None:
    with pytest.raises(UnknownPlatformError):
        CATALOGUE.resolve_name(name)


def test_get_by_key() -> None:
    assert CATALOGUE.get("facebook").name_en == "Facebook"
    with pytest.raises(UnknownPlatformError):
        CATALOGUE.get("Facebook")  # get() takes the key; names go through resolve_name()


# -- real registries -----------------------------------------------------------------------------

# URLs of the 2017 U.S. Digital Registry that are refused on purpose, with the reason.
US_REFUSED = {
    "https://www.linkedin.com/groups/4215296/profile": "a LinkedIn group is a forum, not an account",
    "https://www.linkedin.com/groups/6947787": "a LinkedIn group is a forum, not an account",
}
US_SERVICE_KEYS = {"twitter": "x"}


def _shared_file(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared reference data is not checked out beside the repository")
    return path


def test_us_digital_registry_urls_parse() -> None:
    records = json.loads(_shared_file("data", "us_usdr_2017", "DOC_accts.json").read_text(encoding="utf-8"))
    failures: list[str] = []
    for record in records:
        url = record["service_url"]
        try:
            address = CATALOGUE.parse(url)
        except AddressError as exc:
            failures.append(f"{url}: {type(exc).__name__}: {exc}")
            assert url in US_REFUSED, f"unexpected failure: {exc}"
            continue
        assert url not in US_REFUSED, f"{url} parses now; take it off US_REFUSED"
        assert address.platform == US_SERVICE_KEYS.get(record["service_key"], record["service_key"])
    print(
        f"{len(records) - len(failures)}/{len(records)} U.S. registry URLs parse; refused:",
        *failures,
        sep="\n  ",
    )
    assert len(records) == 410
    assert (len(records) - len(failures)) / len(records) >= 0.97


def test_us_digital_registry_twitter_handles_match_their_urls() -> None:
    records = json.loads(_shared_file("data", "us_usdr_2017", "DOC_accts.json").read_text(encoding="utf-8"))
    twitter = [r for r in records if r["service_key"] == "twitter" and r["account"]]
    assert twitter
    for record in twitter:
        assert CATALOGUE.parse(record["service_url"]).key == record["account"].casefold()


def test_hong_kong_registry_urls_parse_and_agree_with_their_handles() -> None:
    path = _shared_file("data", "hk", "accounts.csv")
    rows = [row for row in csv.DictReader(path.open(encoding="utf-8")) if row["url"]]
    assert len(rows) == 17
    for row in rows:
        platform = CATALOGUE.resolve_name(row["platform"]).key
        address = CATALOGUE.parse(row["url"], platform=platform)
        if row["handle"]:
            assert CATALOGUE.address(platform, address.kind, row["handle"]).key == address.key
