"""API keys: who may call the service, with which scopes, and as whom the audit log records it.

A key is shown once, when it is created (``warden keys create NAME --scope ingest``), and is
``wk_<prefix>_<secret>``: the prefix finds the row, a SHA-256 of the whole key proves it. The
secret has 256 bits of entropy, so a slow password hash would add nothing but latency on
every request; the hash only keeps a stolen database from yielding usable keys.

Scopes: ``screen`` (``/v1/check``, the Akismet endpoint), ``ingest`` (``/v1/events``),
``review`` (cases, appeals, reversals, reading accounts and actions), ``admin`` (everything,
including audit and key management). A revoked key stops working at once: lookups are not
cached across requests longer than :data:`CACHE_SECONDS`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import Engine, select, update

from warden.errors import InputError
from warden.store.schema import ApiKeyRow
from warden.store.unit_of_work import UnitOfWork

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}$")
KEY = re.compile(r"^wk_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$")
#: How long a successful lookup is trusted before the store is asked again (revocation lag).
CACHE_SECONDS = 2.0


class Scope(StrEnum):
    SCREEN = "screen"
    INGEST = "ingest"
    REVIEW = "review"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A key as the service sees it (never the secret)."""

    id: int
    name: str
    prefix: str
    scopes: frozenset[Scope]
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    def allows(self, scope: Scope) -> bool:
        return scope in self.scopes or Scope.ADMIN in self.scopes

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "prefix": self.prefix,
            "scopes": sorted(s.value for s in self.scopes),
            "created_at": self.created_at.isoformat(),
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
            "last_used_at": self.last_used_at.isoformat() if self.last_used_at else None,
        }


def parse_scopes(values: list[str]) -> frozenset[Scope]:
    """Scope names as :class:`Scope`; an unknown name is an error that lists the known ones."""
    if not values:
        raise InputError(f"--scope: at least one is needed; one of {', '.join(Scope)}")
    scopes = set()
    for value in values:
        for part in value.split(","):
            try:
                scopes.add(Scope(part.strip()))
            except ValueError:
                raise InputError(
                    f"--scope: {part.strip()!r} is not a scope; expected one of {', '.join(Scope)}"
                ) from None
    return frozenset(scopes)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(engine: Engine, name: str, scopes: frozenset[Scope]) -> tuple[str, ApiKey]:
    """A new key: ``(the secret, shown this once; the stored key)``."""
    if not NAME.match(name):
        raise InputError(
            f"NAME: {name!r} is not a key name; expected 1-128 letters, digits, '_', '.', '@' or '-'"
        )
    prefix = secrets.token_hex(6)
    secret = f"wk_{prefix}_{secrets.token_urlsafe(32)}"
    now = datetime.now(UTC)
    with UnitOfWork(engine) as uow:
        session = uow.session
        if session.scalar(select(ApiKeyRow.id).where(ApiKeyRow.name == name)) is not None:
            raise InputError(
                f"NAME: a key named {name!r} exists already; revoke it or pick another"
            )
        row = ApiKeyRow(
            name=name,
            prefix=prefix,
            secret_hash=_digest(secret),
            scopes=sorted(s.value for s in scopes),
            created_at=now,
        )
        session.add(row)
        session.flush()
        uow.audit.append(
            "api_key",
            name,
            {"event": "created", "prefix": prefix, "scopes": row.scopes},
            actor="warden-admin",
            at=now,
        )
        key = _key(row)
        uow.commit()
    return secret, key


def revoke_key(engine: Engine, name: str, actor: str = "warden-admin") -> ApiKey:
    """Revoke a key by name (idempotent: revoking a revoked key changes nothing)."""
    now = datetime.now(UTC)
    with UnitOfWork(engine) as uow:
        row = uow.session.scalar(select(ApiKeyRow).where(ApiKeyRow.name == name))
        if row is None:
            raise InputError(f"NAME: no key named {name!r}")
        if row.revoked_at is None:
            row.revoked_at = now
            uow.audit.append(
                "api_key", name, {"event": "revoked", "prefix": row.prefix}, actor=actor, at=now
            )
        key = _key(row)
        uow.commit()
    return key


def list_keys(engine: Engine) -> list[ApiKey]:
    with UnitOfWork(engine) as uow:
        rows = uow.session.scalars(select(ApiKeyRow).order_by(ApiKeyRow.id)).all()
        return [_key(row) for row in rows]


class KeyRing:
    """Authenticates presented keys against the store, with a short cache (see module doc)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._cache: dict[str, tuple[float, ApiKey]] = {}
        self._lock = threading.Lock()

    def cached(self, presented: str) -> ApiKey | None:
        """The key, if a lookup in the last :data:`CACHE_SECONDS` found it live (no I/O)."""
        with self._lock:
            cached = self._cache.get(presented)
        if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
            return cached[1]
        return None

    def authenticate(self, presented: str) -> ApiKey | None:
        """The live key ``presented`` is, or None (malformed, unknown, wrong or revoked)."""
        now = time.monotonic()
        hit = self.cached(presented)
        if hit is not None:
            return hit
        match = KEY.match(presented.strip())
        if match is None:
            return None
        with UnitOfWork(self.engine) as uow:
            row = uow.session.scalar(select(ApiKeyRow).where(ApiKeyRow.prefix == match[1]))
            if row is None or row.revoked_at is not None:
                return None
            if not hmac.compare_digest(row.secret_hash, _digest(presented.strip())):
                return None
            key = _key(row)
            uow.session.execute(
                update(ApiKeyRow)
                .where(ApiKeyRow.id == row.id)
                .values(last_used_at=datetime.now(UTC))
            )
            uow.commit()
        with self._lock:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[presented] = (now, key)
        return key

    def forget(self) -> None:
        """Drop the cache (after a revocation made through this process)."""
        with self._lock:
            self._cache.clear()


def _key(row: ApiKeyRow) -> ApiKey:
    return ApiKey(
        id=row.id,
        name=row.name,
        prefix=row.prefix,
        scopes=frozenset(Scope(s) for s in row.scopes),
        created_at=row.created_at,
        revoked_at=row.revoked_at,
        last_used_at=row.last_used_at,
    )
