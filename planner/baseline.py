"""The plans a command post makes without optimisation: ``broadcast`` and ``stagger``.

Both open the same sites with the same desks and send the same door teams; they differ only in
when buildings are called:

- ``broadcast``: every building is called at the start to its nearest open site, whole building
  at once: each sweeper calls their buildings back to back from the start, as fast as calling
  (``households x sweep_s_per_household``) and walking between buildings allow.
- ``stagger``: each site's buildings are called one after another in id order, spread evenly over
  the site's opening hours, whole building at once (no earlier than a sweeper can get there).

Shared parts (docs/formats.md, "What makes a plan valid", is the contract every plan here keeps):

- Door work: locked buildings floor by floor (one stop per floor, or per few floors when a building
  has fewer residents than floors), then the immobile residents of other buildings (one stop per
  building, on its middle floor), in building id order, cut into contiguous chunks of about equal
  duration, one per door team. Enough teams to finish within the round, as staff allow.
- Desks: every site that staff allow opens from ``max(open_from, start)`` to ``open_to`` with as
  many desks as the crews left after door teams allow (:func:`planner.roster.desk_capacity`); where
  the roster cannot staff a desk at some minutes, that site's desks step down there.
- Rosters from :func:`planner.roster.build_roster`; door teams are staffed first, since their work
  cannot shrink while desks can.

Times are rounded up to whole minutes (never down), so the plan is never tighter than the rules.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from planner.geo import EARTH_RADIUS_M, distance_matrix_m, haversine_m
from planner.model import Building, Role, Scenario, Site, Staff
from planner.plan import SWEEP_POST, Call, DeskSpell, Plan, Shift, Visit, route_visits, split_evenly
from planner.problems import Problem
from planner.roster import (
    SweepNeed,
    TeamNeed,
    Unfilled,
    build_roster,
    desk_capacity,
    staffed_desks,
)

Kind = Literal["broadcast", "stagger"]
KINDS: tuple[Kind, ...] = ("broadcast", "stagger")

#: Door teams planned beyond the bare minimum, as a share of the door work (rounding, walks).
DOOR_MARGIN = 0.10
#: A sweeper idle longer than this between two calls goes off shift (their hours stop counting).
SWEEP_IDLE_MIN = 30
#: Stagger spreads tried in turn (share of each site's calling window) until sweepers keep up.
STAGGER_SPREADS = (1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0)
#: A call must have a desk of its site open at some minute in [call + lo, call + hi]. The rule
#: says "in the hour after the call"; requiring minutes 1-59 satisfies any reading of it.
REACH_LO_MIN = 1
REACH_HI_MIN = 59


@dataclass(frozen=True)
class BaselineResult:
    """A baseline plan and what could not be staffed.

    Attributes
    ----------
    plan
        The plan, in canonical order, with ``made_by["kind"]`` the baseline's kind.
    unfilled
        Work the command post wanted but could not staff: desk crews the first roster pass could
        not find (those desks were stepped down, the plan is still valid), and door-team or sweep
        work nobody could do (then the plan misses the corresponding rule).
    notes
        Warnings, rendered through the message catalogue: desks stepped down, buildings left
        uncalled, calls spread over less than the sites' windows.
    """

    plan: Plan
    unfilled: tuple[Unfilled, ...]
    notes: tuple[Problem, ...] = ()


@dataclass(frozen=True, slots=True)
class _Stop:
    """A door-to-door stop before it is timed: where, who, and how long it takes (minutes)."""

    building: Building
    floor_from: int
    floor_to: int
    people: int
    minutes: int


@dataclass
class _Sweeper:
    """A sweeper's state while calls are dealt out."""

    staff: Staff
    order: int
    limit: int
    calls: list[tuple[Building, int]] = field(default_factory=list)  # (building, call time)
    shifts: list[list[int]] = field(default_factory=list)  # [start, end], merged when close
    used: int = 0


