"""The portal's words for metrics: titles, goal names, goal explanations and value formatting.

The metric modules are English-only (the API and the CLI speak English); the portal shows their
titles through gettext, so each title is written here again as a literal message id. A test checks
that ``TITLES`` covers exactly the registry's metrics with their English titles, so a new metric or
a reworded title cannot slip through untranslated.

The plain definitions state the deployment's parameters (office hours, the reply target, the
dormancy window...), not the documented defaults: ``definition_text`` fills them in from the
``metric_params`` setting (``analyze.metrics.params.configured``).
"""

from __future__ import annotations

from collections.abc import Callable

from govsocial.analyze.metrics import numbers
from govsocial.analyze.metrics.model import Goal, Level, Unit
from govsocial.analyze.metrics.params import FollowerBasis, MetricParams
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

#: Every metric's definition in plain words: the metric modules' ``definition`` said more simply,
#: with the deployment's parameters as placeholders (``parameter_values``; the API gives the exact
#: wording).
DEFINITIONS: dict[str, str] = {
    "accounts": N_(
        "How many official accounts the directory lists. Archived accounts and accounts still under "
        "review are not counted. The directory keeps no history, so every period shows today's count."
    ),
    "active_accounts": N_(
        "How many of the listed accounts published at least one post in the %(active_days)s days "
        "before the end of the period."
    ),
    "dormant_share": N_(
        "The share of listed accounts that published nothing in the %(active_days)s days before the "
        "end of the period, in percent."
    ),
    "post_volume": N_("How many posts were published in the period."),
    "posts_per_day": N_("The average number of posts published per day over the period."),
    "posts_per_week": N_("The average number of posts published per week over the period."),
    "followers": N_(
        "How many followers the accounts had at the end of the period (the last count taken in it), "
        "added up over the accounts."
    ),
    "follower_share_of_population": N_(
        "Followers as a share of the population, in percent. A person who follows two accounts counts"
        " twice, so this can be more than 100."
    ),
    "follower_growth_weekly": N_(
        "How fast the number of followers grew: the steady weekly growth, in percent, that would turn"
        " the period's first count into its last."
    ),
    "follower_growth": N_(
        "How many followers the accounts gained (or lost, when negative) between the first and the "
        "last count taken in the period."
    ),
    "interactions_per_post": N_(
        "The average number of interactions (reactions or likes, comments and shares, as each "
        "platform counts them) a post got."
    ),
    "interaction_rate_post": N_(
        "Of the people who followed the account when a post went out, how many interacted with it, in"
        " percent. Posts for which that follower count is unknown are left out, and their number is "
        "shown."
    ),
    "interaction_rate_account": N_(
        "The average interactions per post divided by the number of followers, in percent: out of "
        "every hundred followers, how many an average post reached. %(account_followers)s"
    ),
    "engagement_daily": N_(
        "For each day, the interactions on that day's posts divided by the number of fans that day; "
        "then the average over all the days of the period (days without posts count as zero), in "
        "percent."
    ),
    "bonson_p1": N_("The share of posts that at least one person liked, in percent."),
    "bonson_p2": N_("The average number of likes a post got."),
    "bonson_p3": N_("The average likes per post for every thousand fans."),
    "bonson_c1": N_("The share of posts that received at least one comment, in percent."),
    "bonson_c2": N_("The average number of comments a post got."),
    "bonson_c3": N_("The average comments per post for every thousand fans."),
    "bonson_v1": N_("The share of posts that at least one person shared, in percent."),
    "bonson_v2": N_("The average number of times a post was shared."),
    "bonson_v3": N_("The average shares per post for every thousand fans."),
    "bonson_e": N_(
        "Likes, comments and shares per post for every thousand fans: the popularity, commitment and "
        "virality measures added up."
    ),
    "overperforming_share": N_(
        "The share of posts that did better than usual for their account and format, in percent."
    ),
    "reaction_love_share": N_(
        "The share of all reactions to the period's posts that were “Love” (warmth and approval), in "
        "percent. Only posts on platforms with reaction types (Facebook) count."
    ),
    "reaction_haha_share": N_(
        "The share of all reactions to the period's posts that were “Haha” (amusement; on Hong Kong "
        "government posts often used to mock), in percent. Only posts on platforms with reaction "
        "types (Facebook) count."
    ),
    "reaction_angry_share": N_(
        "The share of all reactions to the period's posts that were “Angry” (anger; on Hong Kong "
        "government posts often used to protest), in percent. Only posts on platforms with reaction "
        "types (Facebook) count."
    ),
    "reaction_sad_share": N_(
        "The share of all reactions to the period's posts that were “Sad” (sadness or sympathy), in "
        "percent. Only posts on platforms with reaction types (Facebook) count."
    ),
    "reaction_wow_share": N_(
        "The share of all reactions to the period's posts that were “Wow” (surprise, admiring or "
        "sarcastic), in percent. Only posts on platforms with reaction types (Facebook) count."
    ),
    "reaction_care_share": N_(
        "The share of all reactions to the period's posts that were “Care” (support and solidarity), "
        "in percent. Only posts on platforms with reaction types (Facebook) count."
    ),
    "reaction_like_share": N_(
        "The share of all reactions to the period's posts that were “Like” (the default reaction, a "
        "mild acknowledgement), in percent. Only posts on platforms with reaction types (Facebook) "
        "count."
    ),
    "positive_reaction_share": N_(
        "The share of all reactions that were clearly warm: “Love” and “Care”, in percent. “Like” is "
        "the default click, “Wow” can be admiring or sarcastic, and “Haha” on Hong Kong government "
        "posts is mostly mockery, so none of them count as positive."
    ),
    "influence_score": N_(
        "A score from 0 to 100 of how far an account's voice carries, made of three equal parts "
        "anyone can check: how many people follow it (reach), how much they interact with its posts "
        "for that many followers (engagement), and how often it answers citizens' comments "
        "(responsiveness). Each part is on a fixed scale, so the score does not change when other "
        "accounts are added."
    ),
    "comments_scored": N_(
        "How many comments citizens wrote in the period that have a sentiment label: the number every"
        " comment sentiment share and average is taken over. The page's own replies are not counted."
    ),
    "comment_positive_share": N_(
        "Of the citizens' comments in the period that have a sentiment label, the share labelled "
        "positive (praise, thanks, support), in percent."
    ),
    "comment_neutral_share": N_(
        "Of the citizens' comments in the period that have a sentiment label, the share labelled "
        "neutral (questions, information, neither), in percent."
    ),
    "comment_negative_share": N_(
        "Of the citizens' comments in the period that have a sentiment label, the share labelled "
        "negative (complaint, anger, mockery), in percent."
    ),
    "net_sentiment": N_(
        "The positive share of labelled citizens' comments minus the negative share, in percentage "
        "points: from −100 (every comment negative) to +100 (every comment positive); 0 when praise "
        "and complaint balance or every comment is neutral."
    ),
    "mean_sentiment_score": N_(
        "The average score of the period's labelled citizens' comments, from −1 (surely negative) to "
        "+1 (surely positive). A comment's score is its chance of being positive minus its chance of "
        "being negative, so unlike the shares it also shows how sure the model was."
    ),
    "response_rate": N_(
        "Of the comments citizens wrote on the government's posts in the period, the share the page "
        "answered with a reply (at any time up to the latest collection), in percent."
    ),
    "question_response_rate": N_(
        "Of the questions citizens asked in comments in the period, the share the page answered, in percent."
    ),
    "response_time_median": N_(
        "How long a citizen who got an answer typically waited for the page's first reply, in hours: "
        "half waited less, half waited more. The average is shown beside it; a few very late replies "
        "pull the average up, which is why the median comes first."
    ),
    "response_time_p90": N_(
        "The wait for the page's first reply that nine in ten answered citizens did not exceed, in "
        "hours: the slow end of the service."
    ),
    "response_time_median_business_hours": N_(
        "The median wait for a first reply, in hours, for comments written during office hours "
        "(Monday to Friday, %(office_start)s–%(office_end)s local time; public holidays are not taken "
        "out)."
    ),
    "response_time_median_off_hours": N_(
        "The median wait for a first reply, in hours, for comments written outside office hours: on "
        "weekdays before %(office_start)s or from %(office_end)s, and at the weekend (local time)."
    ),
    "service_level": N_(
        "Of the comments citizens wrote in the period, the share the page dealt with by answering or "
        "removing them, in percent. Likes of a comment by the page are not counted, because the "
        "platforms do not say who liked a comment."
    ),
    "replied_within_target": N_(
        "Of the comments citizens wrote in the period, the share the page answered within the target "
        "time of %(response_hours)s hours, in percent. Comments never answered count as missed."
    ),
    "comments_waiting": N_(
        "How many of the comments citizens wrote in the period still have no reply from the page, as "
        "of the latest collection. Removed comments are not waiting."
    ),
    "socially_devoted": N_(
        "1 when the page answered at least %(devoted)s of every 100 questions citizens asked in the "
        "period (the bar of a “socially devoted” page; Socialbakers set it at 65), 0 when it did not; "
        "empty when nobody asked a question."
    ),
    "eservice_link_share": N_(
        "The share of the period's posts that link to one of the government's online services (from a"
        " list of e-service web addresses), in percent."
    ),
    "click_through_rate": N_(
        "Of the times the period's posts were seen, the share in which someone clicked through, in "
        "percent. Only pages whose administrators share their statistics have these numbers."
    ),
    "invitation_share": N_(
        "The share of the period's posts that ask citizens for something back: a question, a poll, or"
        " a call to comment or take part, in percent."
    ),
    "page_replies_per_100_comments": N_(
        "For every 100 comments citizens wrote in the period, how many replies the page wrote."
    ),
    "two_way_index": N_(
        "A score from 0 to 100 of how two-way a page is: half for inviting a response in its posts, "
        "half for replying to citizens' comments. 0 is a page that only pushes information; 100 one "
        "that invites a response in every post and replies to every comment."
    ),
    "release_delay_median": N_(
        "How long after an official press release the page typically posted about the same subject, "
        "in hours: half of the posts came sooner, half later."
    ),
    "release_delay_p90": N_(
        "The delay after a press release that nine in ten of the page's posts about it did not "
        "exceed, in hours: the slow end."
    ),
    "releases_followed_share": N_(
        "Of the press releases a government news feed published in the period, the share that a "
        "social media post followed on the same subject, in percent."
    ),
    "interactions_per_post_text": N_(
        "The average number of interactions a text-only post got in the period, as its platform "
        "counts them. Compare the formats of one page to see which its audience responds to."
    ),
    "interactions_per_post_image": N_(
        "The average number of interactions an image post got in the period, as its platform counts "
        "them. Compare the formats of one page to see which its audience responds to."
    ),
    "interactions_per_post_video": N_(
        "The average number of interactions a video post got in the period, as its platform counts "
        "them. Compare the formats of one page to see which its audience responds to."
    ),
    "interactions_per_post_link": N_(
        "The average number of interactions a link post got in the period, as its platform counts "
        "them. Compare the formats of one page to see which its audience responds to."
    ),
    "interactions_per_post_live": N_(
        "The average number of interactions a live-stream post got in the period, as its platform "
        "counts them. Compare the formats of one page to see which its audience responds to."
    ),
    "live_events": N_(
        "How many live streams (online events in which citizens can take part as they happen) the "
        "page held in the period."
    ),
    "live_participation": N_(
        "How many comments (questions, remarks) citizens wrote per live stream: taking part in an "
        "online event means writing, so comments are the measure. All interactions are shown beside "
        "it."
    ),
}

