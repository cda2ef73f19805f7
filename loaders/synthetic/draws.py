"""Random helpers of the generator: dates, points, splits and weighted draws.

Each takes the caller's ``random.Random`` and draws in a fixed order, so the output
depends only on the seed; changing how many numbers one of them draws changes every
ledger after it (see the golden hash in tests/loaders/test_synthetic.py).
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
import random
from collections.abc import Sequence
from typing import Generic, TypeVar

from loaders.synthetic.presets import PAST_BEFORE

T = TypeVar("T")


def day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))


def iso(d: dt.date | None) -> str | None:
    return None if d is None else d.isoformat()


def since(rng: random.Random, earliest: dt.date = dt.date(2018, 1, 1)) -> dt.date:
    """The start of a current post: between ``earliest`` and a month before the snapshot."""
    return day(rng, earliest, dt.date(2026, 5, 31))


def past(rng: random.Random, start: dt.date) -> tuple[dt.date, dt.date]:
    """A post that ended before ``start`` (its successor's start)."""
    end = min(start, PAST_BEFORE) - dt.timedelta(days=rng.randint(1, 60))
    return day(rng, dt.date(2012, 1, 1), end - dt.timedelta(days=400)), end


def jitter(rng: random.Random, lat: float, lon: float, km: float) -> tuple[float, float]:
    """A point uniformly inside a disc of ``km`` around (lat, lon), rounded to ~0.1 m."""
    r = km * math.sqrt(rng.random())
    a = rng.random() * 2 * math.pi
    dlat = r * math.cos(a) / 111.0
    dlon = r * math.sin(a) / (111.0 * math.cos(math.radians(lat)))
    return round(lat + dlat, 6), round(lon + dlon, 6)


def split(rng: random.Random, total: int, parts: int) -> list[int]:
    """``total`` split into ``parts`` positive integers of similar size summing exactly."""
    weights = [rng.uniform(0.6, 1.4) for _ in range(parts)]
    scale = total / sum(weights)
    shares = [max(1, int(w * scale)) for w in weights]
    i = 0
    while sum(shares) != total:
        step = 1 if sum(shares) < total else -1
        if shares[i % parts] + step >= 1:
            shares[i % parts] += step
        i += 1
    return shares


def allocate(rng: random.Random, n: int, bins: int) -> list[int]:
    """``n`` items into ``bins`` bins, each at least one (when n >= bins), unevenly."""
    counts = [1] * bins if n >= bins else [0] * bins
    weights = [rng.uniform(0.5, 1.5) for _ in range(bins)]
    for b in rng.choices(range(bins), weights, k=n - sum(counts)):
        counts[b] += 1
    return counts


def quota(rng: random.Random, items: Sequence[T], share: float, floor: int = 1) -> list[T]:
    """A random subset of about ``share`` of ``items`` (at least ``floor``), in item order."""
    k = min(len(items), max(floor, round(share * len(items))))
    picked = sorted(rng.sample(range(len(items)), k))
    return [items[i] for i in picked]


class Weighted(Generic[T]):
    """Repeated weighted draws from a fixed list (cumulative weights + bisect)."""

    def __init__(self, items: Sequence[T], weights: Sequence[float]) -> None:
        self.items = list(items)
        self.cum = list(itertools.accumulate(weights))

    def draw(self, rng: random.Random) -> T:
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.cum[-1])]
