"""The portal's words for metrics: titles, goal names, goal explanations and value formatting.

The metric modules are English-only (the API and the CLI speak English); the portal shows their
titles through gettext, so each title is written here again as a literal message id. A test checks
that ``TITLES`` covers exactly the registry's metrics with their English titles, so a new metric or
a reworded title cannot slip through untranslated.
"""

from __future__ import annotations

import math

from govsocial.analyze.metrics.model import Goal, Unit
from govsocial.web.pages.i18n import LANGUAGES, N_, translations

#: Every metric's title, as the metric module writes it in English.
TITLES: dict[str, str] = {
    "accounts": N_("Accounts"),
    "active_accounts": N_("Active accounts"),
    "dormant_share": N_("Dormant accounts"),
    "post_volume": N_("Post volume"),
    "posts_per_day": N_("Posts per day"),
    "posts_per_week": N_("Posts per week"),
    "followers": N_("Followers"),
    "follower_share_of_population": N_("Followers per 100 residents"),
    "follower_growth_weekly": N_("Weekly follower growth"),
    "follower_growth": N_("Follower growth"),
    "interactions_per_post": N_("Interactions per post"),
    "interaction_rate_post": N_("Interaction rate per post"),
    "interaction_rate_account": N_("Interaction rate of an account"),
    "engagement_daily": N_("Engagement (daily)"),
    "bonson_p1": N_("Posts liked (Bonsón P1)"),
    "bonson_p2": N_("Likes per post (Bonsón P2)"),
    "bonson_p3": N_("Popularity of posts (Bonsón P3)"),
    "bonson_c1": N_("Posts commented (Bonsón C1)"),
    "bonson_c2": N_("Comments per post (Bonsón C2)"),
    "bonson_c3": N_("Commitment of fans (Bonsón C3)"),
    "bonson_v1": N_("Posts shared (Bonsón V1)"),
    "bonson_v2": N_("Shares per post (Bonsón V2)"),
    "bonson_v3": N_("Virality (Bonsón V3)"),
    "bonson_e": N_("Engagement (Bonsón E)"),
    "overperforming_share": N_("Overperforming posts"),
    "reaction_love_share": N_("Love share of reactions"),
    "reaction_haha_share": N_("Haha share of reactions"),
    "reaction_angry_share": N_("Angry share of reactions"),
    "reaction_sad_share": N_("Sad share of reactions"),
    "reaction_wow_share": N_("Wow share of reactions"),
    "reaction_care_share": N_("Care share of reactions"),
    "reaction_like_share": N_("Like share of reactions"),
    "positive_reaction_share": N_("Positive reactions"),
    "influence_score": N_("Influence score"),
    "comments_scored": N_("Comments with a sentiment label"),
    "comment_positive_share": N_("Positive comments"),
    "comment_neutral_share": N_("Neutral comments"),
    "comment_negative_share": N_("Negative comments"),
    "net_sentiment": N_("Net comment sentiment"),
    "mean_sentiment_score": N_("Mean comment sentiment score"),
    "response_rate": N_("Response rate"),
    "question_response_rate": N_("Question response rate"),
    "response_time_median": N_("Response time (median)"),
    "response_time_p90": N_("Response time (90th percentile)"),
    "response_time_median_business_hours": N_("Response time in office hours (median)"),
    "response_time_median_off_hours": N_("Response time out of office hours (median)"),
    "service_level": N_("Service level"),
    "replied_within_target": N_("Answered within the target time"),
    "comments_waiting": N_("Comments waiting for a reply"),
    "socially_devoted": N_("Socially devoted"),
    "eservice_link_share": N_("Posts linking to an e-service"),
    "click_through_rate": N_("Click-through rate"),
    "invitation_share": N_("Posts inviting a response"),
    "page_replies_per_100_comments": N_("Page replies per 100 citizen comments"),
    "two_way_index": N_("Two-way index"),
    "release_delay_median": N_("Delay after a press release (median)"),
    "release_delay_p90": N_("Delay after a press release (90th percentile)"),
    "releases_followed_share": N_("Press releases followed on social media"),
    "interactions_per_post_text": N_("Interactions per text-only post"),
    "interactions_per_post_image": N_("Interactions per image post"),
    "interactions_per_post_video": N_("Interactions per video post"),
    "interactions_per_post_link": N_("Interactions per link post"),
    "interactions_per_post_live": N_("Interactions per live-stream post"),
    "live_events": N_("Live events"),
    "live_participation": N_("Participation in live events"),
}

