"""``/{lang}/survey``: the citizen survey (the study's questions), and ``/{lang}/survey/results``.

Anonymous by design, bot-resistant without third parties (docs/survey.md):

* The form page gives the browser a random token in a cookie (HttpOnly, SameSite=Lax, a year); a
  response is stored under the token's SHA-256 only, and sending again from the same browser
  replaces that browser's answers. A POST without the cookie is refused, which also stops another
  site from posting the form (a Lax cookie is not sent with a cross-site POST).
* A hidden field that people never see (``website``) must stay empty; the form carries its start
  time signed with HMAC-SHA256, and a submission sooner than ``MIN_SECONDS`` after it, or more
  than a day later, is refused.
* At most ``MAX_PER_WINDOW`` submissions per client address per ``WINDOW``, counted in the store.
* A response is published only with a batch of at least ``analysis.MIN_GROUP`` new or changed ones:
  the submission that completes a batch releases it, in the same transaction
  (``analysis.release_due``).

What depends on the portal's jurisdiction (the ``jurisdiction`` setting): the district question is
asked only where the jurisdiction has districts (``store.districts_of``: its registry folder's
``districts.csv``, stored by ``registry load``), with their names in the page's language, and an
answer must be one of them; the results count the released responses by district; and the results
are compared with the 2020 study, a sample of young people in Hong Kong, only on Hong Kong's portal
(``analysis.baseline_for``).

The form page is never cached (``Cache-Control: no-store``): its start time is per view, and the
page micro-cache never stores an answer that sets a cookie anyway. The clock is
``app.state.survey_clock`` when a test sets one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from govsocial.analyze import survey as analysis
from govsocial.store import queries
from govsocial.store import survey as store
from govsocial.store.db import transaction
from govsocial.web.admin.auth import address_of
from govsocial.web.deps import SessionDep, get_state
from govsocial.web.pages import charts
from govsocial.web.pages.i18n import N_, Language, translations
from govsocial.web.pages.render import LangDep, page_url, render

router = APIRouter()

COOKIE = "govsocial_survey"
COOKIE_PATH = "/"
COOKIE_MAX_AGE = 365 * 24 * 3600
#: The fewest seconds a person takes to answer; a faster submission is a script.
MIN_SECONDS = 3
#: How long a form stays valid once shown.
MAX_AGE = dt.timedelta(days=1)
#: Submissions allowed per client address per window (a household or an office shares one address).
MAX_PER_WINDOW = 20
WINDOW = dt.timedelta(hours=1)
#: The survey form is a few hundred bytes of choices: anything bigger is not one.
BODY_MAX = 16 * 1024
HONEYPOT = "website"
#: ``?thanks=`` on the results page after sending: the answers wait for the next batch, or they
#: completed one and are in the figures already.
THANKS_WAITING, THANKS_RELEASED = 1, 2

RATING_LABELS = {
    "explaining_policy": N_("Explaining policy"),
    "public_participation": N_("Providing a platform for public participation"),
    "responding_to_crises": N_("Responding to crises (such as natural disasters, epidemics and incidents)"),
    "clarifying_misinformation": N_("Clarifying misinformation"),
    "building_image": N_("Building the government's image"),
    "understanding_sentiment": N_("Understanding public sentiment"),
}
CHANNEL_LABELS = {
    "other_pages_media": N_("Shares or reposts by other pages or media"),
    "friends_shares": N_("Shares or reposts by friends"),
    "follow_government_pages": N_("Following or liking government pages or accounts"),
    "friends_send_tag": N_("Friends forwarding it to me or tagging me"),
    "government_ads": N_("Government advertisements"),
    "government_sms": N_("Text messages (SMS) from government departments"),
    "government_app": N_("Notifications from government apps"),
    "officials_blogs": N_("Blogs of government officials"),
    "none": N_("I do not follow government news"),
}
REACTION_LABELS = {
    "emoji": N_("Reacting with emoji to express feelings"),
    "share": N_("Sharing or forwarding"),
    "comment": N_("Commenting"),
}
FREQUENCY_LABELS = {
    "often": N_("Often"),
    "sometimes": N_("Sometimes"),
    "rarely": N_("Rarely"),
    "never": N_("Never"),
    "dont_know": N_("Don't know"),
}
EXPECTATION_LABELS = {
    "get_response": N_("Getting a response"),
    "receive_information": N_("Receiving government information and keeping up with its work"),
    "voice_opinion": N_("Voicing my views on issues I care about"),
    "discuss_posts": N_("Responding to or discussing government posts"),
    "other": N_("Other"),
    "no_expectation": N_("No particular expectation"),
    "dont_know": N_("Don't know"),
}
CONSIDERATION_LABELS = {
    "privacy": N_("Whether my personal privacy is protected"),
    "effect": N_("Whether interacting has any effect"),
    "trust": N_("My trust in the government"),
    "channel_credibility": N_("How credible the social media channel is"),
    "interest": N_("My interest in the issue"),
    "other": N_("Other"),
    "nothing_special": N_("Nothing in particular"),
    "dont_know": N_("Don't know"),
}
EVERYONE_LABEL = N_("Everyone")
#: The results' rows for responses by district that name none: left out by the export, or not given.
DISTRICT_LEFT_OUT = N_("District left out so that no one can be singled out (%(mark)s in the file)")
DISTRICT_NOT_GIVEN = N_("No district given")
#: A code a response stored that the jurisdiction's districts.csv no longer lists.
DISTRICT_UNLISTED = N_("%(code)s (no longer among the districts)")
CHART_TITLE = N_("Mean rating out of 10, this survey")
#: The 2020 study's publisher and title, exactly as data/survey/baseline_2020.toml gives them: the
#: results page cites the study in the page's language (tests/web/test_page_language.py).
STUDY_PUBLISHER = N_("Youth Research Centre, Hong Kong Federation of Youth Groups")
STUDY_TITLE = N_("善用社交媒體提升管治 (Making good use of social media to improve governance)")
#: The questions answered by choices, in the form's order: their answers' labels and the heading of
#: their results (a share of those who answered, in per cent).
SHARE_QUESTIONS = {
    "channels": (CHANNEL_LABELS, N_("Where people learn about government news")),
    "reactions": (REACTION_LABELS, N_("Respond often or sometimes")),
    "expectation": (EXPECTATION_LABELS, N_("Main expectation when contacting the government")),
    "consideration": (CONSIDERATION_LABELS, N_("Main consideration before interacting")),
}
SHARE_CHART_TITLE = N_("%(question)s: per cent of those who answered, with the 2020 share")
#: The chart's title on a portal whose survey is not compared with the 2020 study.
SHARE_CHART_TITLE_ALONE = N_("%(question)s: per cent of those who answered")
REFUSALS = {
    "cookie": N_(
        "Your browser did not send the survey's cookie. Allow cookies for this site and reload the form."
    ),
    "expired": N_("This form is out of date. Your answers are below: check them and send the form again."),
    "too_fast": N_("The form was sent too quickly to have been read. Check your answers and send it again."),
    "honeypot": N_("The form could not be accepted."),
    "invalid": N_("Some answers are not among the choices. Check them and send the form again."),
    "too_many_channels": N_(
        "Choose at most %(max)s channels for the question about where you learn about the government's "
        "news. Your answers are below: change them and send the form again."
    ),
    "no_channel_combined": N_(
        "“I do not follow government news” cannot be combined with other channels. Your answers are "
        "below: change them and send the form again."
    ),
    "empty": N_("Answer at least one question before sending the form."),
    "limited": N_("Too many surveys were sent from your network in the last hour. Please try again later."),
}


def utcnow() -> dt.datetime:
    """The real clock."""
    return dt.datetime.now(dt.UTC)


def now_of(request: Request) -> dt.datetime:
    """The time for this request: the test clock when one is set on the app."""
    clock: Callable[[], dt.datetime] = getattr(request.app.state, "survey_clock", utcnow)
    return clock()


class Refused(Exception):
    """A submission that is not stored: why (a key of ``REFUSALS``) and the status to answer with."""

    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.reason, self.status = reason, status


#: The refusals that are about the channels question: shown next to it as well.
CHANNEL_REFUSALS = frozenset({"too_many_channels", "no_channel_combined"})


def _form_context(
    lang: Language,
    answers: store.Answers | None,
    jurisdiction: str,
    districts: list[store.District],
    dont_know: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """The form's choices on ``jurisdiction``'s portal: its ``districts`` named in the page's
    language; no district question where it has none."""
    return {
        "ratings": RATING_LABELS,
        "scale": range(store.RATING_MIN, store.RATING_MAX + 1),
        "channels": CHANNEL_LABELS,
        "max_channels": store.MAX_CHANNELS,
        "reactions": REACTION_LABELS,
        "frequencies": FREQUENCY_LABELS,
        "expectations": EXPECTATION_LABELS,
        "considerations": CONSIDERATION_LABELS,
        "age_bands": store.AGE_BANDS,
        "districts": {district.code: district.name(lang.code) for district in districts},
        "compared": analysis.baseline_for(jurisdiction) is not None,
        "answers": answers or store.Answers(),
        "dont_know": dont_know,
        "honeypot": HONEYPOT,
        "action": page_url(lang.code, "survey"),
    }


def _form_page(
    request: Request,
    lang: Language,
    token: str | None,
    answers: store.Answers | None = None,
    refusal: str | None = None,
    status_code: int = 200,
    dont_know: frozenset[str] = frozenset(),
) -> HTMLResponse:
    """The form with a fresh signed start time; a new token cookie when the browser has none."""
    new = token is None
    token = token or store.new_token()
    state = get_state(request)
    with transaction(state.sessions) as session:
        start = store.sign_start(store.signing_key(session), now_of(request))
        answered = not new and store.has_answered(session, token)
        districts = store.districts_of(session, state.settings.jurisdiction)
    response = render(
        request,
        lang,
        "survey/form.html",
        status_code=status_code,
        section="survey",
        start=start,
        answered=answered,
        refusal=REFUSALS.get(refusal or ""),
        channels_refused=refusal in CHANNEL_REFUSALS,
        **_form_context(lang, answers, state.settings.jurisdiction, districts, dont_know),
    )
    response.headers["Cache-Control"] = "no-store"
    if new:
        response.set_cookie(
            COOKIE,
            token,
            max_age=COOKIE_MAX_AGE,
            path=COOKIE_PATH,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )
    return response


@router.get("/{lang}/survey", response_class=HTMLResponse, include_in_schema=False)
def survey_form(request: Request, lang: LangDep) -> HTMLResponse:
    """The survey form."""
    return _form_page(request, lang, request.cookies.get(COOKIE) or None)


def _one(form: FormData, name: str) -> str | None:
    value = form.get(name)
    return value.strip() or None if isinstance(value, str) else None


def _rating(form: FormData, name: str) -> int | None:
    value = _one(form, name)
    if value is None or value == "dont_know":
        return None
    # ASCII digits only, and few: "²" passes str.isdigit but not int(), and int() of thousands of
    # digits fails too; either is a refused form (400), never a server error.
    if not queries.ascii_digits(value) or len(value) > 2:
        raise store.SurveyError(f"{name} is not a number from {store.RATING_MIN} to {store.RATING_MAX}")
    return int(value)


def _refusal_of(answers: store.Answers) -> str:
    """Why ``answers`` failed ``Answers.check``: a channel rule the form can point to, or "invalid"."""
    channels = answers.channels
    if store.NO_CHANNEL in channels and len(set(channels)) > 1:
        return "no_channel_combined"
    if len(channels) > store.MAX_CHANNELS and len(set(channels)) == len(channels):
        return "too_many_channels"
    return "invalid"


def answers_of(form: FormData) -> store.Answers:
    """The answers in a posted form (``SurveyError`` when one is not a choice of the survey)."""
    reactions = {kind: v for kind in store.REACTIONS if (v := _one(form, f"reaction_{kind}")) is not None}
    return store.Answers(
        ratings={name: _rating(form, name) for name in store.RATINGS},
        channels=[v for v in form.getlist("channels") if isinstance(v, str)],
        reactions=reactions,
        expectation=_one(form, "expectation"),
        consideration=_one(form, "consideration"),
        age_band=_one(form, "age_band"),
        district=_one(form, "district"),
    )


def district_codes(request: Request) -> frozenset[str]:
    """The codes of the portal's jurisdiction's districts: what a district answer must be."""
    state = get_state(request)
    with state.sessions() as session:
        return frozenset(d.code for d in store.districts_of(session, state.settings.jurisdiction))


def _store(
    request: Request, token: str, start: str, answers: store.Answers, districts: frozenset[str]
) -> bool:
    """Check the start time and the rate limit, then store the answers (``Refused`` otherwise);
    whether they completed a batch, and so are published already."""
    state, now = get_state(request), now_of(request)
    with transaction(state.sessions) as session:
        verdict = store.check_start(
            store.signing_key(session), start, now, dt.timedelta(seconds=MIN_SECONDS), MAX_AGE
        )
        if verdict is store.Start.TOO_FAST:
            raise Refused("too_fast")
        if verdict is not store.Start.OK:
            raise Refused("expired")
        client = address_of(request)
        if store.recent_submissions(session, client, now - WINDOW) >= MAX_PER_WINDOW:
            raise Refused("limited", 429)
        store.record_submission(session, client, now)
        # The day in the jurisdiction's zone, as reports cut their periods (report.build): a
        # response sent at 04:00 in Hong Kong on the 1st is the new month's, not the last's (UTC).
        zone = queries.jurisdiction_zone(session, state.settings.jurisdiction)
        store.save(session, token, answers, now.astimezone(zone).date(), districts)
        return analysis.release_due(session, state.settings.jurisdiction, now) is not None


def _size_error(request: Request, lang: Language) -> Response | None:
    """The error page for a body that does not say its length (411) or is larger than a survey form
    (413), before it is read; None for a body of the right size."""
    length = request.headers.get("content-length", "")
    if not queries.ascii_digits(length):
        status, message = 411, "The request must say how long its body is (Content-Length)."
    elif int(length) > BODY_MAX:
        status, message = 413, f"The form is larger than the limit of {BODY_MAX} bytes."
    else:
        return None
    return render(request, lang, "error.html", status_code=status, status=status, message=message)


@router.post("/{lang}/survey", include_in_schema=False)
async def survey_submit(request: Request, lang: LangDep) -> Response:
    """Store a response and show the results, or give the form back with the reason it was refused."""
    too_big = _size_error(request, lang)
    if too_big is not None:
        return too_big
    form = await request.form()
    token = request.cookies.get(COOKIE) or None
    answers: store.Answers | None = None
    # "Don't know" is stored as no rating, but the form given back keeps it chosen.
    dont_know = frozenset(name for name in store.RATINGS if _one(form, name) == "dont_know")
    try:
        if _one(form, HONEYPOT):
            raise Refused("honeypot")
        try:
            answers = answers_of(form)
        except store.SurveyError:
            raise Refused("invalid") from None
        # A district is a choice only where the portal asks the question, and only one of its
        # jurisdiction's (store.districts_of): another jurisdiction's code is refused.
        districts = await run_in_threadpool(district_codes, request)
        try:
            answers.check(districts)
        except store.SurveyError:
            # The answers go back into the form (a choice that is not the survey's is simply not
            # shown as chosen), with what to change.
            raise Refused(_refusal_of(answers)) from None
        if answers.empty:
            raise Refused("empty")
        if token is None:
            raise Refused("cookie")
        released = await run_in_threadpool(
            _store, request, token, _one(form, "start") or "", answers, districts
        )
    except Refused as refused:
        return await run_in_threadpool(
            _form_page, request, lang, token, answers, refused.reason, refused.status, dont_know
        )
    # The sender alone learns that their answers completed a batch: they are in the figures now.
    thanks = THANKS_RELEASED if released else THANKS_WAITING
    return RedirectResponse(page_url(lang.code, "survey/results", thanks=thanks), status_code=303)


# --- Results --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RatingRow:
    """One rating on the results page: this survey's estimate and the 2020 baseline (None where the
    portal's survey is not compared with it)."""

    key: str
    label: str
    estimate: analysis.Estimate
    baseline_mean: float | None = None
    baseline_n: int | None = None


