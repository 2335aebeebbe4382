"""A fake X API v2 that knows the truth it serves.

Each registry account gets posts shaped like the recorded ``users/:id/tweets`` pages and, for
each post, a conversation (replies of citizens and of the account itself) shaped like the recorded
``tweets/search/recent`` answer. Ids are snowflakes that encode their creation time, as X's do,
and times are counted back from the moment the fake is built, so that every conversation is
inside the 7 days the recent search sees.

Served (under ``/2``): ``users/by/username/{name}``, ``users/{id}/tweets`` (newest first,
``pagination_token``/``since_id``) and ``tweets/search/recent?query=conversation_id:{id}``
(``next_token``/``since_id``). Pages are two posts long. The request must carry
``Authorization: Bearer {token}``, else the recorded 401 answers.

Faults go through the same ``Control`` as the Graph fake; the path a rule matches is the request
path (the search is ``/2/tweets/search/recent/{conversation id}``), the account its username.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.fakeplatform.faults import Control, Fault
from tests.fakeplatform.payloads import load_json, load_payload

PLATFORM = "x"
#: The folder of the recorded payloads.
FIXTURES = "x_twitter"
SNOWFLAKE_EPOCH_MS = 1288834974657
#: Replies per post, cycled (0: the connector saves the search call).
REPLY_PATTERN = (3, 0, 2, 4)


def snowflake(when: dt.datetime, sequence: int) -> str:
    """An X id created at ``when`` (the time is in its upper bits)."""
    return str(((int(when.timestamp() * 1000) - SNOWFLAKE_EPOCH_MS) << 22) | sequence)


def x_time(value: dt.datetime) -> str:
    """X's time format: ``2024-05-13T11:00:00.000Z``."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@dataclass(frozen=True)
class ExpectedReply:
    """What the store must hold for one reply."""

    comment_id: str
    post_id: str
    parent_id: str | None
    author_id: str
    is_page_reply: bool
    text: str


@dataclass
class FakeTweet:
    """A post of the account and its conversation (newest first)."""

    post_id: str
    data: dict[str, Any]
    replies: list[dict[str, Any]] = field(default_factory=list)
    expected: list[ExpectedReply] = field(default_factory=list)


@dataclass
class FakeUser:
    """A registry account on X."""

    username: str
    user_id: str
    followers: int
    tweets: list[FakeTweet] = field(default_factory=list)


def _reply(user: FakeUser, tweet: FakeTweet, k: int, count: int, when: dt.datetime) -> dict[str, Any]:
    template = load_json(FIXTURES, "handwritten_search_conversation.json")["data"][0]
    own = k == count - 1 and count >= 3  # the account answers last
    author = user.user_id if own else str(1_500_000_000_000_000_000 + int(user.user_id) % 1000 * 10 + k % 3)
    parent = tweet.replies[0]["id"] if own else tweet.post_id
    reply_id = snowflake(when, 100 + k)
    text = f"@{user.username} Thank you, noted." if own else f"@{user.username} Question {k} about this?"
    item = dict(template)
    item.update(
        id=reply_id,
        text=text,
        author_id=author,
        created_at=x_time(when),
        conversation_id=tweet.post_id,
        in_reply_to_user_id=user.user_id,
        referenced_tweets=[{"type": "replied_to", "id": parent}],
        public_metrics={"retweet_count": 0, "reply_count": 0, "like_count": k, "quote_count": 0},
    )
    tweet.expected.append(
        ExpectedReply(reply_id, tweet.post_id, None if parent == tweet.post_id else parent, author, own, text)
    )
    return item


def build_users(handles: Sequence[str], posts: int = 4, now: dt.datetime | None = None) -> list[FakeUser]:
    """Accounts for registry ``handles``, with posts of the last days and their conversations."""
    now = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    template = load_json(FIXTURES, "handwritten_users_tweets_last_page.json")["data"][0]
    users = []
    for i, handle in enumerate(handles):
        user = FakeUser(handle, str(2_000_000_000 + i), followers=1000 * (i + 1))
        for j in range(posts):
            created = now - dt.timedelta(hours=10 * j + 2, minutes=i)
            post_id = snowflake(created, i)
            count = REPLY_PATTERN[j % len(REPLY_PATTERN)]
            data = dict(template)
            data.update(
                id=post_id,
                text=f"Notice {j} from {handle}",
                created_at=x_time(created),
                conversation_id=post_id,
                public_metrics={
                    "retweet_count": j,
                    "reply_count": count,
                    "like_count": 5 + j,
                    "quote_count": 0,
                    "impression_count": 100 * j,
                },
            )
            tweet = FakeTweet(post_id, data)
            for k in range(count):
                when = created + dt.timedelta(minutes=5 * (k + 1))
                tweet.replies.append(_reply(user, tweet, k, count, when))
            tweet.replies.reverse()  # the search answers newest first
            user.tweets.append(tweet)
        users.append(user)
    return users


