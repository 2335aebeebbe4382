"""Word a ``Report`` as one self-contained HTML page in Traditional Chinese or English.

The words that depend on the period's kind ("this week", "last month", "this year") are chosen by
``Words.this`` and ``Words.last``; the survey's and the peer comparison's tables and charts are
prepared here (``survey_view``, ``peer_view``) so the template only lays them out.

Metric titles come from the portal's catalogue (``report.i18n``); the report's own headings and
findings are in ``WORDS`` below, both languages side by side, because the portal's catalogue only
holds messages its pages use (a test keeps it free of stale entries). The page carries its style
inline: it is a downloaded document and the source of the PDF, never a page served under the
portal's content security policy.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from govsocial.analyze.metrics.model import Unit, registry
from govsocial.analyze.metrics.numbers import HOURS, format_value
from govsocial.report.build import LOW_RESPONSE_RATE, AccountRow, Report, Row
from govsocial.report.chart import IntervalBar, bar_chart, interval_chart
from govsocial.report.i18n import LANGUAGES, translations
from govsocial.report.peers import PeerRow
from govsocial.report.survey import SurveySection

TEMPLATES = Path(__file__).resolve().parent / "templates"

#: The report's own words: English message -> Traditional Chinese (Hong Kong usage).
WORDS: dict[str, str] = {
    "Social media report": "社交媒體報告",
    # Chinese text takes full-width punctuation.
    "{report}: {name}": "{report}：{name}",
    "{report}: {name}, {period}": "{report}：{name}，{period}",
    "Whole government": "整個政府",
    "Sample data — generated for the demo, not real activity": "示範數據：為展示而生成，並非真實活動",
    "Month": "月份",
    "compared with": "對比",
    "Findings": "重點發現",
    "Scorecard": "計分卡",
    "Measure": "指標",
    "This month": "本月",
    "Last month": "上月",
    "Change": "變化",
    "Posts and interaction rate per account": "各帳戶的帖文數量及互動率",
    "Posts": "帖文",
    "Interaction rate": "互動率",
    "Account": "帳戶",
    "Platform": "平台",
    "Best performing posts": "表現最佳的帖文",
    "Worst performing posts": "表現最差的帖文",
    "Interactions": "互動",
    "Date": "日期",
    "Response to citizens": "回應市民",
    "Sentiment of comments": "留言情緒",
    "No posts in {this}.": "{this}沒有帖文。",
    "No values are stored for {this}.": "{this}沒有已儲存的數值。",
    "Generated": "製作時間",
    "Figures are computed from public data with this portal's metric parameters ({params}); "
    "see How we measure on the portal.": (
        "數字根據公開資料以本網站的指標參數（{params}）計算，計算方法見網站的「量度方法」頁面。"
    ),
    "{title} rose from {before} to {now}.": "{title}由{before}上升至{now}。",
    "{title} fell from {before} to {now}.": "{title}由{before}下跌至{now}。",
    "Only {rate} of citizens' comments were answered: look at the {waiting} comments still waiting.": (
        "市民留言只有{rate}獲回覆：請留意仍在等待回覆的{waiting}則留言。"
    ),
    "More comments were negative than positive (net sentiment {net}).": "負面留言多於正面（淨情緒{net}）。",
    "No measure changed since {last}.": "與{last}相比，各項指標沒有變化。",
    "Nothing is stored for {last} to compare with.": "{last}沒有已儲存的數值，無從比較。",
    "No posts were published in {this}.": "{this}沒有發布帖文。",
    "points": "個百分點",
    "Trends": "趨勢",
    "The {shown} accounts with the most posts, of {count}.": "帖文最多的{shown}個帳戶（共{count}個）。",
    "Clarifications issued": "發出的澄清",
    "No clarifications in {this}.": "{this}沒有澄清帖文。",
    "Why": "原因",
    "What people talked about": "市民討論的話題",
    "Rising terms": "上升的詞語",
    "Most mentioned": "最多提及",
    "Term": "詞語",
    "Mentions": "提及次數",
    "Comments from the public: {now} {this}, {before} {last}.": "市民留言：{this}{now}則，{last}{before}則。",
    "No comments from the public in {this}.": "{this}沒有市民留言。",
    "{count} posts clarified misinformation {this}.": "{this}有{count}則帖文澄清失實資訊。",
    "One post clarified misinformation {this}.": "{this}有1則帖文澄清失實資訊。",
    "The term that rose most in comments: {term}.": "留言中上升最多的詞語：{term}。",
    "registry mark": "名冊標記",
    # The period's kind.
    "Week": "週",
    "Year": "年度",
    "this week": "本週",
    "this month": "本月",
    "this year": "本年度",
    "last week": "上週",
    "last month": "上月",
    "last year": "上年度",
    "This week": "本週",
    "This year": "本年度",
    "Last week": "上週",
    "Last year": "上年度",
    "The topic view compares weeks or months, so a yearly report leaves out what people talked about: "
    "see the monthly reports.": (
        "話題分析只比較星期或月份，因此年度報告不包括市民討論的話題，請參閱每月報告。"
    ),
    # The citizen survey.
    "Citizen survey": "市民問卷調查",
    "The survey asks about the government as a whole: these are government-wide figures, shown for "
    "context, not figures about {name}.": (
        "問卷評估的是整個政府：以下是政府整體的數字，僅供參考，並非{name}本身的數字。"
    ),
    "Mean ratings out of 10 (0 very poor, 10 very good, 5 a pass) from the {count} responses of the "
    "survey's last release before the end of the period, on {date}, beside the 2020 study's baseline. "
    "The survey is released in batches of at least {k} new or changed responses; its releases in the "
    "period published {new}.": (
        "評分為0至10分（0為極差，10為極好，5為合格），根據本期完結前最後一次公布（{date}）的{count}份"
        "回應計算，並與2020年研究的基線比較。問卷結果每累積至少{k}份新增或更改的回應才會公布一次；"
        "本期內公布的新增或更改回應共{new}份。"
    ),
    "No survey figures had been released by the end of the period: so that no one who answered can be "
    "singled out, they are released in batches of at least {k} new or changed responses. The 2020 "
    "study's baseline is shown alone.": (
        "截至本期完結時，問卷仍未公布任何數字：為免回應者被辨認出來，問卷結果每累積至少{k}份新增或"
        "更改的回應才會公布一次。以下只列出2020年研究的基線。"
    ),
    "Mean rating out of 10": "平均評分（滿分10分）",
    "Question": "問題",
    "Mean": "平均分",
    "95 % interval": "95%置信區間",
    "Responses": "回應數目",
    "2020 baseline": "2020年基線",
    "Mean with its 95 % interval": "平均分及其95%置信區間",
    "The interval is the mean's 95 % confidence interval (Student's t). People who answer a web survey "
    "choose themselves: the figures describe them, not the whole population. The 2020 baseline is from "
    "the study {title} ({respondents} respondents, {fieldwork}).": (
        "置信區間為平均分的95%置信區間（學生t分佈）。網上問卷的回應者是自行選擇參與的，數字只反映他們"
        "的意見，並不代表全體市民。2020年基線取自研究《{title}》（{respondents}名受訪者，{fieldwork}）。"
    ),
    "Explaining policy": "解釋政策",
    "A platform for public participation": "提供公眾參與平台",
    "Responding to crises": "應對危急事件",
    "Clarifying misinformation": "澄清失實資訊",
    "Building the government's image": "塑造形象",
    "Understanding public sentiment": "掌握民情",
    # The peer comparison.
    "Compared with other organisations": "與其他機構比較",
    "Where {name} stands among the organisations of the jurisdiction with a value {this}, on the "
    "leaderboards' measures: its rank (1 is the best; equal values share a rank), the median "
    "organisation's value and the best value.": (
        "{name}在{this}有數值的各機構之中的位置（按排行榜的指標）：排名（第1名為最佳，數值相同則名次相同）、"
        "機構的中位數及最佳數值。"
    ),
    "Value": "數值",
    "Rank": "排名",
    "Median organisation": "機構中位數",
    "Best": "最佳",
    "{rank} of {count}": "第{rank}名（共{count}個）",
    "not ranked": "未有排名",
    "{title} (lower is better)": "{title}（越低越好）",
}

#: Longest account name on a chart's label, before the platform (the label column is narrow).
LABEL_CHARS = 24
#: Longest account name on a label when two shortened names read the same: they may differ further on.
LONG_LABEL_CHARS = 40
#: Measures the "Response to citizens" and "Sentiment" sections repeat from the scorecard.
RESPONSE = ("response_rate", "question_response_rate", "response_time_median", "comments_waiting")
SENTIMENT = (
    "comments_scored",
    "comment_positive_share",
    "comment_neutral_share",
    "comment_negative_share",
    "net_sentiment",
)
#: "this month" and "last month" for each period kind (``WORDS`` translates them).
THIS = {"week": "this week", "month": "this month", "year": "this year"}
LAST = {"week": "last week", "month": "last month", "year": "last year"}
KIND = {"week": "Week", "month": "Month", "year": "Year"}
#: The survey's six ratings as the report labels them: short, in the study's words.
RATING_LABELS = {
    "explaining_policy": "Explaining policy",
    "public_participation": "A platform for public participation",
    "responding_to_crises": "Responding to crises",
    "clarifying_misinformation": "Clarifying misinformation",
    "building_image": "Building the government's image",
    "understanding_sentiment": "Understanding public sentiment",
}
#: The survey's scale: ratings run from 0 to 10.
RATING_TOP = 10.0


class Words:
    """The report's translator for one language."""

    def __init__(self, lang: str) -> None:
        if lang not in LANGUAGES:
            raise ValueError(f"unknown report language {lang!r} (use one of {', '.join(LANGUAGES)})")
        self.lang = lang
        self.catalogue = translations(lang)

    def __call__(self, message: str, **values: str) -> str:
        text = WORDS.get(message, message) if self.lang == "zh-hant" else message
        return text.format(**values) if values else text

    def value(self, value: float | None, unit: Unit) -> str:
        """``value`` formatted in this language (only the hours suffix is translated)."""
        return format_value(value, unit, self.catalogue.gettext(HOURS))

    def title(self, row: Row | PeerRow) -> str:
        """The metric's title as the portal shows it in this language."""
        return self.catalogue.gettext(row.metric.title)

    def this(self, kind: str, capital: bool = False) -> str:
        """The words for "this week", "this month" or "this year" (``capital``: for a heading)."""
        return self(_capital(THIS[kind]) if capital else THIS[kind])

    def last(self, kind: str, capital: bool = False) -> str:
        """The words for "last week", "last month" or "last year" (``capital``: for a heading)."""
        return self(_capital(LAST[kind]) if capital else LAST[kind])

    def kind(self, kind: str) -> str:
        """The name of the period's kind: "Week", "Month" or "Year"."""
        return self(KIND[kind])


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def format_change(row: Row, words: Words) -> str:
    """The signed change since the last period; percentages change by points."""
    delta = row.change
    if delta is None:
        return "—"
    sign = "+" if delta > 0 else ""
    if row.metric.unit is Unit.PERCENT:
        return f"{sign}{delta:,.1f} {words('points')}"
    return sign + words.value(delta, row.metric.unit)


