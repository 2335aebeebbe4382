"""``/{lang}/accounts/{account_id}``: one account, its owners and evidence, and its activity.

The activity is what the collectors stored: posts and followers week by week, the newest posts with
their counts, and how many comments the posts drew and how many the page answered; above them,
the account's OECD scorecard and its monthly charts (:mod:`.scorecard_view`). Every section that shows demo
data (``posts.source == "sample"``) says so, and only official accounts link to the original posts.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from itertools import pairwise
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from govsocial.analyze.metrics.params import configured
from govsocial.errors import NotFoundError
from govsocial.store import queries, sentiments
from govsocial.store import tables as t
from govsocial.store.times import utc
from govsocial.web.deps import SessionDep, SettingsDep
from govsocial.web.pages import scorecard_view
from govsocial.web.pages.i18n import N_
from govsocial.web.pages.opinion import Subject, sections
from govsocial.web.pages.render import LangDep, platform_of, platform_views, render

router = APIRouter()

#: How many weeks the weekly table shows, and how many posts the recent posts table.
WEEKS = 12
RECENT_POSTS = 10
EXCERPT_CHARS = 280

FORMAT_LABELS: dict[str, str] = {
    "text": N_("Text"),
    "image": N_("Image"),
    "video": N_("Video"),
    "link": N_("Link"),
    "live": N_("Live video"),
    "other": N_("Other"),
}
COUNT_LABELS: dict[str, str] = {
    "reactions": N_("Reactions"),
    "likes": N_("Likes"),
    "comments": N_("Comments"),
    "shares": N_("Shares"),
    "views": N_("Views"),
}
REACTION_LABELS: dict[str, str] = {
    "like": N_("Like"),
    "love": N_("Love"),
    "care": N_("Care"),
    "haha": N_("Haha"),
    "wow": N_("Wow"),
    "sad": N_("Sad"),
    "angry": N_("Angry"),
}


@dataclass(frozen=True)
class WeekRow:
    """One week of the weekly table: posts in it, followers at its end and the change since the last."""

    start: dt.date
    posts: int
    followers: int | None
    change: int | None


@dataclass(frozen=True)
class PostRow:
    """A post as the tables show it: local time, an excerpt, the known counts, the link if any."""

    view: queries.PostView
    posted: dt.datetime
    excerpt: str
    format_label: str
    counts: list[tuple[str, int]]
    reactions: list[tuple[str, int]]
    link: str | None
    feelings: sentiments.LabelCounts | None = None


@dataclass(frozen=True)
class Activity:
    """What the account page shows below the registry details."""

    sample: bool
    posts: int
    weeks: list[WeekRow]
    recent: list[PostRow]
    comments: queries.CommentCounts

    @property
    def empty(self) -> bool:
        """Whether nothing has been collected: no posts and no follower counts."""
        return not self.posts and not any(w.followers is not None for w in self.weeks)


def local(moment: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """A stored time in ``zone`` (SQLite gives times back without their zone: they are UTC)."""
    return utc(moment).astimezone(zone)


def excerpt(text: str | None, limit: int = EXCERPT_CHARS) -> str:
    """The start of a post's text, cut at a word boundary when it is long."""
    text = (text or "").strip()
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit * 0.6 else cut).rstrip() + "…"


def post_counts(counts: t.PostSnapshot | None) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """The counts a platform gave (label, number), and the reactions by type; unknown ones left out."""
    if counts is None:
        return [], []
    reactions = {k: int(v) for k, v in (counts.reactions or {}).items() if k in REACTION_LABELS}
    # All reactions given without their types (Meta Business Suite's "Reactions").
    total = (counts.reactions or {}).get(t.REACTIONS_TOTAL)
    shown: list[tuple[str, int]] = []
    if reactions:
        shown.append((COUNT_LABELS["reactions"], sum(reactions.values())))
    elif total is not None:
        shown.append((COUNT_LABELS["reactions"], int(total)))
    elif counts.likes is not None:
        shown.append((COUNT_LABELS["likes"], counts.likes))
    for name in ("comments", "shares", "views"):
        value = getattr(counts, name)
        if value is not None:
            shown.append((COUNT_LABELS[name], value))
    by_type = [(REACTION_LABELS[k], reactions[k]) for k in REACTION_LABELS if reactions.get(k)]
    return shown, by_type


