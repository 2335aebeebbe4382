"""The demo dataset: realistic, deterministic activity for the bundled registry's accounts.

``generate`` invents about six months of posts, comments and daily follower counts for every
published or under-review account of a registry folder that has a URL, in the voice of Hong Kong
government pages: health advice, weather warnings, anti-scam tips, service announcements and a few
clarifications of false rumours (澄清, 失實, 假消息), one of them met by a storm of angry comments
(``rumour_episode``), and a typhoon that every page's commenters talk about in the last week
(``talk_of_the_week``). Comments mix Cantonese, standard written Chinese, English and emoji; some
ask questions that the page answers minutes to days later, and a few carry fake personal data (a
valid-format HKID, a phone number, an email) so that redaction at storage has something to remove.
Another jurisdiction's folder gets the same kind of texts for its own accounts, dated in its own
time zone (``govsocial collect sample --jurisdiction``): its rows name only its accounts.

One rumour episode (``rumour_episode``) makes the crises section worth a look: on up to
``RUMOUR_ACCOUNTS`` accounts with a moderate number of comments, a false rumour about the
account's subject spreads ``RUMOUR_DAYS_BEFORE_END`` days before the end; the account posts a
clarification a few hours to a day later, and many angry comments follow it. That week stands out
in both comment volume and negative share (see docs/crises.md).

Everything comes from ``random.Random`` seeded per account from the seed and the account's URL,
and from a fixed end date, so the same seed gives byte-identical files. ``write_sample`` writes
them in the generic CSV layouts (``posts.csv``, ``comments.csv``, ``followers.csv``) for
``govsocial collect import FILE --format generic --sample``. The rows are sample data: the
importer labels them ``source = "sample"`` and the portal says so wherever it shows them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os
import random
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from govsocial.collect.privacy import hkid_check_digit
from govsocial.collect.records import PostFormat
from govsocial.errors import AddressError
from govsocial.registry.addresses import PlatformCatalogue
from govsocial.registry.bundle import load_bundle
from govsocial.store.tables import AccountStatus

DEFAULT_SEED = 2024
#: A fixed default, so that ``make demo`` run on another day writes the same files (and a
#: second import is all noop). Pass ``end`` for data that ends today.
DEFAULT_END = dt.date(2026, 9, 30)
DEFAULT_MONTHS = 6

POSTS_FILE, COMMENTS_FILE, FOLLOWERS_FILE = "posts.csv", "comments.csv", "followers.csv"
POST_COLUMNS = (
    "platform", "account", "post_id", "created_at", "format", "text", "url", "link",
    "followers_at_posting", "likes", "comments", "shares", "views", "reactions_like", "reactions_love",
    "reactions_haha", "reactions_wow", "reactions_sad", "reactions_angry", "reactions_care",
)  # fmt: skip
COMMENT_COLUMNS = (
    "platform", "account", "post_id", "comment_id", "parent_id", "created_at", "author_id",
    "is_page_reply", "text", "likes",
)  # fmt: skip
FOLLOWER_COLUMNS = ("platform", "account", "date", "followers")
REACTIONS = ("like", "love", "haha", "wow", "sad", "angry", "care")

#: At most this many comment rows per post; a viral post's count says how many there really were.
MAX_COMMENTS_PER_POST = 60

Row = dict[str, str]


# --- Accounts -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SampleAccount:
    """An account of the registry that gets sample activity."""

    platform: str
    url: str
    handle: str
    org_code: str
    status: str
    website: str | None = None


def sample_accounts(folder: Path, catalogue: PlatformCatalogue | None = None) -> list[SampleAccount]:
    """The published and under-review accounts with a URL in registry folder ``folder``."""
    bundle = load_bundle(folder)
    catalogue = catalogue or PlatformCatalogue.default()
    websites = {o.record.code: o.record.website for o in bundle.organisations}
    found = []
    for located in bundle.accounts:
        record = located.record
        if record.status == AccountStatus.ARCHIVED or not record.url:
            continue
        try:
            handle = catalogue.parse(record.url, platform=record.platform).value
        except AddressError:
            continue
        owner = record.org_codes[0]
        found.append(
            SampleAccount(
                record.platform, record.url, handle, owner, record.status.value, websites.get(owner)
            )
        )
    return found


# --- How each platform behaves ---------------------------------------------------------------------


@dataclass(frozen=True)
class PlatformStyle:
    """Typical activity of a government account on one platform."""

    posts_per_week: float
    formats: tuple[tuple[PostFormat, float], ...]
    followers: tuple[int, int]
    likes_per_follower: float
    comments_per_like: float | None  # None: the platform has no comments
    shares_per_like: float | None  # None: the platform does not show shares
    views: str  # "all", "video" or "none"
    reactions: bool = False
    hashtags: bool = False


F = PostFormat
STYLES: dict[str, PlatformStyle] = {
    "facebook": PlatformStyle(
        posts_per_week=4.5,
        formats=((F.IMAGE, 0.4), (F.LINK, 0.25), (F.VIDEO, 0.17), (F.TEXT, 0.12), (F.LIVE, 0.06)),
        followers=(20_000, 300_000),
        likes_per_follower=0.0035,
        comments_per_like=0.05,
        shares_per_like=0.3,
        views="video",
        reactions=True,
    ),
    "instagram": PlatformStyle(
        posts_per_week=3.0,
        formats=((F.IMAGE, 0.72), (F.VIDEO, 0.28)),
        followers=(5_000, 60_000),
        likes_per_follower=0.02,
        comments_per_like=0.015,
        shares_per_like=None,
        views="video",
        hashtags=True,
    ),
    "youtube": PlatformStyle(
        posts_per_week=1.4,
        formats=((F.VIDEO, 0.92), (F.LIVE, 0.08)),
        followers=(3_000, 120_000),
        likes_per_follower=0.004,
        comments_per_like=0.12,
        shares_per_like=None,
        views="all",
    ),
    "douyin": PlatformStyle(
        posts_per_week=2.5,
        formats=((F.VIDEO, 1.0),),
        followers=(10_000, 150_000),
        likes_per_follower=0.008,
        comments_per_like=0.04,
        shares_per_like=0.15,
        views="none",
        hashtags=True,
    ),
    # A WhatsApp channel has emoji reactions (counted as likes here) and no comments.
    "whatsapp": PlatformStyle(
        posts_per_week=4.0,
        formats=((F.TEXT, 0.4), (F.IMAGE, 0.35), (F.LINK, 0.2), (F.VIDEO, 0.05)),
        followers=(10_000, 100_000),
        likes_per_follower=0.003,
        comments_per_like=None,
        shares_per_like=None,
        views="none",
    ),
}
OTHER_STYLE = PlatformStyle(
    posts_per_week=2.0,
    formats=((F.TEXT, 0.5), (F.IMAGE, 0.3), (F.LINK, 0.2)),
    followers=(2_000, 30_000),
    likes_per_follower=0.004,
    comments_per_like=0.03,
    shares_per_like=None,
    views="none",
)

#: Reaction mixes (like, love, haha, wow, sad, angry, care) by the mood a post sets.
MOODS: dict[str, tuple[float, ...]] = {
    "normal": (0.80, 0.10, 0.015, 0.03, 0.01, 0.01, 0.035),
    "alarm": (0.62, 0.03, 0.02, 0.16, 0.09, 0.05, 0.03),
    "scam": (0.66, 0.04, 0.05, 0.08, 0.07, 0.08, 0.02),
    "controversial": (0.40, 0.02, 0.26, 0.06, 0.04, 0.21, 0.01),
}


# --- What the posts say ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Template:
    """A post: Chinese and English text with ``{slots}``, and what kind of post it is."""

    zh: str
    en: str
    kind: str = "info"  # info, warning, rumour, controversial, scam, video


Pair = tuple[str, str]
PLACES: list[Pair] = [
    ("觀塘", "Kwun Tong"),
    ("沙田", "Sha Tin"),
    ("元朗", "Yuen Long"),
    ("灣仔", "Wan Chai"),
    ("深水埗", "Sham Shui Po"),
    ("屯門", "Tuen Mun"),
    ("大埔", "Tai Po"),
    ("將軍澳", "Tseung Kwan O"),
    ("東涌", "Tung Chung"),
    ("黃大仙", "Wong Tai Sin"),
    ("荃灣", "Tsuen Wan"),
    ("北角", "North Point"),
]

#: Slot values of each topic, in Chinese and English (``place`` and ``date`` are common to all).
FILLERS: dict[str, dict[str, list[Pair]]] = {
    "health": {
        "talk": [
            ("預防流感", "preventing influenza"),
            ("登革熱知多少", "all about dengue fever"),
            ("長者防跌", "preventing falls in older people"),
            ("食物中毒", "food poisoning"),
            ("心理健康", "mental wellness"),
            ("預防中暑", "preventing heat stroke"),
        ],
        "claim": [
            ("飲鹽水可以預防流感", "drinking salt water prevents influenza"),
            ("接種疫苗後不可以洗澡", "you must not shower after vaccination"),
            ("某區食水已受病毒污染", "tap water in one district is contaminated with a virus"),
        ],
        "disease": [
            ("手足口病", "hand, foot and mouth disease"),
            ("猩紅熱", "scarlet fever"),
            ("諾如病毒感染", "norovirus infection"),
        ],
    },
    "scam": {
        "brand": [
            ("銀行", "a bank"),
            ("速遞公司", "a courier company"),
            ("電訊公司", "a telecom company"),
            ("網購平台", "an online shopping platform"),
            ("政府部門", "a government department"),
        ],
        "lure": [
            ("你的包裹無法派遞", "your parcel cannot be delivered"),
            ("你的帳戶即將被凍結", "your account is about to be frozen"),
            ("你獲得現金回贈", "you have won a cash rebate"),
            ("你的積分即將到期", "your reward points are about to expire"),
        ],
        "kind": [
            ("網購騙案", "online shopping scams"),
            ("投資騙案", "investment scams"),
            ("求職騙案", "job scams"),
            ("網上情緣騙案", "romance scams"),
            ("釣魚短訊", "phishing SMS"),
        ],
        "claim": [
            ("警方會以短訊要求市民提供銀行密碼", "police ask people for bank passwords by SMS"),
            ("新版身份證需要網上重新登記", "new identity cards must be re-registered online"),
        ],
    },
    "weather": {
        "warning": [
            ("酷熱天氣警告", "The Very Hot Weather Warning"),
            ("黃色暴雨警告信號", "The Amber Rainstorm Warning Signal"),
            ("雷暴警告", "The Thunderstorm Warning"),
            ("三號強風信號", "Strong Wind Signal No. 3"),
            ("八號烈風或暴風信號", "Gale or Storm Signal No. 8"),
        ],
        "talk": [
            ("颱風路徑點樣預測", "how typhoon tracks are forecast"),
            ("認識雷暴", "understanding thunderstorms"),
            ("氣候變化與極端天氣", "climate change and extreme weather"),
            ("看雲識天氣", "reading the clouds"),
        ],
        "claim": [
            ("超強颱風下星期直吹香港", "a super typhoon will hit Hong Kong directly next week"),
            ("天文台將改用新的暴雨信號", "the Observatory will switch to new rainstorm signals"),
        ],
    },
    "food": {
        "food": [
            ("急凍蝦", "frozen prawns"),
            ("冷麵", "cold noodles"),
            ("生蠔", "raw oysters"),
            ("朱古力", "chocolate"),
            ("嬰兒米粉", "infant rice cereal"),
            ("沙律", "salad"),
        ],
        "problem": [
            ("含有過量防腐劑", "to contain too much preservative"),
            ("驗出沙門氏菌", "to contain Salmonella"),
            ("含有未標示的致敏物", "to contain an undeclared allergen"),
            ("重金屬超標", "to exceed the limit for heavy metals"),
        ],
        "claim": [
            ("紫菜是用塑膠袋造成的", "seaweed is made from plastic bags"),
            ("某品牌米含有塑膠米", "a brand of rice contains plastic rice"),
        ],
    },
    "post": {
        "stamp": [
            ("香港鳥類", "Birds of Hong Kong"),
            ("中國傳統節日", "Chinese Traditional Festivals"),
            ("香港郊野公園", "Country Parks of Hong Kong"),
            ("本地老店", "Old Shops of Hong Kong"),
        ],
        "service": [
            ("郵政局服務時間", "post office opening hours"),
            ("派遞服務", "mail delivery"),
            ("櫃位服務", "counter services"),
        ],
        "claim": [
            (
                "香港郵政會以短訊要求市民繳付包裹附加費",
                "Hongkong Post asks people by SMS to pay parcel surcharges",
            ),
        ],
    },
    "community": {
        "event": [
            ("社企市集", "social enterprise market"),
            ("社企體驗日", "social enterprise open day"),
            ("手作工作坊", "handicraft workshop"),
            ("親子導賞團", "family guided tour"),
        ],
        "claim": [("社企市集需要付費入場", "the social enterprise market charges admission")],
    },
    "service": {
        "service": [
            ("網上預約服務", "online booking service"),
            ("櫃位服務", "counter services"),
            ("熱線服務", "hotline service"),
        ],
        "claim": [("有關服務將全面收費", "the service will start charging everyone")],
    },
}

RUMOUR = Template(
    "【澄清】網上流傳「{claim}」的訊息，內容失實。我們從未發出有關訊息，"
    "請市民切勿轉發假消息，並以官方公布為準。",
    "Clarification: a message circulating online saying that {claim} is false. We never issued it. "
    "Please do not forward false information and rely on official announcements.",
    "rumour",
)
RUMOUR_SHORT = Template(
    "【假消息】「{claim}」屬失實訊息，請勿轉發！",
    "FALSE: claims that {claim} are untrue. Please do not forward them!",
    "rumour",
)

TEMPLATES: dict[str, list[Template]] = {
    "health": [
        Template(
            "【季節性流感疫苗】疫苗接種計劃將於{date}展開，合資格人士可到{place}的參與診所接種。"
            "長者、兒童及長期病患者屬高風險群組，請及早接種。",
            "Seasonal influenza vaccination starts on {date}. Eligible people can get vaccinated at "
            "participating clinics in {place}. Older people, children and people with chronic illnesses "
            "are at higher risk: get vaccinated early.",
        ),
        Template(
            "天氣酷熱，戶外工作或運動人士要預防中暑：多喝水、避免長時間在陽光下逗留、穿着淺色寬鬆衣服。"
            "如感到不適，應立即停止活動並求醫。",
            "Very hot weather: prevent heat stroke. Drink plenty of water, avoid long spells in the sun and "
            "wear loose, light-coloured clothes. Stop and seek medical help if you feel unwell.",
            "warning",
        ),
        Template(
            "衞生防護中心今日公布{n}宗本地登革熱個案，患者居於{place}。市民應清除積水，防止蚊子滋生，"
            "外出時穿着淺色長袖衣服並使用驅蚊劑。",
            "{n} local dengue fever case(s) were reported today; the patient lives in {place}. Remove "
            "stagnant water to stop mosquitoes breeding, and use insect repellent outdoors.",
            "warning",
        ),
        Template(
            "保持手部衞生：用梘液及清水洗手最少20秒，或以含70至80%酒精的搓手液潔手。",
            "Keep your hands clean: wash with liquid soap and water for at least 20 seconds, or use a "
            "70-80% alcohol-based handrub.",
        ),
        Template(
            "【健康講座】{talk}：醫生話你知", "Health talk: {talk}, what doctors want you to know", "video"
        ),
        Template(
            "學校及院舍近日出現{disease}個案，家長應留意子女的健康，如有病徵應留家休息並求醫。",
            "Cases of {disease} have been reported in schools and care homes. Parents should watch their "
            "children's health; a child with symptoms should stay home and see a doctor.",
            "warning",
        ),
    ],
    "scam": [
        Template(
            "【防騙提示】騙徒假冒{brand}發送短訊，聲稱{lure}，並附上可疑連結。切勿點擊不明連結或提供"
            "個人資料！如有懷疑，請致電「防騙易熱線」18222。",
            "Anti-scam tip: fraudsters pretend to be {brand} and send SMS saying {lure}, with a suspicious "
            "link. Never click unknown links or give out personal details! In doubt? Call the Anti-Scam "
            "Helpline 18222.",
            "scam",
        ),
        Template(
            "上星期共接獲{n}宗{kind}舉報，損失金額達{amount}萬元。交易前請先用「防騙視伏器」檢查對方帳戶。",
            "{n} reports of {kind} last week, with losses of HK${amount}. Check the other party with "
            "Scameter before you pay.",
            "scam",
        ),
        Template(
            "【守網者短片】{kind}點樣識破？一分鐘話你知！",
            "CyberDefender video: how to spot {kind} in one minute!",
            "video",
        ),
        Template(
            "你識唔識分辨釣魚網站？留言話我知你嘅答案！",
            "Can you spot a phishing website? Tell us in the comments!",
        ),
        Template(
            "提提你：真正嘅{brand}唔會透過短訊要求你登入帳戶或提供密碼。",
            "Reminder: a genuine message from {brand} never asks you to log in or give your password.",
            "scam",
        ),
    ],
    "weather": [
        Template(
            "【天氣警告】{warning}現正生效。市民應採取適當預防措施，留意天文台最新消息。",
            "{warning} is now in force. Take appropriate precautions and follow the Observatory's latest "
            "updates.",
            "warning",
        ),
        Template("【天文台講座】{talk}", "Observatory talk: {talk}", "video"),
        Template(
            "未來九天天氣預報：大致多雲，有幾陣驟雨，{place}一帶局部地區雨勢較大。",
            "Nine-day forecast: mainly cloudy with a few showers, heavier in places around {place}.",
        ),
        Template(
            "今日天文台錄得最高氣溫{temp}度，是今年至今最熱的一天。",
            "The Observatory recorded a maximum of {temp} degrees today, the hottest day of the year so far.",
            "warning",
        ),
    ],
    "food": [
        Template(
            "【食物警報】中心發現一款{food}樣本{problem}，已通知業界停售。市民如已購買，請停止食用。",
            "Food alert: a sample of {food} was found {problem}. The trade has been told to stop selling "
            "it. If you have bought it, do not eat it.",
            "warning",
        ),
        Template(
            "夏天食物容易變壞，熟食應在兩小時內放入雪櫃，翻熱時要徹底加熱。",
            "Food spoils quickly in summer: refrigerate cooked food within two hours and reheat it "
            "thoroughly.",
        ),
        Template(
            "中心上月檢測約{n}00個食物樣本，整體合格率為99.{digit}%。",
            "Of about {n}00 food samples tested last month, 99.{digit}% passed.",
        ),
        Template(
            "【短片】生熟食物要分開處理，避免交叉污染。",
            "Video: handle raw and cooked food separately to avoid cross-contamination.",
            "video",
        ),
    ],
    "post": [
        Template(
            "香港郵政將於{date}發行「{stamp}」特別郵票，歡迎集郵人士到各郵政局購買。",
            "Hongkong Post will issue special stamps, {stamp}, on {date}, on sale at all post offices.",
        ),
        Template(
            "因應天氣情況，{service}將作出調整，詳情請留意網站公布。",
            "Because of the weather, {service} will be adjusted. See our website for details.",
            "warning",
        ),
        Template(
            "由{date}起，本地及空郵郵費將作出調整。",
            "Local and airmail postage rates will be revised from {date}.",
            "controversial",
        ),
        Template(
            "【小心假冒短訊】香港郵政不會以短訊要求市民繳付包裹費用，切勿點擊可疑連結。",
            "Beware of fake SMS: Hongkong Post never asks you to pay parcel fees by SMS. Do not click "
            "suspicious links.",
            "scam",
        ),
    ],
    "community": [
        Template(
            "社企友建樹喺{date}會喺{place}舉辦{event}，歡迎大家嚟支持本地社企！",
            "Join our {event} in {place} on {date} and support local social enterprises!",
        ),
        Template(
            "有獎遊戲🎁 答啱問題就有機會獲得社企禮品一份！",
            "Giveaway 🎁 Answer the question for a chance to win a social enterprise gift!",
        ),
        Template(
            "認識社企：今次帶大家去{place}睇下社企點樣幫助有需要人士。",
            "Meet a social enterprise: this time we visit {place} to see how social enterprises help "
            "people in need.",
            "video",
        ),
    ],
    "service": [
        Template(
            "{service}將於{date}起優化，市民可透過網上平台辦理。",
            "Our {service} will be improved from {date}; you can use it online.",
        ),
        Template(
            "公眾假期期間，{service}將暫停。",
            "{service} will be suspended during the public holiday.",
            "warning",
        ),
    ],
}

#: The topic of an owner's posts (by organisation code); other owners post service news.
TOPICS = {
    "chp": "health",
    "hk-hkpf": "scam",
    "hk-hko": "weather",
    "cfs": "food",
    "hk-hkpo": "post",
    "hk-had": "community",
}
HASHTAGS = {
    "health": "#衞生防護中心 #CHP #健康",
    "scam": "#守網者 #CyberDefender #防騙",
    "weather": "#香港天文台 #HKO",
    "food": "#食物安全中心 #CFS",
    "post": "#香港郵政 #HongkongPost",
    "community": "#社企 #SocialEnterprise",
    "service": "#香港政府",
}


# --- What people say -------------------------------------------------------------------------------

CANTONESE = [
    "唔該晒提醒！",
    "好正呀👍",
    "咁樣先啱嘛",
    "佢哋真係好犀利",
    "冇諗過會咁嚴重😱",
    "唔好再信啲假消息啦",
    "又係騙案…大家小心啲",
    "呢個資訊好有用，share咗俾屋企人",
    "做得好！",
    "咁熱真係頂唔順🥵",
    "收到，多謝！",
    "我阿媽都收過呢啲短訊😂",
    "早啲講就好啦",
    "支持！💪",
    "都幾實用喎",
    "吓？真係㗎？",
    "屋企老人家要睇下",
    "小編辛苦晒🙏",
    "點解每次都係咁",
    "又嚟？",
    "之前都收過，即刻delete咗",
    "好似唔係幾方便😕",
    "冇問題👌",
    "佢哋講得好清楚",
    "唔好咁快信人呀",
    "好正，唔該！",
    "咁都得？😂",
    "政府嘅資訊好清楚👍",
    "呢啲騙案真係防不勝防嘅",
    "係咪真嘅？",
    "佢哋嘅片好有用",
]
WRITTEN = [
    "感謝提醒，已轉發給家人。",
    "希望政府加強宣傳。",
    "這個資訊非常實用。",
    "支持政府的工作。",
    "內容清晰易明，謝謝。",
    "希望能夠盡快改善。",
    "已經收到類似的短訊，幸好沒有點擊。",
    "建議提供更多語言版本。",
]
ENGLISH = [
    "Thanks for the reminder!",
    "Very useful, sharing with my parents.",
    "Great video 👍",
    "Stay safe everyone",
    "This is so helpful",
    "Finally some clear info",
    "My friend almost fell for this scam",
    "Good job team!",
    "Is this for real?",
    "Clear and simple, thank you",
]
MIXED = [
    "好useful呀 thanks!",
    "Thank you 小編 🙏",
    "share 咗俾 family group 👍",
    "呢個 tips 好實用",
    "OMG 真係好多scam",
    "好 helpful，唔該晒！",
    "Support! 加油💪",
    "today 真係好熱🥵",
    "so true 😂😂",
]
#: What people say while a rumour spreads: angry, mostly Cantonese.
ANGRY = [
    "搞乜鬼呀，咁都唔早啲講！😡",
    "政府又卸膊，真係激嬲😡",
    "太差喇，完全唔負責任",
    "好失望，點解咁遲先澄清？",
    "啲假消息傳咗成日，你哋而家先出嚟講？",
    "嬲到震😤",
    "搞到人心惶惶，真係離譜",
    "咁都要等成日先回應，冇用",
    "做嘢咁慢，真係廢",
    "到底信邊個好？好亂呀",
    "What a mess, this is unacceptable 😡",
    "Terrible communication, so disappointed",
    "浪費公帑，垃圾！",
    "完全唔可以接受",
]
QUESTIONS_ZH = [
    "幾時開放？",
    "請問喺邊度可以攞？",
    "幾時開始登記？",
    "點樣申請㗎？",
    "長者可唔可以免費打？",
    "有冇得網上預約？",
    "請問星期日開唔開？",
    "呢個連結係咪真㗎？",
    "請問何時開始接受申請？",
    "請問在哪裏可以查詢？",
    "請問費用是多少？",
]
QUESTIONS_EN = [
    "how do I apply?",
    "When does it open?",
    "Where can I get more information?",
    "Is this available on weekends?",
    "Is there an English version?",
    "How do I report a suspicious message?",
]
REPLIES_ZH = [
    "多謝你嘅查詢！詳情可瀏覽我哋嘅網站。",
    "你好，有關安排會稍後公布，多謝關注。",
    "多謝查詢。如有懷疑，請致電防騙易熱線18222。",
    "你好！服務時間為星期一至五上午9時至下午5時。",
    "謝謝你的意見，我們會轉交相關部門跟進。",
    "你好，可以透過網上平台申請，多謝！",
]
REPLIES_EN = [
    "Thanks for your question! Please visit our website for details.",
    "Hi, details will be announced soon. Thank you for your interest.",
    "Thank you, we have passed your comment to the team.",
    "Hi! You can apply online. Thank you.",
]
#: Comments with (fake) personal data; the first one of each account is always the canonical one.
PERSONAL_CANONICAL = "我個身份證係 A123456(3)，電話 9123 4567，可唔可以幫我查下？"
PERSONAL = [
    "我個電話係 {phone}，有冇職員可以打俾我？",
    "My HKID is {hkid}, am I eligible?",
    "請電郵 {email} 覆我，唔該",
    "身份證號碼{hkid}，登記咗但未收到確認",
    "Call me on {phone} please, thanks",
    "聯絡我 {email} / {phone}",
]
EMAIL_NAMES = ["chan.taiman", "wong.siuming", "amy.lee", "kelvin.cheung", "mandy_ho"]


# --- Generation -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SampleConfig:
    """What to generate: the seed, the last day, how many months back, and the local zone."""

    seed: int = DEFAULT_SEED
    end: dt.date = DEFAULT_END
    months: int = DEFAULT_MONTHS
    timezone: str = "Asia/Hong_Kong"

    @property
    def start(self) -> dt.date:
        """The first day: ``months`` calendar months before the day after ``end``."""
        first = self.end + dt.timedelta(days=1)
        month = first.month - self.months
        year = first.year + (month - 1) // 12
        month = (month - 1) % 12 + 1
        return dt.date(year, month, min(first.day, 28))

    @property
    def zone(self) -> ZoneInfo:
        """The zone the posts' local times are written in."""
        return ZoneInfo(self.timezone)

    @property
    def export_time(self) -> dt.datetime:
        """When the "export" was taken: the end of the last day, local time."""
        return dt.datetime.combine(self.end, dt.time(23, 59), tzinfo=self.zone)