def _relative(row: Row) -> float:
    """How big a change is, for ranking: points for percentages, else relative to the last period."""
    if row.change is None or row.change == 0:
        return 0.0
    if row.metric.unit is Unit.PERCENT:
        return abs(row.change)
    return abs(row.change) / max(abs(row.previous or 0.0), 1.0) * 100


def findings(report: Report, words: Words) -> list[str]:
    """Plain-language findings: the largest rise and fall, low response, more negative than positive."""
    out: list[str] = []
    changed = sorted((r for r in report.rows if r.change), key=_relative, reverse=True)
    rises = [r for r in changed if (r.change or 0) > 0][:2]
    falls = [r for r in changed if (r.change or 0) < 0][:2]
    for row in rises + falls:
        message = (
            "{title} rose from {before} to {now}." if row in rises else "{title} fell from {before} to {now}."
        )
        out.append(words(
            message, title=words.title(row), before=words.value(row.previous, row.metric.unit),
            now=words.value(row.value, row.metric.unit),
        ))  # fmt: skip
    kind = report.period_kind
    # Nothing stored for the period is not "no change" and not "no posts": the figures are missing.
    stored = any(r.value is not None for r in report.rows)
    if not stored:
        out.append(words("No values are stored for {this}.", this=words.this(kind)))
    elif not any(r.previous is not None for r in report.rows):
        out.append(words("Nothing is stored for {last} to compare with.", last=words.last(kind)))
    elif not changed:
        out.append(words("No measure changed since {last}.", last=words.last(kind)))
    rate = report.value("response_rate")
    if rate is not None and rate < LOW_RESPONSE_RATE:
        waiting = report.value("comments_waiting")
        out.append(words(
            "Only {rate} of citizens' comments were answered: look at the {waiting} comments still waiting.",
            rate=format_value(rate, Unit.PERCENT), waiting=format_value(waiting, Unit.COUNT),
        ))  # fmt: skip
    net = report.value("net_sentiment")
    if net is not None and net < 0:
        out.append(
            words(
                "More comments were negative than positive (net sentiment {net}).",
                net=words.value(net, Unit.PERCENT),
            )
        )
    if not report.best and stored:
        out.append(words("No posts were published in {this}.", this=words.this(kind)))
    if report.clarifications:
        count = len(report.clarifications)
        this = words.this(kind)
        out.append(
            words("One post clarified misinformation {this}.", this=this)
            if count == 1
            else words("{count} posts clarified misinformation {this}.", count=str(count), this=this)
        )
    if report.topics is not None and report.topics.rising:
        out.append(words("The term that rose most in comments: {term}.", term=report.topics.rising[0].term))
    return out


