"""One simulated day: its bounds, its random streams, and the helpers every generator uses.

Each day has its own random streams, seeded from the run's seed and the day's number, so
a day's events do not depend on how the previous day's were consumed — and a run is
reproducible byte for byte. Times are UTC milliseconds; people live in UTC+8 (the daily
rhythm below is in local hours), so a simulated "day" is a UTC day.

Events may spill past the end of their day (a deposit paid at 01:00 after an ad at
23:30): the simulator carries them into the next day's file, so files stay in time order.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from warden.simulate.batch import EventBatch
from warden.simulate.content import Copywriter, Pools
from warden.simulate.population import DAY_MS, Population

if TYPE_CHECKING:
    from warden.simulate.pictures import Album

HOUR_MS = 3_600_000
MINUTE_MS = 60_000
LOCAL_OFFSET_H = 8
#: Relative activity by local hour: people chat at lunch and in the evening ...
DAYTIME = np.array(
    [1.0, 0.5, 0.3, 0.2, 0.2, 0.4, 1, 2, 3, 4, 4, 5, 6, 5, 4, 4, 4, 5, 6, 7, 8, 8, 6, 3]
)
#: ... escort advertisers work the evening and the night.
NIGHT = np.array([6.0, 5, 4, 2, 1, 0.5, 0.3, 0.3, 0.5, 1, 1, 2, 2, 2, 2, 2, 3, 4, 5, 6, 8, 9, 9, 8])


def _utc_weights(local: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Weights by UTC hour from weights by local hour."""
    weights = np.roll(local, -LOCAL_OFFSET_H)
    return np.asarray(weights / weights.sum(), dtype=np.float64)


UTC_DAYTIME = _utc_weights(DAYTIME)
UTC_NIGHT = _utc_weights(NIGHT)
_CUM_DAYTIME = np.cumsum(UTC_DAYTIME).tolist()
_CUM_NIGHT = np.cumsum(UTC_NIGHT).tolist()
_HOURS = list(range(24))


@dataclass
class DayContext:
    """What a generator needs to write one day's events."""

    index: int
    start: int  # UTC ms
    population: Population
    batch: EventBatch
    rng: np.random.Generator  # bulk draws
    prng: random.Random  # one-at-a-time draws (much cheaper per call than NumPy's)
    copy: Copywriter
    pools: Pools
    album: Album | None = None  # pictures (``--pictures``); None: a text-only run

    @classmethod
    def open(
        cls,
        index: int,
        population: Population,
        seed: int,
        copy: Copywriter,
        pools: Pools,
        album: Album | None = None,
    ) -> DayContext:
        start = population.start_ms + index * DAY_MS
        return cls(
            index=index,
            start=start,
            population=population,
            batch=EventBatch(f"e{index:04d}-"),
            rng=np.random.default_rng([seed, 1, index]),
            prng=random.Random(seed * 1_000_003 + index),
            copy=copy,
            pools=pools,
            album=album,
        )

    @property
    def end(self) -> int:
        return self.start + DAY_MS

    def times(self, count: int, night: bool = False) -> npt.NDArray[np.int64]:
        """``count`` moments of this day following the daily rhythm."""
        hours = self.rng.choice(24, size=count, p=UTC_NIGHT if night else UTC_DAYTIME)
        within = self.rng.integers(0, HOUR_MS, size=count)
        return np.asarray(self.start + hours * HOUR_MS + within, dtype=np.int64)

    def moment(self, night: bool = False, not_before: int = 0) -> int:
        """One moment of this day (after ``not_before`` if that falls inside the day)."""
        hour = self.prng.choices(_HOURS, cum_weights=_CUM_NIGHT if night else _CUM_DAYTIME)[0]
        at = self.start + hour * HOUR_MS + self.prng.randrange(HOUR_MS)
        if not_before > at:
            at = not_before + self.prng.randrange(max(1, min(self.end - not_before, 2 * HOUR_MS)))
        return at

    def active(self, account: int) -> bool:
        """Whether ``account`` exists for the whole day (activity starts the day after signup)."""
        return bool(self.population.signup_ms[account] < self.start)

    def first_active_day(self, account: int) -> int:
        """The first day on which ``account`` is active."""
        signup = int(self.population.signup_ms[account])
        return max(0, -(-(signup - self.population.start_ms) // DAY_MS))

    def stranger(self, besides: int = -1) -> int:
        """A random ordinary account (never ``besides``)."""
        strangers = self.population.strangers
        pick = int(strangers[self.prng.randrange(len(strangers))])
        if pick == besides:
            pick = int(strangers[(self.prng.randrange(len(strangers)) + 1) % len(strangers)])
        return pick

    def strangers(self, count: int, besides: int = -1) -> list[int]:
        """``count`` distinct random ordinary accounts (as many as there are, at most)."""
        pool = self.population.strangers
        count = min(count, len(pool))
        picks = self.rng.choice(len(pool), size=count, replace=False)
        return [int(pool[i]) for i in picks.tolist() if int(pool[i]) != besides]

    def id(self, account: int) -> str:
        return str(self.population.ids[account])
