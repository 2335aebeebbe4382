"""``govsocial topics``: what commenters talked about in one period, and the terms that rose since the last.

The same view as ``GET /api/v1/topics`` and the portal's topic section (``--json`` prints the API's
object); the method is in docs/topics.md.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer
from rich.table import Table

from govsocial.analyze.topics import view as tv
from govsocial.cli import known
from govsocial.cli.common import JsonOption, console, friendly_errors, print_json, read_session, settings_of
from govsocial.store.queries import MAX_ID
from govsocial.web.api.topics import topics_public


def _date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date (YYYY-MM-DD)", param_hint="--at") from None


@friendly_errors
def topics(
    ctx: typer.Context,
    account: Annotated[
        int | None, typer.Option("--account", min=1, max=MAX_ID, help="One account, by id.")
    ] = None,
    organisation: Annotated[
        str | None, typer.Option("--organisation", help="One organisation (its accounts together), by code.")
    ] = None,
    jurisdiction: Annotated[
        str | None, typer.Option(help="Jurisdiction code (default: the configured one).")
    ] = None,
    period: Annotated[tv.PeriodKind, typer.Option(help="week or month.")] = tv.PeriodKind.WEEK,
    at: Annotated[
        str | None, typer.Option(help="A day in the period, YYYY-MM-DD (default: the latest with comments).")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=100, help="Rising and top terms to show.")] = 10,
    as_json: bool = JsonOption,
) -> None:
    """The terms that rose most against the previous period, and the most mentioned ones."""
    day = _date(at)
    if account is not None and organisation is not None:
        raise typer.BadParameter("give an account or an organisation, not both", param_hint="--account")
    code = jurisdiction or settings_of(ctx).jurisdiction
    with read_session(ctx) as session:
        # An account or organisation of another jurisdiction is refused, as by the other commands.
        known.scope(session, code, account, organisation)
        try:
            subject = tv.resolve_subject(session, code, account, organisation)
            view = tv.topics(session, subject, period, day, limit)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None
    if as_json:
        print_json(topics_public(subject, view).model_dump(mode="json"))
        return
    if view is None:
        console.print(f"no comments from the public for {subject.level} {subject.entity}", highlight=False)
        return
    _print(view)


def _print(view: tv.TopicView) -> None:
    p, b = view.period, view.previous
    console.print(
        f"{view.subject.level} {view.subject.entity}, {p.kind} {p.label}: {view.comments_now:,} comments "
        f"({b.label}: {view.comments_before:,})" + (" [sample data]" if view.sample else ""),
        highlight=False,
        markup=False,
    )
    rising = Table("term", "now", "before", "z", "posts whose comments mention it most", title="rising")
    for r in view.rising:
        posts = "\n".join(f"#{x.id} ({x.comments}) {x.excerpt[:60]}" for x in r.posts)
        rising.add_row(
            r.term,
            f"{r.now:,} of {view.comments_now:,} ({r.share_now:.0%})",
            f"{r.before:,} of {view.comments_before:,} ({r.share_before:.0%})",
            f"{r.z:.2f}",
            posts,
        )
    if view.rising:
        console.print(rising)
    else:
        console.print("no term was mentioned clearly more often than in the period before", highlight=False)
    if not view.top:
        # An empty table would look like a failure; say why instead (docs/topics.md).
        console.print(f"no term was mentioned in {tv.MIN_TOP_COMMENTS} comments or more", highlight=False)
        return
    top = Table("term", "comments now", "share", "before", title="most mentioned")
    for x in view.top:
        top.add_row(x.term, f"{x.now:,}", f"{x.share_now:.0%}", f"{x.before:,}")
    console.print(top)
