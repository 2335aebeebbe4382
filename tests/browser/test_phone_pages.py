"""The leaderboards and the comparison on a phone: nothing scrolls sideways, and the keyboard focus
never lands on something out of sight (the compare table's header row is hidden on phones)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

_FOCUS_BOX = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const r = el.getBoundingClientRect();
  // Clipped away: an ancestor of (almost) no size that hides what overflows it (visually-hidden).
  let clipped = false;
  for (let a = el.parentElement; a; a = a.parentElement) {
    const box = a.getBoundingClientRect(), style = getComputedStyle(a);
    if ((box.width < 2 || box.height < 2) && style.overflow !== 'visible') clipped = true;
  }
  return {tag: el.tagName, text: (el.textContent || '').trim().slice(0, 40), clipped,
          left: r.left, right: r.right, width: r.width, height: r.height};
}"""


def _compare_path(page: Page, base: str) -> str:
    rows = page.request.get(base + "/api/v1/leaderboards/post_volume").json()["data"][:3]
    return "/en/compare?" + "&".join(f"org={row['entity']}" for row in rows)


@pytest.mark.parametrize("width", [320, 375])
def test_no_sideways_scroll_and_focus_stays_in_sight(browser: Browser, demo_site: str, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 800}, is_mobile=True)
    page = context.new_page()
    for path in ("/en/leaderboards", "/zh-hant/leaderboards", _compare_path(page, demo_site)):
        page.goto(demo_site + path)
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, (path, scroll)
    # The compare page (the last): tab through every link and control.
    hidden = []
    for _ in range(120):
        page.keyboard.press("Tab")
        box = page.evaluate(_FOCUS_BOX)
        if box is None:
            break
        if box["clipped"] or box["width"] < 2 or box["height"] < 2 or box["right"] < 0 or box["left"] > width:
            hidden.append(box)
    context.close()
    assert not hidden, hidden
