"""Codes and ids given on the command line, checked against the store before a command uses them.

A filter that names nothing would otherwise print an empty table (or store an alert rule that
can never fire) and exit 0, as if the answer were "none": each check raises ``NotFoundError``
(exit status 2, one line) naming the value and where the valid ones are listed.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from govsocial.errors import NotFoundError
from govsocial.store import tables as t
from govsocial.store.queries import MAX_ID

#: Where the valid values are listed, for the errors.
ORGANISATIONS_LISTED = "`govsocial registry export --kind organisations` lists the codes"
ACCOUNTS_LISTED = "`govsocial registry verify URL` prints an account's id"


def jurisdiction(session: Session, code: str) -> str:
    """``code``, if the store holds that jurisdiction."""
    codes = list(session.scalars(select(t.Jurisdiction.code).order_by(t.Jurisdiction.code)))
    if code not in codes:
        held = ", ".join(codes) if codes else "none (run `govsocial registry load`)"
        raise NotFoundError(f"no jurisdiction {code!r} in the store; it holds {held}")
    return code


def metrics_jurisdiction(session: Session, code: str) -> str:
    """``code``, if the store holds that jurisdiction or metric values about it.

    Values computed from Parquet frames (``metrics refresh`` of another store's export) name a
    jurisdiction this store's registry may not hold; they are still there to show."""
    held = select(t.MetricValue.id).where(t.MetricValue.jurisdiction == code).limit(1)
    if session.scalar(held) is not None:
        return code
    return jurisdiction(session, code)


def organisation(session: Session, jurisdiction_code: str, code: str) -> str:
    """``code``, if it is an organisation of the jurisdiction."""
    query = select(t.Organisation.id).where(
        t.Organisation.jurisdiction == jurisdiction_code, t.Organisation.code == code
    )
    if session.scalar(query) is None:
        raise NotFoundError(
            f"no organisation {code!r} in jurisdiction {jurisdiction_code!r}; {ORGANISATIONS_LISTED}"
        )
    return code


def account(session: Session, jurisdiction_code: str, account_id: int) -> int:
    """``account_id``, if it is an account of the jurisdiction."""
    found = None
    # A larger number is no id, and would overflow the driver if it were looked up.
    if 1 <= account_id <= MAX_ID:
        query = select(t.Account.id).where(
            t.Account.id == account_id, t.Account.jurisdiction == jurisdiction_code
        )
        found = session.scalar(query)
    if found is None:
        raise NotFoundError(
            f"no account {account_id} in jurisdiction {jurisdiction_code!r}; {ACCOUNTS_LISTED}"
        )
    return account_id


def scope(
    session: Session,
    jurisdiction_code: str,
    account_id: int | None = None,
    organisation_code: str | None = None,
) -> None:
    """Check a command's jurisdiction and, where given, its account and organisation filters."""
    jurisdiction(session, jurisdiction_code)
    if account_id is not None:
        account(session, jurisdiction_code, account_id)
    if organisation_code is not None:
        organisation(session, jurisdiction_code, organisation_code)


def platform(session: Session, key: str) -> str:
    """``key``, if it is a platform of the catalogue in force (``registry platforms``)."""
    from govsocial.registry.catalogue import known_key, load_catalogue

    return known_key(load_catalogue(session), key)
