"""A day's events as columns: appended by the generators, sorted into one Arrow table.

Generators never build pydantic events (too slow for millions): they append plain values
to per-kind columns, in bulk where they can (:meth:`EventBatch.extend`). :meth:`table`
lays every kind out on the one Parquet schema below — a column a kind does not have is
null; :func:`sort_order` puts them in time order, then ``event_id``.

The schema is the ingestion schema (``warden.domain.events``) flattened: ``read_events``
drops the nulls of a row, so each row validates as exactly its kind.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

TS = pa.timestamp("ms", tz="UTC")
#: pictures as the simulator attaches them: an id and a path relative to the events folder
MEDIA = pa.list_(pa.struct([("media_id", pa.string()), ("path", pa.string())]))
SCHEMA = pa.schema(
    [
        ("kind", pa.string()),
        ("event_id", pa.string()),
        ("account_id", pa.string()),
        ("ts", TS),
        ("text", pa.string()),
        ("title", pa.string()),
        ("recipient_id", pa.string()),
        ("group_id", pa.string()),
        ("is_contact", pa.bool_()),
        ("target_event_id", pa.string()),
        ("nickname", pa.string()),
        ("signature", pa.string()),
        ("target_id", pa.string()),
        ("message", pa.string()),
        ("invitee_ids", pa.list_(pa.string())),
        ("payee_id", pa.string()),
        ("amount", pa.float64()),
        ("currency", pa.string()),
        ("payment_type", pa.string()),
        ("memo", pa.string()),
        ("target_account_id", pa.string()),
        ("reason", pa.string()),
        ("device_id", pa.string()),
        ("ip", pa.string()),
        ("region", pa.string()),
        ("media", MEDIA),
    ]
)
#: The fields of each kind beyond event_id, account_id and ts.
FIELDS: dict[str, tuple[str, ...]] = {
    "message": ("text", "recipient_id", "group_id", "is_contact", "media"),
    "post": ("title", "text", "media"),
    "comment": ("text", "target_event_id", "media"),
    "profile": ("nickname", "signature", "media"),
    "friend_request": ("target_id", "message"),
    "group_invite": ("group_id", "invitee_ids"),
    "payment": ("payee_id", "amount", "currency", "payment_type", "memo"),
    "report": ("target_account_id", "target_event_id", "reason"),
    "login": ("device_id", "ip"),
    "signup": ("device_id", "ip", "region"),
}
KINDS = tuple(FIELDS)


FLUSH_ROWS = 65_536  # Python lists hold at most this many events of a kind; Arrow the rest


class EventBatch:
    """Columns of one day's events, per kind; ``prefix`` makes event ids unique per day.

    Values wait in Python lists only until a kind has :data:`FLUSH_ROWS` of them; then they
    move into an Arrow chunk, several times more compact than Python objects."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self._next = 0
        self._columns: dict[str, dict[str, list[Any]]] = {kind: _empty(kind) for kind in KINDS}
        self._chunks: list[pa.Table] = []

    def _ids(self, count: int) -> list[str]:
        first = self._next
        self._next += count
        return [f"{self.prefix}{i:07d}" for i in range(first, first + count)]

    def add(self, kind: str, ts: int, account: str, **values: Any) -> str:
        """Append one event (``ts`` in UTC milliseconds); returns its event id."""
        columns = self._columns[kind]
        event_id = f"{self.prefix}{self._next:07d}"
        self._next += 1
        columns["event_id"].append(event_id)
        columns["account_id"].append(account)
        columns["ts"].append(ts)
        for name in FIELDS[kind]:
            columns[name].append(values.get(name))
        if len(columns["event_id"]) >= FLUSH_ROWS:
            self._flush(kind)
        return event_id

    def extend(
        self,
        kind: str,
        ts: npt.NDArray[np.int64],
        accounts: Sequence[Any] | npt.NDArray[np.object_],
        **values: Sequence[Any] | npt.NDArray[Any],
    ) -> list[str]:
        """Append many events of one kind; each value is a column as long as ``ts``."""
        count = len(ts)
        columns = self._columns[kind]
        ids = self._ids(count)
        columns["event_id"].extend(ids)
        columns["account_id"].extend(_plain(accounts))
        columns["ts"].extend(_plain(ts))
        for name in FIELDS[kind]:
            column = values.get(name)
            columns[name].extend([None] * count if column is None else _plain(column))
        if len(columns["event_id"]) >= FLUSH_ROWS:
            self._flush(kind)
        return ids

    def __len__(self) -> int:
        return self._next

    def _flush(self, kind: str) -> None:
        columns = self._columns[kind]
        count = len(columns["event_id"])
        if not count:
            return
        self._columns[kind] = _empty(kind)
        arrays = []
        for column in SCHEMA:
            if column.name == "kind":
                arrays.append(pa.array([kind] * count, pa.string()))
            elif column.name in columns:
                arrays.append(pa.array(columns.pop(column.name), column.type))
            else:
                arrays.append(pa.nulls(count, column.type))
        self._chunks.append(pa.Table.from_arrays(arrays, schema=SCHEMA))

    def table(self) -> pa.Table:
        """Every event on :data:`SCHEMA`, unsorted (see :func:`sort_order`); the batch is
        left empty."""
        for kind in KINDS:
            self._flush(kind)
        chunks, self._chunks = self._chunks, []
        return pa.concat_tables(chunks) if chunks else SCHEMA.empty_table()


def _empty(kind: str) -> dict[str, list[Any]]:
    return {name: [] for name in ("event_id", "account_id", "ts", *FIELDS[kind])}


def sort_order(table: pa.Table) -> pa.Array:
    """Row indices by ``ts``, then ``event_id``: the order of every part file (taking rows
    by index, a slice at a time, spares a sorted copy of the whole day)."""
    return pc.sort_indices(table, sort_keys=[("ts", "ascending"), ("event_id", "ascending")])


def _plain(values: Sequence[Any] | npt.NDArray[Any]) -> list[Any]:
    return values.tolist() if isinstance(values, np.ndarray) else list(values)