def _fmt(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _percent(value: float) -> str:
    """A share as the chart prints it: the table's one decimal, with the unit."""
    return f"{_fmt(value, 1)}%"


@dataclass(frozen=True)
class ShareQuestion:
    """A question answered by choices on the results page: its heading, its answers' labels (both in
    the page's language, so the template escapes them like any text) and the chart of its shares."""

    key: str
    heading: str
    labels: dict[str, str]
    chart: charts.Chart
    #: Whether anyone has answered it (before that the chart shows the 2020 shares alone).
    answered: bool = True


def share_question(
    key: str,
    shares: dict[str, analysis.Estimate],
    baseline: dict[str, float],
    lang: Language,
    compared: bool = True,
) -> ShareQuestion:
    """The chart of one question's shares: each answer's share with its Wilson interval as a whisker
    and the 2020 share, where the study gives one, as a diamond (``compared``: whether the portal's
    survey is compared with the study at all; when not, ``baseline`` is empty and the title says
    nothing of it)."""
    gettext = translations(lang.code).gettext
    msgids, heading = SHARE_QUESTIONS[key]
    labels = {answer: gettext(msgid) for answer, msgid in msgids.items()}
    rows = []
    for answer, label in labels.items():
        e = shares[answer]
        rows.append(charts.RangeValue(label, e.mean, e.low, e.high, baseline.get(answer)))
    title = SHARE_CHART_TITLE if compared else SHARE_CHART_TITLE_ALONE
    chart = charts.range_bar_chart(
        f"chart-survey-{key}",
        gettext(title) % {"question": gettext(heading)},
        rows,
        gettext(N_("Answer")),
        gettext(N_("Share")),
        fmt=_percent,
        suffix="%",
        series=gettext(heading),
        missing="–",
    )
    answered = any(shares[answer].mean is not None for answer in labels)
    return ShareQuestion(key, gettext(heading), labels, chart, answered)


def _rating_rows(
    everyone: analysis.Results, base: analysis.Baseline | None, gettext: Callable[[str], str]
) -> list[RatingRow]:
    """The six ratings for everyone, each beside the baseline's mean and n when there is one."""
    rows = []
    for key, label in RATING_LABELS.items():
        mean, n = base.ratings[key] if base is not None else (None, None)
        rows.append(RatingRow(key, gettext(label), everyone.ratings[key], mean, n))
    return rows


def district_rows(
    published: analysis.Release, districts: list[store.District], lang: Language
) -> list[tuple[str, int]]:
    """The released responses by published district, each row's label in the page's language and its
    count; none when the jurisdiction has no districts and no response gave one, or nothing is
    released (the page then shows no district table)."""
    rows = analysis.by_district(analysis.district_counts(published), districts)
    if not published.rows or not analysis.names_districts(rows):
        return []
    gettext = translations(lang.code).gettext
    special = {
        analysis.SUPPRESSED: gettext(DISTRICT_LEFT_OUT) % {"mark": analysis.SUPPRESSED},
        analysis.NO_DISTRICT: gettext(DISTRICT_NOT_GIVEN),
    }
    labels = [
        special.get(row.key)
        or (row.label(lang.code) if row.district else gettext(DISTRICT_UNLISTED) % {"code": row.key})
        for row in rows
    ]
    return [(label, row.respondents) for label, row in zip(labels, rows, strict=True)]


def results_context(session: SessionDep, lang: Language, jurisdiction: str) -> dict[str, Any]:
    """What the results page shows: ratings with the baseline, the chart, by age band, by district and
    the shares; the 2020 baseline only where ``jurisdiction``'s survey is compared with it (``baseline_for``).

    The figures are those of the released responses (``analysis.release``), as in the API and the
    export, so that the page reveals nothing the k-anonymous export does not; the count of responses
    is of all of them, those waiting for the next batch and those held back included."""
    gettext = translations(lang.code).gettext
    published = analysis.release(store.responses(session))
    last, respondents = store.latest_release(session), store.count(session)
    groups = analysis.by_age_band(published)
    everyone, base = groups[analysis.EVERYONE], analysis.baseline_for(jurisdiction)
    rows = _rating_rows(everyone, base, gettext)
    base_shares = base.shares if base is not None else {}
    drawn = [(row.label, row.estimate.mean) for row in rows if row.estimate.mean is not None]
    chart = charts.bar_chart(
        "chart-survey",
        gettext(CHART_TITLE),
        [(label, float(mean)) for label, mean in drawn],
        gettext(N_("Question")),
        gettext(N_("Mean (0-10)")),
        fmt=lambda v: f"{v:.2f}",
    )
    bands = [
        (gettext(EVERYONE_LABEL) if band == analysis.EVERYONE else band, results)
        for band, results in groups.items()
    ]
    return {
        "respondents": respondents,
        # Answers sent and none published: fewer than MIN_GROUP responses released (or sent) in all.
        "withheld": bool(respondents) and not published.rows,
        "released_on": last.made_on.isoformat() if last is not None else None,
        "min_group": analysis.MIN_GROUP,
        "suppressed": analysis.SUPPRESSED,
        "rows": rows,
        "chart": chart,
        "bands": bands,
        "rating_keys": list(RATING_LABELS),
        "rating_labels": RATING_LABELS,
        "shares": everyone.shares,
        "baseline_shares": base_shares,
        "share_questions": [
            share_question(key, everyone.shares[key], base_shares.get(key, {}), lang, base is not None)
            for key in SHARE_QUESTIONS
        ],
        "districts": district_rows(published, store.districts_of(session, jurisdiction), lang),
        # None: the portal's survey is not compared with the 2020 study (not Hong Kong's).
        "source": base.source if base is not None else None,
        "fmt": _fmt,
    }


@router.get("/{lang}/survey/results", response_class=HTMLResponse, include_in_schema=False)
def survey_results(request: Request, lang: LangDep, session: SessionDep, thanks: int = 0) -> HTMLResponse:
    """The results: means with 95 % intervals and counts, by age band, beside the 2020 baseline where
    the portal's survey is compared with it; after sending, the thanks (``thanks``: whether the
    answers wait for a batch or made one)."""
    return render(
        request,
        lang,
        "survey/results.html",
        section="survey",
        thanks=thanks if thanks in (THANKS_WAITING, THANKS_RELEASED) else 0,
        **results_context(session, lang, get_state(request).settings.jurisdiction),
    )