def baseline(scenario: Scenario, kind: Kind) -> BaselineResult:
    """Make the ``broadcast`` or ``stagger`` plan of ``scenario`` (see the module docstring).

    Parameters
    ----------
    scenario
        A validated scenario.
    kind
        ``"broadcast"`` or ``"stagger"``.

    Returns
    -------
    BaselineResult
        The plan (canonical, deterministic for a given scenario) and what could not be staffed.
        When staff are short the plan has fewer desks and ``unfilled`` says where; the plan is
        still valid unless door or sweep work could not be staffed at all (listed as well).

    Raises
    ------
    ValueError
        For an unknown ``kind``.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown baseline kind {kind!r}; expected one of {', '.join(KINDS)}")
    visits, teams = door_routes(scenario)
    team_roster = build_roster(scenario, teams=teams, marshals=False)
    wanted = wanted_desks(scenario, teams)
    desks, desk_roster, desk_unfilled = _staff_desks(scenario, wanted, team_roster.shifts)
    schedule = schedule_calls(scenario, desks, kind)
    sweep_roster = build_roster(scenario, sweeps=schedule.sweeps, marshals=False)
    plan = Plan(
        desks=desks,
        calls=schedule.calls,
        visits=tuple(visits),
        roster=(*desk_roster, *sweep_roster.shifts),
        made_by=_made_by(kind, desks, teams, schedule.spread),
    )
    rnd = scenario.round
    unfilled = (
        *desk_unfilled,
        *team_roster.unfilled,
        *sweep_roster.unfilled,
        *(
            Unfilled(SWEEP_POST, Role.SWEEPER, rnd.start, rnd.deadline, 1)
            for _ in schedule.uncalled
        ),
    )
    notes = _notes(wanted, desks, bool(desk_unfilled), schedule)
    return BaselineResult(plan.canonical(), unfilled, notes)


def _notes(
    wanted: Sequence[DeskSpell],
    desks: Sequence[DeskSpell],
    stepped_down: bool,
    schedule: CallSchedule,
) -> tuple[Problem, ...]:
    """Remarks (catalogue-backed warnings) on where the baseline had to give way."""
    notes: list[Problem] = []

    def note(code: str, **values: object) -> None:
        notes.append(Problem("", None, None, code, values, severity="warning"))

    if stepped_down:
        want = sum((d.end - d.start) * d.desks for d in wanted) / 60
        have = sum((d.end - d.start) * d.desks for d in desks) / 60
        note("bl_desks_stepped_down", have=have, want=want)
    for building_id in schedule.uncalled:
        note("bl_uncalled", building=building_id)
    if schedule.spread is not None and schedule.spread < 1:
        note("bl_spread", share=schedule.spread)
    return tuple(notes)


# --- door teams -------------------------------------------------------------------------------


def door_stops(scenario: Scenario) -> list[_Stop]:
    """Every door stop, untimed: locked buildings floor by floor, then immobile residents.

    Both in building id order. A locked building with at least as many residents as floors gets
    one stop per floor; otherwise its floors are grouped so that every stop has somebody (and a
    building with nobody gets one stop over all floors, since its floors must still be covered).
    Immobile residents of any other building are one stop on the building's middle floor.
    """
    stops: list[_Stop] = []
    ordered = sorted(scenario.buildings, key=lambda b: b.building_id)
    for building in (b for b in ordered if b.locked):
        groups = max(1, min(building.floors, building.residents))
        floor = 1
        for floors, people in zip(
            split_evenly(building.floors, groups),
            split_evenly(building.residents, groups),
            strict=True,
        ):
            stops.append(_stop(scenario, building, floor, floor + floors - 1, people))
            floor += floors
    for building in (b for b in ordered if not b.locked and b.immobile > 0):
        middle = (building.floors + 1) // 2
        stops.append(_stop(scenario, building, middle, middle, building.immobile))
    return stops


def door_routes(scenario: Scenario) -> tuple[list[Visit], list[TeamNeed]]:
    """Door stops cut into team routes and timed; returns the visits and each team's interval.

    The number of teams is ``ceil((1 + DOOR_MARGIN) x door work / window)``, where door work is
    the whole route walked by one team, and at most what the samplers and registrars allow. Teams
    start at the round's start (or when the first crew is available) and walk between buildings
    (straight line x detour); every time is rounded up to a whole minute.
    """
    stops = door_stops(scenario)
    if not stops:
        return [], []
    t0 = _door_start(scenario)
    work = _route_minutes(scenario, stops)
    window = max(1, scenario.round.deadline - t0)
    teams = max(1, min(math.ceil((1 + DOOR_MARGIN) * work / window), _door_team_cap(scenario)))
    ids = _team_ids(scenario, teams)
    visits: list[Visit] = []
    needs: list[TeamNeed] = []
    for team_id, chunk in zip(ids, _chunks(scenario, stops, teams), strict=False):
        route = _time_route(scenario, team_id, chunk, t0)
        visits.extend(route)
        needs.append(TeamNeed(team_id, route[0].start, route[-1].end, chunk[0].building.committee))
    return visits, needs


def _stop(
    scenario: Scenario, building: Building, floor_from: int, floor_to: int, people: int
) -> _Stop:
    flow = scenario.flow
    if building.lift and floor_to >= flow.lift_from_floor:
        climb = flow.lift_s
    else:
        climb = 2 * (floor_to - 1) * flow.stairs_s_per_floor
    seconds = people * scenario.crew.door_s_per_person + climb
    # At least a minute, so that every visit is a real interval of the team's route.
    return _Stop(building, floor_from, floor_to, people, max(1, math.ceil(seconds / 60)))


def _walk_min(scenario: Scenario, a: Building, b: Building) -> int:
    """Whole minutes to walk between two buildings' doors (rounded up; 0 within a building)."""
    if a.building_id == b.building_id:
        return 0
    metres = float(haversine_m(a.lat, a.lon, b.lat, b.lon))
    return math.ceil(scenario.flow.walk_s(metres) / 60)