def _count(value: float) -> str:
    return format_value(value, Unit.COUNT)


def _percent(value: float) -> str:
    return format_value(value, Unit.PERCENT)


def _formatter(unit: Unit, words: Words) -> Callable[[float], str]:
    def fmt(value: float) -> str:
        return words.value(value, unit)

    return fmt


def _svg(svg: str) -> Markup:
    # The chart functions escape every label and value they write, so their SVG is safe to insert as is.
    return Markup(svg)  # noqa: S704


def _number(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


@dataclasses.dataclass(frozen=True)
class SurveyView:
    """The survey section's table rows (label, mean, interval, n, baseline) and its chart."""

    rows: list[tuple[str, str, str, str, str]]
    chart: Markup


def survey_view(section: SurveySection, words: Words, compared: bool = True) -> SurveyView:
    """The survey's ratings as table rows and an interval chart, each beside the 2020 baseline when
    ``compared`` (a Hong Kong report: ``SurveySection.compared``), else alone."""
    rows, bars = [], []
    for rating in section.ratings:
        label, e = words(RATING_LABELS[rating.key]), rating.estimate
        interval = "—" if e.low is None or e.high is None else f"{e.low:.2f}–{e.high:.2f}"
        baseline = f"{rating.baseline_mean:.2f} (n {rating.baseline_n:,})"
        rows.append((label, _number(e.mean), interval, f"{e.n:,}", baseline))
        text = f"{_number(e.mean)} (2020: {rating.baseline_mean:.2f})" if compared else _number(e.mean)
        mark = rating.baseline_mean if compared else None
        bars.append(IntervalBar(label, e.mean, e.low, e.high, mark, text))
    legend = (words("Mean with its 95 % interval"), words("2020 baseline") if compared else None)
    chart = interval_chart(words("Mean rating out of 10"), bars, RATING_TOP, legend)
    return SurveyView(rows, _svg(chart))


def _survey(report: Report, words: Words) -> SurveyView | None:
    section = report.survey
    return survey_view(section, words, section.compared(report.jurisdiction)) if section else None


@dataclasses.dataclass(frozen=True)
class PeerView:
    """The peer comparison's table rows (measure, value, rank, median, best) and a chart per measure."""

    rows: list[tuple[str, str, str, str, str]]
    charts: list[tuple[str, Markup]]


def peer_view(peers: list[PeerRow], name: str, words: Words) -> PeerView:
    """The organisation's place on each measure as table rows, and its value, the median and the best
    drawn side by side."""
    rows, charts = [], []
    for peer in peers:
        title, unit = words.title(peer), peer.metric.unit
        heading = words("{title} (lower is better)", title=title) if peer.lower_is_better else title
        rank = (
            words("not ranked")
            if peer.rank is None
            else words("{rank} of {count}", rank=str(peer.rank), count=str(peer.count))
        )
        rows.append((heading, words.value(peer.value, unit), rank, words.value(peer.median, unit),
                     words.value(peer.best, unit)))  # fmt: skip
        bars = [(name, peer.value), (words("Median organisation"), peer.median), (words("Best"), peer.best)]
        charts.append((heading, _svg(bar_chart(title, bars, _formatter(unit, words), colour="#6b4c9a"))))
    return PeerView(rows, charts)


def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), keep_trailing_newline=True
    )
    environment.filters["web_link"] = web_link
    return environment