#: Which follower count divides ``interaction_rate_account``, for each ``account_rate_basis``.
ACCOUNT_FOLLOWERS: dict[FollowerBasis, str] = {
    FollowerBasis.WINDOW_MEAN: N_("Followers are the average of the period's first and last count."),
    FollowerBasis.AT_POSTING: N_("Followers are counted as each post went out."),
    FollowerBasis.LATEST: N_("Followers are the last count taken in the period."),
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

#: What a unit is called, beside a value or in a definition list.
UNIT_LABELS: dict[Unit, str] = {
    Unit.COUNT: N_("Number"),
    Unit.PERCENT: N_("Percent"),
    Unit.PER_MILLE: N_("Per thousand (‰)"),
    Unit.RATIO: N_("Ratio"),
    Unit.HOURS: N_("Hours"),
    Unit.SCORE: N_("Score"),
}

#: Who a value can be about.
LEVEL_LABELS: dict[Level, str] = {
    Level.ACCOUNT: N_("Account"),
    Level.ORGANISATION: N_("Organisation"),
    Level.PLATFORM: N_("Platform"),
    Level.GOVERNMENT: N_("Government"),
}

#: Hours read differently in each language; the number itself is written the same way in all
#: (``numbers.HOURS``, marked here for translation).
HOURS = N_("%(hours)s h")


def title(name: str) -> str:
    """The message id of metric ``name``'s title (pass it to ``_()``); the name itself if unknown."""
    return TITLES.get(name, name)


def definition(name: str) -> str:
    """The message id of metric ``name``'s plain definition; empty if it has none."""
    return DEFINITIONS.get(name, "")


def parameter_values(params: MetricParams, gettext: Callable[[str], str]) -> dict[str, str]:
    """The placeholders of ``DEFINITIONS``, from ``params`` (``gettext``: the page's language)."""
    start, end = params.business_hours
    return {
        "active_days": f"{params.active_days:,}",
        "response_hours": f"{params.response_hours:,g}",
        "office_start": f"{start:02d}:00",
        "office_end": f"{end:02d}:00",
        # A share, said per hundred: 0.65 -> "65" (rounded, so that 0.65 * 100 is not 65.00000000000001).
        "devoted": f"{round(params.socially_devoted * 100, 2):g}",
        "account_followers": gettext(ACCOUNT_FOLLOWERS[params.account_rate_basis]),
    }


def definition_text(name: str, gettext: Callable[[str], str], params: MetricParams) -> str:
    """Metric ``name``'s plain definition in ``gettext``'s language, stating ``params`` (the
    deployment's); empty if it has none."""
    message = DEFINITIONS.get(name, "")
    text = gettext(message) if message else ""
    # Only the definitions with placeholders are formatted: a "%" of another would be taken for one.
    return text % parameter_values(params, gettext) if "%(" in message else text


def format_value(value: float | None, unit: Unit, lang: str | None = None) -> str:
    """``value`` as the portal shows a number in ``unit`` (``numbers.format_value``), the hours
    suffix translated when ``lang`` is given."""
    template = translations(lang).gettext(HOURS) if lang in LANGUAGES else HOURS
    return numbers.format_value(value, unit, template)