def _route_minutes(scenario: Scenario, stops: Sequence[_Stop]) -> int:
    """Length of ``stops`` done by one team in order: stops plus walks."""
    walks = sum(_walk_min(scenario, a.building, b.building) for a, b in itertools.pairwise(stops))
    return sum(s.minutes for s in stops) + walks


def _door_start(scenario: Scenario) -> int:
    """The first minute from the start at which one full door crew is available."""
    crew, start = scenario.crew, scenario.round.start
    t0 = start
    for role, need in ((Role.SAMPLER, crew.door_samplers), (Role.REGISTRAR, crew.door_registrars)):
        arrivals = sorted(p.available_from for p in scenario.staff if p.role == role)
        if need > 0 and len(arrivals) >= need:
            t0 = max(t0, arrivals[need - 1])
    return t0


def _door_team_cap(scenario: Scenario) -> int:
    """Door teams the roster could field at once (each needs its own samplers and registrars)."""
    counts = scenario.staff_count()
    crew = scenario.crew
    caps = [
        counts[role] // need
        for role, need in (
            (Role.SAMPLER, crew.door_samplers),
            (Role.REGISTRAR, crew.door_registrars),
        )
        if need > 0
    ]
    return max(1, min(caps, default=1))


def _team_ids(scenario: Scenario, count: int) -> list[str]:
    """``T01``, ``T02``, ... made distinct from every site id (a post names a site or a team)."""
    taken = set(scenario.site_index) | {SWEEP_POST}
    prefix = "T"
    while any(f"{prefix}{k + 1:02d}" in taken for k in range(count)):
        prefix += "T"
    return [f"{prefix}{k + 1:02d}" for k in range(count)]


