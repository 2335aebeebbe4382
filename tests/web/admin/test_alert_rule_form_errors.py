"""The admin alert-rule form answers a control character as it answers any refused rule: the form
again (422) with what was typed and the message beside the field at fault (``aria-invalid``,
``aria-describedby``, listed at the top), never a bare error page, and nothing stored."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from govsocial.store import tables as t
from govsocial.store.db import session_factory
from tests.web.admin.conftest import page_token, sign_in

PAGE = "/admin/alerts"


def _tag(html: str, field_id: str) -> str:
    found = re.search(rf'<(?:input|textarea|select) id="{field_id}"[^>]*>', html)
    assert found, field_id
    return found.group(0)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("params", "days=30\nlang=en\x00"),
        ("entity", "hk-isd\x07"),
        ("email", "desk@gov.test\x1b"),
        ("webhook_url", "https://hooks.example.org/x\x7f"),
    ],
)
def test_a_control_character_is_shown_beside_its_field_with_the_form_kept(
    web: TestClient, admin_engine: Engine, people: dict[str, int], field: str, value: str
) -> None:
    sign_in(web, "editor")
    token = page_token(web, PAGE)
    data = {"csrf_token": token, "kind": "account_dormant", "level": "organisation", "entity": "hk-isd",
            "params": "days=30", "webhook_url": "", "email": "desk@gov.test", field: value}  # fmt: skip
    answer = web.post(f"{PAGE}/rules", data=data)
    assert answer.status_code == 422
    html = answer.text
    tag = _tag(html, f"rule-{field}")
    assert 'aria-invalid="true"' in tag
    assert f'aria-describedby="rule-{field}-hint rule-{field}-error"' in tag
    error = re.search(rf'<p class="field-error" id="rule-{field}-error">([^<]*)</p>', html)
    assert error and "control characters such as U+" in error.group(1)
    assert f'href="#rule-{field}"' in html and 'role="alert"' in html
    # What was typed is kept, the control character made visible; the other fields as typed.
    kept = value.replace("\x00", "\ufffd").replace("\x07", "\ufffd").replace("\x1b", "\ufffd")
    kept = kept.replace("\x7f", "\ufffd")
    assert kept.split("\n")[-1] in html
    assert 'value="hk-isd' in _tag(html, "rule-entity")
    assert re.search(r'<option value="organisation" selected>', html)
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", html)
    with session_factory(admin_engine)() as session:
        assert session.scalar(select(func.count()).select_from(t.AlertRule)) == 0