def web_link(url: str | None) -> str | None:
    """``url`` if it is an http(s) address, else None: a report is a file people open and forward,
    so a stored address of another scheme (``javascript:``, ``data:``) is shown as text, never made
    a link, whatever path it came in by."""
    if url is None:
        return None
    scheme = url.strip().split(":", 1)[0].lower() if ":" in url else ""
    return url if scheme in ("http", "https") else None


def account_labels(report: Report, lang: str) -> Callable[[AccountRow], str]:
    """How the per-account charts label an account: its display name, shortened, and its platform's
    display name, in ``lang``."""
    chinese = lang == "zh-hant"

    def base_label(account: AccountRow, chars: int = LABEL_CHARS) -> str:
        # Several accounts of one organisation share a name; the platform tells them apart.
        full = account.name_zh if chinese else account.name_en
        shown = full if len(full) <= chars else full[: chars - 1] + "…"
        return f"{shown} ({report.platform_name(account.platform, lang)})"

    labels = [base_label(a) for a in report.accounts]
    longer = [base_label(a, LONG_LABEL_CHARS) for a in report.accounts]

    def account_name(account: AccountRow) -> str:
        label = base_label(account)
        if labels.count(label) == 1:
            return label
        # Shortened names that read the same may differ further on: show more of them.
        long_label = base_label(account, LONG_LABEL_CHARS)
        if longer.count(long_label) == 1:
            return long_label
        # Two accounts of one stored name on one platform: only their handles tell them apart.
        return f"{label[:-1]} {account.handle[:14]})"

    return account_name