@dataclass
class SampleData:
    """The rows of the three files."""

    posts: list[Row] = field(default_factory=list)
    comments: list[Row] = field(default_factory=list)
    followers: list[Row] = field(default_factory=list)


@dataclass
class _Ids:
    """Ids already used on each platform, so that no two generated ids collide."""

    used: set[tuple[str, str]] = field(default_factory=set)

    def new(self, platform: str, make: Callable[[], str]) -> str:
        while True:
            value = make()
            if (platform, value) not in self.used:
                self.used.add((platform, value))
                return value


def _digits(rng: random.Random, n: int) -> str:
    return str(rng.randint(1, 9)) + "".join(rng.choice(string.digits) for _ in range(n - 1))


def _token(rng: random.Random, n: int) -> str:
    alphabet = string.ascii_letters + string.digits + "-_"
    return "".join(rng.choice(alphabet) for _ in range(n))


def _poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth's method; the means here are small)."""
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _weighted(rng: random.Random, choices: Sequence[tuple[F, float]]) -> F:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def _account_rng(config: SampleConfig, account: SampleAccount) -> random.Random:
    # Not a secret, only a seed: a str seed is hashed with SHA-512 by ``random``, so the stream
    # does not depend on PYTHONHASHSEED or on the order of the accounts.
    return random.Random(f"{config.seed}:{account.platform}:{account.url}")  # noqa: S311


