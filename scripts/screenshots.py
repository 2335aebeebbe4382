"""Screenshots of every portal page type, for docs/screenshots/ (run with ``make screenshots``).

Builds the demo store in a temporary folder exactly as ``make demo-data`` does (the same CLI commands,
in-process: fixed sample seed and end date, so the pages show the same data each run), serves it on a
free loopback port, and saves full-page PNGs from Debian's Chromium through Playwright: each page type
in Traditional Chinese and English, at desktop (1280 wide) and phone (375×812) width. The folder is
emptied first, so it only ever holds the current set, and its README.md is rewritten to list them.

No browser is downloaded: ``/usr/bin/chromium`` comes from Debian (``scripts/system-deps.sh``), and
Chinese text needs Debian's ``fonts-noto-cjk``.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import typer
import uvicorn
from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright
from sqlalchemy import select

from govsocial.cli.main import app as cli_app
from govsocial.settings import Settings
from govsocial.store import tables as t
from govsocial.store.db import make_engine, session_factory
from govsocial.web.app import create_app

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
# Chromium's background services try to reach Google; keep them off (the same flags as the browser tests).
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--font-render-hinting=none",
]
LANGS = {"zh-hant": "Traditional Chinese", "en": "English"}
VIEWPORTS: dict[str, ViewportSize] = {
    "desktop": {"width": 1280, "height": 900},
    "phone": {"width": 375, "height": 812},
}
# A full page taller than this is cut here: the top shows what the page is, and the PNGs stay small
# enough to keep in the repository.
MAX_HEIGHT = {"desktop": 3000, "phone": 2400}
# The demo key, as in the Makefile: used only for this throw-away store.
DEMO_KEY = "demo-only-not-secret"


@dataclass(frozen=True)
class Shot:
    """One page type: its file-name stem, what it shows, and its path ({lang}, {account} filled in).

    ``start`` picks a part lower down a long page: the shot begins at the section holding that element;
    ``taller`` lets it run this many times MAX_HEIGHT, for a part that should be seen whole.
    """

    name: str
    title: str
    path: str
    status: int = 200
    start: str | None = None
    taller: float = 1.0


SHOTS = [
    Shot("directory", "Home: the directory of organisations and accounts", "/{lang}/"),
    Shot("organisation", "Organisation page (Centre for Food Safety)", "/{lang}/organisations/hk/cfs"),
    Shot(
        "account",
        "Account page: followers, weekly activity and recent posts (Centre for Food Safety, Facebook)",
        "/{lang}/accounts/{account}",
    ),
    # The opinion sections come after the posts, below the cut of the account shot.
    Shot(
        "account-opinion",
        "Account page, lower down: sentiment, topics, crises and clarifications",
        "/{lang}/accounts/{account}",
        start="#sentiment-heading",
        taller=4 / 3,
    ),
    Shot(
        "account-scorecard",
        "Account page, the OECD scorecard: each value with its inputs, change and definition",
        "/{lang}/accounts/{account}",
        start="#scorecard-heading",
    ),
    Shot(
        "account-charts",
        "Account page, charts over time, each with a summary and its numbers as a table",
        "/{lang}/accounts/{account}",
        start="#trends-heading",
    ),
    Shot("leaderboards", "Leaderboards: organisations ranked by post volume", "/{lang}/leaderboards"),
    Shot(
        "compare",
        "Organisations side by side",
        "/{lang}/compare?org=hk-hkpf&org=chp&org=cfs&org=hk-had",
    ),
    Shot("how-we-measure", "How we measure: every metric in plain language", "/{lang}/how-we-measure"),
    Shot("open-data", "Open data: downloads in CSV, JSON and Parquet", "/{lang}/open-data"),
    Shot("survey", "The citizen survey: the study's questions, anonymous", "/{lang}/survey"),
    Shot("survey-results", "Survey results beside the 2020 study", "/{lang}/survey/results"),
    Shot("reports", "Published reports", "/{lang}/reports"),
    Shot("timeline", "Government timeline: every official account's posts, newest first", "/{lang}/timeline"),
    Shot("verify", "Verify an account, with a verdict", "/{lang}/verify?url=https://m.facebook.com/CFS.HK/"),
    Shot("api", "The open API page: every endpoint", "/{lang}/api"),
    Shot("not-found", "Page not found (404)", "/{lang}/organisations/hk/no-such-organisation", 404),
]


def _cli(*args: str) -> None:
    """Run one ``govsocial`` command in this process, failing loudly as the Makefile would."""
    typer.main.get_command(cli_app).main(args=list(args), prog_name="govsocial", standalone_mode=False)


#: The organisation whose sample report is published beside the government's (as in the Makefile).
DEMO_REPORT_ORG = "hk-hkpf"


def build_demo_store(folder: Path) -> str:
    """The demo database of ``make demo-data`` in ``folder``; returns its URL."""
    url = f"sqlite:///{folder / 'demo.db'}"
    # The CLI reads its settings from the environment, like the Makefile's exported variables.
    os.environ["GOVSOCIAL_DATABASE_URL"] = url
    os.environ.setdefault("GOVSOCIAL_PSEUDONYM_KEY", DEMO_KEY)
    sample = folder / "sample"
    _cli("db", "upgrade")
    _cli("registry", "load")
    _cli("collect", "sample", "--out", str(sample))
    for kind in ("followers", "posts", "comments"):
        _cli(
            "collect",
            "import",
            str(sample / f"{kind}.csv"),
            "--format",
            "generic",
            "--sample",
            "--no-metrics",
        )
    _cli("metrics", "refresh")
    # The reports page lists what is published: the demo's sample reports, as `make demo-data` publishes.
    os.environ["GOVSOCIAL_REPORTS_DIR"] = str(folder / "reports")
    for lang in ("zh-hant", "en"):
        for subject in (["--government"], ["--org", DEMO_REPORT_ORG]):
            _cli("report", *subject, "--period", "latest", "--lang", lang, "--publish", "--out", str(sample))
    return url


def sample_account(url: str) -> int:
    """The Centre for Food Safety's Facebook account: sample activity, sentiment, topics and spikes."""
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            return session.scalars(
                select(t.Account.id).where(t.Account.platform == "facebook", t.Account.handle == "cfs.hk")
            ).one()
    finally:
        engine.dispose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(url: str) -> Iterator[str]:
    """The portal over ``url`` on a free loopback port, in a thread; yields its base URL."""
    config = uvicorn.Config(
        create_app(Settings.load(database_url=url)), host="127.0.0.1", port=_free_port(), log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the portal did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def shoot(page: Page, url: str, shot: Shot, max_height: int, out: Path) -> None:
    """Open ``url``, wait until it is still, and save it full-page (cut at ``max_height``) to ``out``."""
    response = page.goto(url, wait_until="networkidle")
    if response is None or response.status != shot.status:
        raise RuntimeError(f"{url}: status {response and response.status}, expected {shot.status}")
    # Fonts must have loaded; the portal's CSP forbids injected styles, so stillness comes from the
    # context (reduced motion) and the screenshot options (animations stopped, caret hidden).
    page.evaluate("document.fonts.ready.then(() => true)")
    width = page.evaluate("document.documentElement.scrollWidth")
    height = page.evaluate("document.documentElement.scrollHeight")
    top = 0
    if shot.start is not None:
        # A missing section is an error, not an empty picture: the shot exists to show it.
        page.locator(shot.start).wait_for(state="attached", timeout=5000)
        top = page.evaluate(
            "s => Math.max(0, Math.floor(document.querySelector(s).closest('section')"
            ".getBoundingClientRect().top + window.scrollY) - 16)",
            shot.start,
        )
    page.screenshot(
        path=out,
        full_page=True,
        clip={"x": 0, "y": top, "width": width, "height": min(height - top, max_height)},
        animations="disabled",
        caret="hide",
    )


def take_all(browser: Browser, base: str, account: int, out: Path) -> list[Path]:
    """Every page type × language × viewport; returns the files written, in order."""
    written = []
    for viewport, size in VIEWPORTS.items():
        phone = viewport == "phone"
        context = browser.new_context(
            viewport=size, is_mobile=phone, has_touch=phone, device_scale_factor=1, reduced_motion="reduce"
        )
        page = context.new_page()
        for shot in SHOTS:
            for lang in LANGS:
                target = out / f"{shot.name}-{lang}-{viewport}.png"
                shoot(
                    page,
                    base + shot.path.format(lang=lang, account=account),
                    shot,
                    round(MAX_HEIGHT[viewport] * shot.taller),
                    target,
                )
                written.append(target)
                print(f"  {target.name}", flush=True)
        context.close()
    return written


def write_index(out: Path) -> None:
    """docs/screenshots/README.md: what each file shows and how to make them again."""
    lines = [
        "# Screenshots",
        "",
        "Every page type of the portal in Traditional Chinese (`zh-hant`, the default) and English (`en`),",
        f"at desktop ({VIEWPORTS['desktop']['width']}×{VIEWPORTS['desktop']['height']}) and phone "
        f"({VIEWPORTS['phone']['width']}×{VIEWPORTS['phone']['height']}) width, full page: cut at "
        f"{MAX_HEIGHT['desktop']} and {MAX_HEIGHT['phone']} pixels high,",
        "and a third more for the account's opinion sections, to keep the files small. The data is the",
        "invented demo dataset of `make demo-data` (fixed seed and dates), labelled as sample data on the",
        "pages. This folder and this file are written by the script; make them again, from a clean",
        "temporary database, with:",
        "",
        "```sh",
        "make screenshots   # scripts/screenshots.py: Playwright with Debian's /usr/bin/chromium",
        "```",
        "",
        "Chinese text needs Debian's `fonts-noto-cjk` (installed by `scripts/system-deps.sh`).",
        "",
        "| Page | Traditional Chinese | English |",
        "| --- | --- | --- |",
    ]
    for shot in SHOTS:
        for viewport in VIEWPORTS:
            cells = " | ".join(
                f"[{shot.name}-{lang}-{viewport}.png]({shot.name}-{lang}-{viewport}.png)" for lang in LANGS
            )
            lines.append(f"| {shot.title} ({viewport}) | {cells} |")
    (out / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--out", type=Path, default=OUT, help="folder for the PNGs (default docs/screenshots)"
    )
    out: Path = parser.parse_args().out.resolve()
    if not CHROMIUM.exists():
        print(
            f"{CHROMIUM} is missing: run scripts/system-deps.sh (Debian's chromium package)", file=sys.stderr
        )
        return 1
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="govsocial-screenshots-") as folder:
        url = build_demo_store(Path(folder))
        account = sample_account(url)
        out.mkdir(parents=True, exist_ok=True)
        # Only the current set: a page type that was renamed or removed must not leave its old files.
        for old in out.glob("*.png"):
            old.unlink()
        with serve(url) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
            try:
                written = take_all(browser, base, account, out)
            finally:
                browser.close()
        write_index(out)
    size = sum(p.stat().st_size for p in written)
    print(f"{len(written)} screenshots, {size / 1e6:.1f} MB, in {time.monotonic() - started:.0f} s: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
