"""Door-to-door routes (:mod:`planner.solver.doors`): stops, routes, team counts, validity.

Durations, walks, floor cover and distances are recomputed here with code of the test's own (a
haversine of its own, rule 6 written out by hand), not the module's; plan validity is the verdict
of :func:`planner.check.check_plan`, the project's oracle.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import replace

import pytest
from conftest import SCENARIOS

from planner import load_scenario
from planner.baseline import door_routes
from planner.check import check_plan
from planner.model import Building, CrewParams, FlowParams, RoundInfo, Scenario, Site
from planner.plan import Plan, Visit
from planner.roster import TeamNeed, build_roster
from planner.solver.doors import DoorPlan, DoorStop, door_stops, route_doors, teams_needed

START = 6 * 60
LAT = 31.2
# Degrees of longitude for 100 m east-west at LAT (the Earth radius of planner.geo).
DEG_100M = math.degrees(100.0 / (6_371_008.8 * math.cos(math.radians(LAT))))

_loaded: dict[str, Scenario] = {}


def bundled(name: str) -> Scenario:
    if name not in _loaded:
        _loaded[name] = load_scenario(SCENARIOS / name)
    return _loaded[name]


def building(
    bid: str,
    *,
    lon_steps: float = 0.0,
    floors: int = 1,
    residents: int = 10,
    immobile: int = 0,
    locked: bool = False,
    lift: bool = False,
    compound: str = "K1",
) -> Building:
    """A building ``lon_steps`` x 100 m east of (LAT, 121.37)."""
    return Building(
        building_id=bid,
        committee="C1",
        compound=compound,
        lat=LAT,
        lon=121.37 + lon_steps * DEG_100M,
        floors=floors,
        households=max(1, residents // 2),
        residents=residents,
        immobile=immobile,
        locked=locked,
        lift=lift,
    )


def scenario_of(
    buildings: Sequence[Building],
    *,
    flow: FlowParams | None = None,
    crew: CrewParams | None = None,
    sites: Sequence[Site] = (),
) -> Scenario:
    return Scenario(
        name="doors-test",
        synthetic=True,
        source="hand-made",
        round=RoundInfo(
            date=dt.date(2022, 3, 16),
            notice=dt.datetime(2022, 3, 15, 23, 30),
            start=START,
            deadline=14 * 60,
        ),
        flow=flow or FlowParams(),
        crew=crew or CrewParams(),
        buildings=tuple(buildings),
        sites=tuple(sites),
        staff=(),
    )


# --- the test's own arithmetic ------------------------------------------------------------------


def walk_s(scenario: Scenario, a: str, b: str) -> float:
    """Seconds to walk between two buildings: haversine x detour / speed (0 within one)."""
    if a == b:
        return 0.0
    one = scenario.buildings[scenario.building_index[a]]
    two = scenario.buildings[scenario.building_index[b]]
    p1, p2 = math.radians(one.lat), math.radians(two.lat)
    dp, dl = p2 - p1, math.radians(two.lon - one.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    metres = 2 * 6_371_008.8 * math.asin(math.sqrt(h))
    return metres * scenario.flow.detour / scenario.flow.walk_m_per_s


def need_s(scenario: Scenario, bid: str, floor_to: int, people: int) -> float:
    """Rule 6: people x door_s_per_person + (a lift ride, or 2 x (floor_to - 1) flights)."""
    b = scenario.buildings[scenario.building_index[bid]]
    flow = scenario.flow
    if b.lift and floor_to >= flow.lift_from_floor:
        climb = flow.lift_s
    else:
        climb = 2 * (floor_to - 1) * flow.stairs_s_per_floor
    return people * scenario.crew.door_s_per_person + climb


def by_team(visits: Sequence[Visit]) -> dict[str, list[Visit]]:
    out: dict[str, list[Visit]] = defaultdict(list)
    for v in visits:
        out[v.team_id].append(v)
    return {team: sorted(vs, key=lambda v: v.seq) for team, vs in out.items()}


def assert_consistent(
    scenario: Scenario, stops: Sequence[DoorStop], plan: DoorPlan, start: int = START
) -> None:
    """Every stop once; timing, durations, windows, makespan and walking as the brief says."""
    wanted = Counter((s.building_id, s.floor_from, s.floor_to, s.people) for s in stops)
    got = Counter((v.building_id, v.floor_from, v.floor_to, v.people) for v in plan.visits)
    assert got == wanted
    teams = by_team(plan.visits)
    assert set(teams) == set(plan.teams) == set(plan.team_windows)
    walked = 0.0
    for team, visits in teams.items():
        assert [v.seq for v in visits] == list(range(len(visits)))
        assert visits[0].start == start
        for v in visits:
            assert (v.end - v.start) * 60 >= need_s(scenario, v.building_id, v.floor_to, v.people)
        for a, b in itertools.pairwise(visits):
            walk = walk_s(scenario, a.building_id, b.building_id)
            assert b.start * 60 >= a.end * 60 + walk - 1e-6
            # Back to back: not a minute more than the walk rounded up.
            assert b.start == a.end + math.ceil(walk / 60 - 1e-9)
            walked += walk * scenario.flow.walk_m_per_s
        assert plan.team_windows[team] == (visits[0].start, visits[-1].end)
    assert plan.makespan_end == max(v.end for v in plan.visits)
    assert plan.walking_m == pytest.approx(walked, rel=1e-9, abs=1e-6)


def walking_m(scenario: Scenario, visits: Sequence[Visit]) -> float:
    return sum(
        walk_s(scenario, a.building_id, b.building_id) * scenario.flow.walk_m_per_s
        for vs in by_team(visits).values()
        for a, b in itertools.pairwise(vs)
    )


# --- stops --------------------------------------------------------------------------------------


def test_locked_stops_cover_every_floor_once_and_sum_to_residents() -> None:
    tower = building("L1", floors=25, residents=103, locked=True, lift=True)
    walkup = building("L2", lon_steps=1, floors=6, residents=9, locked=True)
    empty = building("L3", lon_steps=2, floors=6, residents=0, locked=True)
    scenario = scenario_of([tower, walkup, empty])
    stops = door_stops(scenario)
    per = defaultdict(list)
    for s in stops:
        per[s.building_id].append(s)
    assert "L3" not in per  # nobody to sample, and the checker asks for no visit there
    for b in (tower, walkup):
        chunks = per[b.building_id]
        floors = [f for s in chunks for f in range(s.floor_from, s.floor_to + 1)]
        assert sorted(floors) == list(range(1, b.floors + 1))
        assert all(s.floor_to - s.floor_from + 1 <= 10 for s in chunks)
        assert sum(s.people for s in chunks) == b.residents
    # 25 floors in at most 10 per stop: 9 + 8 + 8 floors; 103 people = 5 on floors 1-3, 4 above.
    assert [(s.floor_from, s.floor_to, s.people) for s in per["L1"]] == [
        (1, 9, 39),
        (10, 17, 32),
        (18, 25, 32),
    ]
    fours = [(s.floor_from, s.floor_to) for s in door_stops(scenario, 4) if s.building_id == "L2"]
    assert fours == [(1, 3), (4, 6)]
    with pytest.raises(ValueError):
        door_stops(scenario, 0)


def test_immobile_stops_on_the_middle_floor_sum_to_immobile() -> None:
    buildings = [
        building("A", floors=6, residents=80, immobile=3),
        building("B", lon_steps=1, floors=11, residents=90, immobile=2, lift=True),
        building("C", lon_steps=2, floors=18, residents=50, immobile=0, lift=True),
    ]
    stops = door_stops(scenario_of(buildings))
    assert [(s.building_id, s.floor_from, s.floor_to, s.people) for s in stops] == [
        ("A", 3, 3, 3),
        ("B", 6, 6, 2),
    ]
    assert sum(s.people for s in stops) == sum(b.immobile for b in buildings)


def test_stop_minutes_follow_rule_6_by_hand() -> None:
    flow = FlowParams(stairs_s_per_floor=15, lift_s=200, lift_from_floor=7)
    crew = CrewParams(door_s_per_person=50)
    scenario = scenario_of(
        [
            building("LIFT", floors=25, residents=103, locked=True, lift=True),
            building("STAIRS", lon_steps=1, floors=6, residents=50, immobile=3),
            building("LOWLIFT", lon_steps=2, floors=10, residents=50, immobile=2, lift=True),
            building("EXACT", lon_steps=3, floors=1, residents=10, immobile=6),
        ],
        flow=flow,
        crew=crew,
    )
    minutes = {(s.building_id, s.floor_from): s.minutes for s in door_stops(scenario)}
    # Floors 10-17 of a lift building: 32 x 50 s + one 200 s ride = 1800 s = 30 min exactly.
    assert minutes[("LIFT", 10)] == 30
    # Floors 1-9 reach floor 9 >= 7: a lift ride too: 39 x 50 + 200 = 2150 s = 35.8 -> 36 min.
    assert minutes[("LIFT", 1)] == 36
    # Floor 3 of a walk-up: 3 x 50 + 2 x 2 x 15 = 210 s = 3.5 -> 4 min.
    assert minutes[("STAIRS", 3)] == 4
    # Floor 5 of a lift building is below lift_from_floor: stairs, 2 x 50 + 2 x 4 x 15 = 220 s
    # = 3.7 -> 4 min (the lift would make it 300 s = 5 min).
    assert minutes[("LOWLIFT", 5)] == 4
    # 6 x 50 s on the ground floor is exactly 5 minutes: rounded up, not past.
    assert minutes[("EXACT", 1)] == 5


# --- routes -------------------------------------------------------------------------------------


def test_one_team_walks_a_line_end_to_end_in_the_hand_computed_time() -> None:
    # Listed out of order so that file order would zig-zag; 100 m apart on one line.
    order = [("B3", 2), ("B1", 0), ("B4", 3), ("B2", 1)]
    scenario = scenario_of([building(b, lon_steps=x, immobile=2) for b, x in order])
    stops = door_stops(scenario)
    plan = route_doors(scenario, stops, 1, START)
    assert_consistent(scenario, stops, plan)
    route = [v.building_id for v in plan.visits]
    assert route in (["B1", "B2", "B3", "B4"], ["B4", "B3", "B2", "B1"])
    # Each stop 2 x 60 s = 2 min; each leg 100 m x 1.3 = 130 s -> 3 min: 4 x 2 + 3 x 3 = 17.
    assert plan.makespan_end == START + 17
    assert plan.team_windows == {"T01": (START, START + 17)}
    assert plan.walking_m == pytest.approx(3 * 130.0, rel=1e-3)


def test_chunks_of_a_locked_building_stay_together_in_floor_order() -> None:
    scenario = scenario_of(
        [
            building("A", immobile=2),
            building("TOWER", lon_steps=1, floors=30, residents=60, locked=True, lift=True),
            building("C", lon_steps=2, immobile=2),
        ]
    )
    stops = door_stops(scenario)
    plan = route_doors(scenario, stops, 1, START)
    assert_consistent(scenario, stops, plan)
    at = [k for k, v in enumerate(plan.visits) if v.building_id == "TOWER"]
    assert at == list(range(at[0], at[0] + 3))
    assert [plan.visits[k].floor_from for k in at] == [1, 11, 21]


def test_routes_on_compound_103_visit_every_stop_once_with_consistent_times() -> None:
    scenario = bundled("compound-103")
    stops = door_stops(scenario)
    for n in (1, 3, 5):
        plan = route_doors(scenario, stops, n, START)
        assert len(plan.teams) == n
        assert plan.teams == tuple(f"T{k:02d}" for k in range(1, n + 1))
        assert_consistent(scenario, stops, plan)


def test_more_teams_never_finish_later() -> None:
    scenario = bundled("compound-103")
    stops = door_stops(scenario)
    ends = [route_doors(scenario, stops, n, START).makespan_end for n in range(1, 7)]
    assert ends == sorted(ends, reverse=True)
    assert ends[0] > ends[-1]


def test_teams_needed_finds_the_smallest_count_for_the_target() -> None:
    # Twelve one-hour stops in buildings at one spot (no walking): k teams need ceil(12 / k) h.
    scenario = scenario_of(
        [building(f"B{k:02d}", residents=60, immobile=60) for k in range(12)],
        crew=CrewParams(max_ppe_h=4),
    )
    stops = door_stops(scenario)
    assert [s.minutes for s in stops] == [60] * 12

    def count(finish_by: int, max_teams: int = 20, **kw: bool) -> tuple[int, int]:
        plan = teams_needed(scenario, stops, START, finish_by, max_teams=max_teams, **kw)
        assert_consistent(scenario, stops, plan)
        return len(plan.teams), plan.makespan_end - START

    # By 3 hours: 4 teams (3 would need 4 hours).
    assert count(START + 180) == (4, 180)
    assert count(START + 179) == (6, 120)
    # By 10 hours: 2 teams would do (6 h), but routes of at most max_ppe_h = 4 h need 3 teams.
    assert count(START + 600) == (3, 240)
    assert count(START + 600, avoid_relief=False) == (2, 360)
    # Only 2 teams can be fielded: no relief-free plan, so 2 teams by the 10-hour target.
    assert count(START + 600, max_teams=2) == (2, 360)
    # Not even max_teams makes it: the max_teams plan, late.
    assert count(START + 300, max_teams=2) == (2, 360)


def test_teams_needed_on_compound_103_is_minimal_against_route_doors() -> None:
    scenario = bundled("compound-103")
    stops = door_stops(scenario)
    # By 5 hours: cutting the long route needs 4 teams, but polished routes of 3 teams make it.
    finish_by = START + 300
    plan = teams_needed(scenario, stops, START, finish_by, max_teams=30, avoid_relief=False)
    n = len(plan.teams)
    assert plan.makespan_end <= finish_by
    assert route_doors(scenario, stops, n - 1, START).makespan_end > finish_by


def test_same_inputs_give_the_same_visits() -> None:
    scenario = bundled("compound-103")
    stops = door_stops(scenario)
    one = route_doors(scenario, stops, 3, START)
    two = route_doors(scenario, stops, 3, START)
    assert one == two
    assert teams_needed(scenario, stops, START, START + 300, max_teams=10) == teams_needed(
        scenario, stops, START, START + 300, max_teams=10
    )
    # Another seed numbers the models' nodes differently: a valid plan all the same.
    assert_consistent(scenario, stops, route_doors(scenario, stops, 3, START, seed=7))


def test_edge_cases() -> None:
    scenario = scenario_of(
        [building("A", immobile=2), building("B", lon_steps=1, immobile=3)],
        sites=[Site("T01", "T01", "C1", LAT, 121.37, 2, 200, START, 14 * 60)],
    )
    stops = door_stops(scenario)
    empty = route_doors(scenario, [], 3, START)
    assert (empty.visits, empty.teams, empty.makespan_end) == ((), (), START)
    # More teams than stops: only teams with visits are named; a site already called T01.
    plan = route_doors(scenario, stops, 5, START)
    assert plan.teams == ("TT01", "TT02")
    assert_consistent(scenario, stops, plan)
    capped = route_doors(scenario, stops, 1, START, max_route_min=3)
    assert "max_route_min not met" in capped.solver_status
    assert "not met" not in route_doors(scenario, stops, 1, START, max_route_min=60).solver_status
    with pytest.raises(ValueError):
        route_doors(scenario, stops, 0, START)
    with pytest.raises(ValueError):
        route_doors(scenario, [replace(stops[0], building_id="nowhere")], 1, START)
    with pytest.raises(ValueError):
        teams_needed(scenario, stops, START, START + 60, max_teams=0)


# --- the town -----------------------------------------------------------------------------------


def test_town_beats_the_baseline_with_as_many_teams() -> None:
    scenario = bundled("town")
    base_visits, base_teams = door_routes(scenario)
    base_start = min(t.start for t in base_teams)
    base_end = max(v.end for v in base_visits)
    base_walk = walking_m(scenario, base_visits)
    stops = door_stops(scenario)
    began = time.perf_counter()
    plan = route_doors(scenario, stops, len(base_teams), base_start)
    seconds = time.perf_counter() - began
    print(
        f"\ntown: {len(stops)} stops, {len(base_teams)} teams, {seconds:.1f} s; makespan end "
        f"{plan.makespan_end} vs baseline {base_end}; walking {plan.walking_m / 1000:.1f} km vs "
        f"{base_walk / 1000:.1f} km"
    )
    assert len(plan.teams) <= len(base_teams)
    assert plan.makespan_end <= base_end
    assert plan.walking_m <= base_walk
    assert seconds < 30  # a few seconds on the benchmark machine; generous for shared CI
    # One team for the whole town: a route of 1,236 stops, still quick and consistent.
    began = time.perf_counter()
    alone = route_doors(scenario, stops, 1, base_start)
    assert time.perf_counter() - began < 30
    assert_consistent(scenario, stops, alone, base_start)
    assert len(alone.teams) == 1


def test_town_plan_passes_the_checker_with_a_roster_for_its_teams() -> None:
    scenario = bundled("town")
    rnd = scenario.round
    plan = teams_needed(
        scenario, door_stops(scenario), rnd.start, rnd.deadline, max_teams=60, time_limit=10
    )
    assert plan.makespan_end <= rnd.deadline
    teams = [TeamNeed(t, lo, hi) for t, (lo, hi) in plan.team_windows.items()]
    roster = build_roster(scenario, teams=teams, marshals=False)
    assert not roster.unfilled
    problems = check_plan(scenario, Plan((), (), plan.visits, roster.shifts))
    door_problems = [
        p
        for p in problems
        if (p.file == "visits.csv" and p.column in {"visit", "crew", "coverage"})
        or p.file == "roster.csv"
    ]
    assert door_problems == []
    # The filter is not vacuous: a visit cut short is caught.
    first = plan.visits[0]
    broken = (replace(first, end=first.start), *plan.visits[1:])
    caught = check_plan(scenario, Plan((), (), broken, roster.shifts))
    assert any(p.file == "visits.csv" and p.column == "visit" for p in caught)
