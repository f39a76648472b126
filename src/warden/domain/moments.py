"""Moments as integers: UTC microseconds since the epoch, the sweep's column type for time.

Columns of event times are compared and sorted as ``int64`` (NumPy, Arrow); these two
functions are the only way in and out, so every module converts the same way (naive
datetimes are taken as UTC; integer arithmetic, no float rounding).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def to_micros(moment: datetime) -> int:
    """``moment`` as UTC microseconds since the epoch."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - EPOCH) // _MICROSECOND


def from_micros(micros: int) -> datetime:
    """The aware UTC datetime of ``micros``."""
    return EPOCH + timedelta(microseconds=micros)


def from_seconds(seconds: float) -> datetime:
    """The aware UTC datetime of Unix ``seconds`` (a feature value), to the microsecond."""
    return from_micros(round(seconds * 1_000_000))
