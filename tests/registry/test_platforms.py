"""The default platform catalogue: complete, consistent, and data that survives a JSON round trip."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from govsocial.errors import RegistryError
from govsocial.registry.addresses import PlatformCatalogue
from govsocial.registry.platforms import DEFAULT_PLATFORMS, Platform, UrlRule

ICONS = Path(__file__).resolve().parents[2] / "govsocial" / "web" / "static" / "icons"
PLATFORM_IDS = [p.key for p in DEFAULT_PLATFORMS]
REQUIRED_KEYS = {
    "facebook",
    "instagram",
    "youtube",
    "x",
    "threads",
    "weibo",
    "telegram",
    "whatsapp",
    "douyin",
    "tiktok",
    "linkedin",
    "flickr",
    "github",
    "pinterest",
    "medium",
    "tumblr",
    "bluesky",
    "wechat",
    "xiaohongshu",
    "line",
    "snapchat",
    "google_plus",
    "storify",
    "vimeo",
}


def test_keys_are_unique_and_cover_the_required_platforms() -> None:
    keys = [p.key for p in DEFAULT_PLATFORMS]
    assert len(keys) == len(set(keys))
    assert set(keys) >= REQUIRED_KEYS


@pytest.mark.parametrize("platform", DEFAULT_PLATFORMS, ids=PLATFORM_IDS)
def test_every_platform_has_its_icon(platform: Platform) -> None:
    assert platform.icon == f"{platform.key}.svg"
    svg = (ICONS / platform.icon).read_text(encoding="utf-8")
    assert svg.startswith("<svg ")
    assert 'role="img"' in svg
    assert 'fill="currentColor"' in svg or re.search(r'fill="#[0-9A-Fa-f]{6}"', svg)
    assert "<title>" in svg
    # Self-hosted and inert: no links out, no scripts, no styles that could fetch anything.
    for forbidden in ("href", "url(", "<script", "<style", "@import", "<image", "<foreignObject"):
        assert forbidden not in svg
    assert len(svg) < 8_000


def test_the_icon_notice_names_every_icon() -> None:
    notice = (ICONS / "NOTICE.md").read_text(encoding="utf-8")
    assert "CC0" in notice
    for icon in ICONS.glob("*.svg"):
        assert f"`{icon.name}`" in notice


@pytest.mark.parametrize("platform", DEFAULT_PLATFORMS, ids=PLATFORM_IDS)
def test_every_url_kind_has_a_canonical_template(platform: Platform) -> None:
    url_kinds = {rule.kind for rule in platform.rules if rule.reject is None}
    assert url_kinds <= set(platform.canonical)
    for template in platform.canonical.values():
        assert template.startswith("https://")
        assert template.count("{value}") == 1


@pytest.mark.parametrize("platform", DEFAULT_PLATFORMS, ids=PLATFORM_IDS)
def test_case_sensitive_kinds_and_bare_kinds_are_kinds_of_the_platform(platform: Platform) -> None:
    assert set(platform.case_sensitive_kinds) <= set(platform.kinds())
    assert platform.bare_kinds
    assert set(platform.bare_kinds) <= set(platform.kinds())


@pytest.mark.parametrize("platform", DEFAULT_PLATFORMS, ids=PLATFORM_IDS)
def test_the_handle_pattern_refuses_urls_and_at_signs(platform: Platform) -> None:
    handle = re.compile(platform.handle_pattern)
    for text in ("https://example.com/a", "a/b", "@abc", "ab@c", "a b", ""):
        assert not handle.fullmatch(text), text


@pytest.mark.parametrize("platform", DEFAULT_PLATFORMS, ids=PLATFORM_IDS)
def test_names_are_filled_in(platform: Platform) -> None:
    assert platform.name_en and platform.name_zh_hant and platform.name_zh_hans


def test_a_catalogue_round_trips_through_json() -> None:
    stored = json.dumps([p.model_dump(mode="json") for p in DEFAULT_PLATFORMS])
    loaded = PlatformCatalogue(Platform.model_validate(item) for item in json.loads(stored))
    assert list(loaded) == list(DEFAULT_PLATFORMS)
    assert len(loaded) == len(DEFAULT_PLATFORMS)
    assert loaded.parse("https://www.facebook.com/cfs.hk") == PlatformCatalogue.default().parse(
        "https://www.facebook.com/cfs.hk"
    )
    assert loaded.parse("https://noaasanctuaries.tumblr.com/").key == "noaasanctuaries"


def test_a_catalogue_edited_at_run_time_applies_its_edits() -> None:
    mastodon = Platform(
        key="mastodon_hk",
        name_en="Mastodon (social.example)",
        name_zh_hant="長毛象",
        name_zh_hans="长毛象",
        hosts=["social.example"],
        rules=[UrlRule(pattern=r"/@(?P<value>[A-Za-z0-9_]+)(?:/.*)?", kind="handle")],
        canonical={"handle": "https://social.example/@{value}"},
        icon="mastodon_hk.svg",
    )
    catalogue = PlatformCatalogue([*DEFAULT_PLATFORMS, mastodon])
    assert catalogue.parse("https://social.example/@hkgov/123").identity == ("mastodon_hk", "handle", "hkgov")
    assert catalogue.resolve_name("長毛象").key == "mastodon_hk"


def test_a_platform_twice_is_refused() -> None:
    with pytest.raises(RegistryError, match="twice"):
        PlatformCatalogue([*DEFAULT_PLATFORMS, DEFAULT_PLATFORMS[0]])


def test_a_host_claimed_by_two_platforms_is_refused() -> None:
    copy = DEFAULT_PLATFORMS[0].model_copy(
        update={
            "key": "facebook2",
            "name_en": "F2",
            "name_zh_hant": "F2",
            "name_zh_hans": "F2",
            "aliases": [],
        }
    )
    with pytest.raises(RegistryError, match=r"facebook\.com"):
        PlatformCatalogue([*DEFAULT_PLATFORMS, copy])


def test_a_name_used_by_two_platforms_is_refused() -> None:
    copy = DEFAULT_PLATFORMS[0].model_copy(
        update={"key": "facebook2", "hosts": [], "rules": [], "aliases": []}
    )
    with pytest.raises(RegistryError, match="name"):
        PlatformCatalogue([*DEFAULT_PLATFORMS, copy])


@pytest.mark.parametrize(
    "rule",
    [
        {"pattern": "/(?P<value>[a-z]+", "kind": "handle"},  # not a regex
        {"pattern": "/[a-z]+", "kind": "handle"},  # nowhere to take the value from
        {"pattern": "/(?P<value>[a-z]+)"},  # no kind and no reject
        {"pattern": "/x", "kind": "id", "query_param": "id", "value_pattern": "("},
    ],
)
def test_bad_rules_are_refused(rule: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        UrlRule.model_validate(rule)


def test_bad_platform_data_is_refused() -> None:
    base = DEFAULT_PLATFORMS[0].model_dump()
    for change in (
        {"key": "Not A Key"},
        {"handle_pattern": "[a-"},
        {"canonical": {"handle": "https://example.com/{name}"}},
        {"rules": [{"pattern": "/(?P<value>.+)", "kind": "handle", "host": "elsewhere.example"}]},
        {"unknown_field": 1},
        {"bare_kinds": []},
    ):
        with pytest.raises(ValidationError):
            Platform.model_validate({**base, **change})


def test_hosts_are_normalised() -> None:
    platform = Platform(
        key="demo",
        name_en="Demo",
        name_zh_hant="Demo",
        name_zh_hans="Demo",
        hosts=["Example.ORG.", "例子.香港"],
        icon="demo.svg",
    )
    assert platform.hosts == ["example.org", "xn--fsqu00a.xn--j6w193g"]
