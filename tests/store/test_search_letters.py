"""The directory's search finds a name in any case, letters beyond ASCII included, on every store.

SQLite's ``lower()`` (and so its ILIKE) changes ASCII letters only, PostgreSQL's every letter: on
PostgreSQL ``PAPAHĀNAUMOKUĀKEA`` found Papahānaumokuākea Marine National Monument, on SQLite it
found nothing.
"""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from govsocial.store import queries
from govsocial.store import tables as t
from tests.analyze.store_rows import Store

NAME = "Papahānaumokuākea Marine National Monument"


def _store(session: Session) -> None:
    s = Store(session)
    s.jurisdiction("hk")
    org = s.organisation("pmnm")
    s.organisation("other")
    session.get_one(t.Organisation, org).name_en = NAME
    account = s.account("facebook", [org])
    session.get_one(t.Account, account).display_name_en = "Москва Élysée"
    session.commit()


@pytest.mark.parametrize("q", ["PAPAHĀNAUMOKUĀKEA", "papahānaumokuākea", "KUĀKEA MARINE", "kuā", "ĀKEA"])
def test_organisations_are_found_in_any_case(session: Session, q: str) -> None:
    _store(session)
    found = queries.list_organisations(session, queries.OrganisationFilter(q=q)).items
    assert [o.code for o in found] == ["pmnm"]


@pytest.mark.parametrize(
    ("q", "found"), [("МОСКВА", 1), ("москва", 1), ("élysée", 1), ("ÉLYSÉE", 1), ("ÉLYSÉES", 0)]
)
def test_accounts_are_found_in_any_case(session: Session, q: str, found: int) -> None:
    _store(session)
    assert queries.list_accounts(session, queries.AccountFilter(q=q)).count == found


def test_wildcards_stay_literal_beside_such_letters(session: Session) -> None:
    _store(session)
    for q in ("Ā%", "Ā_", "_Ā", "%Ā"):
        assert queries.list_organisations(session, queries.OrganisationFilter(q=q)).count == 0, q