def _chunks(scenario: Scenario, stops: Sequence[_Stop], teams: int) -> list[list[_Stop]]:
    """``stops`` cut into at most ``teams`` contiguous runs of about equal duration (none empty).

    Stop ``i`` goes to run ``floor(teams x midpoint_i / total)``, where ``midpoint_i`` is the
    middle of the stop on the single-team route: runs stay in id order and differ by about one
    stop's length.
    """
    durations = [s.minutes for s in stops]
    for k in range(1, len(stops)):
        durations[k] += _walk_min(scenario, stops[k - 1].building, stops[k].building)
    total = max(1, sum(durations))
    runs: dict[int, list[_Stop]] = defaultdict(list)
    elapsed = 0.0
    for stop, length in zip(stops, durations, strict=True):
        runs[min(teams - 1, int(teams * (elapsed + length / 2) / total))].append(stop)
        elapsed += length
    return [runs[k] for k in sorted(runs)]


def _time_route(scenario: Scenario, team_id: str, stops: Sequence[_Stop], t0: int) -> list[Visit]:
    return route_visits(
        team_id,
        t0,
        [(s.building.building_id, s.floor_from, s.floor_to, s.people, s.minutes) for s in stops],
        [_walk_min(scenario, a.building, b.building) for a, b in itertools.pairwise(stops)],
    )


# --- desks ------------------------------------------------------------------------------------


def wanted_desks(scenario: Scenario, teams: Sequence[TeamNeed] = ()) -> tuple[DeskSpell, ...]:
    """One spell per site that staff allow: its opening hours, as many desks as crews allow.

    Crews are counted by :func:`planner.roster.desk_capacity` after the door teams' hours, with
    sites in order of the residents they are nearest to (busiest first, then file order), so when
    staff are short the quiet sites are the ones left closed or with fewer desks. If not even one
    desk can be staffed all day, the busiest site still asks for one (the roster then staffs the
    part of the day it can).
    """
    crew, rnd = scenario.crew, scenario.round
    team_minutes = sum(t.end - t.start for t in teams)
    reserved = {
        Role.SAMPLER: float(team_minutes * crew.door_samplers),
        Role.REGISTRAR: float(team_minutes * crew.door_registrars),
    }
    load = _nearest_load(scenario, scenario.sites)
    order = sorted(range(len(scenario.sites)), key=lambda k: (-load[k], k))
    sites = [scenario.sites[k] for k in order]
    counts = desk_capacity(scenario, sites, reserved=reserved)
    openable = [s for s in sites if s.open_to > max(s.open_from, rnd.start)]
    if openable and not any(counts.values()):
        # Not one desk can be staffed all day: still open the busiest site and let the roster
        # staff what it can, rather than leave every resident without a site.
        counts[openable[0].site_id] = 1
    spells = [
        DeskSpell(s.site_id, max(s.open_from, rnd.start), s.open_to, counts[s.site_id])
        for s in scenario.sites
        if counts[s.site_id] > 0 and s.open_to > max(s.open_from, rnd.start)
    ]
    return tuple(spells)


def _staff_desks(
    scenario: Scenario, wanted: Sequence[DeskSpell], fixed: Sequence[Shift]
) -> tuple[tuple[DeskSpell, ...], tuple[Shift, ...], tuple[Unfilled, ...]]:
    """Roster the wanted desks around the fixed (door-team) shifts, stepping desks down as needed.

    Returns the desks the roster staffs, that roster (fixed shifts included), and what the first
    pass could not staff. When the first pass leaves gaps, a second pass asks only for the desks
    the first one staffed, to drop the people the stepped-down desks no longer need; if that pass
    does worse (the greedy is not monotone), the first roster is kept, surplus and all. Either
    way the desks returned are what the returned roster staffs
    (:func:`planner.roster.staffed_desks`), so crews are always complete.
    """
    first = build_roster(scenario, desks=wanted, fixed=fixed)
    staffed = staffed_desks(scenario, wanted, first.shifts)
    if first.complete:
        return staffed, first.shifts, ()
    second = build_roster(scenario, desks=staffed, fixed=fixed)
    if second.complete and staffed_desks(scenario, staffed, second.shifts) == staffed:
        return staffed, second.shifts, first.unfilled
    return staffed, first.shifts, first.unfilled


