"""Rings in the store, on SQLite and PostgreSQL: round trip, idempotent add, queries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select

from warden.domain.rings import Ring, RingLink, ring_id_for
from warden.errors import InputError
from warden.store import UnitOfWork
from warden.store.schema import RingMemberRow, RingRow

T0 = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)


def ring(
    members: list[str], *, sweep: str = "sweep-1", at: datetime = T0, score: float = 0.5
) -> Ring:
    members = sorted(members)
    handle = f"chat_handle:{members[0]}_handle"
    # grouped by member, in member order: the order the store gives back (see Rings)
    links = (
        RingLink(members[0], handle, (f"ev-{members[0]}-1", f"ev-{members[0]}-2"), 7),
        RingLink(members[0], "payee:p-1", (f"pay-{members[0]}",), 1),
        *(RingLink(m, handle, (f"ev-{m}-1", f"ev-{m}-2"), 7) for m in members[1:]),
    )
    return Ring(
        ring_id=ring_id_for(members),
        members=tuple(members),
        entities=tuple(sorted({handle, "payee:p-1"})),
        score=score,
        found_at=at,
        sweep_id=sweep,
        links=links,
    )


def counts(engine: Engine) -> tuple[int, int]:
    with UnitOfWork(engine) as uow:
        rings = uow.session.scalar(select(func.count()).select_from(RingRow))
        members = uow.session.scalar(select(func.count()).select_from(RingMemberRow))
    return int(rings or 0), int(members or 0)


def test_a_ring_comes_back_as_it_went_in(engine: Engine) -> None:
    original = ring(["c", "a", "b"])
    with UnitOfWork(engine) as uow:
        assert uow.rings.add(original) is True
        uow.commit()
    with UnitOfWork(engine) as uow:
        stored = uow.rings.get(original.ring_id)
        assert uow.rings.get("ring-none") is None
    assert stored == original
    assert stored.members == ("a", "b", "c")
    assert stored.found_at.tzinfo is not None
    assert stored.size == 3
    assert stored.links[1] == RingLink("a", "payee:p-1", ("pay-a",), 1)
    assert stored.links[0] == RingLink("a", "chat_handle:a_handle", ("ev-a-1", "ev-a-2"), 7)


def test_adding_a_stored_ring_again_changes_nothing(engine: Engine) -> None:
    first = ring(["a", "b"])
    with UnitOfWork(engine) as uow:
        assert uow.rings.add(first) is True
        uow.commit()
    assert counts(engine) == (1, 2)
    # a resumed sweep adds the same ring again, possibly with other details: it is kept as is
    changed = Ring(
        first.ring_id, ("a", "b", "z"), ("device:d9",), 0.9, T0 + timedelta(days=1), "sweep-2"
    )
    with UnitOfWork(engine) as uow:
        assert uow.rings.add(first) is False
        assert uow.rings.add(changed) is False
        assert uow.rings.add(ring(["x", "y"])) is True  # the rest of the sweep goes on
        uow.commit()
    assert counts(engine) == (2, 4)
    with UnitOfWork(engine) as uow:
        assert uow.rings.get(first.ring_id) == first


def test_rings_of_an_account_of_a_sweep_and_by_size(engine: Engine) -> None:
    small = ring(["a", "b"], at=T0)
    big = ring(["a", "c", "d", "e"], at=T0 + timedelta(hours=1), sweep="sweep-2")
    other = ring(["x", "y"], at=T0 + timedelta(hours=2))
    with UnitOfWork(engine) as uow:
        for r in (other, big, small):
            uow.rings.add(r)
        uow.commit()
    with UnitOfWork(engine) as uow:
        assert [r.ring_id for r in uow.rings.for_account("a")] == [small.ring_id, big.ring_id]
        assert uow.rings.for_account("e") == [big]
        assert uow.rings.for_account("nobody") == []
        assert [r.ring_id for r in uow.rings.list()] == [small.ring_id, big.ring_id, other.ring_id]
        assert [r.ring_id for r in uow.rings.list(sweep_id="sweep-1")] == [
            small.ring_id,
            other.ring_id,
        ]
        assert [r.ring_id for r in uow.rings.list(limit=1)] == [small.ring_id]
        assert uow.rings.list(sweep_id="sweep-9") == []
        assert uow.rings.size_counts() == {2: 2, 4: 1}
        assert uow.rings.size_counts(since=T0 + timedelta(minutes=30)) == {2: 1, 4: 1}
        assert uow.rings.size_counts(until=T0 + timedelta(minutes=30)) == {2: 1}
        assert uow.rings.member_count() == 7  # a, b, c, d, e, x, y: "a" counts once
        assert uow.rings.member_count(until=T0 + timedelta(minutes=90)) == 5


def test_an_empty_store_has_no_rings(engine: Engine) -> None:
    with UnitOfWork(engine) as uow:
        assert uow.rings.list() == []
        assert uow.rings.size_counts() == {}
        assert uow.rings.member_count() == 0


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (Ring("ring-x", (), (), 0.5, T0, "s"), "members is empty"),
        (Ring("ring-x", ("a", "a"), (), 0.5, T0, "s"), "repeat an account"),
        (
            Ring("ring-x", ("a", "b"), (), 0.5, T0, "s", (RingLink("q", "qq:1", (), 1),)),
            "'q' is not a member",
        ),
        (Ring("ring-x", ("a", "b"), (), 1.5, T0, "s"), r"expected a number in \[0, 1\]"),
    ],
)
def test_a_malformed_ring_is_refused_and_nothing_is_stored(
    engine: Engine, bad: Ring, message: str
) -> None:
    with UnitOfWork(engine) as uow:
        with pytest.raises(InputError, match=message):
            uow.rings.add(bad)
        uow.commit()
    assert counts(engine) == (0, 0)


def test_links_come_back_grouped_by_member(engine: Engine) -> None:
    links = (
        RingLink("b", "device:d1", ("e1",), 1),
        RingLink("a", "device:d1", ("e2",), 1),
        RingLink("b", "ip24:10.0.0", ("e3",), 2),
    )
    given = Ring(ring_id_for(["a", "b"]), ("a", "b"), ("device:d1",), 0.0, T0, "s", links)
    with UnitOfWork(engine) as uow:
        uow.rings.add(given)
        stored = uow.rings.get(given.ring_id)
    assert stored is not None
    assert stored.links == (links[1], links[0], links[2])
