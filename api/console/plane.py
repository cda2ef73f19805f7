"""The map's flat plane: lon/lat → metres, and the outline a community's compounds imply.

The console's map works with no tile server, so it draws on a plane of its own: an
equirectangular projection around the centre of what is shown (x east, y north, in
metres).  Over a county (tens of kilometres) its scale error is far below what the map
is read for, and distances on it are metres, so Leaflet's ``L.CRS.Simple`` gives a true
scale bar and true walking circles.  No ledger draws community boundaries; the outline
of a community is the convex hull of its compounds, each widened by ``HALO`` metres so
one or two compounds still make an area.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from analysis.geo import EARTH_RADIUS_M

HALO = 150.0  # metres around each compound in an outline
_SIDES = 8  # the halo as a regular polygon
Point = tuple[float, float]  # (x, y) in metres
_PER_DEGREE = EARTH_RADIUS_M * math.pi / 180  # metres per degree of a great circle


@dataclass(frozen=True)
class Plane:
    """An equirectangular projection centred on ``(lat0, lon0)``."""

    lat0: float
    lon0: float

    @classmethod
    def around(cls, places: Iterable[tuple[float, float]]) -> Plane:
        """Centred on the middle of the box holding ``places`` (lat, lon); (0, 0) if none."""
        pts = list(places)
        if not pts:
            return cls(0.0, 0.0)
        lats, lons = [p[0] for p in pts], [p[1] for p in pts]
        return cls(round((min(lats) + max(lats)) / 2, 6), round((min(lons) + max(lons)) / 2, 6))

    def xy(self, lat: float, lon: float) -> Point:
        """Metres east and north of the centre, to 0.1 m."""
        x = _PER_DEGREE * (lon - self.lon0) * math.cos(math.radians(self.lat0))
        return round(x, 1), round(_PER_DEGREE * (lat - self.lat0), 1)

    def latlon(self, x: float, y: float) -> tuple[float, float]:
        """Back from the plane (for a map on real tiles), to 1e-6 degrees (0.1 m)."""
        lon = self.lon0 + x / (_PER_DEGREE * math.cos(math.radians(self.lat0)))
        return round(self.lat0 + y / _PER_DEGREE, 6), round(lon, 6)


def _cross(o: Point, a: Point, b: Point) -> float:
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def hull(points: Iterable[Point]) -> list[Point]:
    """The convex hull, counter-clockwise from the lowest-leftmost point (Andrew's
    monotone chain); fewer than three distinct points come back as they are."""
    pts = sorted(set(points))
    if len(pts) < 3:
        return pts
    lower: list[Point] = []
    upper: list[Point] = []
    for p in pts:
        while len(lower) >= 2 and _cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(pts):
        while len(upper) >= 2 and _cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def outline(points: Sequence[Point], halo: float = HALO) -> list[Point]:
    """The hull of ``points`` each widened by ``halo`` metres (a polygon of ``_SIDES``
    corners around each), to 0.1 m; empty without points."""
    around = [(round(x + halo * math.cos(2 * math.pi * i / _SIDES), 1),
               round(y + halo * math.sin(2 * math.pi * i / _SIDES), 1))
              for x, y in points for i in range(_SIDES)]
    return hull(around)