def _days(config: SampleConfig) -> list[dt.date]:
    count = (config.end - config.start).days + 1
    return [config.start + dt.timedelta(days=i) for i in range(count)]


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _count(value: float | None) -> str:
    return "" if value is None else str(max(0, int(value)))


@dataclass
class _Account:
    """Generation state of one account."""

    account: SampleAccount
    style: PlatformStyle
    rng: random.Random
    topic: str
    followers: dict[dt.date, int] = field(default_factory=dict)
    personal_done: bool = False


def _follower_series(state: _Account, days: list[dt.date]) -> None:
    """Daily follower counts: slow growth with noise, smaller for accounts under review."""
    rng, low_high = state.rng, state.style.followers
    count = math.exp(rng.uniform(math.log(low_high[0]), math.log(low_high[1])))
    if state.account.status == AccountStatus.UNDER_REVIEW.value:
        count /= 25
    growth = rng.uniform(0.0001, 0.0006)
    for day in days:
        count *= 1 + growth + rng.gauss(0, 0.00012)
        state.followers[day] = int(count)


def _post_time(rng: random.Random, day: dt.date, kind: str, zone: ZoneInfo) -> dt.datetime:
    if kind == "warning":
        hour = rng.randint(0, 23)
    else:
        hour = rng.choices(range(8, 22), weights=[2, 4, 6, 6, 5, 3, 3, 4, 4, 3, 4, 5, 4, 2])[0]
    return dt.datetime.combine(day, dt.time(hour, rng.randint(0, 59), rng.randint(0, 59)), tzinfo=zone)