def _nearest_load(scenario: Scenario, sites: Sequence[Site]) -> list[int]:
    """Residents walking to each of ``sites`` if every building went to its nearest one."""
    load = [0] * len(sites)
    for building, k in zip(
        scenario.buildings, nearest_sites(scenario.buildings, sites), strict=True
    ):
        load[k] += building.mobile
    return load


def nearest_sites(buildings: Sequence[Building], sites: Sequence[Site]) -> list[int]:
    """For each building, the index in ``sites`` of the nearest one in a straight line.

    Ties go to the site listed first. ``sites`` must not be empty.
    """
    if not buildings:
        return []
    metres = distance_matrix_m(
        [b.lat for b in buildings],
        [b.lon for b in buildings],
        [s.lat for s in sites],
        [s.lon for s in sites],
    )
    return [int(k) for k in np.argmin(metres, axis=1)]


# --- calls ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CallSchedule:
    """The calls of a baseline and the sweeping they need.

    Attributes
    ----------
    calls
        One whole-building wave per building with residents to come down (``seq`` numbered per
        sweeper in time order).
    sweeps
        ``(sweeper_id, need)``: the sweep shifts that cover every call (for the roster).
    uncalled
        Ids of buildings nobody could call (no sweeper free, or no site open to send them to).
    spread
        ``stagger`` only: the share of each site's calling window the calls were spread over
        (1.0 unless sweepers could not keep up, see :func:`schedule_calls`); ``None`` otherwise.
    """

    calls: tuple[Call, ...]
    sweeps: tuple[tuple[str, SweepNeed], ...]
    uncalled: tuple[str, ...]
    spread: float | None = None


class _Walks:
    """Walking seconds between building doors: straight line x detour / speed, cached per pair.

    Scalars go through :mod:`math` (the formula of :func:`planner.geo.haversine_m`), since the
    numpy version costs microseconds per call and sweeper dealing asks for ~10^5 pairs in a town.
    """

    def __init__(self, scenario: Scenario) -> None:
        flow = scenario.flow
        self._factor = flow.detour / flow.walk_m_per_s
        self._cache: dict[tuple[str, str], float] = {}

    def seconds(self, a: Building, b: Building) -> float:
        if a.building_id == b.building_id:
            return 0.0
        key = (a.building_id, b.building_id)
        found = self._cache.get(key)
        if found is None:
            found = _haversine_m(a.lat, a.lon, b.lat, b.lon) * self._factor
            self._cache[key] = found
        return found


def _haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dlat, dlon = p2 - p1, math.radians(lon2) - math.radians(lon1)
    a = math.sin(dlat / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, max(0.0, a))))


