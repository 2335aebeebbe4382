"""Staff of the admin area: users with roles, their passwords, sessions, API tokens and failed sign-ins.

What is stored, and what never is:

* Passwords as argon2id hashes (argon2-cffi's defaults, RFC 9106's second recommended set); a hash
  made with older parameters is replaced at the next successful sign-in.
* Session cookies and API tokens are 256-bit random values; only their SHA-256 is stored, so a
  copy of the store (a backup, a dump) lets nobody sign in. A slow hash is not needed there: the
  values are random, not chosen by people, so they cannot be guessed from a dictionary.
* A token made from the admin pages is *pending* until it is shown: its row holds a mark that no
  token's hash can equal (``pending:`` and an HMAC of its id keyed by the session's cookie), and
  its value is made when the page that shows it is asked for by that same session, once
  (``issue_token``). So the value is never stored anywhere, not even for a moment, and a token
  nobody saw cannot be used.
* Failed sign-ins keep the SHA-256 of the username typed and of the client's address, only for
  the rate-limit window.

Every time is passed in (``now``), so tests move a clock instead of waiting.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import and_, delete, func, not_, select, update
from sqlalchemy.orm import Session

from govsocial.errors import GovsocialError, NotFoundError
from govsocial.store import audit
from govsocial.store import tables as t
from govsocial.store.times import utc

#: The roles, weakest first: each can do what those before it can.
ROLES = ("viewer", "editor", "admin")
#: What every API token starts with, so a leaked one is recognisable (secret scanners, logs).
TOKEN_PREFIX = "gsa_"  # noqa: S105 - a public marker, not a secret
#: How many characters of a token are kept to tell tokens apart in lists.
SHOWN_CHARS = 12
#: How a pending token's ``token_hash`` starts: never a SHA-256 in hex, so it matches no bearer.
PENDING_MARK = "pending:"
#: A token made on the users page is issued only if the page that shows it is asked for within
#: this many minutes (the browser follows the redirect at once); later it is never made, and it is
#: retired (``sweep_unshown_tokens``).
TOKEN_SHOW_MINUTES = 10
USERNAME_MAX = 100
PASSWORD_MIN = 12


class UserError(GovsocialError, ValueError):
    """A username, role or password that cannot be used."""


@lru_cache(maxsize=1)
def hasher() -> PasswordHasher:
    """The password hasher in force: argon2id with argon2-cffi's current defaults."""
    return PasswordHasher()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    # Verified against when the username is unknown, so that an unknown name takes as long as a
    # wrong password and sign-in timing does not tell which usernames exist.
    return hasher().hash(secrets.token_urlsafe(16))


