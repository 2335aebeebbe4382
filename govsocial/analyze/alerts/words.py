"""What alerts say, in each language an alert is written in (Traditional and Simplified Chinese,
English): the titles of each kind and the labels of an email's lines.

Alerts are written by ``govsocial alerts run`` in the analyze layer, which must not read the
portal's catalogues (``report.i18n`` reads them from the layer above): the few dozen phrases live
here, beside the code that fills them in. A rule is written in its ``lang`` parameter, else the
jurisdiction's default language (``store.queries.default_locale``), as reports are.
"""

from __future__ import annotations

from typing import Final

#: The languages alerts are written in, as the portal names them.
LANGUAGES: Final = ("zh-hant", "zh-hans", "en")

#: The titles of each event, by name, in each language: ``{account}`` is the account's display
#: name with its platform's (``account_label``), ``{platform}`` a platform's display name.
TITLES: Final[dict[str, dict[str, str]]] = {
    "comment_volume": {
        "en": "Comment volume spike on {account} in {period}",
        "zh-hant": "{account}於 {period} 留言量急升",
        "zh-hans": "{account}于 {period} 留言量急升",
    },
    "negative_share": {
        "en": "Negative share spike on {account} in {period}",
        "zh-hant": "{account}於 {period} 負面留言比例急升",
        "zh-hans": "{account}于 {period} 负面留言比例急升",
    },
    "post_overperforming": {
        "en": "Post of {day} overperforming on {account}: {n} interactions, usually {median}",
        "zh-hant": "{account}於 {day} 的帖文表現突出：{n} 次互動，平日約 {median} 次",
        "zh-hans": "{account}于 {day} 的帖文表现突出：{n} 次互动，平日约 {median} 次",
    },
    "post_underperforming": {
        "en": "Post of {day} underperforming on {account}: {n} interactions, usually {median}",
        "zh-hant": "{account}於 {day} 的帖文表現欠佳：{n} 次互動，平日約 {median} 次",
        "zh-hans": "{account}于 {day} 的帖文表现欠佳：{n} 次互动，平日约 {median} 次",
    },
    "unanswered_comments": {
        "en": "{count} comment(s) unanswered for over {hours} hours on {account}'s post of {day}",
        "zh-hant": "{account}於 {day} 的帖文有 {count} 則留言逾 {hours} 小時未獲回覆",
        "zh-hans": "{account}于 {day} 的帖文有 {count} 条留言逾 {hours} 小时未获回复",
    },
    "unanswered_comments_undated": {
        "en": "{count} comment(s) unanswered for over {hours} hours on {account}",
        "zh-hant": "{account}有 {count} 則留言逾 {hours} 小時未獲回覆",
        "zh-hans": "{account}有 {count} 条留言逾 {hours} 小时未获回复",
    },
    "token_invalid": {
        "en": "The {platform} token is not valid (the platform said so on {since})",
        "zh-hant": "{platform} 存取權杖已失效（平台於 {since} 表示）",
        "zh-hans": "{platform} 访问令牌已失效（平台于 {since} 表示）",
    },
    "token_expiring": {
        "en": "The {platform} token expires in {left} day(s) ({date})",
        "zh-hant": "{platform} 存取權杖將於 {left} 日後到期（{date}）",
        "zh-hans": "{platform} 访问令牌将于 {left} 天后到期（{date}）",
    },
    "token_expires_today": {
        "en": "The {platform} token expires today ({date})",
        "zh-hant": "{platform} 存取權杖今日到期（{date}）",
        "zh-hans": "{platform} 访问令牌今天到期（{date}）",
    },
    "token_expired": {
        "en": "The {platform} token has expired ({date})",
        "zh-hant": "{platform} 存取權杖已於 {date} 到期",
        "zh-hans": "{platform} 访问令牌已于 {date} 到期",
    },
    "dormant": {
        "en": "{account} has not posted for {days} days (last post: {date})",
        "zh-hant": "{account}已 {days} 日沒有發帖（最後一帖：{date}）",
        "zh-hans": "{account}已 {days} 天没有发帖（最后一帖：{date}）",
    },
    "dormant_over": {
        "en": "{account} has not posted for over {days} days (last post: {date})",
        "zh-hant": "{account}已逾 {days} 日沒有發帖（最後一帖：{date}）",
        "zh-hans": "{account}已逾 {days} 天没有发帖（最后一帖：{date}）",
    },
    "never_posted": {
        "en": "{account} has never posted",
        "zh-hant": "{account}從未發帖",
        "zh-hans": "{account}从未发帖",
    },
    "account_missing": {
        "en": "{account} is gone from its platform",
        "zh-hant": "{account}已在平台上消失",
        "zh-hans": "{account}已在平台上消失",
    },
}

#: An account as titles name it: its display name and its platform's.
ACCOUNT: Final = {
    "en": "{name} ({platform})",
    "zh-hant": "{name}（{platform}）",
    "zh-hans": "{name}（{platform}）",
}

