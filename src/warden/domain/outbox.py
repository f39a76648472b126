"""A message waiting in the outbox for the platform (pure data; delivery is enforce/webhooks)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """One outbox row as the deliverer sees it."""

    id: int
    account_id: str
    seq: int
    payload: dict[str, Any]
    attempts: int
