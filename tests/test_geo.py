"""The scalar distance used in the sweep scheduler's inner loop agrees with the vector one."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from planner.geo import EARTH_RADIUS_M, haversine_m, point_distance_m

lats = st.floats(min_value=-89.0, max_value=89.0, allow_nan=False)
lons = st.floats(min_value=-180.0, max_value=180.0, allow_nan=False)


@given(lats, lons, lats, lons)
def test_point_distance_matches_the_array_formula(a: float, b: float, c: float, d: float) -> None:
    expected = float(haversine_m(a, b, c, d))
    assert math.isclose(point_distance_m(a, b, c, d), expected, rel_tol=1e-9, abs_tol=1e-6)


def test_point_distance_of_known_pairs() -> None:
    # A quarter of a great circle along the equator, and one degree of latitude.
    assert math.isclose(point_distance_m(0.0, 0.0, 0.0, 90.0), math.pi / 2 * EARTH_RADIUS_M)
    one_degree = math.radians(1) * EARTH_RADIUS_M
    assert math.isclose(point_distance_m(31.0, 121.0, 32.0, 121.0), one_degree)
    assert point_distance_m(31.2, 121.4, 31.2, 121.4) == 0.0