#: The OECD framework's five goals, then the study's three complaints made measurable.
GOAL_LABELS: dict[Goal, str] = {
    Goal.PRESENCE: N_("Presence"),
    Goal.POPULARITY: N_("Popularity"),
    Goal.PENETRATION: N_("Penetration"),
    Goal.PERCEPTION: N_("Perception"),
    Goal.PURPOSE: N_("Purpose"),
    Goal.TWO_WAY: N_("Two-way communication"),
    Goal.TIMELINESS: N_("Timeliness"),
    Goal.ATTRACTIVENESS: N_("Attractiveness"),
}

#: One plain paragraph per goal: the question its metrics answer.
GOAL_EXPLANATIONS: dict[Goal, str] = {
    Goal.PRESENCE: N_(
        "Is the government on social media at all, and does it keep its accounts alive? These numbers "
        "count the official accounts, how many of them posted recently, and how often they post."
    ),
    Goal.POPULARITY: N_(
        "How many people chose to follow the accounts? Followers are compared with the population and "
        "with the start of the period, to show reach and growth."
    ),
    Goal.PENETRATION: N_(
        "Do the posts reach and move people? These numbers count likes, comments and shares per post, "
        "and compare them with the number of followers, following the measures used in research on "
        "government pages (Bonsón and others)."
    ),
    Goal.PERCEPTION: N_(
        "How do people feel about what the government posts? These numbers use the reaction buttons "
        "people press and the tone of the comments they write, read by an automatic model."
    ),
    Goal.PURPOSE: N_(
        "Does social media help people get things done? These numbers show whether the accounts answer "
        "the questions people ask in comments, how quickly, and whether posts lead to online services."
    ),
    Goal.TWO_WAY: N_(
        "Is it a conversation or a notice board? These numbers show whether posts invite a response "
        "and whether the accounts reply to the people who comment."
    ),
    Goal.TIMELINESS: N_(
        "Does news reach social media promptly? These numbers measure how long after a government "
        "press release the same news is posted, and how many press releases are posted at all."
    ),
    Goal.ATTRACTIVENESS: N_(
        "Which kinds of posts work best? These numbers compare the interactions that text, image, video, "
        "link and live-stream posts receive, and how many people take part in live events."
    ),
}

#: Hours read differently in each language; the number itself is written the same way in all.
HOURS = N_("%(hours)s h")


def title(name: str) -> str:
    """The message id of metric ``name``'s title (pass it to ``_()``); the name itself if unknown."""
    return TITLES.get(name, name)


def _number(value: float, decimals: int) -> str:
    """``value`` with thousands separators; whole numbers without decimals."""
    if value == int(value):
        return f"{value:,.0f}"
    return f"{value:,.{decimals}f}"


def format_value(value: float | None, unit: Unit, lang: str | None = None) -> str:
    """``value`` as the portal shows a number in ``unit``: "12.3%", "0.85‰", "12.5 h"; "—" if unknown.

    Digits and separators are the same in every language (Hong Kong writes numbers the English
    way); only the hours suffix is translated, when ``lang`` is given.
    """
    if value is None or math.isnan(value):
        return "—"
    if unit is Unit.PERCENT:
        return f"{value:,.1f}%"
    if unit is Unit.PER_MILLE:
        return f"{value:,.2f}‰"
    if unit is Unit.HOURS:
        hours = f"{value:,.1f}"
        template = translations(lang).gettext(HOURS) if lang in LANGUAGES else HOURS
        return template % {"hours": hours}
    if unit is Unit.SCORE:
        return _number(value, 2 if abs(value) <= 1 else 1)
    if unit is Unit.RATIO:
        return _number(value, 2)
    return _number(value, 1)
