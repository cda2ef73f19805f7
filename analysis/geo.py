"""Great-circle distances with a KD-tree.

Points are placed on the unit sphere in 3-D; the straight-line (chord) distance between
two such points is a monotone function of the great-circle distance, so a KD-tree
range query with the chord of the wanted radius finds exactly the points within that
great-circle distance (no flat-earth error, even far from the equator).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

EARTH_RADIUS_M = 6_371_008.8

FloatArray = NDArray[np.float64]


def unit_vectors(lat: FloatArray, lon: FloatArray) -> FloatArray:
    """(n, 3) unit vectors for latitudes and longitudes in degrees."""
    la, lo = np.radians(lat), np.radians(lon)
    return np.column_stack((np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)))


def chord(metres: float | FloatArray) -> FloatArray:
    """Chord length on the unit sphere for a great-circle distance in metres."""
    return np.asarray(2.0 * np.sin(np.asarray(metres, dtype=float) / (2.0 * EARTH_RADIUS_M)))


def arc_metres(chord_len: FloatArray) -> FloatArray:
    """Great-circle distance in metres for a chord length on the unit sphere."""
    return np.asarray(2.0 * EARTH_RADIUS_M * np.arcsin(np.clip(chord_len / 2.0, 0.0, 1.0)))


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (reference implementation for tests)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2 - lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return float(2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(a)))


def nearest_distance_m(points: FloatArray, sites: FloatArray) -> FloatArray:
    """Great-circle metres from each point (lat, lon rows) to its nearest site
    (``inf`` when there are no sites)."""
    if len(points) == 0:
        return np.zeros(0)
    if len(sites) == 0:
        return np.full(len(points), np.inf)
    tree = cKDTree(unit_vectors(sites[:, 0], sites[:, 1]))
    dist, _ = tree.query(unit_vectors(points[:, 0], points[:, 1]), k=1)
    return arc_metres(np.asarray(dist, dtype=float))