def schedule_calls(scenario: Scenario, desks: Sequence[DeskSpell], kind: Kind) -> CallSchedule:
    """Call every building with residents to come down, one whole-building wave each.

    Parameters
    ----------
    scenario
        The scenario (buildings, sweepers, walking).
    desks
        The plan's desks: a building goes to its nearest site among those with a desk (or, if no
        sweeper can reach it in time, the next nearest), and every call is made when a desk of its
        site is open within the hour after it (minutes 1-59, see ``REACH_*``).
    kind
        ``broadcast``: every building is released at the start. ``stagger``: each site's
        buildings, in id order, are released evenly over the site's calling window (its first
        allowed call time to the earlier of its closing and the deadline), and a site's calls
        never go back in time.

    Returns
    -------
    CallSchedule
        Calls, sweep shifts and the buildings left uncalled.

    Notes
    -----
    Buildings are dealt in order of release time (then id) to the sweeper who can call them
    first: of the building's committee, else of the town pool, else anybody; within the
    sweeper's availability and ``max_hours``. A sweeper's next call is at ``ceil(previous call +
    (sweep seconds + walk seconds) / 60)`` or the release time, whichever is later. For
    ``stagger``, if late calls would pile up past closing (few sweepers in the afternoon), the
    spread is compressed (``STAGGER_SPREADS``) until every building is called. Only if no spread
    gets every building called to its nearest site are next-nearest sites used.
    """
    open_at = _open_intervals(desks)
    sites = [s for s in scenario.sites if s.site_id in open_at]
    buildings = sorted((b for b in scenario.buildings if b.mobile > 0), key=lambda b: b.building_id)
    if not buildings or not sites:
        return CallSchedule((), (), tuple(b.building_id for b in buildings))
    prefs = _site_preferences(buildings, sites)
    walks = _Walks(scenario)
    spreads: Sequence[float | None] = (None,) if kind == "broadcast" else STAGGER_SPREADS
    best: CallSchedule | None = None
    for spread in spreads:
        nearest_only = [row[:1] for row in prefs]
        schedule = _deal_calls(scenario, buildings, sites, nearest_only, open_at, walks, spread)
        if not schedule.uncalled:
            return schedule
        if best is None or len(schedule.uncalled) < len(best.uncalled):
            best = schedule
    assert best is not None
    # Last resort: a building nobody can call to its nearest site goes to the next nearest.
    return _deal_calls(scenario, buildings, sites, prefs, open_at, walks, best.spread)


def _deal_calls(
    scenario: Scenario,
    buildings: Sequence[Building],
    sites: Sequence[Site],
    prefs: Sequence[Sequence[int]],
    open_at: dict[str, list[tuple[int, int]]],
    walks: _Walks,
    spread: float | None,
) -> CallSchedule:
    """One pass of :func:`schedule_calls` (``spread`` None: broadcast)."""
    release = _release_times(scenario, buildings, sites, prefs, open_at, spread)
    sweepers = _sweepers(scenario)
    tiers = _sweeper_tiers(sweepers)
    last_at_site: dict[str, int] = {}
    calls: list[Call] = []
    uncalled: list[str] = []
    for k in sorted(range(len(buildings)), key=lambda i: (release[i], buildings[i].building_id)):
        building = buildings[k]
        for site in (sites[j] for j in prefs[k]):
            # A stagger site's calls keep building id order even when a sweeper runs late.
            earliest = max(release[k], last_at_site.get(site.site_id, release[k]))
            candidates = tiers.get(building.committee, tiers[""])
            choice = _choose_sweeper(
                scenario, walks, candidates, building, earliest, open_at[site.site_id]
            )
            if choice is not None:
                sweeper, time = choice
                _give_call(scenario, sweeper, building, time)
                calls.append(_call(building, site, sweeper, time))
                if spread is not None:
                    last_at_site[site.site_id] = time
                break
        else:
            uncalled.append(building.building_id)
    return CallSchedule(
        tuple(_numbered(calls)), tuple(_sweep_needs(sweepers)), tuple(uncalled), spread
    )


def _open_intervals(desks: Sequence[DeskSpell]) -> dict[str, list[tuple[int, int]]]:
    """Per site, the maximal intervals with at least one desk open."""
    spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for spell in sorted(desks, key=lambda d: (d.site_id, d.start)):
        if spell.desks <= 0 or spell.end <= spell.start:
            continue
        runs = spans[spell.site_id]
        if runs and runs[-1][1] >= spell.start:
            runs[-1] = (runs[-1][0], max(runs[-1][1], spell.end))
        else:
            runs.append((spell.start, spell.end))
    return dict(spans)


def earliest_call(open_spans: Sequence[tuple[int, int]], t: int) -> int | None:
    """The first minute ``>= t`` at which a call to a site with these open spans is allowed.

    Allowed means a desk is open at some minute in [call + REACH_LO_MIN, call + REACH_HI_MIN].
    ``None`` when no such minute exists (the site has closed for good). ``open_spans`` are
    [start, end) intervals sorted by start.
    """
    for start, end in open_spans:
        # Minutes start..end-1 are open: need call + LO <= end - 1 and call + HI >= start.
        candidate = max(t, start - REACH_HI_MIN)
        if candidate <= end - 1 - REACH_LO_MIN:
            return candidate
    return None


