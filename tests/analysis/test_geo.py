"""The KD-tree on the unit sphere gives great-circle distances."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.geo import haversine_m, nearest_distance_m


def test_nearest_matches_haversine_far_from_the_equator() -> None:
    # Harbin (45.75°N): 0.01° of longitude is ~777 m, of latitude ~1,112 m
    sites = np.array([[45.75, 126.63], [45.80, 126.70]])
    points = np.array([[45.75, 126.64], [45.76, 126.63], [45.80, 126.70]])
    got = nearest_distance_m(points, sites)
    want = [haversine_m(45.75, 126.63, 45.75, 126.64),
            haversine_m(45.75, 126.63, 45.76, 126.63), 0.0]
    assert got == pytest.approx(want, abs=0.01)
    assert 770 < got[0] < 785 and 1105 < got[1] < 1120


def test_no_sites_or_points() -> None:
    assert np.isinf(nearest_distance_m(np.array([[30.0, 120.0]]), np.zeros((0, 2)))).all()
    assert len(nearest_distance_m(np.zeros((0, 2)), np.array([[30.0, 120.0]]))) == 0