#: Periods as titles name them (``2026-W47``, ``2026-10``, ``2026``).
PERIODS: Final[dict[str, dict[str, str]]] = {
    "week": {
        "en": "week {week} of {year}",
        "zh-hant": "{year} 年第 {week} 週",
        "zh-hans": "{year} 年第 {week} 周",
    },
    "month": {"en": "{name} {year}", "zh-hant": "{year} 年 {month} 月", "zh-hans": "{year} 年 {month} 月"},
    "year": {"en": "{year}", "zh-hant": "{year} 年", "zh-hans": "{year} 年"},
}
MONTHS: Final = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

#: The labels of an email's lines, by detail name (a detail not here is shown by its name).
LABELS: Final[dict[str, dict[str, str]]] = {
    "account": {"en": "Account", "zh-hant": "帳戶", "zh-hans": "账户"},
    "portal": {"en": "On the portal", "zh-hant": "平台頁面", "zh-hans": "平台页面"},
    "admin": {"en": "All alerts", "zh-hant": "所有警示", "zh-hans": "所有警示"},
    "url": {"en": "Post", "zh-hant": "帖文", "zh-hans": "帖文"},
    "period": {"en": "Period", "zh-hant": "期間", "zh-hans": "期间"},
    "value": {"en": "Value", "zh-hant": "數值", "zh-hans": "数值"},
    "baseline": {
        "en": "Usual value (median)",
        "zh-hant": "平日數值（中位數）",
        "zh-hans": "平日数值（中位数）",
    },
    "score": {"en": "Robust score", "zh-hant": "穩健分數", "zh-hans": "稳健分数"},
    "interactions": {"en": "Interactions", "zh-hant": "互動次數", "zh-hans": "互动次数"},
    "median": {
        "en": "Usual interactions (median)",
        "zh-hant": "平日互動（中位數）",
        "zh-hans": "平日互动（中位数）",
    },
    "posted_at": {"en": "Posted", "zh-hant": "發帖時間", "zh-hans": "发帖时间"},
    "comments": {"en": "Unanswered comments", "zh-hant": "未回覆留言", "zh-hans": "未回复留言"},
    "oldest": {
        "en": "Oldest unanswered comment",
        "zh-hant": "最早的未回覆留言",
        "zh-hans": "最早的未回复留言",
    },
    "hours": {
        "en": "Unanswered for over (hours)",
        "zh-hant": "未回覆超過（小時）",
        "zh-hans": "未回复超过（小时）",
    },
    "platform": {"en": "Platform", "zh-hant": "平台", "zh-hans": "平台"},
    "expires_on": {"en": "Expires on", "zh-hant": "到期日", "zh-hans": "到期日"},
    "days_left": {"en": "Days left", "zh-hant": "剩餘日數", "zh-hans": "剩余天数"},
    "invalid_since": {"en": "Found invalid on", "zh-hant": "發現失效日期", "zh-hans": "发现失效日期"},
    "checked_at": {"en": "Checked", "zh-hant": "檢查時間", "zh-hans": "检查时间"},
    "error": {"en": "Platform's answer", "zh-hant": "平台回應", "zh-hans": "平台回应"},
    "last_post": {"en": "Last post", "zh-hant": "最後一帖", "zh-hans": "最后一帖"},
    "silent_days": {"en": "Days without a post", "zh-hant": "沒有發帖日數", "zh-hans": "没有发帖天数"},
    "text": {"en": "Post's text", "zh-hant": "帖文內容", "zh-hans": "帖文内容"},
    "message": {"en": "Platform's message", "zh-hant": "平台訊息", "zh-hans": "平台消息"},
    "rule": {"en": "Rule", "zh-hant": "規則", "zh-hans": "规则"},
    "event": {"en": "Event", "zh-hant": "事件", "zh-hans": "事件"},
    "fired": {"en": "Fired", "zh-hant": "發出時間", "zh-hans": "发出时间"},
}

#: Details an email does not show on a line of their own: ids and words for programs (the webhook
#: keeps them), or what another line already says.
HIDDEN: Final = frozenset(
    {"account_id", "post_id", "period_kind", "run_id", "is_valid", "source", "which", "days", "handle"}
)

#: What separates a label from its value.
COLON: Final = {"en": ": ", "zh-hant": "：", "zh-hans": "："}

#: The first line of a digest: how many alerts and why they come together.
DIGEST: Final = {
    "en": "{count} alert(s), {why}.",
    "zh-hant": "{count} 項警示，{why}。",
    "zh-hans": "{count} 项警示，{why}。",
}
DIGEST_SUBJECT: Final = {
    "en": "{count} alert(s) in one digest",
    "zh-hant": "{count} 項警示的摘要",
    "zh-hans": "{count} 项警示的摘要",
}
HELD: Final = {
    "en": "held back by the limit of {cap} email(s) an hour",
    "zh-hant": "因每小時最多 {cap} 封電郵的上限而延後發出",
    "zh-hans": "因每小时最多 {cap} 封电邮的上限而延后发出",
}
DAILY: Final = {"en": "the daily digest", "zh-hant": "每日摘要", "zh-hans": "每日摘要"}
OF: Final = {
    "en": "{n} of {count}",
    "zh-hant": "第 {n} 項，共 {count} 項",
    "zh-hans": "第 {n} 项，共 {count} 项",
}
