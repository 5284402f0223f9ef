"""Where a plan's sweeper time goes: calling, walking between buildings, and waiting.

The town's finish is set by how fast sweepers call (see docs/solver.md), so this is the first
thing to look at when a plan finishes late: a sweeper's time between their first and last call
is either calling (``households x sweep_s_per_household``), walking to the next building
(straight line x ``detour`` / ``walk_m_per_s``, as the checker counts it), or waiting for the next
call's time. Walking is split by whether the sweeper stayed with the same site, and compared
with the least any plan must walk.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from planner.geo import haversine_m
from planner.model import Building, Scenario
from planner.plan import Plan, wave_households


@dataclass(frozen=True, slots=True)
class SweeperTime:
    """Sweeper minutes of a plan, summed over sweepers (each from their first call's start to
    their last call's end).

    Attributes
    ----------
    calling_min, walking_min, waiting_min
        Calling households, walking between buildings, and neither.
    moves_same_site, moves_other_site
        Moves to another building of the same site as the call before, or of another site.
    walking_same_site_min, walking_other_site_min
        Walking minutes of those moves.
    least_walking_min
        A lower bound on any plan's walking: every building a sweeper calls after another is
        entered from some other building, so at least its nearest neighbour's walk away; only
        the first building of each sweeper is free.
    """

    calling_min: float
    walking_min: float
    waiting_min: float
    moves_same_site: int
    moves_other_site: int
    walking_same_site_min: float
    walking_other_site_min: float
    least_walking_min: float

    @property
    def calling_share(self) -> float:
        """Calling as a share of the sweepers' time from first to last call."""
        total = self.calling_min + self.walking_min + self.waiting_min
        return self.calling_min / total if total > 0 else 0.0


def sweeper_time(scenario: Scenario, plan: Plan) -> SweeperTime:
    """Split the plan's sweeper time into calling, walking and waiting.

    Calls are taken per sweeper in ``seq`` order; a call whose building is unknown is skipped
    (the checker reports it).
    """
    buildings = {b.building_id: b for b in scenario.buildings}
    flow, crew = scenario.flow, scenario.crew

    def walk_min(a: Building, b: Building) -> float:
        if a.building_id == b.building_id:
            return 0.0
        metres = float(haversine_m(a.lat, a.lon, b.lat, b.lon))
        return metres * flow.detour / flow.walk_m_per_s / 60.0

    by_sweeper = defaultdict(list)
    for call in plan.calls:
        if call.building_id in buildings:
            by_sweeper[call.sweeper_id].append(call)
    calling = walking = waiting = same_walk = other_walk = 0.0
    same_moves = other_moves = 0
    for calls in by_sweeper.values():
        calls.sort(key=lambda c: c.seq)
        end = None
        for prev, call in zip([None, *calls[:-1]], calls, strict=True):
            here = buildings[call.building_id]
            minutes = wave_households(here, call.floor_from, call.floor_to) * (
                crew.sweep_s_per_household / 60.0
            )
            calling += minutes
            if prev is not None and end is not None:
                walk = walk_min(buildings[prev.building_id], here)
                walking += walk
                waiting += max(0.0, call.call_time - end - walk)
                if prev.building_id != call.building_id:
                    if prev.site_id == call.site_id:
                        same_moves, same_walk = same_moves + 1, same_walk + walk
                    else:
                        other_moves, other_walk = other_moves + 1, other_walk + walk
            end = call.call_time + minutes
    return SweeperTime(
        calling_min=calling,
        walking_min=walking,
        waiting_min=waiting,
        moves_same_site=same_moves,
        moves_other_site=other_moves,
        walking_same_site_min=same_walk,
        walking_other_site_min=other_walk,
        least_walking_min=_least_walking_min(scenario, plan, len(by_sweeper)),
    )


def _least_walking_min(scenario: Scenario, plan: Plan, sweepers: int) -> float:
    """Sum over called buildings of the walk to their nearest called neighbour, less the
    ``sweepers`` largest of those (each sweeper's first building needs no walk)."""
    called = sorted({c.building_id for c in plan.calls})
    index = scenario.building_index
    if len(called) < 2:
        return 0.0
    lat = np.array([scenario.buildings[index[b]].lat for b in called if b in index])
    lon = np.array([scenario.buildings[index[b]].lon for b in called if b in index])
    nearest = np.empty(lat.size)
    for k in range(lat.size):
        metres = haversine_m(lat[k], lon[k], lat, lon)
        metres[k] = np.inf
        nearest[k] = metres.min()
    walks = np.sort(nearest * scenario.flow.detour / scenario.flow.walk_m_per_s / 60.0)
    return float(walks[: max(0, walks.size - sweepers)].sum())
