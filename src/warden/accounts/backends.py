"""Which counters a process uses: Redis when ``WARDEN_REDIS_URL`` is set (shared by every
worker and service process), else the embedded database's own (:mod:`.sql_counters`), so
consecutive runs of ``warden ingest`` on the default SQLite file see one platform."""

from __future__ import annotations

from sqlalchemy import Engine

from warden.accounts.counters import Counters
from warden.settings import Settings


def counters_for(settings: Settings, engine: Engine) -> Counters:
    """Redis when configured, else counters persisted in ``engine``'s database."""
    if settings.redis_url:
        from warden.accounts.redis_counters import RedisCounters

        return RedisCounters.from_url(settings.redis_url)
    from warden.accounts.sql_counters import SqlCounters

    return SqlCounters.load(engine)