def _date_texts(day: dt.date) -> Pair:
    return f"{day.year}年{day.month}月{day.day}日", f"{day.day} {day.strftime('%B')} {day.year}"


def _slots(rng: random.Random, topic: str, day: dt.date) -> tuple[dict[str, str], dict[str, str]]:
    """Values for a template's slots, in Chinese and in English."""
    zh, en = {}, {}
    for name, pairs in {**FILLERS[topic], "place": PLACES}.items():
        zh[name], en[name] = rng.choice(pairs)
    zh["date"], en["date"] = _date_texts(day + dt.timedelta(days=rng.randint(3, 21)))
    wan = rng.randint(30, 4800)  # 萬: ten thousand
    zh["amount"], en["amount"] = f"{wan:,}", f"{wan * 10_000:,}"
    shared = {"n": str(rng.randint(1, 48)), "temp": str(rng.randint(33, 36)), "digit": str(rng.randint(6, 9))}
    return {**zh, **shared}, {**en, **shared}


def _template(rng: random.Random, topic: str, post_format: F) -> Template:
    """What the post says: now and then a clarification; a video's own words only on a video."""
    if rng.random() < 0.045:
        return rng.choice([RUMOUR, RUMOUR_SHORT])
    videos = [c for c in TEMPLATES[topic] if c.kind == "video"]
    others = [c for c in TEMPLATES[topic] if c.kind != "video"]
    if post_format in (F.VIDEO, F.LIVE) and videos and rng.random() < 0.6:
        return rng.choice(videos)
    return rng.choice(others)