def _site_preferences(buildings: Sequence[Building], sites: Sequence[Site]) -> list[list[int]]:
    """For each building, the open sites by straight-line distance (ties: file order)."""
    metres = distance_matrix_m(
        [b.lat for b in buildings],
        [b.lon for b in buildings],
        [s.lat for s in sites],
        [s.lon for s in sites],
    )
    return [[int(j) for j in np.argsort(row, kind="stable")] for row in metres]


def _release_times(
    scenario: Scenario,
    buildings: Sequence[Building],
    sites: Sequence[Site],
    prefs: Sequence[Sequence[int]],
    open_at: dict[str, list[tuple[int, int]]],
    spread: float | None,
) -> list[int]:
    """Earliest call time of each building (buildings sorted by id), before sweepers count.

    Broadcast (``spread`` None): the first allowed call time of its nearest site from the start.
    Stagger: rank ``r`` of ``n`` of a site's buildings gets ``lo + spread x (hi - lo) x r / n``.
    """
    start, deadline = scenario.round.start, scenario.round.deadline
    release: list[int] = []
    members: dict[int, list[int]] = defaultdict(list)
    for k in range(len(buildings)):
        nearest = prefs[k][0]
        members[nearest].append(k)
        release.append(earliest_call(open_at[sites[nearest].site_id], start) or start)
    if spread is None:
        return release
    for j, ranked in members.items():
        spans = open_at[sites[j].site_id]
        lo = earliest_call(spans, start)
        if lo is None:
            continue
        hi = max(lo, min(deadline, spans[-1][1]))
        for rank, k in enumerate(ranked):
            release[k] = lo + math.floor(spread * (hi - lo) * rank / len(ranked))
    return release


def _sweepers(scenario: Scenario) -> list[_Sweeper]:
    people = [p for p in scenario.staff if p.role == Role.SWEEPER]
    return [
        _Sweeper(p, k, math.floor(p.max_hours * 60 + 1e-9))
        for k, p in enumerate(sorted(people, key=lambda p: p.staff_id))
    ]


def _sweeper_tiers(sweepers: Sequence[_Sweeper]) -> dict[str, tuple[list[_Sweeper], ...]]:
    """Per committee, whom to ask in turn: its own sweepers, the town pool, then everybody.

    Key ``""`` serves committees with no sweeper of their own (pool, then everybody).
    """
    pool = [s for s in sweepers if s.staff.committee == ""]
    everybody = list(sweepers)
    own: dict[str, list[_Sweeper]] = defaultdict(list)
    for sweeper in sweepers:
        if sweeper.staff.committee:
            own[sweeper.staff.committee].append(sweeper)
    tiers: dict[str, tuple[list[_Sweeper], ...]] = {
        c: (members, pool, everybody) for c, members in own.items()
    }
    tiers[""] = (pool, everybody)
    return tiers


def _choose_sweeper(
    scenario: Scenario,
    walks: _Walks,
    tiers: Sequence[Sequence[_Sweeper]],
    building: Building,
    earliest: int,
    open_spans: Sequence[tuple[int, int]],
) -> tuple[_Sweeper, int] | None:
    """The sweeper of the first tier that has one who can call ``building``, earliest first."""
    for tier in tiers:
        best: tuple[int, int, int] | None = None
        chosen: _Sweeper | None = None
        for sweeper in tier:
            time = _call_time(scenario, walks, sweeper, building, earliest, open_spans)
            if time is None:
                continue
            key = (time, sweeper.used, sweeper.order)
            if best is None or key < best:
                best, chosen = key, sweeper
        if chosen is not None and best is not None:
            return chosen, best[0]
    return None


