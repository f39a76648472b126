"""Counters kept in the embedded store: the default without Redis, remembered between runs.

:class:`SqlCounters` is a :class:`~warden.accounts.counters.MemoryCounters` — every question
is answered from memory, as fast — whose state also lives in two tables of Warden's database
(SQLite or PostgreSQL), so that one ``warden ingest`` run sees what the previous one folded::

    counters = SqlCounters.load(engine)        # buckets within retention, live values
    with UnitOfWork(engine) as uow:
        ...                                    # mark the event seen, fold it, act on it
        counters.flush(uow.session)            # what changed, in the same transaction
        uow.commit()                           # counters, mark and actions: all or nothing

Exactly once. A write changes memory at once and keeps the value it replaced (a journal).
:meth:`SqlCounters.flush` writes every row changed since the last flush into the caller's
transaction (``INSERT … ON CONFLICT DO UPDATE``, one batch per table), and the counters
watch that transaction: when it commits, memory and tables agree; when it ends any other
way — rolled back, failed, closed — memory returns to the last committed state by itself.
:meth:`SqlCounters.discard` does the same by hand, for a unit of work abandoned before it
flushed. So an event's counter changes are stored with its idempotency mark or not at all,
and a retried event is folded into the state it was first folded into.

Rows (``warden.store.schema``): one ``counter_buckets`` row per (kind, key, bucket size,
bucket) — ``sum`` and ``max`` keep ``value``, ``set`` keeps ``members`` (JSON list; ``value``
holds their count); ``counter_values`` keeps ``put`` values as ``v:<key>`` and remembered
members as ``r:<key>\\x1f<member>`` (``value`` the member, ``expires`` the UNIX time it is
forgotten — wall time, as :meth:`~warden.accounts.counters.MemoryCounters.remember` keeps).
Loading reads the buckets pruning had not dropped (as of the last prune, stored) and the values
not yet expired; pruning (every six hours of event time) deletes old buckets and expired
members from the tables at the next flush, by the rule memory prunes with
(:func:`~warden.accounts.counters.first_kept`).

One writer: one process, one transaction at a time (a flush into a second transaction while
another is open raises). Two processes on one database would overwrite each other's
buckets — several workers share counters through Redis instead.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any, Self

from sqlalchemy import JSON, Engine, Table, bindparam, delete, event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.sql.dml import Insert

from warden.accounts.counters import (
    GRANULARITIES,
    PRUNE_EVERY,
    MemoryCounters,
    Windows,
    first_kept,
    sizes_for,
)
from warden.store.engine import read_only
from warden.store.schema import Base

#: Journal entries, by their first element: a bucket (kind, key, size, bucket), a value
#: (VALUE, key), a remembered member (REMEMBER, key, member), the prune clock (NEWEST,).
SUM, MAX, SET = "sum", "max", "set"
VALUE, REMEMBER, NEWEST = "value", "remember", "newest"
VALUE_PREFIX, REMEMBER_PREFIX, SEPARATOR = "v:", "r:", "\x1f"
#: The event time of the last prune: what memory keeps is everything pruning has not yet
#: dropped, so a load must filter by the same moment — not by the newest bucket, which
#: would drop what memory still holds (events arrive out of time order).
PRUNE_KEY = "p:newest"
_WATCHED = "warden.sql_counters"  # Session.info key: the counters watching that session

BUCKETS: Table = Base.metadata.tables["counter_buckets"]
VALUES: Table = Base.metadata.tables["counter_values"]
_UPSERTS: dict[str, tuple[Insert, Insert]] = {}

Journal = dict[tuple[Any, ...], Any]


class SqlCounters(MemoryCounters):
    """:class:`MemoryCounters` whose changes are written to the embedded store by
    :meth:`flush`, inside the caller's transaction (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__()
        self._stores: dict[str, dict[tuple[str, int], dict[int, Any]]] = {
            SUM: self._sums,
            MAX: self._maxes,
            SET: self._sets,
        }
        self._before: Journal = {}  # changed since the last flush → value as of that flush
        self._pending: Journal = {}  # flushed, not committed → value as of the last commit
        self._pruned: int | None = None  # the latest prune not flushed yet (event time)
        self._open: SessionTransaction | None = None  # where the pending changes were written

    @classmethod
    def load(cls, bind: Engine | Session) -> Self:
        """The counters stored in ``bind``'s database (migrated: ``warden.store.migrate``):
        buckets within their retention of the newest stored bucket, values and remembered
        members not expired. An empty database gives empty counters."""
        counters = cls()
        if isinstance(bind, Session):
            counters._load(bind)
        else:
            with Session(read_only(bind)) as session:
                counters._load(session)
        return counters

    def _load(self, session: Session) -> None:
        pruned = session.scalar(select(VALUES.c.value).where(VALUES.c["key"] == PRUNE_KEY))
        newest = int(pruned) if pruned is not None else 0
        self._newest = newest
        for size in GRANULARITIES:
            rows = session.execute(
                select(BUCKETS.c.kind, BUCKETS.c["key"], BUCKETS.c.bucket, BUCKETS.c.value,
                       BUCKETS.c.members)
                .where(BUCKETS.c.size == size, BUCKETS.c.bucket >= first_kept(size, newest))
                .order_by(BUCKETS.c.bucket)
            )  # fmt: skip
            for kind, key, bucket, value, members in rows:
                if kind == SET:
                    self._sets[(key, size)][bucket] = set(members or ())
                else:
                    self._stores[kind][(key, size)][bucket] = value
        now = time.time()
        for stored, value, expires in session.execute(
            select(VALUES.c["key"], VALUES.c.value, VALUES.c.expires)
        ):
            if stored.startswith(VALUE_PREFIX):
                self._values[stored[len(VALUE_PREFIX) :]] = value
            elif expires is not None and expires > now:
                key = stored[len(REMEMBER_PREFIX) : len(stored) - len(value) - len(SEPARATOR)]
                self._remembered[key][value] = expires

    # -- writes: journal the value replaced, then let MemoryCounters write -------------------

    def add(self, key: str, at: datetime, amount: float = 1.0, windows: Windows = None) -> None:
        stamp, before = int(at.timestamp()), self._before
        for size in sizes_for(windows):
            slot = (SUM, key, size, stamp // size)
            if slot not in before:
                buckets = self._sums.get((key, size))
                before[slot] = buckets.get(slot[3]) if buckets else None
        super().add(key, at, amount, windows)

    def add_distinct(self, key: str, member: str, at: datetime, windows: Windows = None) -> None:
        stamp, before = int(at.timestamp()), self._before
        for size in sizes_for(windows):
            bucket = stamp // size
            buckets = self._sets.get((key, size))
            members = buckets.get(bucket) if buckets else None
            if members is not None and member in members:
                continue  # no change, nothing to write
            slot = (SET, key, size, bucket)
            if slot not in before:
                before[slot] = None if members is None else set(members)
        super().add_distinct(key, member, at, windows)

    def keep_max(self, key: str, at: datetime, value: float, windows: Windows = None) -> None:
        stamp, before = int(at.timestamp()), self._before
        for size in sizes_for(windows):
            bucket = stamp // size
            buckets = self._maxes.get((key, size))
            old = buckets.get(bucket) if buckets else None
            if old is not None and value <= old:
                continue
            slot = (MAX, key, size, bucket)
            if slot not in before:
                before[slot] = old
        super().keep_max(key, at, value, windows)

    def remember(self, key: str, member: str, ttl: timedelta) -> bool:
        seen = self._remembered.get(key)
        old = seen.get(member) if seen else None
        if not super().remember(key, member, ttl):
            return False
        self._before.setdefault((REMEMBER, key, member), old)
        return True

    def put(self, key: str, value: str) -> None:
        old = self._values.get(key)
        if old == value:
            return
        self._before.setdefault((VALUE, key), old)
        super().put(key, value)

    def _prune(self, stamp: int) -> None:
        if stamp < self._newest + PRUNE_EVERY:
            return
        before = self._before
        before.setdefault((NEWEST,), self._newest)
        for kind, store in self._stores.items():
            for (key, size), buckets in store.items():
                first = first_kept(size, stamp)
                for bucket, value in buckets.items():
                    if bucket < first:
                        before.setdefault((kind, key, size, bucket), value)
        super()._prune(stamp)
        self._pruned = stamp

    # -- the transaction -------------------------------------------------------------------

    def flush(self, session: Session) -> None:
        """Write every change since the last flush into ``session``'s transaction (begun if
        none is), as upserts in one batch per table. When that transaction commits, the
        changes are kept; when it ends otherwise, memory returns to the last committed state.

        Raises ``RuntimeError`` inside a SAVEPOINT, or when changes are pending in another
        transaction that has not ended (one writer, one transaction at a time)."""
        if session.in_nested_transaction():
            raise RuntimeError("SqlCounters.flush: not inside a SAVEPOINT (begin_nested)")
        transaction = session.get_transaction() or session.begin()
        if self._open is None:
            self._watch(session)
            self._open = transaction
        elif self._open is not transaction:
            raise RuntimeError(
                "SqlCounters.flush: changes are pending in another transaction that has not "
                "ended; commit or roll it back first (one writer, one transaction at a time)"
            )
        buckets, values = self._rows()
        upsert_buckets, upsert_values = _upserts(session.get_bind().dialect.name)
        if self._pruned is not None:  # first, so a late event's old bucket is written back
            for size in GRANULARITIES:
                session.execute(
                    delete(BUCKETS).where(
                        BUCKETS.c.size == size, BUCKETS.c.bucket < first_kept(size, self._pruned)
                    )
                )
            session.execute(delete(VALUES).where(VALUES.c.expires <= time.time()))
            values.append({"key": PRUNE_KEY, "value": str(self._newest), "expires": None})
        if buckets:
            session.execute(upsert_buckets, buckets)
        if values:
            session.execute(upsert_values, values)
        self._before, self._pending = {}, self._before | self._pending  # older values win
        self._pruned = None

    def discard(self) -> None:
        """Return memory to the last committed state: forget the changes not flushed and
        those flushed into a transaction that has not committed. For a unit of work that
        will not commit (the counters do it themselves when a flushed-into transaction
        rolls back); the database is not touched."""
        journal = self._before | self._pending
        self._before, self._pending, self._pruned, self._open = {}, {}, None, None
        for slot, old in journal.items():
            self._restore(slot, old)

    def _watch(self, session: Session) -> None:
        if session.info.get(_WATCHED) is self:
            return
        session.info[_WATCHED] = self
        event.listen(session, "after_commit", self._after_commit)
        event.listen(session, "after_transaction_end", self._after_transaction_end)

    def _after_commit(self, session: Session) -> None:
        if self._open is not None and session.get_transaction() is self._open:
            self._pending, self._open = {}, None

    def _after_transaction_end(self, _session: Session, transaction: SessionTransaction) -> None:
        if transaction is self._open:  # ended without committing
            self.discard()

    def _rows(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The rows of the changes since the last flush, as they are now."""
        buckets: list[dict[str, Any]] = []
        values: list[dict[str, Any]] = []
        for slot in self._before:
            kind = slot[0]
            if kind == VALUE:
                values.append(
                    {"key": VALUE_PREFIX + slot[1], "value": self._values[slot[1]], "expires": None}
                )
            elif kind == REMEMBER:
                _, key, member = slot
                stored = f"{REMEMBER_PREFIX}{key}{SEPARATOR}{member}"
                expires = self._remembered[key][member]
                values.append({"key": stored, "value": member, "expires": expires})
            elif kind != NEWEST:
                _, key, size, bucket = slot
                kept = self._stores[kind].get((key, size))
                current = kept.get(bucket) if kept else None
                if current is None:
                    continue  # pruned since: the flush's delete takes its row
                row = {"kind": kind, "key": key, "size": size, "bucket": bucket}
                if kind == SET:
                    row |= {"value": float(len(current)), "members": list(current)}
                else:
                    row |= {"value": current, "members": None}
                buckets.append(row)
        return buckets, values

    def _restore(self, slot: tuple[Any, ...], old: Any) -> None:
        kind = slot[0]
        if kind == NEWEST:
            self._newest = old
        elif kind == VALUE:
            if old is None:
                self._values.pop(slot[1], None)
            else:
                self._values[slot[1]] = old
        elif kind == REMEMBER:
            _, key, member = slot
            if old is not None:
                self._remembered[key][member] = old
            elif (seen := self._remembered.get(key)) is not None:
                seen.pop(member, None)
                if not seen:
                    del self._remembered[key]
        else:
            _, key, size, bucket = slot
            store = self._stores[kind]
            if old is not None:
                store[(key, size)][bucket] = old
            elif (buckets := store.get((key, size))) is not None:
                buckets.pop(bucket, None)
                if not buckets:
                    del store[(key, size)]


def _upserts(dialect: str) -> tuple[Insert, Insert]:
    """``INSERT … ON CONFLICT (key) DO UPDATE`` for both tables, in ``dialect``'s words."""
    statements = _UPSERTS.get(dialect)
    if statements is None:
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        # members as SQL NULL for sums and maxima (a JSON column binds None as JSON 'null')
        members = bindparam("members", type_=JSON(none_as_null=True))
        buckets = insert(BUCKETS).values(
            {name: bindparam(name) for name in ("kind", "key", "size", "bucket", "value")}
            | {"members": members}
        )
        values = insert(VALUES)
        statements = _UPSERTS[dialect] = (
            buckets.on_conflict_do_update(
                index_elements=[c.name for c in BUCKETS.primary_key],
                set_={"value": buckets.excluded.value, "members": buckets.excluded.members},
            ),
            values.on_conflict_do_update(
                index_elements=[c.name for c in VALUES.primary_key],
                set_={"value": values.excluded.value, "expires": values.excluded.expires},
            ),
        )
    return statements