def _text(state: _Account, template: Template, day: dt.date) -> str:
    rng = state.rng
    zh_slots, en_slots = _slots(rng, state.topic, day)
    zh, en = template.zh.format(**zh_slots), template.en.format(**en_slots)
    language = rng.random()
    parts = [zh, en] if language < 0.6 else [zh] if language < 0.9 else [en]
    if template.kind == "warning" and state.account.platform == "whatsapp":
        parts[0] = "⚠️ " + parts[0]
    if state.style.hashtags or rng.random() < 0.3:
        parts.append(HASHTAGS[state.topic])
    return "\n\n".join(parts)


def _post_id_and_url(state: _Account, ids: _Ids, post_format: F, number: int) -> tuple[str, str]:
    account, rng = state.account, state.rng
    platform = account.platform
    if platform == "facebook":
        post = ids.new(platform, lambda: _digits(rng, 16))
        return post, f"https://www.facebook.com/{account.handle}/posts/{post}"
    if platform == "instagram":
        post = ids.new(platform, lambda: "179" + _digits(rng, 14))
        kind = "reel" if post_format == F.VIDEO else "p"
        return post, f"https://www.instagram.com/{kind}/{_token(rng, 11)}/"
    if platform == "youtube":
        post = ids.new(platform, lambda: _token(rng, 11))
        return post, f"https://www.youtube.com/watch?v={post}"
    if platform == "douyin":
        post = ids.new(platform, lambda: "74" + _digits(rng, 17))
        return post, f"https://www.douyin.com/video/{post}"
    post = ids.new(platform, lambda: f"{account.handle}-{number}")
    return post, f"{account.url.rstrip('/')}/{number}"


