"""The API as a researcher reads it from docs/api.md alone: every example there answers as written,
and a period range with its bounds swapped is refused rather than answered with nothing.

Over a demo store with a month of sample activity and its metrics by month, built as
``make demo-data`` builds it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from govsocial.settings import PROJECT_ROOT, Settings
from govsocial.web.app import create_app
from tests.demo_store import demo_store

API_DOC = PROJECT_ROOT / "docs" / "api.md"
#: A fenced example: the request line ``GET /api/v1/...`` and the answer below it, up to the fence.
EXAMPLE = re.compile(r"^```\n(GET (/api/v1/\S+))\n(.*?)^```", re.DOTALL | re.MULTILINE)


def examples() -> list[tuple[str, Any]]:
    """Every ``GET`` example of docs/api.md: its path and query, and its answer as JSON."""
    text = API_DOC.read_text(encoding="utf-8")
    return [(m.group(2), example_json(m.group(3))) for m in EXAMPLE.finditer(text)]


def example_json(answer: str) -> Any:
    """An example's answer as JSON: the docs elide with ``...`` (``{...}``, ``[...]``, ``, ...]``,
    ``{... "key": ...}``), which reads as an empty object or list, or as nothing."""
    answer = answer.replace("{...}", "{}").replace("[...]", "[]").replace("{... ", "{")
    return json.loads(re.sub(r",\s*\.\.\.\s*([}\]])", r"\1", answer))


def missing(example: Any, answer: Any, where: str = "") -> list[str]:
    """The keys an example shows that the answer lacks (objects, and the first item of lists when the
    answer has one), and the top-level texts and booleans it shows otherwise."""
    if isinstance(example, list):
        if not isinstance(answer, list):
            return [where or "."]
        return missing(example[0], answer[0], f"{where}[0]") if example and answer else []
    if not isinstance(example, dict):
        return []
    if not isinstance(answer, dict):
        return [where or "."]
    out = []
    for key, shown in example.items():
        if key not in answer:
            out.append(f"{where}.{key}")
        elif where == "" and isinstance(shown, str | bool) and "..." not in str(shown):
            out += [] if answer[key] == shown else [f".{key}: {answer[key]!r}, not {shown!r}"]
        else:
            out += missing(shown, answer[key], f"{where}.{key}")
    return out


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    url = demo_store(tmp_path_factory.mktemp("researcher"), months=1, refresh=True)
    with TestClient(create_app(Settings.load(database_url=url))) as client:
        yield client


def test_the_docs_have_examples_to_run() -> None:
    paths = [path for path, _ in examples()]
    assert len(paths) >= 10 and "/api/v1/verify?url=fb.com/cfs.hk" in paths


@pytest.mark.parametrize(("path", "example"), examples(), ids=[path for path, _ in examples()])
def test_every_example_of_the_docs_answers_as_written(api: TestClient, path: str, example: Any) -> None:
    answer = api.get(path)
    assert answer.status_code == 200, answer.text
    assert missing(example, answer.json()) == []


@pytest.mark.parametrize(
    ("since", "until"), [("2026-09", "2026-01"), ("2026-W40", "2026-W39"), ("2026-09-02", "2026-09-01")]
)
def test_from_after_to_is_a_422_naming_from(api: TestClient, since: str, until: str) -> None:
    answer = api.get("/api/v1/metrics/post_volume", params={"from": since, "to": until})
    assert answer.status_code == 422
    assert answer.json() == {
        "detail": f"from: {since!r} comes after to {until!r}: from is the first period, to the last"
    }


def test_from_equal_to_to_is_that_one_period(api: TestClient) -> None:
    params = {"level": "government", "from": "2026-09", "to": "2026-09"}
    body = api.get("/api/v1/metrics/post_volume", params=params).json()
    assert body["count"] == 1 and body["data"][0]["period"] == "2026-09"


# --- paging: the Link header ----------------------------------------------------------------------


def _next(answer: Any) -> str | None:
    """The ``rel="next"`` target of an answer's ``Link`` header, if any."""
    found = re.search(r'<([^>]*)>; rel="next"', answer.headers.get("link", ""))
    return found.group(1) if found else None


