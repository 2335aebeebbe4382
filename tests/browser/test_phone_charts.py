"""Chart text on a phone: the SVG scales down with its viewBox, so at 375 px its 12-unit text would be
about 9 px. On a phone the stylesheet draws it larger, keeps fewer ticks and shorter bar labels, and
everything still fits: no label leaves the screen and no two labels drawn overlap."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

pytestmark = pytest.mark.browser

#: Each drawn text of the page's charts: its size on screen in CSS pixels and its box.
_TEXTS = """() => [...document.querySelectorAll('svg.chart-svg')].flatMap(svg => {
  const shown = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  return [...svg.querySelectorAll('text')].filter(t => getComputedStyle(t).display !== 'none')
    .map(t => {
      const r = t.getBoundingClientRect();
      return {text: t.textContent, px: parseFloat(getComputedStyle(t).fontSize) * shown,
              left: r.left, right: r.right, top: r.top, bottom: r.bottom,
              chart: svg.closest('figure').id};
    });
})"""


def _overlaps(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["left"] < b["right"] - 1
        and b["left"] < a["right"] - 1
        and a["top"] < b["bottom"] - 1
        and (b["top"] < a["bottom"] - 1)
    )


@pytest.mark.parametrize(
    "path", ["/en/accounts/{account}", "/zh-hant/leaderboards", "/en/leaderboards", "/zh-hant/survey/results"]
)
def test_chart_text_is_readable_at_375_px(
    browser: Browser, demo_site: str, cfs_account: int, path: str
) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 800}, is_mobile=True)
    page = context.new_page()
    page.goto(demo_site + path.format(account=cfs_account))
    texts = page.evaluate(_TEXTS)
    context.close()
    assert texts, "no chart drawn"
    small = [t for t in texts if t["px"] < 12]
    assert not small, small
    outside = [t for t in texts if t["left"] < 0 or t["right"] > 375]
    assert not outside, outside
    overlapping = [
        (a["text"], b["text"])
        for i, a in enumerate(texts)
        for b in texts[i + 1 :]
        if a["chart"] == b["chart"] and _overlaps(a, b)
    ]
    assert not overlapping, overlapping
