"""The platform catalogue: which social media platforms exist and how their addresses look.

A platform is data, not code: its hosts, the URL rules that turn a path into an account
address, the canonical URL of each kind of address and the names people write for it. The
catalogue is stored in the ``platforms`` table and can be edited while the portal runs, so every
field here must survive ``model_dump()`` -> JSON -> ``Platform.model_validate()``.

Vocabulary:

- a *host* entry is a host name without the generic sub-domains in ``Platform.subdomains``
  (``facebook.com`` covers ``www.facebook.com`` and ``m.facebook.com``). An entry written
  ``*.tumblr.com`` accepts any one sub-domain label, and that label is put in front of the path
  before the rules run, so ``noaa.tumblr.com/post/1`` is matched as ``/noaa/post/1``;
- a *kind* is the namespace a value lives in: a Facebook ``handle`` (``cfs.hk``) and a Facebook
  ``id`` (``100064…``) are different namespaces, so the same text in each names different accounts;
- a *rule* is a regular expression over the normalised path (``/`` plus the non-empty segments,
  percent-decoded, no trailing slash; the root is ``/``). Rules are tried in order; the first
  that matches decides. A rule with ``reject`` names a known page that is not an account.

``govsocial.registry.addresses.PlatformCatalogue`` compiles these rules and parses addresses.
"""

from __future__ import annotations

import re
import string

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

_KEY_PATTERN = r"[a-z][a-z0-9_]*"
# A value that is neither a URL nor carries an "@" or whitespace: the default for platforms
# that have no handle kind of their own.
DEFAULT_HANDLE_PATTERN = r"[^\s/?#@]{1,100}"
_REST = r"(?:/.*)?"  # anything under an account's page (posts, tabs) still belongs to the account


def _check_regex(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"{pattern!r} is not a valid regular expression: {exc}") from exc
    return pattern


def normalise_host(host: str) -> str:
    """A host name as the catalogue compares it: lower case, ASCII (IDNA), no trailing dot.

    Raises ``UnicodeError`` for a name IDNA cannot encode (an empty or over-long label).
    """
    host = host.strip().rstrip(".").lower()
    if host.isascii():
        return host
    wildcard = host.startswith("*.")
    encoded = host.removeprefix("*.").encode("idna").decode("ascii")
    return f"*.{encoded}" if wildcard else encoded


