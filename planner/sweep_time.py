"""Where a plan's sweeper time goes: calling, walking between buildings, and waiting.

The town's finish is set by how fast sweepers call (see docs/solver.md), so this is the first
thing to look at when a plan finishes late: a sweeper's time between their first and last call
is either calling (``households x sweep_s_per_household``), walking to the next building
(straight line x ``detour`` / ``walk_m_per_s``, as the checker counts it), or waiting for the next
call's time. Walking is split by whether the sweeper stayed with the same site, and compared
with the least any plan must walk.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from planner.geo import distance_matrix_m, haversine_m
from planner.model import Building, Scenario
from planner.plan import Call, Plan, wave_households


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
    flow, per_household = scenario.flow, scenario.crew.sweep_s_per_household / 60.0

    def walk_min(a: Building, b: Building) -> float:
        if a.building_id == b.building_id:
            return 0.0
        return flow.walk_s(float(haversine_m(a.lat, a.lon, b.lat, b.lon))) / 60.0

    def call_min(call: Call) -> float:
        building = buildings[call.building_id]
        return wave_households(building, call.floor_from, call.floor_to) * per_household

    by_sweeper: dict[str, list[Call]] = defaultdict(list)
    for call in plan.calls:
        if call.building_id in buildings:
            by_sweeper[call.sweeper_id].append(call)
    calling = walking = waiting = same_walk = other_walk = 0.0
    same_moves = other_moves = 0
    for calls in by_sweeper.values():
        calls.sort(key=lambda c: c.seq)
        calling += sum(call_min(call) for call in calls)
        for prev, call in itertools.pairwise(calls):
            walk = walk_min(buildings[prev.building_id], buildings[call.building_id])
            walking += walk
            waiting += max(0.0, call.call_time - (prev.call_time + call_min(prev)) - walk)
            if prev.building_id == call.building_id:
                continue
            if prev.site_id == call.site_id:
                same_moves, same_walk = same_moves + 1, same_walk + walk
            else:
                other_moves, other_walk = other_moves + 1, other_walk + walk
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
    index = scenario.building_index
    called = [
        scenario.buildings[index[b]]
        for b in sorted({c.building_id for c in plan.calls})
        if b in index
    ]
    if len(called) < 2:
        return 0.0
    lat, lon = [b.lat for b in called], [b.lon for b in called]
    metres = distance_matrix_m(lat, lon, lat, lon)
    np.fill_diagonal(metres, np.inf)
    walks = np.sort(scenario.flow.walk_s(metres.min(axis=1)) / 60.0)
    return float(walks[: max(0, walks.size - sweepers)].sum())