def _engagement(
    state: _Account, template: Template, followers: int, post_format: F
) -> dict[str, float | None]:
    """Heavy-tailed counts: log-normal around the account's usual level, and now and then viral."""
    rng, style = state.rng, state.style
    boost = {"warning": 1.6, "rumour": 1.8, "scam": 1.3, "controversial": 1.5}.get(template.kind, 1.0)
    likes = followers * style.likes_per_follower * rng.lognormvariate(0, 0.85) * boost
    if rng.random() < 0.03:
        likes *= rng.uniform(8, 40)  # viral
    viral_share = 2.5 if template.kind in ("rumour", "warning", "scam") else 1.0
    shares = (
        None
        if style.shares_per_like is None
        else likes * style.shares_per_like * rng.lognormvariate(0, 0.7) * viral_share
    )
    comments = (
        None
        if style.comments_per_like is None
        else likes * style.comments_per_like * rng.lognormvariate(0, 0.6)
    )
    is_video = post_format in (F.VIDEO, F.LIVE)
    views = (
        likes * rng.uniform(18, 70) if style.views == "all" or (style.views == "video" and is_video) else None
    )
    return {"likes": likes, "comments": comments, "shares": shares, "views": views}


def _reactions(rng: random.Random, total: float, template: Template) -> dict[str, int]:
    """Facebook's reaction mix: mostly likes; haha and angry on controversial posts."""
    mood = {"warning": "alarm", "rumour": "alarm", "scam": "scam", "controversial": "controversial"}
    weights = MOODS[mood.get(template.kind, "normal")]
    if template.kind == "info" and rng.random() < 0.05:
        weights = MOODS["controversial"]
    jittered = [w * rng.uniform(0.6, 1.4) for w in weights]
    scale = total / sum(jittered)
    return {name: int(w * scale) for name, w in zip(REACTIONS, jittered, strict=True)}


def _post_row(
    state: _Account, ids: _Ids, day: dt.date, number: int, config: SampleConfig
) -> tuple[Row, dt.datetime, int]:
    """One post, its creation time, and how many comments it has."""
    rng, style, account = state.rng, state.style, state.account
    post_format = _weighted(rng, style.formats)
    template = _template(rng, state.topic, post_format)
    created = _post_time(rng, day, template.kind, config.zone)
    followers = state.followers[day]
    counts = _engagement(state, template, followers, post_format)
    post_id, url = _post_id_and_url(state, ids, post_format, number)
    link = ""
    if post_format == F.LINK:
        link = f"{(account.website or 'https://www.gov.hk').rstrip('/')}/press/{day:%Y%m%d}-{number}.html"
    row = dict.fromkeys(POST_COLUMNS, "")
    row.update(
        platform=account.platform, account=account.url, post_id=post_id, created_at=_iso(created),
        format=post_format.value, text=_text(state, template, day), url=url, link=link,
        followers_at_posting=str(followers), likes=_count(counts["likes"]),
        comments=_count(counts["comments"]), shares=_count(counts["shares"]), views=_count(counts["views"]),
    )  # fmt: skip
    if style.reactions:
        reactions = _reactions(rng, counts["likes"] or 0, template)
        row.update({f"reactions_{k}": str(v) for k, v in reactions.items()})
        row["likes"] = str(reactions["like"])
    return row, created, int(counts["comments"] or 0)


def _hkid(rng: random.Random) -> str:
    letter, digits = rng.choice("ACDEGHKMPRVYZ"), _digits(rng, 6)
    return f"{letter}{digits}({hkid_check_digit(letter, digits)})"


def _personal(state: _Account) -> str:
    rng = state.rng
    if not state.personal_done:
        state.personal_done = True
        return PERSONAL_CANONICAL
    phone = f"{rng.choice('5679')}{_digits(rng, 3)} {_digits(rng, 4)}"
    email = f"{rng.choice(EMAIL_NAMES)}{rng.randint(1, 99)}@example.com"
    return rng.choice(PERSONAL).format(phone=phone, hkid=_hkid(rng), email=email)


def _comment_text(state: _Account) -> tuple[str, bool]:
    """A commenter's text and whether it asks a question."""
    rng = state.rng
    roll = rng.random()
    if roll < 0.012:
        return _personal(state), False
    if roll < 0.2:
        return rng.choice(QUESTIONS_ZH if rng.random() < 0.7 else QUESTIONS_EN), True
    bank = rng.choices([CANTONESE, WRITTEN, ENGLISH, MIXED], weights=[50, 15, 17, 18])[0]
    text = rng.choice(bank)
    if rng.random() < 0.15:
        text += rng.choice(["👍", "🙏", "😂", "😱", "❤️", "💪", "👏"])
    return text, False


def _commenter(rng: random.Random) -> str:
    # Heavy-tailed: a few people comment often, most once.
    return f"u{100000 + int(6000 * rng.random() ** 2.5)}"


