"""Presets (how many counties, how big) and the fixed dates the synthetic data describe.

The snapshot day is fixed rather than today so the output never depends on the clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# The day the data describe; "past" posts and contracts end before PAST_BEFORE, current
# ones have no end date.
SNAPSHOT = dt.date(2026, 6, 30)
PAST_BEFORE = dt.date(2025, 12, 31)
CENTRE = (30.27, 120.15)  # the first county's centre (lat, lon); others lie on a grid


@dataclass(frozen=True)
class Preset:
    """Sizes of one county and how many counties.  ``scale`` multiplies the per-county
    sizes (with small floors so a tiny county still has every kind of thing)."""

    counties: int
    streets: int = 8
    communities: int = 24
    grids: int = 150
    compounds: int = 200
    members: int = 20_000
    units: int = 150
    firms: int = 60
    social_orgs: int = 20
    volunteer_teams: int = 40
    demands: int = 5_000
    resources: int = 10_000


PRESETS: dict[str, Preset] = {
    "county": Preset(counties=1),
    "city": Preset(counties=10),
    "province": Preset(counties=100),
}


@dataclass(frozen=True)
class Sizes:
    """One county's sizes once a preset is scaled."""

    streets: int
    communities: int
    grids: int
    compounds: int
    members: int
    units: int
    firms: int
    social_orgs: int
    volunteer_teams: int
    demands: int
    resources: int

    @classmethod
    def of(cls, p: Preset, scale: float) -> Sizes:
        def s(n: int, floor: int) -> int:
            return max(floor, round(n * scale))

        return cls(
            streets=s(p.streets, 2), communities=s(p.communities, 3), grids=s(p.grids, 4),
            compounds=s(p.compounds, 10), members=s(p.members, 200), units=s(p.units, 8),
            firms=s(p.firms, 4), social_orgs=s(p.social_orgs, 2),
            volunteer_teams=s(p.volunteer_teams, 3), demands=s(p.demands, 50),
            resources=s(p.resources, 100),
        )
