"""The scenario as arrays, prepared once before any model is built.

Everything the stages need about distances, demand and walking is computed here, so each stage
is a small function of plain numpy data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from planner.geo import distance_matrix_m
from planner.model import Scenario

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class SolveData:
    """Arrays of one scenario, in scenario order (building ``b``, site ``s``).

    Attributes
    ----------
    mobile
        Residents of each building expected to be called to a site (0 for locked buildings).
    arrivals
        Expected people at a site: ``mobile x turnout``.
    distance_m
        Straight-line building-to-site distance, metres, shape (B, S).
    walk_m
        Walking distance: straight line x detour.
    walk_min
        Walking time in minutes.
    candidates
        Bool (B, S): the sites a building may go to (its nearest ones, plus pinned ones).
    """

    mobile: IntArray
    arrivals: FloatArray
    distance_m: FloatArray
    walk_m: FloatArray
    walk_min: FloatArray
    candidates: BoolArray
    site_open: BoolArray  # sites allowed to open (not closed by a lock)

    @property
    def n_buildings(self) -> int:
        """Number of buildings."""
        return int(self.mobile.size)

    @property
    def n_sites(self) -> int:
        """Number of candidate sites."""
        return int(self.distance_m.shape[1])


def prepare(
    scenario: Scenario,
    nearest: int,
    closed: frozenset[str] = frozenset(),
    pinned: dict[str, str] | None = None,
) -> SolveData:
    """Arrays for ``scenario``; each building may use its ``nearest`` open-able sites.

    Parameters
    ----------
    closed
        Site ids that may not open.
    pinned
        Building id -> site id it must use (always a candidate).
    """
    flow = scenario.flow
    buildings, sites = scenario.buildings, scenario.sites
    mobile = np.array([b.mobile for b in buildings], dtype=np.int64)
    distance = distance_matrix_m(
        [b.lat for b in buildings],
        [b.lon for b in buildings],
        [s.lat for s in sites],
        [s.lon for s in sites],
    )
    walk_m = distance * flow.detour
    site_open = np.array([s.site_id not in closed for s in sites], dtype=bool)
    masked = np.where(site_open[None, :], distance, np.inf)
    k = max(1, min(nearest, int(site_open.sum())))
    nearest_idx = np.argsort(masked, axis=1, kind="stable")[:, :k]
    candidates = np.zeros_like(distance, dtype=bool)
    np.put_along_axis(candidates, nearest_idx, True, axis=1)
    candidates &= site_open[None, :]
    for building_id, site_id in (pinned or {}).items():
        b, s = scenario.building_index[building_id], scenario.site_index[site_id]
        candidates[b, :] = False
        candidates[b, s] = True
    return SolveData(
        mobile=mobile,
        arrivals=(mobile * flow.turnout).astype(np.float64),
        distance_m=distance,
        walk_m=walk_m,
        walk_min=flow.walk_s(distance) / 60.0,
        candidates=candidates,
        site_open=site_open,
    )