def _sweep_seconds(scenario: Scenario, building: Building) -> float:
    # A whole-building wave calls all its households (wave_households over floors 1..floors).
    return building.households * scenario.crew.sweep_s_per_household


def _call_time(
    scenario: Scenario,
    walks: _Walks,
    sweeper: _Sweeper,
    building: Building,
    earliest: int,
    open_spans: Sequence[tuple[int, int]],
) -> int | None:
    """When ``sweeper`` could call ``building`` (None if they cannot within their limits)."""
    staff = sweeper.staff
    if sweeper.used >= sweeper.limit or earliest >= staff.available_to:
        return None
    time = max(earliest, staff.available_from)
    if sweeper.calls:
        before, before_time = sweeper.calls[-1]
        seconds = _sweep_seconds(scenario, before) + walks.seconds(before, building)
        time = max(time, math.ceil(before_time + seconds / 60))
    reachable = earliest_call(open_spans, time)
    if reachable is None:
        return None
    end = math.ceil(reachable + _sweep_seconds(scenario, building) / 60)
    added = _added_minutes(sweeper, reachable, end)
    if end > staff.available_to or sweeper.used + added > sweeper.limit:
        return None
    return reachable


def _added_minutes(sweeper: _Sweeper, start: int, end: int) -> int:
    """Shift minutes a call over [start, end) adds (it may extend the current shift)."""
    if sweeper.shifts and start - sweeper.shifts[-1][1] <= SWEEP_IDLE_MIN:
        return end - sweeper.shifts[-1][1]
    return end - start


def _give_call(scenario: Scenario, sweeper: _Sweeper, building: Building, time: int) -> None:
    end = math.ceil(time + _sweep_seconds(scenario, building) / 60)
    sweeper.used += _added_minutes(sweeper, time, end)
    if sweeper.shifts and time - sweeper.shifts[-1][1] <= SWEEP_IDLE_MIN:
        sweeper.shifts[-1][1] = end
    else:
        sweeper.shifts.append([time, end])
    sweeper.calls.append((building, time))


def _call(building: Building, site: Site, sweeper: _Sweeper, time: int) -> Call:
    return Call(
        building_id=building.building_id,
        floor_from=1,
        floor_to=building.floors,
        people=building.mobile,
        site_id=site.site_id,
        call_time=time,
        sweeper_id=sweeper.staff.staff_id,
        seq=0,
    )


def _numbered(calls: Sequence[Call]) -> list[Call]:
    """Calls with ``seq`` = their order among the same sweeper's calls (by time)."""
    seen: dict[str, int] = defaultdict(int)
    out: list[Call] = []
    for call in sorted(calls, key=lambda c: (c.sweeper_id, c.call_time, c.building_id)):
        out.append(dataclasses.replace(call, seq=seen[call.sweeper_id]))
        seen[call.sweeper_id] += 1
    return out


def _sweep_needs(sweepers: Sequence[_Sweeper]) -> list[tuple[str, SweepNeed]]:
    return [
        (s.staff.staff_id, SweepNeed(start, end, s.staff.committee))
        for s in sweepers
        for start, end in s.shifts
    ]


def _made_by(
    kind: Kind, desks: Sequence[DeskSpell], teams: Sequence[TeamNeed], spread: float | None
) -> dict[str, Any]:
    """What ``kpis.json`` records: the kind, and the numbers a reader compares plans by."""
    peak: dict[str, int] = defaultdict(int)
    for spell in desks:
        peak[spell.site_id] = max(peak[spell.site_id], spell.desks)
    made_by: dict[str, Any] = {
        "kind": kind,
        "sites": len(peak),
        "desks": sum(peak.values()),
        "desk_hours": round(sum((d.end - d.start) * d.desks for d in desks) / 60, 1),
        "door_teams": len(teams),
    }
    if spread is not None:
        made_by["spread"] = spread
    return made_by