def _comment_id(state: _Account, ids: _Ids, post_id: str) -> str:
    rng, platform = state.rng, state.account.platform
    if platform == "facebook":
        return ids.new(platform, lambda: f"{post_id}_{_digits(rng, 15)}")
    if platform == "youtube":
        return ids.new(platform, lambda: "Ugz" + _token(rng, 23))
    return ids.new(platform, lambda: "18" + _digits(rng, 15))


def _comment_row(state: _Account, post: Row, comment_id: str, parent: str, at: dt.datetime) -> Row:
    return {
        "platform": post["platform"], "account": post["account"], "post_id": post["post_id"],
        "comment_id": comment_id, "parent_id": parent, "created_at": _iso(at), "author_id": "",
        "is_page_reply": "false", "text": "", "likes": "",
    }  # fmt: skip


def _comments(
    state: _Account, ids: _Ids, post: Row, created: dt.datetime, wanted: int, config: SampleConfig
) -> list[Row]:
    """Comments of one post, with replies by other people and by the page."""
    rng = state.rng
    rows: list[Row] = []
    answer_rate = rng.uniform(0.25, 0.7)
    for _ in range(min(wanted, MAX_COMMENTS_PER_POST)):
        at = created + dt.timedelta(minutes=rng.lognormvariate(math.log(90), 1.3))
        text, question = _comment_text(state)
        parent = ""
        if rows and not question and rng.random() < 0.12:
            earlier = rng.choice(rows)
            parent = earlier["parent_id"] or earlier["comment_id"]
            at = max(
                at,
                dt.datetime.fromisoformat(earlier["created_at"]) + dt.timedelta(minutes=rng.randint(1, 600)),
            )
        row = _comment_row(state, post, _comment_id(state, ids, post["post_id"]), parent, at)
        row.update(author_id=_commenter(rng), text=text, likes=_count(rng.paretovariate(1.6) - 1))
        rows.append(row)
        if question and rng.random() < answer_rate:
            rows.append(_page_reply(state, ids, post, row, at))
    return [r for r in rows if dt.datetime.fromisoformat(r["created_at"]) <= config.export_time]


def _page_reply(state: _Account, ids: _Ids, post: Row, question: Row, asked: dt.datetime) -> Row:
    """The page answering a question minutes to days later, in the question's language."""
    rng = state.rng
    at = asked + dt.timedelta(minutes=rng.lognormvariate(math.log(240), 1.5))
    english = question["text"].isascii()
    reply = _comment_row(state, post, _comment_id(state, ids, post["post_id"]), question["comment_id"], at)
    reply.update(
        author_id=state.account.handle, is_page_reply="true",
        text=rng.choice(REPLIES_EN if english else REPLIES_ZH), likes=_count(rng.paretovariate(2.0) - 1),
    )  # fmt: skip
    return reply


def _account_activity(state: _Account, ids: _Ids, config: SampleConfig, data: SampleData) -> None:
    days = _days(config)
    _follower_series(state, days)
    for day in days:
        data.followers.append(
            {"platform": state.account.platform, "account": state.account.url, "date": day.isoformat(),
             "followers": str(state.followers[day])}
        )  # fmt: skip
    rate = state.style.posts_per_week * state.rng.uniform(0.6, 1.4)
    if state.account.status == AccountStatus.UNDER_REVIEW.value:
        rate *= 0.5
    number = 0
    for day in days:
        weekend = day.weekday() >= 5
        for _ in range(_poisson(state.rng, rate / 7 * (0.5 if weekend else 1.2))):
            number += 1
            post, created, wanted = _post_row(state, ids, day, number, config)
            data.posts.append(post)
            if state.style.comments_per_like is not None:
                comments = _comments(state, ids, post, created, wanted, config)
                data.comments.extend(comments)
                post["comments"] = str(max(wanted, len(comments)))


def generate(
    accounts: Sequence[SampleAccount],
    config: SampleConfig | None = None,
    progress: Callable[[SampleAccount], None] | None = None,
) -> SampleData:
    """Sample posts, comments and daily followers of ``accounts`` (deterministic for a config)."""
    config = config or SampleConfig()
    data, ids = SampleData(), _Ids()
    for account in accounts:
        state = _Account(
            account, STYLES.get(account.platform, OTHER_STYLE), _account_rng(config, account),
            TOPICS.get(account.org_code, "service"),
        )  # fmt: skip
        _account_activity(state, ids, config, data)
        if progress:
            progress(account)
    rumour_episode(accounts, config, ids, data)
    talk_of_the_week(config, data)
    data.posts.sort(key=lambda r: (r["created_at"], r["platform"], r["post_id"]))
    data.comments.sort(key=lambda r: (r["created_at"], r["platform"], r["comment_id"]))
    return data


# --- A rumour episode ------------------------------------------------------------------------------

#: How many accounts the rumour hits, how long before the end it starts, and how many comments an
#: account must usually get in a week to be chosen (enough for a baseline, few enough to stand out).
RUMOUR_ACCOUNTS = 2
RUMOUR_DAYS_BEFORE_END = 24
RUMOUR_WEEKLY_COMMENTS = (8, 80)
#: The share of the storm's comments that are angry; the rest are the usual mix.
RUMOUR_ANGRY_SHARE = 0.75


def rumour_episode(
    accounts: Sequence[SampleAccount], config: SampleConfig, ids: _Ids, data: SampleData
) -> None:
    """A rumour on a few accounts: a clarification post, then a storm of mostly angry comments.

    Chosen after every account's ordinary activity exists, from that activity, with a random
    stream of its own: the same accounts and rows for the same seed, whatever the order of
    ``accounts``, and no other account's data changes.
    """
    # The Tuesday of that week, so that the storm of comments stays within one ISO week.
    day = config.end - dt.timedelta(days=RUMOUR_DAYS_BEFORE_END)
    day += dt.timedelta(days=1 - day.weekday())
    start = dt.datetime.combine(day, dt.time(8), config.zone)
    if start.date() < config.start + dt.timedelta(weeks=6):
        return  # too little history for a baseline: no episode
    for account in _rumour_accounts(accounts, config, data):
        rng = random.Random(f"{config.seed}:rumour:{account.platform}:{account.url}")  # noqa: S311
        style = STYLES.get(account.platform, OTHER_STYLE)
        state = _Account(account, style, rng, TOPICS.get(account.org_code, "service"))
        _rumour_posts(state, ids, config, data, start)


