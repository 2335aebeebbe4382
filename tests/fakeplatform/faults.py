"""Faults the fake platforms inject on demand, and the control object that decides when.

A ``Rule`` names a fault and which requests it hits: those of one account (a page handle, or any),
whose path contains some text (or any), and among those the call numbers it fires on (1-based,
counted per rule), or every call from one on. Because one account's requests are sequential, "the
3rd request of account X" is the same request in every run, whatever the other accounts do.

``Control`` holds the rules, counts and logs every request, and calls ``on_request`` (the kill
switch of the kill/resume tests) before answering.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from starlette.responses import Response

from tests.fakeplatform.payloads import load_payload


@dataclass(frozen=True)
class Fault:
    """Base of faults: ``respond`` turns the normal answer into the faulty one."""

    def respond(self, normal: Response) -> Response:
        """The response to send instead of (or made from) ``normal``."""
        raise NotImplementedError

    @property
    def delay(self) -> float:
        """Seconds to wait before answering (only ``Slow`` waits)."""
        return 0.0


def graph_error(status: int, error: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    """A Graph-API error answer: ``{"error": {...}}`` with ``status``."""
    return Response(json.dumps({"error": error}), status, headers=headers, media_type="application/json")


@dataclass(frozen=True)
class ServerError(Fault):
    """A 5xx: with Graph's transient error body (code 2), or a bare proxy page when ``bare``."""

    status: int = 503
    bare: bool = False

    def respond(self, normal: Response) -> Response:
        if self.bare:
            return Response("<html><body>502 Bad Gateway</body></html>", self.status, media_type="text/html")
        error = {
            "message": "An unexpected error has occurred. Please retry your request later.",
            "type": "OAuthException",
            "is_transient": True,
            "code": 2,
            "fbtrace_id": "FakeTrace5xx",
        }
        return graph_error(self.status, error)


@dataclass(frozen=True)
class RateLimited(Fault):
    """Throttled: HTTP 429, Graph code 32 and a Business Use Case header saying when access returns."""

    regain_minutes: int = 2
    status: int = 429

    def respond(self, normal: Response) -> Response:
        usage = {
            "1234567890": [
                {
                    "type": "pages",
                    "call_count": 100,
                    "total_cputime": 40,
                    "total_time": 60,
                    "estimated_time_to_regain_access": self.regain_minutes,
                }
            ]
        }
        error = {
            "message": "(#32) Page request limit reached",
            "type": "OAuthException",
            "code": 32,
            "fbtrace_id": "FakeTrace429",
        }
        return graph_error(self.status, error, {"X-Business-Use-Case-Usage": json.dumps(usage)})


@dataclass(frozen=True)
class HighUsage(Fault):
    """The normal answer, with ``X-Page-Usage`` at ``percent`` (the client should slow down)."""

    percent: int = 95

    def respond(self, normal: Response) -> Response:
        usage = {"call_count": self.percent, "total_cputime": 20, "total_time": 30}
        normal.headers["X-Page-Usage"] = json.dumps(usage)
        return normal


@dataclass(frozen=True)
class Slow(Fault):
    """The normal answer, after ``seconds`` (more than the client's timeout)."""

    seconds: float = 2.0

    def respond(self, normal: Response) -> Response:
        return normal

    @property
    def delay(self) -> float:
        return self.seconds


@dataclass(frozen=True)
class Truncated(Fault):
    """The normal body cut in half, with status 200 (a dropped connection behind a proxy)."""

    def respond(self, normal: Response) -> Response:
        body = bytes(normal.body)
        return Response(body[: len(body) // 2], 200, media_type="application/json")


@dataclass(frozen=True)
class ExpiredToken(Fault):
    """The recorded Graph answer for an expired session: code 190, subcode 463."""

    def respond(self, normal: Response) -> Response:
        body = load_payload("facebook", "issue_error_190_463_session_expired.json")
        return Response(body, 400, media_type="application/json")


@dataclass(frozen=True)
class Gone(Fault):
    """The object was deleted: Graph's "does not exist" answer (code 100, subcode 33)."""

    def respond(self, normal: Response) -> Response:
        error = {
            "message": "Unsupported get request. Object with ID 'deleted' does not exist, cannot be "
            "loaded due to missing permissions, or does not support this operation. Please read the "
            "Graph API documentation at https://developers.facebook.com/docs/graph-api",
            "type": "GraphMethodException",
            "code": 100,
            "error_subcode": 33,
            "fbtrace_id": "FakeTraceGone",
        }
        return graph_error(400, error)


@dataclass
class Rule:
    """Inject ``fault`` into the requests of ``account`` whose path contains ``path``: on the
    matching calls numbered in ``calls``, or on every one from ``from_call`` on."""

    fault: Fault
    account: str | None = None
    path: str | None = None
    calls: frozenset[int] = frozenset()
    from_call: int | None = None
    seen: int = 0
    fired: int = 0

    def matches(self, account: str | None, path: str) -> bool:
        """Whether a request of ``account`` to ``path`` is one this rule counts."""
        return (self.account is None or self.account == account) and (self.path is None or self.path in path)

    def fires(self) -> bool:
        """Count one matching call; whether the fault applies to it."""
        self.seen += 1
        hit = self.seen in self.calls or (self.from_call is not None and self.seen >= self.from_call)
        self.fired += hit
        return hit


@dataclass(frozen=True)
class Logged:
    """One request as the fake server saw it (the token is never logged, only whether it was right)."""

    number: int
    account: str | None
    path: str
    params: dict[str, str]
    token_ok: bool
    fault: str | None


@dataclass
class Control:
    """The fault plan and request log of a fake server; tests change it between runs."""

    rules: list[Rule] = field(default_factory=list)
    log: list[Logged] = field(default_factory=list)
    #: Called with the request number (1-based, since the last ``reset``) before answering.
    on_request: Callable[[int], None] | None = None

    def add(
        self,
        fault: Fault,
        account: str | None = None,
        path: str | None = None,
        calls: Iterable[int] = (),
        from_call: int | None = None,
    ) -> Rule:
        """Add a rule (see ``Rule``); returns it, so a test can check that it fired."""
        rule = Rule(fault, account, path, frozenset(calls), from_call)
        self.rules.append(rule)
        return rule

    def reset(self) -> None:
        """Drop every rule, the log and the hook."""
        self.rules.clear()
        self.log.clear()
        self.on_request = None

    def fault_for(self, account: str | None, path: str) -> Fault | None:
        """The first rule's fault that fires on this request (every matching rule counts it)."""
        found = None
        for rule in self.rules:
            if rule.matches(account, path) and rule.fires() and found is None:
                found = rule.fault
        return found

    def record(
        self, account: str | None, path: str, params: dict[str, str], token_ok: bool, fault: Fault | None
    ) -> int:
        """Log a request; returns its number and runs the ``on_request`` hook."""
        number = len(self.log) + 1
        safe = {k: v for k, v in params.items() if k != "access_token"}
        name = type(fault).__name__ if fault else None
        self.log.append(Logged(number, account, path, safe, token_ok, name))
        if self.on_request is not None:
            self.on_request(number)
        return number

    def calls_to(self, text: str) -> list[Logged]:
        """Logged requests whose path contains ``text``."""
        return [entry for entry in self.log if text in entry.path]