def digest(value: str) -> str:
    """The SHA-256 (hex) of a random secret: what is stored for cookies, tokens and addresses."""
    return hashlib.sha256(value.encode()).hexdigest()


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` after checking its length."""
    if len(password) < PASSWORD_MIN:
        raise UserError(f"a password needs at least {PASSWORD_MIN} characters")
    return hasher().hash(password)


def role_allows(role: str, needed: str) -> bool:
    """Whether ``role`` may do what ``needed`` may."""
    return role in ROLES and ROLES.index(role) >= ROLES.index(needed)


# --- Users ---------------------------------------------------------------------------------------


def create_user(session: Session, username: str, role: str, password: str, now: dt.datetime) -> t.User:
    """Add a user; ``UserError`` for a bad name or role, a short password or a name in use."""
    username = username.strip()
    if not is_username(username):
        raise UserError(f"a username is 1 to {USERNAME_MAX} printable characters without spaces")
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
    if find_user(session, username) is not None:
        raise UserError(f"user {username!r} exists")
    user = t.User(username=username, role=role, password_hash=hash_password(password), created_at=now)
    session.add(user)
    session.flush()
    return user


def is_username(name: str) -> bool:
    """Whether a user may have this name: 1 to ``USERNAME_MAX`` printable characters, no space."""
    return 0 < len(name) <= USERNAME_MAX and name.isprintable() and " " not in name


def find_user(session: Session, username: str) -> t.User | None:
    """The user of that name, disabled or not; None for a name no user can have, which is not
    looked up (a NUL typed at sign-in would be a database error on PostgreSQL, not a failure)."""
    if not is_username(username):
        return None
    return session.scalars(select(t.User).where(t.User.username == username)).one_or_none()


def get_user(session: Session, username: str) -> t.User:
    """The user of that name; ``NotFoundError`` when there is none."""
    user = find_user(session, username)
    if user is None:
        raise NotFoundError(f"no user {username!r}")
    return user


def list_users(session: Session) -> list[t.User]:
    """Every user, by name."""
    return list(session.scalars(select(t.User).order_by(t.User.username)).all())


def disable_user(session: Session, user: t.User, now: dt.datetime) -> bool:
    """Disable ``user``: their sessions end and their tokens stop working. False if already disabled."""
    if user.disabled_at is not None:
        return False
    user.disabled_at = now
    session.execute(delete(t.AdminSession).where(t.AdminSession.user_id == user.id))
    session.execute(
        update(t.ApiToken)
        .where(t.ApiToken.user_id == user.id, t.ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return True


def authenticate(session: Session, username: str, password: str) -> t.User | None:
    """The enabled user whose password this is, else None; rehashes a hash made with old parameters."""
    user = find_user(session, username)
    if user is None or user.disabled_at is not None:
        _verify(_dummy_hash(), password)
        return None
    if not _verify(user.password_hash, password):
        return None
    if hasher().check_needs_rehash(user.password_hash):
        user.password_hash = hasher().hash(password)
    return user


def _verify(stored: str, password: str) -> bool:
    try:
        return hasher().verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


# --- API tokens ----------------------------------------------------------------------------------


def create_token(session: Session, user: t.User, name: str, now: dt.datetime) -> tuple[t.ApiToken, str]:
    """A new token for ``user``: the row and the token itself, which is shown once and not kept."""
    token = _new_token()
    row = t.ApiToken(
        user_id=user.id,
        name=_token_name(name),
        token_hash=digest(token),
        prefix=token[:SHOWN_CHARS],
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row, token


def create_pending_token(
    session: Session, user: t.User, name: str, holder: str, now: dt.datetime
) -> t.ApiToken:
    """A new token for ``user`` whose value is made later, by ``issue_token`` with the same ``holder``.

    ``holder`` is a secret of whoever is to see the token (the admin session's cookie): the row
    keeps only an HMAC keyed by it, so nobody else, and no copy of the store, can have it issued.
    Until then the row's prefix is empty and it matches no bearer token.
    """
    # A throw-away unique mark first: the real one needs the row's id.
    row = t.ApiToken(
        user_id=user.id,
        name=_token_name(name),
        token_hash=PENDING_MARK + secrets.token_hex(28),
        prefix="",
        created_at=now,
    )
    session.add(row)
    session.flush()
    row.token_hash = pending_mark(holder, row.id)
    session.flush()
    return row


def pending_mark(holder: str, token_id: int) -> str:
    """What a pending token's ``token_hash`` holds: 64 characters, never a hex SHA-256."""
    mac = hmac.new(holder.encode(), f"api-token:{token_id}".encode(), hashlib.sha256).hexdigest()
    return PENDING_MARK + mac[: 64 - len(PENDING_MARK)]


def is_pending(row: t.ApiToken) -> bool:
    """Whether the token's value was never made (``create_pending_token``, not yet issued)."""
    return row.token_hash.startswith(PENDING_MARK)


def issue_token(session: Session, token_id: int, holder: str, since: dt.datetime) -> str | None:
    """Make the value of a pending token created since ``since`` for ``holder``, once; else None.

    None when the token is not pending (issued already), is another holder's, is revoked or is
    older than ``since``. The change is one conditional UPDATE, so of two requests at the same
    time only one can issue it (the other waits for the row and then finds the mark gone).
    """
    token = _new_token()
    issued = session.connection().execute(
        update(t.ApiToken)
        .where(
            t.ApiToken.id == token_id,
            t.ApiToken.token_hash == pending_mark(holder, token_id),
            t.ApiToken.revoked_at.is_(None),
            # Compared in SQL: SQLite hands times back without their zone.
            t.ApiToken.created_at >= since,
        )
        .values(token_hash=digest(token), prefix=token[:SHOWN_CHARS])
    )
    if issued.rowcount != 1:
        return None
    session.expire_all()  # the rows this session holds may predate the UPDATE
    return token


def _new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def _token_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 100:
        raise UserError("a token needs a name of 1 to 100 characters")
    return name


def user_for_token(session: Session, token: str, now: dt.datetime) -> tuple[t.User, t.ApiToken] | None:
    """The enabled user and live token that ``token`` is, noting its use; else None."""
    wanted = digest(token)
    row = session.scalars(
        select(t.ApiToken).where(t.ApiToken.token_hash == wanted, t.ApiToken.revoked_at.is_(None))
    ).one_or_none()
    # The lookup is by hash, so its timing says nothing about the token; compare again in constant time.
    if row is None or not hmac.compare_digest(row.token_hash, wanted):
        return None
    user = session.get(t.User, row.user_id)
    if user is None or user.disabled_at is not None:
        return None
    row.last_used_at = now
    return user, row


def list_tokens(session: Session, user: t.User | None = None) -> list[t.ApiToken]:
    """Tokens (of ``user``, or everyone's), newest first; not those revoked before they were made
    (shown), which nobody ever had."""
    never_made = and_(t.ApiToken.token_hash.startswith(PENDING_MARK), t.ApiToken.revoked_at.is_not(None))
    query = select(t.ApiToken).where(not_(never_made)).order_by(t.ApiToken.id.desc())
    if user is not None:
        query = query.where(t.ApiToken.user_id == user.id)
    return list(session.scalars(query).all())


def users_and_tokens(session: Session, now: dt.datetime) -> tuple[list[t.User], list[t.ApiToken]]:
    """The users and the tokens to list (the users page, ``GET /admin/api/users``), once the tokens
    not shown in time are retired."""
    sweep_unshown_tokens(session, now)
    return list_users(session), list_tokens(session)


def sweep_unshown_tokens(session: Session, now: dt.datetime) -> list[int]:
    """Retire the tokens made on the users page and not shown within ``TOKEN_SHOW_MINUTES``; their ids.

    Such a token never had a value: nobody has it and nothing can use it, so it is no token to
    list. It is revoked (``revoked_at``), and ``users.list_tokens`` leaves out every token revoked
    before it was made; the row stays, so that its id is never given to another token (SQLite
    reuses the largest id of a deleted row) and ``token:N`` in the audit log names one token only.
    Each retirement is audited (``token.expire``, with no user: nobody chose it), after the
    ``token.add`` that made it. Called where tokens are listed or made. Each row is changed by its
    own conditional UPDATE (still pending, not revoked, still too old), so of two sweeps at once
    only one retires and audits it, and a token issued meanwhile is kept.
    """
    since = now - dt.timedelta(minutes=TOKEN_SHOW_MINUTES)
    # Compared in SQL: SQLite hands times back without their zone.
    unshown = (
        t.ApiToken.token_hash.startswith(PENDING_MARK),
        t.ApiToken.revoked_at.is_(None),
        t.ApiToken.created_at < since,
    )
    stale = session.execute(
        select(t.ApiToken.id, t.ApiToken.name, t.ApiToken.created_at, t.User.username)
        .join(t.User, t.User.id == t.ApiToken.user_id)
        .where(*unshown)
        .order_by(t.ApiToken.id)
    ).all()
    retired = []
    for token_id, name, created_at, username in stale:
        done = session.execute(
            update(t.ApiToken).where(t.ApiToken.id == token_id, *unshown).values(revoked_at=now),
            execution_options={"synchronize_session": False},
        )
        if done.rowcount != 1:  # type: ignore[attr-defined]
            continue  # another request retired it, or it was issued just in time
        details = {
            "user": username,
            "name": name,
            "created_at": utc(created_at).isoformat(),
            "reason": f"not shown within {TOKEN_SHOW_MINUTES} minutes",
        }
        audit.record(session, None, "token.expire", f"token:{token_id}", details, None, now)
        retired.append(token_id)
    return retired


def revoke_token(session: Session, token_id: int, now: dt.datetime) -> t.ApiToken:
    """Revoke a token by id (revoking twice keeps the first time); ``NotFoundError`` if none."""
    row = session.get(t.ApiToken, token_id)
    if row is None:
        raise NotFoundError(f"no API token {token_id}")
    if row.revoked_at is None:
        row.revoked_at = now
    return row


# --- Sessions ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignedIn:
    """A live session and its user."""

    session: t.AdminSession
    user: t.User


def start_session(
    session: Session, user: t.User, now: dt.datetime, minutes: int
) -> tuple[str, t.AdminSession]:
    """A new session for ``user``: the cookie value (not stored) and the row. Expired sessions go."""
    session.execute(delete(t.AdminSession).where(t.AdminSession.expires_at <= now))
    cookie = secrets.token_urlsafe(32)
    row = t.AdminSession(
        id=digest(cookie),
        user_id=user.id,
        created_at=now,
        expires_at=now + dt.timedelta(minutes=minutes),
        csrf_token=secrets.token_urlsafe(32),
    )
    session.add(row)
    session.flush()
    return cookie, row


def signed_in(session: Session, cookie: str, now: dt.datetime) -> SignedIn | None:
    """The live session of a cookie value and its enabled user, else None."""
    # The expiry is compared in SQL: SQLite hands times back without their zone.
    row = session.scalars(
        select(t.AdminSession).where(t.AdminSession.id == digest(cookie), t.AdminSession.expires_at > now)
    ).one_or_none()
    if row is None:
        return None
    user = session.get(t.User, row.user_id)
    if user is None or user.disabled_at is not None:
        return None
    return SignedIn(row, user)


def end_session(session: Session, cookie: str) -> None:
    """Forget the session of a cookie value (signing out)."""
    session.execute(delete(t.AdminSession).where(t.AdminSession.id == digest(cookie)))


# --- Failed sign-ins -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Failures:
    """Failed sign-ins within the window: for the username typed and from the client's address."""

    by_username: int
    by_client: int


def recent_failures(session: Session, username: str, client: str, since: dt.datetime) -> Failures:
    """Count failures since ``since`` (and delete older ones: they count no more)."""
    session.execute(delete(t.LoginFailure).where(t.LoginFailure.at < since))
    recent = select(func.count()).select_from(t.LoginFailure).where(t.LoginFailure.at >= since)
    by_username = session.scalar(recent.where(t.LoginFailure.username_hash == digest(username))) or 0
    by_client = session.scalar(recent.where(t.LoginFailure.client == digest(client))) or 0
    return Failures(by_username, by_client)


def record_failure(session: Session, username: str, client: str, now: dt.datetime) -> None:
    """Note a failed sign-in."""
    session.add(t.LoginFailure(at=now, username_hash=digest(username), client=digest(client)))


def clear_failures(session: Session, username: str) -> None:
    """Forget a username's failures after a successful sign-in (the client's stay counted)."""
    session.execute(delete(t.LoginFailure).where(t.LoginFailure.username_hash == digest(username)))


def failure_times(
    session: Session, since: dt.datetime, *, username: str | None = None, client: str | None = None
) -> list[dt.datetime]:
    """When the failures since ``since`` of ``username``, or from ``client``, were: oldest first, UTC."""
    if (username is None) == (client is None):
        raise TypeError("failure_times takes a username or a client")
    key = (
        t.LoginFailure.username_hash == digest(username)
        if username is not None
        else t.LoginFailure.client == digest(client or "")
    )
    query = select(t.LoginFailure.at).where(key, t.LoginFailure.at >= since).order_by(t.LoginFailure.at)
    # SQLite hands times back without their zone; they were written in UTC.
    return [utc(at) for at in session.scalars(query)]
