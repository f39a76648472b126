"""The unit of work: one transaction, every repository inside it, and the only commit.

::

    with UnitOfWork(engine) as uow:
        record = uow.actions.add(planned)
        uow.strikes.add(planned.account_id, planned.category, record.id, 1, planned.at)
        uow.outbox.add(planned.account_id, {"action": record.id, ...}, planned.at)
        uow.audit.append("action", planned.account_id, {...}, actor=planned.actor)
        uow.commit()

Repositories flush but never commit. Leaving the block without :meth:`UnitOfWork.commit`
— by an exception or by forgetting — rolls everything back, so an action is never stored
without its audit record and outbox message, nor they without it. ``commit`` may be called
more than once; each call ends one transaction and the next statement starts another.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from warden.audit.log import AuditLog
from warden.store.accounts import SqlAccounts, SqlEventsSeen, SqlQuarantine
from warden.store.banks import SqlBanks
from warden.store.cases import SqlCases
from warden.store.content import SqlEventContent
from warden.store.enforcement import SqlActions, SqlDecisions, SqlStrikes
from warden.store.outbox import SqlOutbox
from warden.store.rings import SqlRings


class UnitOfWork:
    """The SQL :class:`warden.store.interfaces.UnitOfWorkPort`."""

    accounts: SqlAccounts
    events_seen: SqlEventsSeen
    quarantine: SqlQuarantine
    decisions: SqlDecisions
    actions: SqlActions
    strikes: SqlStrikes
    cases: SqlCases
    outbox: SqlOutbox
    rings: SqlRings
    content: SqlEventContent
    banks: SqlBanks
    audit: AuditLog

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        """The session, for queries no repository offers yet (reports, tests)."""
        if self._session is None:
            raise RuntimeError("UnitOfWork: use it as a context manager (`with UnitOfWork(...)`)")
        return self._session

    def __enter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("UnitOfWork: already entered; create one per transaction")
        session = Session(self._engine, autoflush=True, expire_on_commit=False)
        self._session = session
        self.accounts = SqlAccounts(session)
        self.events_seen = SqlEventsSeen(session)
        self.quarantine = SqlQuarantine(session)
        self.decisions = SqlDecisions(session)
        self.actions = SqlActions(session)
        self.strikes = SqlStrikes(session)
        self.cases = SqlCases(session)
        self.outbox = SqlOutbox(session)
        self.rings = SqlRings(session)
        self.content = SqlEventContent(session)
        self.banks = SqlBanks(session)
        self.audit = AuditLog(session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session, self._session = self.session, None
        try:
            session.rollback()  # a no-op after commit; discards anything not committed
        finally:
            session.close()

    def commit(self) -> None:
        """Make everything done so far in this unit of work permanent, atomically."""
        self.session.commit()

    def rollback(self) -> None:
        """Discard everything done since the last commit."""
        self.session.rollback()
