"""Door-to-door routes: door teams visiting locked buildings floor by floor and immobile residents.

A door team (``door_samplers`` samplers and ``door_registrars`` registrars) walks from building to
building and samples people at their door or bedside. This module cuts the door work into stops
(:func:`door_stops`), routes a given number of teams over them so that the last team finishes as
early as possible (:func:`route_doors`), and finds the fewest teams that finish by a given time
(:func:`teams_needed`). Plain data in and out: no OR-Tools object leaves the module.

Times are whole minutes, as the plan needs them: a stop lasts its service (sampling plus the climb
of rule 6) rounded up, and a walk between two buildings is straight line x ``detour`` /
``walk_m_per_s`` rounded up (0 within one building). A route's *length* is the sum of both, which
is exactly how the visits are timed: a team's last visit ends at ``start`` + its route's length.

How the routes are made (route first, cluster second, then polish), all with small OR-Tools
routing models of one vehicle (open paths: a dummy depot with zero walk to and from every stop):

1. **One long route** through every stop: the stops of each compound (compounds with more than
   ``LEAF_MAX`` stops are first halved in space) are ordered along a short open path, and the
   compounds by one more path model (from each compound's last stop to the next one's first;
   above ``CHAIN_MAX`` compounds, part by part). Then windows of ``WINDOW`` stops along it are
   re-ordered with their ends fixed, which mends the junctions between compounds.
2. **Split**: the long route is cut into ``n_teams`` consecutive pieces with the least longest
   piece (bisection on the length; for a given length a greedy cut is optimal). The walk across a
   cut is saved, and pieces are balanced to within about one stop.
3. **Polish**: each team's stops (up to ``POLISH_MAX``) are re-ordered along a short open path
   (kept only when shorter), the polished routes are joined and cut again (the cuts move to
   rebalance), and so on while the longest route gets shorter, at most ``POLISH_ROUNDS`` times.

Every path model runs cheapest-arc first (the window models: from the window's order), then local
search to a local optimum; no decision depends on the clock, so the same inputs give the same
routes on any machine.

**Why not one routing model with a vehicle per team**, minimising the global span of a time
dimension (``SetGlobalSpanCostCoefficient``) with guided local search? It was built and measured on
the scenarios (OR-Tools 9.15, one core): with the span cost, local search checks about 3,500 moves
per second on the 1,236 stops of ``town`` grouped into 388 nodes, against 1.3 million per second
with arc costs alone; in 5-20 s it did not shorten the longest route of the split it started from
(339 min for 24 teams). On ``compound-103`` (101 stops, 3 teams) it took 20 s to gain 3 minutes
(652 -> 649) and on 20-60 stops at most one minute, in 0.6-30 s; without a solution limit that
binds, its result also depends on the machine's speed. Soft upper bounds on route ends were as
slow as the global span, and a hard route-length cap with optional stops stalled (324 min not
reached from 339 in 3 s). Steps 1-3 route ``town`` in about a second: 323 min for 24 teams,
against 435 for the baseline's id-order chunks.

Arc costs count scheduled walking minutes first (``MINUTE_COST`` each) and real walking seconds
second, so a path never trades a whole minute of the team's time for a shorter walk; within one
building, going up to the next floor chunk costs nothing and any other order one unit, so a
locked building's chunks come in floor order where nothing else decides.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from planner.geo import distance_matrix_m, haversine_m
from planner.model import Building, Scenario
from planner.plan import SWEEP_POST, Visit, route_visits, split_evenly

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

#: Most stops ordered by one path model when the long route is built (bigger compounds are halved
#: in space first): a descent over 60 nodes takes milliseconds.
LEAF_MAX = 60
#: Most compounds ordered by one path model (more are halved in space and ordered part by part).
CHAIN_MAX = 150
#: Window of the long route re-ordered at once (with its two ends fixed), and the step between
#: windows: half a window, so every junction of two compounds lies inside some window.
WINDOW = 40
#: Rounds of polish and re-split (each round only runs while the longest route got shorter).
POLISH_ROUNDS = 3
#: Longest route (in stops) re-ordered as a whole in step 3: a path model over a few hundred
#: nodes takes seconds to reach a local optimum.
POLISH_MAX = 150
#: Plans tried with one team fewer than the split needs, while they still meet the target.
FEWER_TRIES = 3
#: Arc cost of one scheduled walking minute, in units where one real walking second costs 1.
MINUTE_COST = 600
#: Whole minutes are computed from seconds with this tolerance, so float noise (239.9999999 s)
#: never adds a minute; the checker's tolerance (1e-6 minute) is far above it.
_EPS_MIN = 1e-9


@dataclass(frozen=True)
class DoorStop:
    """One door-to-door stop: floors ``floor_from``..``floor_to`` of a building.

    Attributes
    ----------
    building_id
        The building.
    floor_from, floor_to
        Consecutive floors (1 = ground floor) the team works through at this stop.
    people
        Residents sampled at this stop.
    minutes
        Service time in whole minutes, rounded up: ``people x door_s_per_person`` plus the climb of
        rule 6 (one ``lift_s`` ride where the building has a lift and ``floor_to`` >=
        ``lift_from_floor``, else ``2 x (floor_to - 1) x stairs_s_per_floor``); at least 1.
    """

    building_id: str
    floor_from: int
    floor_to: int
    people: int
    minutes: int


@dataclass(frozen=True)
class DoorPlan:
    """Door routes of a number of teams, timed.

    Attributes
    ----------
    visits
        Every stop as a :class:`~planner.plan.Visit`, team by team in route order (``seq`` 0, 1,
        ...).
    teams
        Ids of the teams that have visits (empty routes are dropped): ``T01``, ``T02``, ...
    team_windows
        Team id -> (start of its first visit, end of its last visit): when it must be staffed.
    makespan_end
        End of the last visit of any team (``start`` when there is nothing to visit).
    walking_m
        Metres walked by all teams between buildings (straight line x ``detour``).
    solver_status
        ``split`` (routes made by steps 1-3 of the module docstring) or ``empty`` (no stops);
        with ``"; max_route_min not met"`` appended when a route is longer than the cap asked
        for.
    """

    visits: tuple[Visit, ...]
    teams: tuple[str, ...]
    team_windows: dict[str, tuple[int, int]]
    makespan_end: int
    walking_m: float
    solver_status: str


# --- stops --------------------------------------------------------------------------------------


def door_stops(scenario: Scenario, max_floors_per_stop: int = 10) -> list[DoorStop]:
    """Every door stop of ``scenario``, untimed, building by building in file order.

    Parameters
    ----------
    scenario
        A validated scenario.
    max_floors_per_stop
        Most floors of a locked building worked as one stop (field practice: batches of about
        10 floors).

    Returns
    -------
    list of DoorStop
        - A locked building with residents: consecutive floor chunks of at most
          ``max_floors_per_stop`` floors, as even as possible (larger chunks first), covering
          floors 1..``floors`` exactly once; residents are spread evenly over the floors
          (:func:`planner.plan.split_evenly`, lower floors get the remainder) and summed per
          chunk. Chunks with nobody are kept, since the checker wants every floor of a locked
          building visited. A locked building without residents gets no stop (the checker asks
          for no visit there).
        - Any other building with immobile residents: one stop on its middle floor
          ``(floors + 1) // 2`` for all of them. The scenario does not say on which floors they
          live; the middle floor makes the stairs climb right on average.

    Raises
    ------
    ValueError
        When ``max_floors_per_stop`` < 1.
    """
    if max_floors_per_stop < 1:
        raise ValueError(f"max_floors_per_stop must be at least 1, not {max_floors_per_stop}")
    stops: list[DoorStop] = []
    for building in scenario.buildings:
        if building.locked:
            if building.residents <= 0:
                continue
            per_floor = split_evenly(building.residents, building.floors)
            chunks = math.ceil(building.floors / max_floors_per_stop)
            floor = 1
            for size in split_evenly(building.floors, chunks):
                top = floor + size - 1
                people = sum(per_floor[floor - 1 : top])
                stops.append(_stop(scenario, building, floor, top, people))
                floor = top + 1
        elif building.immobile > 0:
            middle = (building.floors + 1) // 2
            stops.append(_stop(scenario, building, middle, middle, building.immobile))
    return stops


def stop_minutes(scenario: Scenario, building: Building, floor_to: int, people: int) -> int:
    """Whole minutes (rounded up, at least 1) a door stop up to ``floor_to`` takes (rule 6)."""
    flow = scenario.flow
    if building.lift and floor_to >= flow.lift_from_floor:
        climb = flow.lift_s
    else:
        climb = 2 * max(0, floor_to - 1) * flow.stairs_s_per_floor
    seconds = people * scenario.crew.door_s_per_person + climb
    # At least a minute, so that every visit is a real interval of the team's route.
    return max(1, math.ceil(seconds / 60 - _EPS_MIN))


def _stop(
    scenario: Scenario, building: Building, floor_from: int, floor_to: int, people: int
) -> DoorStop:
    minutes = stop_minutes(scenario, building, floor_to, people)
    return DoorStop(building.building_id, floor_from, floor_to, people, minutes)


# --- public routing -----------------------------------------------------------------------------


def route_doors(
    scenario: Scenario,
    stops: Sequence[DoorStop],
    n_teams: int,
    start: int,
    *,
    time_limit: float = 5.0,
    seed: int = 0,
    team_prefix: str = "T",
    max_route_min: int | None = None,
) -> DoorPlan:
    """Route ``n_teams`` door teams over ``stops``, all starting at ``start``, finishing early.

    Parameters
    ----------
    scenario
        The scenario the stops belong to (buildings' positions, walking speed and detour).
    stops
        What :func:`door_stops` returned (or any stops of the scenario's buildings).
    n_teams
        Teams available; routes left empty are dropped from the plan.
    start
        Minute every team starts its first visit.
    time_limit
        Seconds any one OR-Tools path model may search: a safety net only. The work is bounded
        by counts, not by the clock (each model stops at a local optimum, normally within a
        fraction of a second), so that results do not depend on the machine's speed; a call
        takes about a second for the ~1,250 stops of ``town``.
    seed
        Order in which stops are numbered in the path models (0: the given order); another seed
        breaks ties differently and may give other, equally valid routes.
    team_prefix
        Team ids are ``{prefix}01``, ``{prefix}02``, ...; the prefix's last letter is repeated
        until no id is a site id or ``sweep`` (a roster post names a site or a team).
    max_route_min
        Longest route (first visit start to last visit end) wanted, if any. The routes already
        have the least longest route the method finds, so nothing changes for it; a plan with a
        longer route says so in ``solver_status`` (more teams are the remedy).

    Returns
    -------
    DoorPlan
        Visits timed in whole minutes: a team's first visit starts at ``start``, each next one at
        the previous end plus the walk (rounded up), each lasts its stop's ``minutes``.
        Reproducible: the same inputs give the same plan.

    Raises
    ------
    ValueError
        When ``n_teams`` < 1 or a stop names an unknown building.
    """
    if n_teams < 1:
        raise ValueError(f"n_teams must be at least 1, not {n_teams}")
    if not stops:
        return _empty(start)
    prep = _Prepared.of(scenario, stops, seed, time_limit)
    return _plan(prep, n_teams, team_prefix, start, max_route_min)


def teams_needed(
    scenario: Scenario,
    stops: Sequence[DoorStop],
    start: int,
    finish_by: int,
    *,
    max_teams: int,
    time_limit: float = 5.0,
    seed: int = 0,
    team_prefix: str = "T",
    avoid_relief: bool = True,
) -> DoorPlan:
    """Routes of the fewest teams (at most ``max_teams``) whose last visit ends by ``finish_by``.

    Parameters
    ----------
    scenario, stops, start, seed, team_prefix
        As for :func:`route_doors`.
    finish_by
        Minute by which every door visit should have ended.
    max_teams
        Most teams the staff can field.
    time_limit
        As for :func:`route_doors` (a safety net per path model, not a budget for the search:
        the search makes at most ``2 + FEWER_TRIES`` plans per target and takes about 2 s for
        ``town``).
    avoid_relief
        First look for the fewest teams whose routes all last at most ``max_ppe_h`` (so no door
        sampler needs relief in protective gear, and every team is done by
        ``start + max_ppe_h``); only when even ``max_teams`` cannot, aim at ``finish_by`` alone.

    Returns
    -------
    DoorPlan
        The plan of the fewest teams found that meets the target (``start + max_ppe_h`` when that
        is earlier than ``finish_by`` and can be met, else ``finish_by``). When even
        ``max_teams`` cannot finish by ``finish_by``, the plan of ``max_teams`` teams.

    Raises
    ------
    ValueError
        When ``max_teams`` < 1 or a stop names an unknown building.

    Notes
    -----
    The long route of step 1 (module docstring) is built once. Cutting it greedily into pieces of
    at most the target's window gives the fewest teams ``n`` its split needs; that is planned
    (polish only shortens routes, so it meets the target), then ``n - 1``, ``n - 2``, ... while
    the plan still meets the target, at most ``FEWER_TRIES`` times and never below the
    work-over-window bound. Plans are heuristic, so the count is the fewest *found*.
    """
    if max_teams < 1:
        raise ValueError(f"max_teams must be at least 1, not {max_teams}")
    if not stops:
        return _empty(start)
    prep = _Prepared.of(scenario, stops, seed, time_limit)
    targets: list[int] = []
    relief_end = start + math.floor(scenario.crew.max_ppe_h * 60 + _EPS_MIN)
    if avoid_relief and relief_end < finish_by:
        targets.append(relief_end)
    targets.append(finish_by)
    plans: dict[int, DoorPlan] = {}

    def plan_of(n: int) -> DoorPlan:
        if n not in plans:
            plans[n] = _plan(prep, n, team_prefix, start, None)
        return plans[n]

    total = int(prep.minutes.sum())
    longest = int(prep.minutes.max())
    for target in targets:
        window = target - start
        if window < longest:
            continue  # one stop alone outlasts the window: no number of teams helps
        low = max(1, math.ceil(total / window))
        if low > max_teams:
            continue
        n = min(max_teams, len(_split(prep.tour, prep.tour_legs, prep.minutes, window)))
        best = plan_of(n)
        if best.makespan_end > target:
            continue  # only possible when max_teams capped n
        # Counted, not timed, tries: the answer must not depend on the machine's speed.
        for _ in range(FEWER_TRIES):
            if n - 1 < low:
                break
            fewer = plan_of(n - 1)
            if fewer.makespan_end > target:
                break
            n, best = n - 1, fewer
        return best
    return plan_of(max_teams)


def _empty(start: int) -> DoorPlan:
    return DoorPlan((), (), {}, start, 0.0, "empty")


# --- the instance -------------------------------------------------------------------------------


@dataclass
class _Prepared:
    """Stops with their positions and minutes, and the long route through all of them (step 1).

    ``tour`` lists stop indices; ``tour_legs[k]`` is the scheduled walk (minutes) from
    ``tour[k]`` to ``tour[k + 1]``.
    """

    scenario: Scenario
    stops: tuple[DoorStop, ...]
    minutes: IntArray
    lat: FloatArray
    lon: FloatArray
    building: IntArray
    floor_from: IntArray
    floor_to: IntArray
    limit_s: float
    tour: list[int]
    tour_legs: list[int]

    @classmethod
    def of(
        cls, scenario: Scenario, stops: Sequence[DoorStop], seed: int, limit_s: float
    ) -> _Prepared:
        index = scenario.building_index
        unknown = sorted({s.building_id for s in stops} - set(index))
        if unknown:
            raise ValueError(f"door stops name unknown buildings: {', '.join(unknown[:5])}")
        buildings = [scenario.buildings[index[s.building_id]] for s in stops]
        prep = cls(
            scenario=scenario,
            stops=tuple(stops),
            minutes=np.array([s.minutes for s in stops], dtype=np.int64),
            lat=np.array([b.lat for b in buildings], dtype=float),
            lon=np.array([b.lon for b in buildings], dtype=float),
            building=np.array([index[s.building_id] for s in stops], dtype=np.int64),
            floor_from=np.array([s.floor_from for s in stops], dtype=np.int64),
            floor_to=np.array([s.floor_to for s in stops], dtype=np.int64),
            limit_s=limit_s,
            tour=[],
            tour_legs=[],
        )
        prep.tour = prep._long_route(buildings, seed)
        prep.tour_legs = prep.legs(prep.tour)
        return prep

    # walking ---------------------------------------------------------------------------------

    def walk_s(self, a: Sequence[int] | IntArray, b: Sequence[int] | IntArray) -> FloatArray:
        """Walking seconds from stops ``a`` (rows) to stops ``b`` (columns); 0 in one building."""
        ia, ib = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
        metres = distance_matrix_m(self.lat[ia], self.lon[ia], self.lat[ib], self.lon[ib])
        seconds = self.scenario.flow.walk_s(metres)
        seconds[self.building[ia][:, None] == self.building[ib][None, :]] = 0.0
        return seconds

    def leg_s(self, order: Sequence[int]) -> FloatArray:
        """Walking seconds between consecutive stops of ``order`` (one fewer than stops)."""
        if len(order) < 2:
            return np.zeros(0)
        a, b = np.asarray(order[:-1], dtype=np.int64), np.asarray(order[1:], dtype=np.int64)
        metres = haversine_m(self.lat[a], self.lon[a], self.lat[b], self.lon[b])
        seconds = np.asarray(self.scenario.flow.walk_s(metres), dtype=float)
        seconds[self.building[a] == self.building[b]] = 0.0
        return seconds

    def legs(self, order: Sequence[int]) -> list[int]:
        """Scheduled walking minutes between consecutive stops of ``order``."""
        return [int(x) for x in _whole_minutes(self.leg_s(order))]

    def length(self, order: Sequence[int]) -> int:
        """Minutes a team needs for ``order``: its stops plus its walks."""
        return int(self.minutes[list(order)].sum()) + sum(self.legs(order)) if order else 0

    def cost(self, a: Sequence[int], b: Sequence[int]) -> IntArray:
        """Arc costs from stops ``a`` (rows) to stops ``b`` (columns) for the path models.

        Walks cost their scheduled minutes first and seconds second (``MINUTE_COST``). Within one
        building (no walk) the next floor chunk up costs 0 and anything else 1, so chunks come
        in floor order when nothing else decides.
        """
        ia, ib = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
        out = _arc_cost(self.walk_s(ia, ib))
        same = self.building[ia][:, None] == self.building[ib][None, :]
        upward = self.floor_from[ib][None, :] == self.floor_to[ia][:, None] + 1
        out[same & ~upward] += 1
        return out

    def path_cost(self, order: Sequence[int]) -> int:
        """Sum of :meth:`cost` along ``order``."""
        if len(order) < 2:
            return 0
        a, b = np.asarray(order[:-1], dtype=np.int64), np.asarray(order[1:], dtype=np.int64)
        out = _arc_cost(self.leg_s(order))
        same = self.building[a] == self.building[b]
        upward = self.floor_from[b] == self.floor_to[a] + 1
        return int(out.sum()) + int((same & ~upward).sum())

    def rank(self, order: Sequence[int]) -> tuple[int, float]:
        """(length, walking seconds) of a route: what a better order of the same stops lowers."""
        return self.length(order), float(self.leg_s(order).sum())

    # step 1 ----------------------------------------------------------------------------------

    def _long_route(self, buildings: Sequence[Building], seed: int) -> list[int]:
        """Step 1: compounds' stops along short paths, compounds along one more path."""
        by_place: dict[tuple[str, str], list[int]] = defaultdict(list)
        for k, b in enumerate(buildings):
            by_place[(b.committee, b.compound)].append(k)
        leaves: list[list[int]] = []
        for members in by_place.values():
            leaves.extend(self._halve(members))
        if seed != 0:
            # Another numbering of every path model's nodes: same models, other tie-breaks.
            rng = np.random.default_rng(seed)
            leaves = [[leaf[int(k)] for k in rng.permutation(len(leaf))] for leaf in leaves]
            leaves = [leaves[int(k)] for k in rng.permutation(len(leaves))]
        paths = [
            [leaf[k] for k in _open_path(self.cost(leaf, leaf), self.limit_s)] for leaf in leaves
        ]
        return self._smooth(self._chain(paths))

    def _chain(self, paths: list[list[int]]) -> list[int]:
        """``paths`` joined into one route, in the order of a path model over them.

        The model goes from each path's last stop to the next one's first. Above ``CHAIN_MAX``
        paths (a district of several towns) they are first halved in space by their first stops,
        each part chained, and the parts chained in turn: a single model over hundreds of nodes
        would take seconds to reach a local optimum.
        """
        if len(paths) <= CHAIN_MAX:
            order = _open_path(
                self.cost([p[-1] for p in paths], [p[0] for p in paths]), self.limit_s
            )
            return [stop for k in order for stop in paths[k]]
        of_head = {p[0]: p for p in paths}
        parts = self._halve([p[0] for p in paths], CHAIN_MAX)
        return self._chain([self._chain([of_head[h] for h in part]) for part in parts])

    def _smooth(self, tour: list[int]) -> list[int]:
        """Windows of the long route re-ordered with their ends fixed, where that is shorter.

        Compounds were ordered with their paths fixed; a window across the junction of two or
        three compounds can interleave their ends (measured on ``town``: 3% less route length).
        """
        tour = list(tour)
        step = max(1, WINDOW // 2)
        for first in range(0, max(1, len(tour) - 3), step):
            window = tour[first : first + WINDOW]
            if len(window) < 4:
                continue
            better = [window[k] for k in _fixed_path(self.cost(window, window), self.limit_s)]
            if self.path_cost(better) < self.path_cost(window):
                tour[first : first + WINDOW] = better
        return tour

    def _halve(self, members: list[int], most: int = LEAF_MAX) -> list[list[int]]:
        """``members`` split in space (recursive halving across the wider side) into sets of at
        most ``most`` stops."""
        if len(members) <= most:
            return [members]
        lat, lon = self.lat[members], self.lon[members]
        # Compare spreads in metres: a degree of longitude is cos(latitude) of a degree of latitude.
        wide = float(np.ptp(lon)) * math.cos(math.radians(float(np.mean(lat)))) > float(np.ptp(lat))
        coord = lon if wide else lat
        order = sorted(range(len(members)), key=lambda k: (float(coord[k]), members[k]))
        half = len(order) // 2
        return [
            *self._halve([members[k] for k in order[:half]], most),
            *self._halve([members[k] for k in order[half:]], most),
        ]


def _whole_minutes(seconds: npt.ArrayLike) -> IntArray:
    """Seconds rounded up to whole minutes (float noise ignored)."""
    minutes = np.ceil(np.asarray(seconds, dtype=float) / 60 - _EPS_MIN)
    return np.asarray(minutes.clip(min=0), dtype=np.int64)


def _arc_cost(seconds: FloatArray) -> IntArray:
    """Arc costs of walks: scheduled whole minutes first, real seconds to break ties."""
    return _whole_minutes(seconds) * MINUTE_COST + np.rint(seconds).astype(np.int64)


# --- step 2: split ------------------------------------------------------------------------------


def _split(
    order: Sequence[int], legs: Sequence[int], minutes: IntArray, limit: int
) -> list[list[int]]:
    """``order`` cut greedily into consecutive routes of at most ``limit`` minutes each.

    Each route is made as long as the limit allows: since a route only grows when a stop is added,
    this gives the fewest routes for the limit. A stop longer than the limit is a route of its own.
    """
    routes: list[list[int]] = []
    length = 0
    for k, stop in enumerate(order):
        if k > 0:
            grown = length + legs[k - 1] + int(minutes[stop])
            if grown <= limit:
                routes[-1].append(stop)
                length = grown
                continue
        routes.append([stop])
        length = int(minutes[stop])
    return routes


def _balanced_split(prep: _Prepared, order: Sequence[int], n_teams: int) -> list[list[int]]:
    """``order`` cut into at most ``n_teams`` consecutive routes with the least longest route."""
    legs = prep.legs(order)
    lo = int(prep.minutes[list(order)].max())
    hi = int(prep.minutes[list(order)].sum()) + sum(legs)
    while lo < hi:
        mid = (lo + hi) // 2
        if len(_split(order, legs, prep.minutes, mid)) <= n_teams:
            hi = mid
        else:
            lo = mid + 1
    return _split(order, legs, prep.minutes, lo)


# --- step 3: polish -----------------------------------------------------------------------------


def _polish(
    prep: _Prepared, route: list[int], cache: dict[tuple[int, ...], list[int]]
) -> list[int]:
    """``route``'s stops re-ordered along a short open path, when that is shorter.

    Routes of more than ``POLISH_MAX`` stops (few teams for many stops) are kept as cut: they are
    stretches of the long route, whose windows are already re-ordered.
    """
    key = tuple(route)
    if key not in cache:
        best = route
        if 2 < len(route) <= POLISH_MAX:
            # From scratch, not from the route's order: a fresh local optimum is often better
            # (compound-103, 3 teams: 292 min against 319 from the given order).
            path = [route[k] for k in _open_path(prep.cost(route, route), prep.limit_s)]
            if prep.rank(path) < prep.rank(route):
                best = path
        cache[key] = best
    return cache[key]


def _open_path(cost: IntArray, limit_s: float) -> list[int]:
    """Order of the nodes of ``cost`` along a short open path (a one-vehicle OR-Tools model).

    A dummy depot with zero cost to and from every node makes the route open. Cheapest-arc first
    solution, then local search to a local optimum: on the small node sets it is used for (one
    compound, one team's stops, up to ``CHAIN_MAX`` compounds) that takes milliseconds to a few
    tenths of a second and, with no time limit binding, gives the same path every time.
    """
    n = int(cost.shape[0])
    if n <= 2:
        return [1, 0] if n == 2 and cost[1, 0] < cost[0, 1] else list(range(n))
    full = np.zeros((n + 1, n + 1), dtype=np.int64)
    full[1:, 1:] = cost
    manager = pywrapcp.RoutingIndexManager(n + 1, 1, 0)
    routing = pywrapcp.RoutingModel(manager)
    callback = routing.RegisterTransitMatrix(full.tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(callback)
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    # A safety net only: the search stops at a local optimum long before.
    params.time_limit.FromMilliseconds(max(1, int(limit_s * 1000)))
    solution = routing.SolveWithParameters(params)
    if solution is None:
        return list(range(n))
    return _route_of(routing, manager, solution, 0)


def _fixed_path(cost: IntArray, limit_s: float) -> list[int]:
    """A short path from node 0 to the last node of ``cost`` through all others.

    Local search (to a local optimum) from the path in node order, so the result is never
    longer than that order.
    """
    n = int(cost.shape[0])
    if n <= 3:
        return list(range(n))
    manager = pywrapcp.RoutingIndexManager(n, 1, [0], [n - 1])
    routing = pywrapcp.RoutingModel(manager)
    callback = routing.RegisterTransitMatrix(cost.tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(callback)
    params = pywrapcp.DefaultRoutingSearchParameters()
    # A safety net only: the search stops at a local optimum long before.
    params.time_limit.FromMilliseconds(max(1, int(limit_s * 1000)))
    routing.CloseModelWithParameters(params)
    first = routing.ReadAssignmentFromRoutes(
        [[manager.NodeToIndex(k) for k in range(1, n - 1)]], True
    )
    solution = routing.SolveFromAssignmentWithParameters(first, params)
    if solution is None:
        return list(range(n))
    inner = [manager.IndexToNode(routing.Start(0))]
    index = solution.Value(routing.NextVar(routing.Start(0)))
    while not routing.IsEnd(index):
        inner.append(manager.IndexToNode(index))
        index = solution.Value(routing.NextVar(index))
    return [*inner, n - 1]


def _route_of(
    routing: pywrapcp.RoutingModel,
    manager: pywrapcp.RoutingIndexManager,
    solution: pywrapcp.Assignment,
    vehicle: int,
) -> list[int]:
    """Nodes (depot 0 excluded, shifted down by one) of ``vehicle``'s route in ``solution``."""
    out: list[int] = []
    index = solution.Value(routing.NextVar(routing.Start(vehicle)))
    while not routing.IsEnd(index):
        out.append(manager.IndexToNode(index) - 1)
        index = solution.Value(routing.NextVar(index))
    return out


# --- the plan -----------------------------------------------------------------------------------


def _plan(
    prep: _Prepared, n_teams: int, team_prefix: str, start: int, max_route_min: int | None
) -> DoorPlan:
    """Steps 2 and 3 for ``n_teams`` teams, then the timed plan."""
    cache: dict[tuple[int, ...], list[int]] = {}
    routes = [_polish(prep, r, cache) for r in _balanced_split(prep, prep.tour, n_teams)]
    best = _score(prep, routes)
    for _ in range(POLISH_ROUNDS - 1):
        # Polished routes are shorter, unevenly: join them and cut again to rebalance.
        joined = [s for r in routes for s in r]
        again = [_polish(prep, r, cache) for r in _balanced_split(prep, joined, n_teams)]
        score = _score(prep, again)
        if score >= best:
            break
        routes, best = again, score
    status = "split"
    if max_route_min is not None and best[0] > max_route_min:
        status += "; max_route_min not met"
    return _timed(prep, routes, start, team_prefix, status)


def _score(prep: _Prepared, routes: list[list[int]]) -> tuple[int, int, float]:
    """(longest route, total route minutes, walking seconds): lower is better, in that order."""
    ranks = [prep.rank(r) for r in routes]
    return (
        max((length for length, _ in ranks), default=0),
        sum(length for length, _ in ranks),
        sum(walk for _, walk in ranks),
    )


def _timed(
    prep: _Prepared, routes: list[list[int]], start: int, team_prefix: str, status: str
) -> DoorPlan:
    """Stop routes as visits: back to back from ``start``, walks rounded up to whole minutes."""
    routes = [r for r in routes if r]
    ids = _team_ids(prep.scenario, len(routes), team_prefix)
    visits: list[Visit] = []
    windows: dict[str, tuple[int, int]] = {}
    walked_s = 0.0
    for team, route in zip(ids, routes, strict=True):
        walked_s += float(prep.leg_s(route).sum())
        stops = [prep.stops[k] for k in route]
        timed = route_visits(
            team,
            start,
            [(p.building_id, p.floor_from, p.floor_to, p.people, p.minutes) for p in stops],
            prep.legs(route),
        )
        visits.extend(timed)
        windows[team] = (start, timed[-1].end if timed else start)
    end = max((hi for _, hi in windows.values()), default=start)
    walked_m = walked_s * prep.scenario.flow.walk_m_per_s
    return DoorPlan(tuple(visits), tuple(ids), windows, end, walked_m, status)


def _team_ids(scenario: Scenario, count: int, prefix: str) -> list[str]:
    """``T01``, ``T02``, ... made distinct from every site id and ``sweep``."""
    taken = set(scenario.site_index) | {SWEEP_POST}
    prefix = prefix or "T"
    while any(f"{prefix}{k + 1:02d}" in taken for k in range(count)):
        prefix += prefix[-1]
    return [f"{prefix}{k + 1:02d}" for k in range(count)]
