"""The console's people: roles, passwords, lockout and sessions.

* **Roles** are ranked — viewer < reviewer < senior < admin — and every route names the
  least role it needs (:func:`Role.allows`); the server refuses, the page only hides.
* **Passwords** are hashed with argon2id (``argon2-cffi``, its recommended parameters) and
  never stored or logged in plain text; a hash made with older parameters is upgraded at the
  next sign-in.
* **Lockout**: :data:`MAX_FAILURES` wrong passwords in a row lock the account for
  :data:`LOCKOUT`; a locked account is refused even with the right password, so guessing
  gains nothing while it lasts.
* **Sessions**: the cookie carries 32 random bytes; the table keeps their SHA-256, the
  session's CSRF token, and when it ends — :data:`IDLE` after the last request or
  :data:`LIFETIME` after sign-in, whichever comes first, or at logout.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from warden.errors import InputError
from warden.store.schema import ConsoleSessionRow, ConsoleUserRow

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
IDLE = timedelta(minutes=30)
LIFETIME = timedelta(hours=12)
MIN_PASSWORD = 12
LANGUAGES = ("en", "zh")

_HASHER = PasswordHasher()


class Role(StrEnum):
    """What a person may do in the console, least first."""

    VIEWER = "viewer"  # reads queues, cases, accounts and rings
    REVIEWER = "reviewer"  # claims and decides cases, reveals content, writes notes
    SENIOR = "senior"  # overturns closes, acts on whole rings, sees reviewer QA
    ADMIN = "admin"  # everything

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def allows(self, needed: Role) -> bool:
        return self.rank >= needed.rank


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    role: Role
    language: str


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A live session: who, its CSRF token, and when it ends unless used."""

    person: Person
    csrf: str
    token_hash: str
    expires_at: datetime


class SignInRefused(InputError):
    """Wrong name or password, a locked or disabled account (one message for all: the page
    does not tell a guesser which names exist)."""


def check_name(name: str) -> str:
    if not name or len(name) > 64 or not all(c.isalnum() or c in "._-" for c in name):
        raise InputError(
            f"name: {name!r} is not a valid user name; expected 1-64 letters, digits, '.', '_' or '-'"
        )
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise InputError(f"password: {len(password)} characters; expected at least {MIN_PASSWORD}")
    return password


class People:
    """Users and sessions in the database (one instance per transaction)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    # -- users ---------------------------------------------------------------------------

    def create(
        self, name: str, role: Role, password: str, now: datetime, language: str = "en"
    ) -> Person:
        check_name(name)
        check_password(password)
        if language not in LANGUAGES:
            raise InputError(f"language: {language!r}; expected one of {', '.join(LANGUAGES)}")
        if self._row(name) is not None:
            raise InputError(f"name: user {name!r} already exists; expected a new name")
        self._session.add(
            ConsoleUserRow(
                name=name,
                role=Role(role).value,
                password_hash=_HASHER.hash(password),
                language=language,
                created_at=now,
                failed_logins=0,
            )
        )
        self._session.flush()
        return Person(name, Role(role), language)

    def list(self) -> list[tuple[Person, datetime | None, datetime | None]]:
        """Every user with when they last signed in and when they were disabled."""
        rows = self._session.scalars(select(ConsoleUserRow).order_by(ConsoleUserRow.name))
        return [(_person(r), r.last_login_at, r.disabled_at) for r in rows]

    def set_password(self, name: str, password: str) -> None:
        row = self._existing(name)
        row.password_hash = _HASHER.hash(check_password(password))
        row.failed_logins, row.locked_until = 0, None

    def set_role(self, name: str, role: Role) -> None:
        self._existing(name).role = Role(role).value

    def disable(self, name: str, now: datetime) -> int:
        """Disable the user and end their sessions; how many sessions were ended."""
        self._existing(name).disabled_at = now
        return self.end_all(name, now)

    def get(self, name: str) -> Person | None:
        row = self._row(name)
        return _person(row) if row is not None and row.disabled_at is None else None

    # -- signing in ----------------------------------------------------------------------

    def authenticate(self, name: str, password: str, now: datetime) -> Person:
        """The person, if ``password`` is theirs and they are neither locked nor disabled;
        else :class:`SignInRefused` — after counting the failure towards the lockout."""
        refused = SignInRefused("sign-in refused: wrong name or password, or account locked")
        row = self._row(name)
        if row is None:
            _HASHER.hash(password)  # spend the same time as for a real user
            raise refused
        if row.disabled_at is not None or (row.locked_until and row.locked_until > now):
            raise refused
        try:
            _HASHER.verify(row.password_hash, password)
        except (VerificationError, InvalidHashError):
            row.failed_logins += 1
            if row.failed_logins >= MAX_FAILURES:
                row.locked_until, row.failed_logins = now + LOCKOUT, 0
            self._session.flush()
            raise refused from None
        if _HASHER.check_needs_rehash(row.password_hash):
            row.password_hash = _HASHER.hash(password)
        row.failed_logins, row.locked_until, row.last_login_at = 0, None, now
        return _person(row)

    def locked(self, name: str, now: datetime) -> bool:
        row = self._row(name)
        return bool(row is not None and row.locked_until and row.locked_until > now)

    # -- sessions ------------------------------------------------------------------------

    def start(self, person: Person, now: datetime) -> tuple[str, SignedIn]:
        """A new session for ``person``: the cookie's token (shown once) and the session."""
        token = secrets.token_urlsafe(32)
        row = ConsoleSessionRow(
            token_hash=_digest(token),
            user_name=person.name,
            csrf=secrets.token_urlsafe(32),
            created_at=now,
            expires_at=now + IDLE,
            ended_at=None,
        )
        self._session.add(row)
        self._session.flush()
        return token, SignedIn(person, row.csrf, row.token_hash, row.expires_at)

    def resume(self, token: str, now: datetime) -> SignedIn | None:
        """The live session behind a cookie's token (its idle deadline pushed on), or None
        when it is unknown, ended, idle too long, too old, or its user is disabled."""
        if not token or len(token) > 128:
            return None
        row = self._session.get(ConsoleSessionRow, _digest(token))
        if row is None or row.ended_at is not None or row.expires_at <= now:
            return None
        if row.created_at + LIFETIME <= now:
            return None
        person = self.get(row.user_name)
        if person is None:
            return None
        if row.expires_at - now < IDLE - timedelta(minutes=1):  # write at most once a minute
            row.expires_at = min(now + IDLE, row.created_at + LIFETIME)
        return SignedIn(person, row.csrf, row.token_hash, row.expires_at)

    def end(self, token_hash: str, now: datetime) -> None:
        self._session.execute(
            update(ConsoleSessionRow)
            .where(ConsoleSessionRow.token_hash == token_hash)
            .values(ended_at=now)
        )

    def end_all(self, name: str, now: datetime) -> int:
        result = self._session.execute(
            update(ConsoleSessionRow)
            .where(ConsoleSessionRow.user_name == name, ConsoleSessionRow.ended_at.is_(None))
            .values(ended_at=now)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def _row(self, name: str) -> ConsoleUserRow | None:
        return self._session.scalars(
            select(ConsoleUserRow).where(ConsoleUserRow.name == name)
        ).first()

    def _existing(self, name: str) -> ConsoleUserRow:
        row = self._row(name)
        if row is None:
            raise InputError(f"name: no user {name!r}")
        return row


def _person(row: ConsoleUserRow) -> Person:
    return Person(row.name, Role(row.role), row.language)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def now_utc() -> datetime:
    return datetime.now(UTC)