def _rumour_accounts(
    accounts: Sequence[SampleAccount], config: SampleConfig, data: SampleData
) -> list[SampleAccount]:
    """Published accounts with comments whose median week has a moderate number of them."""
    weekly: dict[str, dict[str, int]] = {}
    for row in data.comments:
        if row["is_page_reply"] != "true":
            week = dt.datetime.fromisoformat(row["created_at"]).astimezone(config.zone).strftime("%G-W%V")
            counts = weekly.setdefault(row["account"], {})
            counts[week] = counts.get(week, 0) + 1
    low, high = RUMOUR_WEEKLY_COMMENTS
    chosen = [
        a
        for a in accounts
        if a.status == AccountStatus.PUBLISHED.value
        and STYLES.get(a.platform, OTHER_STYLE).comments_per_like is not None
        and len(weekly.get(a.url, {})) >= 8
        and low <= sorted(weekly[a.url].values())[len(weekly[a.url]) // 2] <= high
    ]
    return sorted(chosen, key=lambda a: (a.platform, a.url))[:RUMOUR_ACCOUNTS]


def _rumour_posts(
    state: _Account, ids: _Ids, config: SampleConfig, data: SampleData, start: dt.datetime
) -> None:
    """The clarification post and its storm of comments."""
    rng, account = state.rng, state.account
    claims = FILLERS.get(state.topic, {}).get("claim") or [
        ("有關服務將全面收費", "the service will start charging everyone")
    ]
    zh, en = rng.choice(claims)
    created = start + dt.timedelta(hours=rng.randint(5, 28), minutes=rng.randint(0, 59))
    day = created.date().isoformat()
    followers = next(
        (int(r["followers"]) for r in data.followers if r["account"] == account.url and r["date"] == day),
        10_000,
    )
    post_id, url = _post_id_and_url(state, ids, F.IMAGE, 900_000 + rng.randint(0, 99_999))
    storm = rng.randint(160, 220)
    likes = followers * state.style.likes_per_follower * rng.uniform(3, 5)
    shares = None if state.style.shares_per_like is None else likes * state.style.shares_per_like * 3
    row = dict.fromkeys(POST_COLUMNS, "")
    row.update(
        platform=account.platform, account=account.url, post_id=post_id, created_at=_iso(created),
        format=F.IMAGE.value, text=f"{RUMOUR.zh.format(claim=zh)}\n\n{RUMOUR.en.format(claim=en)}", url=url,
        followers_at_posting=str(followers), likes=_count(likes), comments=str(storm), shares=_count(shares),
    )  # fmt: skip
    if state.style.reactions:
        reactions = _reactions(rng, likes, RUMOUR)
        row.update({f"reactions_{k}": str(v) for k, v in reactions.items()})
        row["likes"] = str(reactions["like"])
    data.posts.append(row)
    for _ in range(storm):
        at = created + dt.timedelta(minutes=rng.lognormvariate(math.log(240), 1.0))
        text = rng.choice(ANGRY) if rng.random() < RUMOUR_ANGRY_SHARE else _comment_text(state)[0]
        comment = _comment_row(state, row, _comment_id(state, ids, post_id), "", at)
        comment.update(author_id=_commenter(rng), text=text, likes=_count(rng.paretovariate(1.6) - 1))
        if at <= config.export_time:
            data.comments.append(comment)


# --- What everyone talks about in the last week --------------------------------------------------

#: The share of the last week's ordinary comments that talk about the typhoon.
TALK_SHARE = 0.4
#: A typhoon approaching in the last week: what people write about on every page.
TYPHOON = [
    "打風仲要返工？幾時掛八號風球？",
    "颱風嚟緊，唔該早啲通知停課",
    "八號風球落咗未？要唔要返學？",
    "颱風過後啲塌樹幾時清理？",
    "風球下巴士停駛，點返屋企？",
    "呢個颱風好似好大，大家小心😱",
    "Typhoon signal 8 tomorrow? Please announce early",
    "Stay safe everyone, the typhoon looks strong",
    "颱風期間服務會唔會暫停？",
    "打風都要開工，真係辛苦晒前線",
]


def talk_of_the_week(config: SampleConfig, data: SampleData) -> None:
    """A typhoon in the last calendar week: some of every page's ordinary comments talk about it,
    so that the demo's topics have terms that rose against the week (and month) before.

    Only comments drawn from the ordinary banks change (never questions, personal data or the
    rumour's anger), with a random stream of its own: the rows and their times stay as they were.
    """
    rng = random.Random(f"{config.seed}:talk")  # noqa: S311
    ordinary = {*CANTONESE, *WRITTEN, *ENGLISH, *MIXED}
    since = config.end - dt.timedelta(days=config.end.weekday())  # the Monday of the last (ISO) week
    for row in data.comments:
        day = dt.datetime.fromisoformat(row["created_at"]).astimezone(config.zone).date()
        if day >= since and row["text"].rstrip("👍🙏😂😱❤️💪👏") in ordinary and rng.random() < TALK_SHARE:
            row["text"] = rng.choice(TYPHOON)


# --- Files ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WrittenFile:
    """A file ``write_sample`` wrote (or found already up to date)."""

    path: Path
    rows: int
    size: int
    changed: bool


def csv_text(columns: Sequence[str], rows: Sequence[Row]) -> str:
    """Rows as CSV text with a header, ``\\n`` line ends, fields quoted only when needed."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _write(path: Path, text: str, rows: int, stamp: dt.datetime | None) -> WrittenFile:
    """Write ``text`` unless the file already holds it, then date the file ``stamp``.

    The generic importer dates the counts in a file by the file's modification time, so dating
    the file at the export time makes the snapshots the same whenever the files are written.
    """
    data = text.encode("utf-8")
    changed = not path.exists() or path.read_bytes() != data
    if changed:
        path.write_bytes(data)
    if stamp is not None:
        os.utime(path, (stamp.timestamp(), stamp.timestamp()))
    return WrittenFile(path, rows, len(data), changed)


def write_sample(data: SampleData, out: Path, stamp: dt.datetime | None = None) -> list[WrittenFile]:
    """Write the three files into ``out`` (created if needed), in the order they are imported.

    ``stamp`` (the config's ``export_time``) becomes the files' modification time when given.
    """
    out.mkdir(parents=True, exist_ok=True)
    files = (
        (FOLLOWERS_FILE, FOLLOWER_COLUMNS, data.followers),
        (POSTS_FILE, POST_COLUMNS, data.posts),
        (COMMENTS_FILE, COMMENT_COLUMNS, data.comments),
    )
    return [_write(out / name, csv_text(columns, rows), len(rows), stamp) for name, columns, rows in files]