def test_following_next_reads_every_row_once_when_the_limit_was_lowered(api: TestClient) -> None:
    """A limit above the maximum (500) is lowered; stepping the offset by the limit asked would skip
    rows, following ``next`` does not."""
    total = api.get("/api/v1/timeline", params={"limit": 1}).json()["count"]
    with TestClient(create_app(Settings.load(database_url=_url(api), max_page_size=7))) as small:
        ids: list[int] = []
        address: str | None = "/api/v1/timeline?platform=facebook&limit=1000"
        while address is not None:
            answer = small.get(address)
            ids += [post["id"] for post in answer.json()["data"]]
            address = _next(answer)
        facebook = small.get("/api/v1/timeline", params={"platform": "facebook"}).json()["count"]
    assert 7 < facebook <= total and len(ids) == len(set(ids)) == facebook


def test_links_keep_the_other_parameters_and_the_limit_in_force(api: TestClient) -> None:
    params = {"organisation": "chp", "limit": 2, "offset": 2}
    answer = api.get("/api/v1/timeline", params=params)
    assert answer.headers["link"] == (
        '</api/v1/timeline?organisation=chp&limit=2&offset=4>; rel="next", '
        '</api/v1/timeline?organisation=chp&limit=2&offset=0>; rel="prev"'
    )
    count = answer.json()["count"]
    last = api.get("/api/v1/timeline", params={**params, "offset": count - 1})
    assert _next(last) is None and 'rel="prev"' in last.headers["link"]
    assert "link" not in api.get("/api/v1/organisations", params={"q": "警務處"}).headers


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/v1/organisations", {}),
        ("/api/v1/accounts", {}),
        ("/api/v1/accounts/2/posts", {}),
        ("/api/v1/timeline", {}),
        ("/api/v1/metrics/post_volume", {}),
        ("/api/v1/leaderboards/post_volume", {"level": "account"}),
        ("/api/v1/clarifications", {}),
    ],
)
def test_every_paged_list_links_its_next_page(api: TestClient, path: str, params: dict[str, str]) -> None:
    answer = api.get(path, params={**params, "limit": 1})
    assert answer.json()["count"] > 1
    following = _next(answer)
    assert following is not None and following.endswith("limit=1&offset=1")
    assert api.get(following).json()["data"] != answer.json()["data"]


def test_a_browser_script_may_read_the_links(api: TestClient) -> None:
    answer = api.get("/api/v1/timeline", params={"limit": 1}, headers={"Origin": "https://notebook.example"})
    exposed = {h.strip().lower() for h in answer.headers["access-control-expose-headers"].split(",")}
    assert "link" in exposed and _next(answer) is not None


def _url(client: TestClient) -> str:
    """The database URL of the app behind ``client``."""
    url: str = client.app.state.govsocial.settings.database_url  # type: ignore[attr-defined]
    return url


# --- an unknown metric ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/metrics/interaction_rate",
        "/api/v1/leaderboards/interaction_rate",
        "/api/v1/compare?organisation=cfs&organisation=chp&metric=interaction_rate",
    ],
)
def test_an_unknown_metric_names_the_metrics_meant(api: TestClient, path: str) -> None:
    answer = api.get(path)
    assert answer.status_code == 404
    assert answer.json()["detail"] == (
        "no metric 'interaction_rate' (did you mean interaction_rate_post, interaction_rate_account?);"
        " the list is at /api/v1/metrics"
    )


def test_a_metric_like_no_other_is_a_plain_404(api: TestClient) -> None:
    answer = api.get("/api/v1/metrics/nope")
    assert answer.json() == {"detail": "no metric 'nope'; the list is at /api/v1/metrics"}