def post_rows(
    views: Sequence[queries.PostView],
    zone: ZoneInfo,
    feelings: dict[int, sentiments.LabelCounts] | None = None,
) -> list[PostRow]:
    """Posts ready for a table; links to the original only for official accounts. ``feelings``: the
    sentiment labels of each post's comments, where the table shows them."""
    feelings = feelings or {}
    rows = []
    for view in views:
        shown, by_type = post_counts(view.counts)
        official = view.account.status == t.AccountStatus.PUBLISHED
        rows.append(
            PostRow(
                view=view,
                posted=local(view.post.created_at, zone),
                excerpt=excerpt(view.post.text),
                format_label=FORMAT_LABELS.get(view.post.format, FORMAT_LABELS["other"]),
                counts=shown,
                reactions=by_type,
                link=view.post.url if official and view.post.url else None,
                feelings=feelings.get(view.post.id),
            )
        )
    return rows


def week_start(day: dt.date) -> dt.date:
    """The Monday of ``day``'s week."""
    return day - dt.timedelta(days=day.weekday())


def weekly(session: Session, account_id: int, zone: ZoneInfo, weeks: int = WEEKS) -> list[WeekRow]:
    """Posts and end-of-week followers for the ``weeks`` weeks up to the account's latest activity."""
    latest = queries.latest_activity(session, account_id)
    if latest is None:
        return []
    last = week_start(local(latest, zone).date())
    starts = [last - dt.timedelta(weeks=n) for n in range(weeks, -1, -1)]  # one more, for the change
    since = dt.datetime.combine(starts[0], dt.time(), tzinfo=zone).astimezone(dt.UTC)
    posts = Counter(week_start(local(m, zone).date()) for m in queries.post_times(session, account_id, since))
    followers: dict[dt.date, int] = {}
    for taken_at, count in queries.follower_snapshots(session, account_id, since):
        followers[week_start(local(taken_at, zone).date())] = count  # oldest first: the last one wins
    rows = []
    for previous, start in pairwise(starts):
        now, before = followers.get(start), followers.get(previous)
        change = now - before if now is not None and before is not None else None
        rows.append(WeekRow(start, posts.get(start, 0), now, change))
    return rows


def activity(session: Session, account: t.Account) -> Activity:
    """The account's activity, as the page shows it."""
    zone = queries.jurisdiction_zone(session, account.jurisdiction)
    recent = queries.recent_posts(session, [account.id], RECENT_POSTS)
    return Activity(
        sample=queries.has_sample_activity(session, [account.id]),
        posts=queries.count_posts(session, account.id),
        weeks=weekly(session, account.id, zone),
        recent=post_rows(recent, zone, sentiments.by_post(session, [view.post.id for view in recent])),
        comments=queries.comment_counts(session, account.id),
    )


def account_id_of(text: str) -> int:
    """The ``{account_id}`` path segment as an account id; anything else names no account (404 page).

    Bounded like every id (a 12-digit number is an error on PostgreSQL's ``integer``).
    """
    account_id = queries.parse_id(text)
    if account_id is None:
        raise NotFoundError(f"no account {text!r}")
    return account_id


@router.get("/{lang}/accounts/{account_id}", response_class=HTMLResponse, include_in_schema=False)
def account_page(
    request: Request, lang: LangDep, session: SessionDep, settings: SettingsDep, account_id: str
) -> HTMLResponse:
    """An account's page; a 404 page if there is no such account."""
    account = queries.get_account(session, account_id_of(account_id))
    views = platform_views(session, lang.code)
    digest = configured(settings).digest()
    subject = Subject("account", account.jurisdiction, str(account.id), (account.id,), digest)
    shown = activity(session, account)
    card = scorecard_view.scorecard(session, subject, lang.code, shown.sample)
    return render(
        request,
        lang,
        "account.html",
        account=account,
        owners=[link.organisation for link in account.organisations],
        activity=shown,
        weeks_shown=WEEKS,
        platform=partial(platform_of, views),
        scorecard=card,
        trends=scorecard_view.trends(session, subject, lang.code, card.period),
        **sections(session, subject),
    )
