"""Distances on the ground, in metres, between WGS84 positions.

Town-scale distances (a few km) make the spherical haversine formula exact to well under a metre of
what matters here; walking distance is this straight line times the scenario's ``detour`` factor.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

EARTH_RADIUS_M = 6_371_008.8

FloatArray = npt.NDArray[np.float64]


def haversine_m(
    lat1: npt.ArrayLike, lon1: npt.ArrayLike, lat2: npt.ArrayLike, lon2: npt.ArrayLike
) -> FloatArray:
    """Great-circle distance in metres; arguments broadcast like numpy arrays (degrees)."""
    p1, p2 = np.radians(np.asarray(lat1, float)), np.radians(np.asarray(lat2, float))
    dlat = p2 - p1
    dlon = np.radians(np.asarray(lon2, float)) - np.radians(np.asarray(lon1, float))
    a = np.sin(dlat / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))), float)


def point_distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """:func:`haversine_m` for one pair of points, with plain floats.

    The inner loops of the sweep scheduler ask for about a million single distances on the town;
    numpy's per-call overhead made them a third of the solve time.
    """
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dlat, dlon = p2 - p1, math.radians(lon2) - math.radians(lon1)
    a = math.sin(dlat / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(max(a, 0.0), 1.0)))


def distance_matrix_m(
    from_lat: npt.ArrayLike, from_lon: npt.ArrayLike, to_lat: npt.ArrayLike, to_lon: npt.ArrayLike
) -> FloatArray:
    """Straight-line distances in metres: one row per ``from`` point, one column per ``to``."""
    return haversine_m(
        np.asarray(from_lat, float)[:, None],
        np.asarray(from_lon, float)[:, None],
        np.asarray(to_lat, float)[None, :],
        np.asarray(to_lon, float)[None, :],
    )
