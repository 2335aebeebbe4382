"""Word a ``Report`` as one self-contained HTML page in Traditional Chinese or English.

Metric titles come from the portal's catalogue (``report.i18n``); the report's own headings and
findings are in ``WORDS`` below, both languages side by side, because the portal's catalogue only
holds messages its pages use (a test keeps it free of stale entries). The page carries its style
inline: it is a downloaded document and the source of the PDF, never a page served under the
portal's content security policy.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from govsocial.analyze.metrics.model import Unit, registry
from govsocial.report.build import LOW_RESPONSE_RATE, AccountRow, Report, Row
from govsocial.report.chart import bar_chart
from govsocial.report.i18n import LANGUAGES, translations

TEMPLATES = Path(__file__).resolve().parent / "templates"

#: The report's own words: English message -> Traditional Chinese (Hong Kong usage).
WORDS: dict[str, str] = {
    "Social media report": "社交媒體報告",
    "Whole government": "整個政府",
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
    "No posts in this month.": "本月沒有帖文。",
    "No values are stored for this month.": "本月沒有已儲存的數值。",
    "Generated": "製作時間",
    "Figures are computed from public data with the documented default parameters; "
    "see How we measure on the portal.": "數字根據公開資料以預設參數計算，計算方法見網站「我們如何量度」。",
    "{title} rose from {before} to {now}.": "{title}由{before}上升至{now}。",
    "{title} fell from {before} to {now}.": "{title}由{before}下跌至{now}。",
    "Only {rate} of citizens' comments were answered: look at the {waiting} comments still waiting.": (
        "市民留言只有{rate}獲回覆：請留意仍在等待回覆的{waiting}則留言。"
    ),
    "More comments were negative than positive (net sentiment {net}).": "負面留言多於正面（淨情緒{net}）。",
    "No measure changed since last month.": "與上月相比，各項指標沒有變化。",
    "No posts were published in this month.": "本月沒有發布帖文。",
    "points": "個百分點",
    "Trends": "趨勢",
    "The {shown} accounts with the most posts, of {count}.": "帖文最多的{shown}個帳戶（共{count}個）。",
    "Clarifications issued": "發出的澄清",
    "No clarifications in this month.": "本月沒有澄清帖文。",
    "Why": "原因",
    "What people talked about": "市民討論的話題",
    "Rising terms": "上升的詞語",
    "Most mentioned": "最多提及",
    "Term": "詞語",
    "Mentions": "提及次數",
    "Comments from the public: {now} this month, {before} last month.": (
        "市民留言：本月{now}則，上月{before}則。"
    ),
    "No comments from the public in this month.": "本月沒有市民留言。",
    "{count} posts clarified misinformation this month.": "本月有{count}則帖文澄清失實資訊。",
    "The term that rose most in comments: {term}.": "留言中上升最多的詞語：{term}。",
    "registry mark": "登記冊標記",
}

#: Longest account name on a chart's label, before the platform (the label column is narrow).
LABEL_CHARS = 24
#: Measures the "Response to citizens" and "Sentiment" sections repeat from the scorecard.
RESPONSE = ("response_rate", "question_response_rate", "response_time_median", "comments_waiting")
SENTIMENT = (
    "comments_scored",
    "comment_positive_share",
    "comment_neutral_share",
    "comment_negative_share",
    "net_sentiment",
)
#: The portal's message for a number of hours (``metric_text.HOURS``), translated by the catalogue.
HOURS = "%(hours)s h"


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

    def title(self, row: Row) -> str:
        """The metric's title as the portal shows it in this language."""
        return self.catalogue.gettext(row.metric.title)


def format_value(value: float | None, unit: Unit, hours: str = HOURS) -> str:
    """A value as the portal prints it: "12.3%", "0.85‰", "12.5 h"; "—" when unknown."""
    if value is None or not math.isfinite(value):
        return "—"
    if unit is Unit.PERCENT:
        return f"{value:,.1f}%"
    if unit is Unit.PER_MILLE:
        return f"{value:,.2f}‰"
    if unit is Unit.HOURS:
        return hours % {"hours": f"{value:,.1f}"}
    if unit in (Unit.SCORE, Unit.RATIO):
        return f"{value:,.2f}"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def format_change(row: Row, words: Words) -> str:
    """The signed change since last month; percentages change by points."""
    delta = row.change
    if delta is None:
        return "—"
    sign = "+" if delta > 0 else ""
    if row.metric.unit is Unit.PERCENT:
        return f"{sign}{delta:,.1f} {words('points')}"
    return sign + words.value(delta, row.metric.unit)


def _relative(row: Row) -> float:
    """How big a change is, for ranking: points for percentages, else relative to last month."""
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
    if not changed:
        out.append(words("No measure changed since last month."))
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
            words("More comments were negative than positive (net sentiment {net}).", net=f"{net:+.1f}")
        )
    if not report.best:
        out.append(words("No posts were published in this month."))
    if report.clarifications:
        out.append(
            words("{count} posts clarified misinformation this month.", count=str(len(report.clarifications)))
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
    # chart.bar_chart escapes every label and value it writes, so its SVG is safe to insert as is.
    return Markup(svg)  # noqa: S704


def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), keep_trailing_newline=True
    )


def render_html(report: Report, lang: str) -> str:
    """The report as one HTML document in ``lang`` (``zh-hant`` or ``en``)."""
    words = Words(lang)
    chinese = lang == "zh-hant"

    def base_label(account: AccountRow) -> str:
        # Several accounts of one organisation share a name; the platform tells them apart.
        full = account.name_zh if chinese else account.name_en
        shown = full if len(full) <= LABEL_CHARS else full[: LABEL_CHARS - 1] + "…"
        return f"{shown} ({account.platform})"

    labels = [base_label(a) for a in report.accounts]

    def account_name(account: AccountRow) -> str:
        label = base_label(account)
        # Two accounts of one name on one platform: their handles tell them apart.
        return f"{label[:-1]} {account.handle[:14]})" if labels.count(label) > 1 else label

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
    trends = [
        (
            words.catalogue.gettext(metrics[name].title),
            _svg(
                bar_chart(
                    metrics[name].title, series, _formatter(metrics[name].unit, words), colour="#4a7a3c"
                )
            ),
        )
        for name, series in report.trends.items()
        if any(value is not None for _, value in series)
    ]
    return _environment().get_template("report.html").render(
        report=report, w=words, lang=lang, html_lang="zh-Hant-HK" if chinese else "en",
        name=report.name_zh if chinese else report.name_en,
        rows=[r for r in report.rows if r.value is not None or r.previous is not None],
        response=[by_name[m] for m in RESPONSE if m in by_name],
        sentiment=[by_name[m] for m in SENTIMENT if m in by_name],
        findings=findings(report, words), posts_chart=_svg(posts_chart), rate_chart=_svg(rate_chart),
        trends=trends, account_name=account_name, format_value=format_value, format_change=format_change,
    )  # fmt: skip