class FakeX:
    """The fake X API: its data, its fault control, and the ASGI app serving them."""

    def __init__(
        self, users: Iterable[FakeUser], token: str, page_size: int = 2, control: Control | None = None
    ) -> None:
        self.users = {u.username: u for u in users}
        self.by_id = {u.user_id: u for u in self.users.values()}
        self.tweets = {t.post_id: (u, t) for u in self.users.values() for t in u.tweets}
        self.token = token
        self.page_size = page_size
        self.control = control or Control()

    def expected_posts(self) -> dict[str, FakeTweet]:
        """Posts by id."""
        return {post_id: tweet for post_id, (_, tweet) in self.tweets.items()}

    def expected_comments(self) -> dict[str, ExpectedReply]:
        """Replies by id."""
        return {e.comment_id: e for _, tweet in self.tweets.values() for e in tweet.expected}

    def citizen_ids(self) -> set[str]:
        """The repliers' user ids (none may reach the store in clear)."""
        return {e.author_id for e in self.expected_comments().values() if not e.is_page_reply}

    def app(self) -> Starlette:
        """The ASGI app."""
        return Starlette(routes=[Route("/2/{path:path}", self.handle)])

    def _subject(self, path: str, params: dict[str, str]) -> tuple[str | None, str]:
        parts = path.split("/")
        if parts[:3] == ["users", "by", "username"]:
            return (parts[3] if parts[3] in self.users else None), f"/2/{path}"
        if parts[0] == "users" and len(parts) > 1:
            user = self.by_id.get(parts[1])
            return (user.username if user else None), f"/2/{path}"
        conversation = params.get("query", "").removeprefix("conversation_id:")
        found = self.tweets.get(conversation)
        return (found[0].username if found else None), f"/2/{path}/{conversation}"

    async def handle(self, request: Request) -> Response:
        """Count and log the request, apply the fault plan, and answer."""
        params = dict(request.query_params)
        account, path = self._subject(request.path_params["path"], params)
        fault = self.control.fault_for(account, path)
        token_ok = request.headers.get("authorization") == f"Bearer {self.token}"
        cursor = params.get("pagination_token") or params.get("next_token") or ""
        self.control.record(account, path, {**params, "after": cursor}, token_ok, fault)
        if fault is not None and fault.delay:
            await asyncio.sleep(fault.delay)
        if token_ok:
            response = self.answer(request.path_params["path"], params)
        else:
            response = x_error(401, "handwritten_error_401_unauthorized.json")
        return fault.respond(response) if fault is not None else response

    def answer(self, path: str, params: dict[str, str]) -> Response:
        """The normal answer to an authorised request."""
        parts = path.split("/")
        if parts[:3] == ["users", "by", "username"] and parts[3] in self.users:
            user = self.users[parts[3]]
            metrics = {
                "followers_count": user.followers,
                "following_count": 10,
                "tweet_count": len(user.tweets),
                "listed_count": 1,
            }
            return _json(
                {
                    "data": {
                        "id": user.user_id,
                        "name": f"Account {user.username}",
                        "username": user.username,
                        "public_metrics": metrics,
                    }
                }
            )
        if parts[0] == "users" and len(parts) == 3 and parts[2] == "tweets" and parts[1] in self.by_id:
            items = [t.data for t in self.by_id[parts[1]].tweets]
            return _json(self._page(items, params, "pagination_token"))
        if path == "tweets/search/recent":
            found = self.tweets.get(params.get("query", "").removeprefix("conversation_id:"))
            return _json(self._page(found[1].replies if found else [], params, "next_token"))
        return x_error(404, "handwritten_users_by_username_not_found.json")

    def _page(self, items: list[dict[str, Any]], params: dict[str, str], token_param: str) -> dict[str, Any]:
        if params.get("since_id"):
            items = [i for i in items if int(i["id"]) > int(params["since_id"])]
        start = int(params.get(token_param) or 0)
        chunk = items[start : start + self.page_size]
        meta: dict[str, Any] = {"result_count": len(chunk)}
        if chunk:
            meta.update(newest_id=chunk[0]["id"], oldest_id=chunk[-1]["id"])
        if start + self.page_size < len(items):
            meta["next_token"] = str(start + self.page_size)
        return {"data": chunk, "meta": meta} if chunk else {"meta": meta}


def x_error(status: int, fixture: str, headers: dict[str, str] | None = None) -> Response:
    """A recorded X error body with ``status``."""
    return Response(load_payload(FIXTURES, fixture), status, headers=headers, media_type="application/json")


@dataclass(frozen=True)
class XRateLimited(Fault):
    """The recorded 429, with ``x-rate-limit-reset`` ``reset_s`` seconds from now."""

    reset_s: int = 90

    def respond(self, normal: Response) -> Response:
        reset = int(dt.datetime.now(dt.UTC).timestamp()) + self.reset_s
        headers = {
            "x-rate-limit-limit": "900",
            "x-rate-limit-remaining": "0",
            "x-rate-limit-reset": str(reset),
        }
        return x_error(429, "issue_v2_429_too_many_requests.json", headers)


@dataclass(frozen=True)
class XError(Fault):
    """A recorded X error answer with its status (default: the 503)."""

    status: int = 503
    fixture: str = "handwritten_error_503.json"

    def respond(self, normal: Response) -> Response:
        return x_error(self.status, self.fixture)


def _json(data: Any) -> Response:
    return Response(json.dumps(data), 200, media_type="application/json")
