"""What the app reads from a request's address, checked once before any route reads it.

- **No control characters** (C0 and DEL; tab, line feed and carriage return are whitespace and
  allowed): no name, code, key, label or address holds one, and they break the stores: PostgreSQL
  refuses NUL in text, so ``?q=%00`` was a server error there, while SQLite's LIKE stops at NUL, so
  the same search matched everything.

  - In the path, anywhere, it is a **404** (the path names things, and nothing is named so: SQLite
    answered so already): JSON under ``/api``, the error page elsewhere.
  - In a query parameter of the API or of the admin area (``/admin``: its JSON API and its pages,
    whose search reaches the store as it is) it is FastAPI's **422** naming the parameter, as for
    any other ill-formed value. The portal's pages read their parameters leniently instead: they
    drop what is not printable before searching (``pages.render.clean``) and fall back to the
    defaults on nonsense, so their query strings are left to them.
  - In a field of the admin API's JSON bodies, the same 422 naming the field (``without_control``,
    the fields' validator).

  C1 controls (U+0080 to U+009F) are let through: Starlette reads raw bytes of a query string as
  Latin-1, so a client that sends UTF-8 unencoded would see its continuation bytes refused.
- **On the API, an empty query parameter is an omitted one** (docs/api.md: "an omitted or empty
  value ... means the default"): ``?entity=`` and ``?entity`` are dropped from the query string, so
  that no route reads ``''`` as a value (a filter on ``''``, or a 422 for a number, a day or a
  choice). The other parameters are passed on byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.exceptions import RequestValidationError
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from govsocial.web import errors

#: The control characters a request may not carry: C0 but tab, LF and CR; DEL.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class RequestInputs:
    """Refuses control characters in the path and in the query strings of the API and of
    ``strict`` paths, and drops the API's empty query parameters (see the module's docstring).
    ``is_api(path)`` says whether a path is the API's; ``strict(path)`` whether, not being the
    API's, its query parameters are checked as the API's are (the admin area's: empty ones are left
    as they are, for its routes read them as they always did)."""

    def __init__(
        self, app: ASGIApp, is_api: Callable[[str], bool], strict: Callable[[str], bool] | None = None
    ) -> None:
        self.app = app
        self.is_api = is_api
        self.strict = strict

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        api = self.is_api(scope["path"])
        strict = not api and self.strict is not None and self.strict(scope["path"])
        refusal = await refused(scope, query=api or strict)
        if refusal is not None:
            if strict:  # the admin area's answers are never kept (docs/admin.md), its refusals neither
                refusal.headers["Cache-Control"] = "no-store"
            await refusal(scope, receive, send)
            return
        if api:
            query = without_empty(scope["query_string"])
            if query != scope["query_string"]:
                scope = {**scope, "query_string": query}
        await self.app(scope, receive, send)


async def refused(scope: Scope, query: bool = True) -> Response | None:
    """The answer to a request whose path (or, with ``query``, query string) holds a control
    character; None when it holds none. A query parameter's is FastAPI's 422 (the list of invalid
    parameters, as for any other ill-formed value); the path's a 404."""
    request = Request(scope)
    params = QueryParams(scope["query_string"]).multi_items() if query else []
    invalid = [
        {
            "type": "value_error",
            "loc": ("query", name),
            "msg": f"Value error, {_control(found)}",
            "input": value,
        }
        for name, value in params
        if (found := CONTROL.search(value))
    ]
    if invalid:
        return await errors.invalid_parameters(request, RequestValidationError(invalid))
    if found := CONTROL.search(path := scope["path"]):
        return errors.error_response(request, 404, f"{path!r} names nothing: {_control(found)} in a name")
    return None


def without_control(value: str) -> str:
    """``value`` as it is, if it holds no control character; else a ``ValueError`` naming the first
    (pydantic's validator of a text field: its 422 then names the field, as the query's does)."""
    if found := CONTROL.search(value):
        raise ValueError(_control(found))
    return value


def _control(found: re.Match[str]) -> str:
    return f"control characters such as U+{ord(found.group()):04X} are not allowed"


def without_empty(query: bytes) -> bytes:
    """``query`` without its parameters whose value is empty (``a=``, ``a``, and nothing between two
    ``&``); the others as they came."""
    return b"&".join(part for part in query.split(b"&") if part.partition(b"=")[2])