class UrlRule(BaseModel):
    """One way a platform's URL path names an account (or names a page that is not one).

    - ``pattern``: a regex that must match the whole normalised path (case-insensitively, as
      platforms treat their fixed path words); the value is its ``(?P<value>...)`` group;
    - ``kind``: the namespace of the value (unused by a reject rule);
    - ``query_param``: take the value from this query parameter instead (``profile.php?id=``);
    - ``value_pattern``: a regex the value must match, else the rule does not apply;
    - ``reject``: the path is a known page that is not an account, and this says what it is;
    - ``host``: restricts the rule to one host entry of the platform. A host entry that has rules
      of its own uses only those; every other entry uses the rules without a ``host``, which keeps
      a short-link host (``v.douyin.com``) from being read with the main site's rules.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    pattern: str
    kind: str = ""
    query_param: str | None = None
    value_pattern: str | None = None
    reject: str | None = None
    host: str | None = None

    _check_pattern = field_validator("pattern")(_check_regex)

    @field_validator("value_pattern")
    @classmethod
    def _check_value_pattern(cls, value: str | None) -> str | None:
        return None if value is None else _check_regex(value)

    @field_validator("host")
    @classmethod
    def _normalise_rule_host(cls, value: str | None) -> str | None:
        return None if value is None else normalise_host(value)

    @model_validator(mode="after")
    def _check_source_of_value(self) -> UrlRule:
        if self.reject is not None:
            return self
        if not self.kind:
            raise ValueError(f"rule {self.pattern!r} needs a kind (or a reject message)")
        if self.query_param is None and "value" not in re.compile(self.pattern).groupindex:
            raise ValueError(f"rule {self.pattern!r} needs a (?P<value>...) group or a query_param")
        return self


class Platform(BaseModel):
    """A social media platform: names, hosts, URL rules and canonical URLs.

    - ``aliases``: other names people write (``X (Twitter)``, ``微博``), for ``resolve_name``;
    - ``hosts``: host entries (see the module docstring); ``subdomains``: the generic prefixes
      each accepts (``www``, ``m``, ...): any other sub-domain is not the platform;
    - ``rules``: tried in order on the normalised path;
    - ``canonical``: kind -> URL template with ``{value}``; a kind without one has no URL;
    - ``case_sensitive_kinds``: kinds whose values keep their case in the match key;
    - ``handle_pattern`` / ``value_patterns``: what a valid value of kind ``handle`` / of other
      kinds looks like (a kind with no pattern takes any text without ``/?#`` or controls);
    - ``bare_kinds``: the kinds a bare value (no URL) is tried as, in order;
    - ``ignored_chars``: kind -> characters the platform ignores in values, left out of the key;
    - ``url_kind``: for a platform whose accounts are web addresses on any host (an RSS/Atom
      feed), the kind a whole http(s) URL is read as when this platform is named; such a
      platform has no hosts, and the URL itself is the canonical URL;
    - ``icon``: file name under ``govsocial/web/static/icons/``; ``defunct``: the service closed.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str = Field(pattern=f"^{_KEY_PATTERN}$")
    name_en: str
    name_zh_hant: str
    name_zh_hans: str
    aliases: list[str] = Field(default_factory=list)
    hosts: list[str] = Field(default_factory=list)
    subdomains: list[str] = Field(default_factory=lambda: ["www", "m", "mobile"])
    rules: list[UrlRule] = Field(default_factory=list)
    canonical: dict[str, str] = Field(default_factory=dict)
    case_sensitive_kinds: list[str] = Field(default_factory=list)
    handle_pattern: str = DEFAULT_HANDLE_PATTERN
    value_patterns: dict[str, str] = Field(default_factory=dict)
    bare_kinds: list[str] = Field(default_factory=lambda: ["handle"], min_length=1)
    ignored_chars: dict[str, str] = Field(default_factory=dict)
    url_kind: str | None = None
    icon: str
    defunct: bool = False

    _check_handle_pattern = field_validator("handle_pattern")(_check_regex)

    @field_validator("hosts")
    @classmethod
    def _normalise_hosts(cls, hosts: list[str]) -> list[str]:
        return [normalise_host(host) for host in hosts]

    @field_validator("value_patterns")
    @classmethod
    def _check_value_patterns(cls, patterns: dict[str, str]) -> dict[str, str]:
        for pattern in patterns.values():
            _check_regex(pattern)
        return patterns

    @field_validator("canonical")
    @classmethod
    def _check_templates(cls, canonical: dict[str, str]) -> dict[str, str]:
        for kind, template in canonical.items():
            fields = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
            if fields != {"value"}:
                raise ValueError(f"canonical URL of kind {kind!r} must use exactly {{value}}: {template!r}")
        return canonical

    @model_validator(mode="after")
    def _check_rule_hosts(self) -> Platform:
        for rule in self.rules:
            if rule.host is not None and rule.host not in self.hosts:
                raise ValueError(f"rule {rule.pattern!r} names host {rule.host!r}, not a host of {self.key}")
        return self

    @model_validator(mode="after")
    def _check_url_kind(self) -> Platform:
        # A URL on one of the platform's own hosts is read by its rules; "any host" and "these
        # hosts" in one platform would make the same URL mean two things.
        if self.url_kind is not None and self.hosts:
            raise ValueError(f"platform {self.key!r} reads URLs on any host (url_kind), so it lists no hosts")
        return self

    def kinds(self) -> list[str]:
        """Every kind of address this platform has, sorted."""
        found = {rule.kind for rule in self.rules if rule.reject is None}
        found.update(self.canonical, self.bare_kinds, self.value_patterns)
        if self.url_kind is not None:
            found.add(self.url_kind)
        return sorted(found)


def _rule(pattern: str, kind: str, **extra: str) -> UrlRule:
    return UrlRule(pattern=pattern, kind=kind, **extra)


def _reject(pattern: str, reason: str, host: str | None = None) -> UrlRule:
    return UrlRule(pattern=pattern, reject=reason, host=host)


def _words(*words: str) -> str:
    """A path whose first segment is one of ``words`` (escaped), with anything under it."""
    return "/(?:" + "|".join(re.escape(word) for word in words) + ")" + _REST


# The platform catalogue below is laid out by hand, not by `ruff format`: its word lists and
# short fields are wrapped to the line length, where the formatter would put each on a line of
# its own (about 600 lines more, for data that reads as a table).
# fmt: off
# Top-level Facebook paths that are features of the site, not page usernames.
_FACEBOOK_SERVICE = _words(
    "login", "login.php", "logout.php", "recover", "checkpoint", "r.php", "reg", "signup",
    "home.php", "settings", "notifications", "messages", "friends", "bookmarks", "saved", "me",
    "help", "policies", "privacy", "terms", "legal", "policy.php", "about", "careers", "ads",
    "business", "gaming", "marketplace", "hashtag", "search", "places", "fundraisers", "latest",
    "feed", "feeds", "live", "memories", "find-friends", "directory", "public", "lite",
    "messenger", "confirmemail.php", "pages", "people", "pg", "p", "dialog",
)

FACEBOOK = Platform(
    key="facebook", name_en="Facebook", name_zh_hant="Facebook", name_zh_hans="Facebook",
    aliases=["fb", "臉書", "脸书", "Facebook Page", "Facebook 專頁", "Meta Facebook"],
    hosts=["facebook.com", "fb.com", "fb.me", "fb.watch"],
    subdomains=["www", "m", "mobile", "mbasic", "web", "touch", "business"],
    rules=[
        _reject(".*", "a Facebook video link, not an account", host="fb.watch"),
        _reject(_words("groups"), "a Facebook group, not an account"),
        _reject(_words("events"), "a Facebook event, not an account"),
        _reject(
            _words("watch", "reel", "reels", "videos", "video.php", "photo.php", "photo", "photos",
                   "story.php", "permalink.php", "posts", "media", "stories", "notes"),
            "a Facebook post, photo or video, not an account",
        ),
        _reject(_words("share", "sharer", "sharer.php", "plugins", "l.php", "flx"),
                "a Facebook share or redirect link, not an account"),
        _rule(r"/profile\.php", "id", query_param="id", value_pattern=r"\d+"),
        _reject(r"/profile\.php" + _REST, "a Facebook profile link without a numeric id"),
        _rule(r"/pages/(?:[^/]+/)?(?P<value>\d+)" + _REST, "id"),
        _rule(r"/people/[^/]+/(?P<value>\d+)" + _REST, "id"),
        _rule(r"/p/(?:[^/]*-)?(?P<value>\d{5,})" + _REST, "id"),
        _rule(r"/pg/(?P<value>[^/]+)" + _REST, "handle"),
        _reject(_FACEBOOK_SERVICE, "a Facebook service page, not an account"),
        _rule(r"/(?P<value>\d+)" + _REST, "id"),
        # Old vanity URLs: the page name, a hyphen, then the numeric page id.
        _rule(r"/[^/]*-(?P<value>\d{5,})" + _REST, "id"),
        _rule(r"/(?P<value>[^/]+)" + _REST, "handle"),
    ],
    canonical={
        "handle": "https://www.facebook.com/{value}",
        "id": "https://www.facebook.com/profile.php?id={value}",
    },
    handle_pattern=r"[A-Za-z0-9.]{1,50}",
    value_patterns={"id": r"\d{1,25}"},
    bare_kinds=["handle", "id"],
    # Facebook's username rules: "periods (.) and capital letters don't count", so john.smith55
    # and johnsmith55 are one username, and a look-alike cannot register the dotless spelling.
    ignored_chars={"handle": "."},
    icon="facebook.svg",
)

INSTAGRAM = Platform(
    key="instagram", name_en="Instagram", name_zh_hant="Instagram", name_zh_hans="Instagram",
    aliases=["IG", "Insta"],
    hosts=["instagram.com", "instagr.am"],
    rules=[
        _reject(_words("p", "reel", "reels", "tv"), "an Instagram post or reel, not an account"),
        _reject(r"/stories/highlights" + _REST, "an Instagram story highlight, not an account"),
        _rule(r"/stories/(?P<value>[^/]+)" + _REST, "handle"),
        _reject(
            _words("stories", "explore", "accounts", "direct", "about", "developer", "legal", "web",
                   "challenge", "emails", "session", "oauth", "api", "graphql", "static", "privacy",
                   "terms", "press", "directory", "lite", "create"),
            "an Instagram service page, not an account",
        ),
        _rule(r"/@?(?P<value>[^/]+)" + _REST, "handle"),
    ],
    canonical={"handle": "https://www.instagram.com/{value}/"},
    handle_pattern=r"[A-Za-z0-9._]{1,30}",
    value_patterns={"id": r"\d{1,25}"},
    icon="instagram.svg",
)

YOUTUBE = Platform(
    key="youtube", name_en="YouTube", name_zh_hant="YouTube", name_zh_hans="YouTube",
    aliases=["Youtube", "YT", "YouTube Channel", "油管"],
    hosts=["youtube.com", "youtu.be"],
    rules=[
        _reject(".*", "a YouTube video link, not a channel", host="youtu.be"),
        _rule(r"/@(?P<value>[^/]+)" + _REST, "handle"),
        _rule(r"/channel/(?P<value>UC[A-Za-z0-9_-]{22})" + _REST, "id"),
        _reject(r"/channel" + _REST,
                "not a YouTube channel id (a channel id has 24 characters and starts with UC)"),
        _rule(r"/c/(?P<value>[\w.-]+)" + _REST, "custom"),
        _rule(r"/user/(?P<value>[\w.-]+)" + _REST, "user"),
        _reject(_words("watch", "shorts", "live", "embed", "v", "e", "clip", "attribution_link"),
                "a YouTube video, not a channel"),
        _reject(
            _words("playlist", "results", "feed", "hashtag", "source", "post", "redirect", "account",
                   "premium", "gaming", "kids", "signin", "logout", "upload", "t", "s", "yt", "about",
                   "creators", "ads", "howyoutubeworks", "trends", "new", "supported_browsers",
                   "music", "movies", "sports", "news", "learning", "podcasts", "channel_switcher",
                   "paid_memberships", "reporthistory", "select_site", "verify", "youtubei",
                   "oops", "error", "c", "user", "index"),
            "a YouTube service page, not a channel",
        ),
        # Legacy custom URL without /c/: the same namespace as /c/{name}.
        _rule(r"/(?P<value>[\w.-]+)" + _REST, "custom"),
    ],
    canonical={
        "handle": "https://www.youtube.com/@{value}",
        "id": "https://www.youtube.com/channel/{value}",
        "custom": "https://www.youtube.com/c/{value}",
        "user": "https://www.youtube.com/user/{value}",
    },
    case_sensitive_kinds=["id"],
    handle_pattern=r"[\w.-]{3,30}",
    bare_kinds=["id", "handle"],
    icon="youtube.svg",
)

X = Platform(
    key="x", name_en="X", name_zh_hant="X", name_zh_hans="X",
    aliases=["X (Twitter)", "Twitter", "X/Twitter", "Twitter/X", "推特", "X（前稱Twitter）"],
    hosts=["x.com", "twitter.com"],
    rules=[
        _rule(r"/intent/(?:user|follow)", "handle", query_param="screen_name"),
        _rule(r"/intent/(?:user|follow)", "id", query_param="user_id", value_pattern=r"\d+"),
        _rule(r"/i/user/(?P<value>\d+)" + _REST, "id"),
        _reject(
            _words("i", "intent", "share", "home", "search", "explore", "settings", "login", "logout",
                   "signup", "notifications", "messages", "hashtag", "compose", "tos", "privacy",
                   "account", "download", "jobs", "who_to_follow", "search-advanced", "oauth",
                   "lists", "bookmarks", "communities", "premium", "verified", "about", "help",
                   "rules", "personalization", "session", "sessions", "welcome", "statuses"),
            "an X service page, not an account",
        ),
        _rule(r"/@?(?P<value>[^/]+)" + _REST, "handle"),
    ],
    canonical={"handle": "https://x.com/{value}", "id": "https://x.com/i/user/{value}"},
    handle_pattern=r"[A-Za-z0-9_]{1,15}",
    value_patterns={"id": r"\d{1,25}"},
    icon="x.svg",
)

THREADS = Platform(
    key="threads", name_en="Threads", name_zh_hant="Threads", name_zh_hans="Threads",
    aliases=["Threads by Instagram"],
    hosts=["threads.net", "threads.com"],
    rules=[_rule(r"/@(?P<value>[^/]+)" + _REST, "handle")],
    canonical={"handle": "https://www.threads.com/@{value}"},
    handle_pattern=r"[A-Za-z0-9._]{1,30}",
    value_patterns={"id": r"\d{1,25}"},
    icon="threads.svg",
)

BLUESKY = Platform(
    key="bluesky", name_en="Bluesky", name_zh_hant="Bluesky", name_zh_hans="Bluesky",
    aliases=["bsky", "Blue Sky"],
    hosts=["bsky.app"],
    rules=[
        _rule(r"/profile/(?P<value>did:[a-z0-9]+:[A-Za-z0-9._:%-]+)" + _REST, "did"),
        _rule(r"/profile/(?P<value>[^/]+)" + _REST, "handle"),
    ],
    canonical={"handle": "https://bsky.app/profile/{value}", "did": "https://bsky.app/profile/{value}"},
    case_sensitive_kinds=["did"],
    # A Bluesky handle is a domain name.
    handle_pattern=r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?",
    bare_kinds=["did", "handle"],
    icon="bluesky.svg",
)

TIKTOK = Platform(
    key="tiktok", name_en="TikTok", name_zh_hant="TikTok", name_zh_hans="TikTok",
    aliases=["Tik Tok"],
    hosts=["tiktok.com", "vm.tiktok.com", "vt.tiktok.com"],
    rules=[
        _rule(r"/(?P<value>[A-Za-z0-9]+)", "short", host="vm.tiktok.com"),
        _rule(r"/(?P<value>[A-Za-z0-9]+)", "short", host="vt.tiktok.com"),
        _rule(r"/@(?P<value>[^/]+)" + _REST, "handle"),
    ],
    canonical={"handle": "https://www.tiktok.com/@{value}", "short": "https://vm.tiktok.com/{value}/"},
    case_sensitive_kinds=["short"],
    handle_pattern=r"[A-Za-z0-9._]{2,24}",
    value_patterns={"id": r"\d{1,25}"},
    icon="tiktok.svg",
)

TELEGRAM = Platform(
    key="telegram", name_en="Telegram", name_zh_hant="Telegram", name_zh_hans="Telegram",
    aliases=["Telegram Channel", "TG", "電報", "电报"],
    hosts=["t.me", "telegram.me", "telegram.dog"],
    subdomains=["www"],
    rules=[
        _reject(r"/(?:joinchat" + _REST + r"|\+.*)", "a private Telegram invite link, not a public channel"),
        _rule(r"/s/(?P<value>[^/]+)" + _REST, "handle"),
        _reject(
            _words("share", "addstickers", "addemoji", "addtheme", "setlanguage", "proxy", "socks",
                   "login", "iv", "c", "confirmphone", "bg", "invoice", "addlist", "boost", "contact",
                   "giftcode", "nft", "s"),
            "a Telegram service link, not a channel",
        ),
        _rule(r"/@?(?P<value>[^/]+)" + _REST, "handle"),
    ],
    canonical={"handle": "https://t.me/{value}"},
    handle_pattern=r"[A-Za-z][A-Za-z0-9_]{3,31}",
    value_patterns={"id": r"-?\d{1,25}"},
    icon="telegram.svg",
)

WHATSAPP = Platform(
    key="whatsapp", name_en="WhatsApp", name_zh_hant="WhatsApp", name_zh_hans="WhatsApp",
    aliases=["WhatsApp Channel", "WhatsApp Channels", "WhatsApp 頻道", "WhatsApp 频道", "wa.me"],
    hosts=["whatsapp.com", "wa.me", "chat.whatsapp.com"],
    subdomains=["www", "api"],
    rules=[
        _rule(r"/\+?(?P<value>\d{6,15})" + _REST, "phone", host="wa.me"),
        _reject(".*", "a WhatsApp group invite, not an account", host="chat.whatsapp.com"),
        _rule(r"/channel/(?P<value>[A-Za-z0-9]{16,40})" + _REST, "channel"),
        _rule(r"/send", "phone", query_param="phone", value_pattern=r"\+?\d{6,15}"),
    ],
    canonical={"channel": "https://whatsapp.com/channel/{value}", "phone": "https://wa.me/{value}"},
    case_sensitive_kinds=["channel"],
    value_patterns={"phone": r"\+?\d{6,15}"},
    bare_kinds=["channel", "phone"],
    icon="whatsapp.svg",
)

WEIBO = Platform(
    key="weibo", name_en="Weibo", name_zh_hant="微博", name_zh_hans="微博",
    aliases=["Sina Weibo", "新浪微博", "Weibo (微博)"],
    hosts=["weibo.com", "weibo.cn"],
    rules=[
        _rule(r"/(?:u|profile)/(?P<value>\d+)" + _REST, "id"),
        _rule(r"/n/(?P<value>[^/]+)" + _REST, "handle"),
        _reject(
            _words("p", "status", "detail", "search", "login", "signup", "ajax", "tv", "hot", "newlogin",
                   "set", "home", "messages", "at", "comment", "fav", "like", "sorry", "a", "u", "n",
                   "profile", "signin", "reg", "logout", "unfreeze", "overseas", "sso", "hotweibo",
                   "mygroups", "friends", "follow", "fans", "lottery", "wbtools", "topic"),
            "a Weibo post or service page, not an account",
        ),
        _rule(r"/(?P<value>\d{5,})" + _REST, "id"),
        # A personal domain (weibo.com/hkcsb): its own namespace, not the screen name in /n/.
        _rule(r"/(?P<value>[A-Za-z0-9_]{4,32})" + _REST, "custom"),
    ],
    canonical={
        "id": "https://weibo.com/u/{value}",
        "handle": "https://weibo.com/n/{value}",
        "custom": "https://weibo.com/{value}",
    },
    # The screen name: Chinese characters, letters, digits, "_" and "-".
    handle_pattern=r"[\w-]{1,30}",
    value_patterns={"id": r"\d{1,20}"},
    icon="weibo.svg",
)

DOUYIN = Platform(
    key="douyin", name_en="Douyin", name_zh_hant="抖音", name_zh_hans="抖音",
    aliases=["Douyin (抖音)", "TikTok China"],
    hosts=["douyin.com", "v.douyin.com"],
    rules=[
        _rule(r"/(?P<value>[A-Za-z0-9_-]+)", "short", host="v.douyin.com"),
        _reject(r"/user/self" + _REST, "your own Douyin profile page, not an account's address"),
        _rule(r"/user/(?P<value>[A-Za-z0-9_-]+)" + _REST, "id"),
        _reject(_words("video", "note", "search", "discover", "hot", "live", "follow", "friend", "jingxuan"),
                "a Douyin video or service page, not an account"),
    ],
    # "handle" is the 抖音号 (Douyin ID) people quote; Douyin has no URL for it.
    canonical={"id": "https://www.douyin.com/user/{value}", "short": "https://v.douyin.com/{value}/"},
    case_sensitive_kinds=["id", "short"],
    handle_pattern=r"[A-Za-z0-9._]{2,30}",
    icon="douyin.svg",
)

XIAOHONGSHU = Platform(
    key="xiaohongshu", name_en="Xiaohongshu", name_zh_hant="小紅書", name_zh_hans="小红书",
    aliases=["RedNote", "Red Note", "Little Red Book", "XHS", "小紅書 (RedNote)"],
    hosts=["xiaohongshu.com", "xhslink.com"],
    rules=[
        _rule(r"/(?P<value>[A-Za-z0-9]+)", "short", host="xhslink.com"),
        _rule(r"/user/profile/(?P<value>[0-9a-f]{24})" + _REST, "id"),
        _reject(_words("explore", "discovery", "search_result", "notification", "login"),
                "a Xiaohongshu note or service page, not an account"),
    ],
    # "handle" is the 小紅書號 people quote; Xiaohongshu has no URL for it.
    canonical={
        "id": "https://www.xiaohongshu.com/user/profile/{value}",
        "short": "https://xhslink.com/{value}",
    },
    case_sensitive_kinds=["short"],
    handle_pattern=r"[A-Za-z0-9._]{1,30}",
    icon="xiaohongshu.svg",
)

# LinkedIn's page namespaces stay apart: /company/x and /showcase/x can be different pages.
LINKEDIN = Platform(
    key="linkedin", name_en="LinkedIn", name_zh_hant="LinkedIn", name_zh_hans="领英",
    aliases=["Linkedin", "領英", "LinkedIn Page"],
    hosts=["linkedin.com"],
    subdomains=["www", "m", "mobile", "hk", "uk", "ca", "au", "in", "sg", "cn", "tw", "jp", "fr",
                "de", "nl", "es", "it", "br", "mx", "ie", "nz", "za", "ph", "my"],
    rules=[
        _rule(r"/company/(?P<value>[\w.~-]+)" + _REST, "company"),
        _rule(r"/school/(?P<value>[\w.~-]+)" + _REST, "school"),
        _rule(r"/showcase/(?P<value>[\w.~-]+)" + _REST, "showcase"),
        _rule(r"/in/(?P<value>[\w.~-]+)" + _REST, "person"),
        _reject(_words("groups"), "a LinkedIn group, not an account"),
        _reject(_words("feed", "jobs", "posts", "pulse", "events", "learning", "login", "signup", "search",
                       "help", "legal", "mynetwork", "messaging", "notifications", "pub", "news",
                       "newsletters", "sales", "talent"),
                "a LinkedIn post or service page, not an account"),
    ],
    canonical={
        "company": "https://www.linkedin.com/company/{value}/",
        "school": "https://www.linkedin.com/school/{value}/",
        "showcase": "https://www.linkedin.com/showcase/{value}/",
        "person": "https://www.linkedin.com/in/{value}/",
    },
    bare_kinds=["company"],
    icon="linkedin.svg",
)

FLICKR = Platform(
    key="flickr", name_en="Flickr", name_zh_hant="Flickr", name_zh_hans="Flickr",
    hosts=["flickr.com"],
    rules=[
        _rule(r"/(?:photos|people)/(?P<value>\d+@N\d+)" + _REST, "id"),
        _reject(r"/photos/(?:tags|search|friends|upload|organize)" + _REST,
                "a Flickr tag or search page, not an account"),
        _rule(r"/(?:photos|people)/(?P<value>[^/]+)" + _REST, "handle"),
        _reject(_words("groups", "search", "explore", "places", "map", "camera", "commons", "galleries"),
                "a Flickr group or service page, not an account"),
    ],
    canonical={"handle": "https://www.flickr.com/photos/{value}/", "id": "https://www.flickr.com/photos/{value}/"},
    handle_pattern=r"[A-Za-z0-9_-]{1,50}",
    bare_kinds=["id", "handle"],
    icon="flickr.svg",
)

GITHUB = Platform(
    key="github", name_en="GitHub", name_zh_hant="GitHub", name_zh_hans="GitHub",
    aliases=["Github"],
    hosts=["github.com"],
    subdomains=["www"],
    rules=[
        _rule(r"/orgs/(?P<value>[^/]+)" + _REST, "handle"),
        _reject(
            _words("login", "join", "signup", "settings", "marketplace", "explore", "topics", "trending",
                   "features", "pricing", "about", "search", "notifications", "pulls", "issues",
                   "collections", "events", "security", "enterprise", "team", "customer-stories",
                   "readme", "apps", "site", "contact", "new", "organizations", "codespaces", "sponsors",
                   "dashboard", "logout", "session", "password_reset", "account", "orgs", "users",
                   "stars", "watching", "discussions", "resources", "solutions", "mobile"),
            "a GitHub service page, not an account",
        ),
        _rule(r"/(?P<value>[^/]+)" + _REST, "handle"),
    ],
    canonical={"handle": "https://github.com/{value}"},
    handle_pattern=r"[A-Za-z0-9][A-Za-z0-9-]{0,38}",
    value_patterns={"id": r"\d{1,20}"},
    icon="github.svg",
)

PINTEREST = Platform(
    key="pinterest", name_en="Pinterest", name_zh_hant="Pinterest", name_zh_hans="Pinterest",
    hosts=["pinterest.com", "pinterest.co.uk", "pinterest.ca", "pinterest.com.au", "pinterest.fr",
           "pinterest.de", "pinterest.jp", "pinterest.es", "pinterest.it", "pinterest.com.mx",
           "pinterest.nz", "pinterest.ie", "pinterest.ch", "pinterest.at", "pinterest.pt"],
    subdomains=["www", "m", "hk", "uk", "au", "ca", "in", "tw", "jp", "fr", "de", "es", "it", "br",
                "nl", "pl", "se", "id", "za", "nz", "ie", "at", "ch", "pt", "mx", "ar", "cl", "co",
                "kr", "ph", "sg", "my"],
    rules=[
        _reject(_words("pin"), "a Pinterest pin, not an account"),
        _reject(_words("search", "ideas", "today", "categories", "business", "settings", "login",
                       "signup", "_", "explore", "topics", "videos", "about", "news_hub", "resource",
                       "shopping", "password", "oauth", "discover"),
                "a Pinterest service page, not an account"),
        _rule(r"/(?P<value>[^/]+)" + _REST, "handle"),
    ],
    canonical={"handle": "https://www.pinterest.com/{value}/"},
    handle_pattern=r"[A-Za-z0-9_]{3,30}",
    icon="pinterest.svg",
)

MEDIUM = Platform(
    key="medium", name_en="Medium", name_zh_hant="Medium", name_zh_hans="Medium",
    hosts=["medium.com", "*.medium.com"],
    subdomains=["www"],
    rules=[
        _reject(_words("help", "policy", "blog", "api", "cdn", "miro", "download", "status", "m"),
                "a Medium service host, not an account", host="*.medium.com"),
        _rule(r"/(?P<value>[^/]+)" + _REST, "handle", host="*.medium.com"),
        _rule(r"/@(?P<value>[^/]+)" + _REST, "handle"),
        _reject(_words("m", "tag", "tags", "search", "me", "plans", "membership", "about", "creators",
                       "policy", "jobs-at-medium", "topics", "p", "new-story", "signin", "login", "_",
                       "hc", "browse", "verified-authors", "partner-program", "business"),
                "a Medium post or service page, not an account"),
        # medium.com/{name} is a publication: a namespace apart from users' @names.
        _rule(r"/(?P<value>[\w-]+)" + _REST, "publication"),
    ],
    canonical={"handle": "https://medium.com/@{value}", "publication": "https://medium.com/{value}"},
    handle_pattern=r"[A-Za-z0-9._-]{1,50}",
    icon="medium.svg",
)

TUMBLR = Platform(
    key="tumblr", name_en="Tumblr", name_zh_hant="Tumblr", name_zh_hans="Tumblr",
    hosts=["tumblr.com", "*.tumblr.com"],
    rules=[
        _reject(_words("api", "assets", "static", "media", "embed", "platform", "secure", "help",
                       "support", "at", "64"),
                "a Tumblr service host, not a blog", host="*.tumblr.com"),
        _rule(r"/(?P<value>[^/]+)" + _REST, "handle", host="*.tumblr.com"),
        _rule(r"/blog/(?:view/)?(?P<value>[^/]+)" + _REST, "handle"),
        _reject(_words("dashboard", "explore", "search", "tagged", "login", "register", "settings",
                       "likes", "following", "inbox", "new", "docs", "help", "policy", "about", "privacy",
                       "apps", "communities", "blog", "tags", "logout", "reblog", "post", "jobs",
                       "developers", "oauth", "support", "abuse"),
                "a Tumblr service page, not a blog"),
        _rule(r"/(?P<value>[^/]+)" + _REST, "handle"),
    ],
    canonical={"handle": "https://www.tumblr.com/{value}"},
    # A blog name is also a host name label (name.tumblr.com).
    handle_pattern=r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?",
    icon="tumblr.svg",
)

VIMEO = Platform(
    key="vimeo", name_en="Vimeo", name_zh_hant="Vimeo", name_zh_hans="Vimeo",
    hosts=["vimeo.com"],
    subdomains=["www"],
    rules=[
        _rule(r"/channels/(?P<value>[\w-]+)" + _REST, "channel"),
        _reject(r"/\d+" + _REST, "a Vimeo video, not an account"),
        _reject(_words("groups", "ondemand", "showcase", "album", "categories", "search", "watch", "blog",
                       "features", "upload", "log_in", "join", "help", "about", "jobs", "manage",
                       "settings", "live", "create", "enterprise", "stock", "video", "event", "user",
                       "channels", "home", "solutions", "pricing", "integrations", "partners", "ott",
                       "api"),
                "a Vimeo video or service page, not an account"),
        _rule(r"/(?P<value>[^/]+)" + _REST, "handle"),
    ],
    canonical={"handle": "https://vimeo.com/{value}", "channel": "https://vimeo.com/channels/{value}"},
    handle_pattern=r"[A-Za-z0-9_]{2,50}",
    icon="vimeo.svg",
)

WECHAT = Platform(
    key="wechat", name_en="WeChat", name_zh_hant="微信", name_zh_hans="微信",
    aliases=["Weixin", "微信公眾號", "微信公众号", "WeChat Official Account", "微信官方帳號", "微信官方帐号"],
    hosts=["mp.weixin.qq.com", "weixin.qq.com"],
    subdomains=["www"],
    rules=[
        _reject(".*", "a WeChat web page; a WeChat account has no public address, so give its "
                      "WeChat ID (or name) with the platform 'wechat'"),
    ],
    # The WeChat ID (HKSARCSD, gh_…) or, as press releases give it, the account name (香港警察).
    handle_pattern=r"[\w.-]{1,40}",
    icon="wechat.svg",
)

LINE = Platform(
    key="line", name_en="LINE", name_zh_hant="LINE", name_zh_hans="LINE",
    aliases=["Line", "LINE Official Account", "連我"],
    hosts=["line.me", "page.line.me", "lin.ee"],
    rules=[
        _rule(r"/@?(?P<value>[^/]+)" + _REST, "handle", host="page.line.me"),
        _rule(r"/(?P<value>[A-Za-z0-9]+)" + _REST, "short", host="lin.ee"),
        _rule(r"(?:/r)?/ti/p/@(?P<value>[^/]+)" + _REST, "handle"),
    ],
    canonical={"handle": "https://line.me/R/ti/p/@{value}", "short": "https://lin.ee/{value}"},
    case_sensitive_kinds=["short"],
    handle_pattern=r"[A-Za-z0-9._-]{2,20}",
    icon="line.svg",
)

SNAPCHAT = Platform(
    key="snapchat", name_en="Snapchat", name_zh_hant="Snapchat", name_zh_hans="Snapchat",
    hosts=["snapchat.com"],
    subdomains=["www"],
    rules=[
        _rule(r"/add/(?P<value>[^/]+)" + _REST, "handle"),
        _rule(r"/@(?P<value>[^/]+)" + _REST, "handle"),
    ],
    canonical={"handle": "https://www.snapchat.com/add/{value}"},
    handle_pattern=r"[A-Za-z][A-Za-z0-9._-]{2,14}",
    icon="snapchat.svg",
)

# Google+ closed in 2019 and Storify in 2018; they stay so that older registries still import.
_GOOGLE_PLUS_ACTOR = r"(?:/u/\d+)?(?:/b/\d+)?"  # who was signed in, not whose page it is

GOOGLE_PLUS = Platform(
    key="google_plus", name_en="Google+", name_zh_hant="Google+", name_zh_hans="Google+",
    aliases=["Google Plus", "G+", "GooglePlus"],
    hosts=["plus.google.com"],
    subdomains=[],
    rules=[
        _rule(_GOOGLE_PLUS_ACTOR + r"/\+(?P<value>[^/]+)" + _REST, "handle"),
        _rule(_GOOGLE_PLUS_ACTOR + r"/(?P<value>\d{21})" + _REST, "id"),
        _reject(_GOOGLE_PLUS_ACTOR + _words("communities", "collection", "events", "photos", "explore",
                                            "discover", "apps", "settings", "notifications", "stream", "s"),
                "a Google+ community or service page, not an account"),
    ],
    canonical={"handle": "https://plus.google.com/+{value}", "id": "https://plus.google.com/{value}"},
    handle_pattern=r"[\w.-]{1,100}",
    value_patterns={"id": r"\d{21}"},
    bare_kinds=["id", "handle"],
    icon="google_plus.svg",
    defunct=True,
)

STORIFY = Platform(
    key="storify", name_en="Storify", name_zh_hant="Storify", name_zh_hans="Storify",
    hosts=["storify.com"],
    subdomains=["www"],
    rules=[
        _reject(_words("login", "signup", "search", "about", "faq", "tos", "privacy", "blog", "api",
                       "settings", "dashboard", "create", "browse"),
                "a Storify service page, not an account"),
        _rule(r"/(?P<value>[^/]+)" + _REST, "handle"),
    ],
    canonical={"handle": "https://storify.com/{value}"},
    handle_pattern=r"[A-Za-z0-9_]{1,50}",
    icon="storify.svg",
    defunct=True,
)

# A news feed: government press releases, against which the speed of social posts is measured.
# It lives on the department's own web site, so any http(s) URL is its address when the
# platform is named ("feed" is its only kind; no bare handle can name a feed).
RSS = Platform(
    key="rss", name_en="RSS/Atom feed", name_zh_hant="RSS/Atom 資訊提供", name_zh_hans="RSS/Atom 资讯提供",
    aliases=["RSS", "Atom", "RSS feed", "Atom feed", "News feed"],
    value_patterns={"feed": r"https?://[^\s\x00-\x1f\x7f]{1,2040}"},
    bare_kinds=["feed"],
    url_kind="feed",
    icon="rss.svg",
)

DEFAULT_PLATFORMS: tuple[Platform, ...] = (
    FACEBOOK, INSTAGRAM, YOUTUBE, X, THREADS, WEIBO, WECHAT, XIAOHONGSHU, DOUYIN, TIKTOK,
    TELEGRAM, WHATSAPP, LINE, LINKEDIN, BLUESKY, FLICKR, GITHUB, PINTEREST, MEDIUM, TUMBLR,
    VIMEO, SNAPCHAT, GOOGLE_PLUS, STORIFY, RSS,
)
# fmt: on
