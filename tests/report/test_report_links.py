"""A report is a file people open and forward: only http(s) addresses become links in it."""

from __future__ import annotations

import re

import pytest

from govsocial.report import render


@pytest.mark.parametrize(
    ("url", "link"),
    [
        ("https://www.facebook.com/cfs.hk/posts/1", "https://www.facebook.com/cfs.hk/posts/1"),
        ("HTTP://example.gov.hk/a", "HTTP://example.gov.hk/a"),
        ("javascript:alert(1)", None),
        (" JavaScript:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("//evil.example/x", None),
        ("", None),
        (None, None),
    ],
)
def test_only_web_addresses_are_links(url: str | None, link: str | None) -> None:
    assert render.web_link(url) == link


def test_every_link_the_report_makes_of_a_stored_address_is_checked() -> None:
    template = (render.TEMPLATES / "report.html").read_text(encoding="utf-8")
    hrefs = re.findall(r'href="\{\{\s*([^}]*?)\s*\}\}"', template)
    assert hrefs and all(href.endswith("| web_link") for href in hrefs), hrefs
    page = render._environment().from_string(
        '{% if u | web_link %}<a href="{{ u | web_link }}">post</a>{% else %}post{% endif %}'
    )
    assert page.render(u="javascript:alert(1)") == "post"
    assert page.render(u="https://x.example/1") == '<a href="https://x.example/1">post</a>'


def test_one_clarification_is_said_in_the_singular() -> None:
    words = render.Words("en")
    assert words("One post clarified misinformation {this}.", this=words.this("month")) == (
        "One post clarified misinformation this month."
    )
    assert (
        render.Words("zh-hant")("One post clarified misinformation {this}.", this="本月")
        == "本月有1則帖文澄清失實資訊。"
    )