def render_html(report: Report, lang: str) -> str:
    """The report as one HTML document in ``lang`` (``zh-hant`` or ``en``)."""
    words = Words(lang)
    chinese = lang == "zh-hant"

    account_name = account_labels(report, lang)

    def clarified_by(account_id: int, handle: str) -> str:
        """The account's display name, as the charts give it (the handle where none is stored)."""
        names = report.account_names.get(account_id)
        return handle if names is None else names[1] if chinese else names[0]

    posts_chart = bar_chart(
        words("Posts"), [(account_name(a), a.posts) for a in report.accounts],
        _count,
    )  # fmt: skip
    rate_chart = bar_chart(
        words("Interaction rate"), [(account_name(a), a.interaction_rate) for a in report.accounts],
        _percent, colour="#b5651d",
    )  # fmt: skip
    by_name = {r.metric.name: r for r in report.rows}
    metrics = registry()
    titles = {name: words.catalogue.gettext(metrics[name].title) for name in report.trends}
    trends = [
        (
            titles[name],
            # The chart's title (its accessible name) in the report's language, as its heading.
            _svg(bar_chart(titles[name], series, _formatter(metrics[name].unit, words), colour="#4a7a3c")),
        )
        for name, series in report.trends.items()
        if any(value is not None for _, value in series)
    ]
    name = report.name_zh if chinese else report.name_en
    heading = words("{report}: {name}", report=words("Social media report"), name=name)
    title = words("{report}: {name}, {period}", report=words("Social media report"), name=name,
                  period=report.period)  # fmt: skip
    return _environment().get_template("report.html").render(
        report=report, w=words, lang=lang, html_lang="zh-Hant-HK" if chinese else "en", name=name,
        rows=[r for r in report.rows if r.value is not None or r.previous is not None],
        response=[by_name[m] for m in RESPONSE if m in by_name],
        sentiment=[by_name[m] for m in SENTIMENT if m in by_name],
        findings=findings(report, words), posts_chart=_svg(posts_chart), rate_chart=_svg(rate_chart),
        trends=trends, account_name=account_name, format_value=format_value, format_change=format_change,
        kind=report.period_kind, survey=_survey(report, words),
        peers=peer_view(report.peers, name, words) if report.peers else None, page_heading=heading,
        page_title=title,
        platform_name=lambda key: report.platform_name(key, lang), clarified_by=clarified_by,
        generated=local_time(report.generated_at),
    )  # fmt: skip


def local_time(moment: dt.datetime) -> str:
    """``moment`` to the minute with its zone named: the abbreviation and, where it has one, the
    IANA name (``2026-11-29 11:00 HKT (Asia/Hong_Kong)``); readers are in the jurisdiction's zone."""
    text = f"{moment:%Y-%m-%d %H:%M} {moment.tzname() or 'UTC'}"
    key = getattr(moment.tzinfo, "key", None)
    return f"{text} ({key})" if key and key != moment.tzname() else text
