"""The solver's stages on hand-sized inputs, each against a hand computation or brute force."""

from __future__ import annotations

import dataclasses
import itertools
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.model import Building, FlowParams, Role, Staff
from planner.plan import DeskSpell
from planner.solver.budget import work_blocks
from planner.solver.desks import DeskProblem, allocate_desks, greedy_desks
from planner.solver.waves import (
    LiftClock,
    building_waves,
    capacity_curve,
    clearing_time,
    descent,
    served_by,
    time_when_served,
)


def tower(
    floors: int = 18, households: int = 108, residents: int = 250, immobile: int = 4
) -> Building:
    return Building(
        "B", "C", "K", 31.2, 121.4, floors, households, residents, immobile, False, True
    )


def test_waves_cover_every_floor_once_with_all_mobile_people() -> None:
    building = tower()
    waves = building_waves(building, wave_floors=10, wave_households=20)
    floors = [f for lo, hi, _ in waves for f in range(lo, hi + 1)]
    assert floors == list(range(1, 19))
    assert sum(p for _, _, p in waves) == building.mobile
    # 6 households a floor: 20 households means 3 floors a wave.
    assert [(lo, hi) for lo, hi, _ in waves] == [
        (1, 3),
        (4, 6),
        (7, 9),
        (10, 12),
        (13, 15),
        (16, 18),
    ]


def test_wave_floor_cap_and_empty_building() -> None:
    walkup = Building("W", "C", "K", 31.2, 121.4, 30, 15, 40, 0, False, False)
    waves = building_waves(walkup, wave_floors=10, wave_households=20)
    assert max(hi - lo + 1 for lo, hi, _ in waves) <= 10 and len(waves) == 3
    locked = Building("L", "C", "K", 31.2, 121.4, 6, 10, 20, 0, True, False)
    assert building_waves(locked, 10, 20) == []


def test_lift_floors_are_waves_of_their_own() -> None:
    # 19 floors, 6 households a floor, lift from floor 7: stairs 1-6 in two waves of 3 floors,
    # lift floors 7-19 (13 floors) in five waves of 2-3 floors; none mixes the two.
    building = tower(floors=19, households=114, residents=260)
    waves = building_waves(building, wave_floors=10, wave_households=20, lift_from=7)
    stairs, lift = [(1, 3), (4, 6)], [(7, 9), (10, 12), (13, 15), (16, 17), (18, 19)]
    assert [(lo, hi) for lo, hi, _ in waves] == stairs + lift
    assert sum(p for _, _, p in waves) == building.mobile
    # Without a lift there is nothing to split: the usual groups.
    walkup = dataclasses.replace(building, lift=False)
    assert building_waves(walkup, 10, 20, lift_from=7) == building_waves(walkup, 10, 20)


@given(
    floors=st.integers(1, 40),
    per_floor=st.integers(1, 12),
    lift_from=st.integers(0, 12),
    lift=st.booleans(),
)
def test_split_waves_cover_floors_once_and_never_straddle(
    floors: int, per_floor: int, lift_from: int, lift: bool
) -> None:
    households = floors * per_floor
    building = Building(
        "B", "C", "K", 31.2, 121.4, floors, households, households * 2, 1, False, lift
    )
    waves = building_waves(building, 10, 20, lift_from=lift_from)
    assert [f for lo, hi, _ in waves for f in range(lo, hi + 1)] == list(range(1, floors + 1))
    assert sum(p for _, _, p in waves) == building.mobile
    assert all(hi - lo + 1 <= 10 for lo, hi, _ in waves)
    if lift and lift_from > 1:
        assert all(hi < lift_from or lo >= lift_from for lo, hi, _ in waves)


def test_descent_and_lift_queue_by_hand() -> None:
    flow = FlowParams(response_min=4.0, lift_s=90.0, lift_people=4, turnout=1.0)
    way = descent(tower(), 10, 12, 20, flow, walk_min=3.0)
    assert way.rides == 5 and way.lift_share == 1.0
    assert way.fixed_min == pytest.approx(2.0 + 3.0)  # half the response window + walk
    lifts = LiftClock(flow)
    # First wave: ready at 102, riders wait on average for (5 + 1) / 2 rides of 1.5 min.
    assert lifts.arrival(0, 100.0, way, book=True) == pytest.approx(100 + 5 + 4.5)
    # The lift is busy until 102 + 7.5; a wave called at the same time waits that long more.
    assert lifts.arrival(0, 100.0, way, book=False) == pytest.approx(100 + 5 + 7.5 + 4.5)
    # Another building's lift is free.
    assert lifts.arrival(1, 100.0, way, book=False) == pytest.approx(109.5)


def test_capacity_curve_and_its_inverse() -> None:
    spells = [DeskSpell("S", 360, 420, 2), DeskSpell("S", 420, 480, 4), DeskSpell("S", 500, 510, 1)]
    times, served = capacity_curve(spells, service_s=30.0)  # 2 people a desk-minute
    assert served[-1] == pytest.approx(2 * 60 * 2 + 4 * 60 * 2 + 10 * 2)
    assert time_when_served(times, served, 240.0) == pytest.approx(420.0)
    assert time_when_served(times, served, 240.0 + 4 * 2 * 15) == pytest.approx(435.0)
    # In the gap 480-500 nothing is served.
    assert time_when_served(times, served, 720.0 + 1.0) == pytest.approx(500.5)


def test_curve_lookups_are_numpy_interp_to_the_last_bit() -> None:
    # The lookups bisect plain tuples instead of calling np.interp on one number (speed); the
    # plans must not change, so the values must be identical, flat stretches (gaps between
    # spells), breakpoints and duplicated breakpoints included.
    rng = np.random.default_rng(7)
    for _ in range(300):
        spells, minute = [], 360
        for _ in range(int(rng.integers(1, 6))):
            minute += int(rng.integers(0, 3)) * 10  # a gap, or none
            length = int(rng.integers(5, 90))
            spells.append(DeskSpell("S", minute, minute + length, int(rng.integers(1, 8))))
            minute += length
        times, served = capacity_curve(spells, service_s=float(rng.uniform(15, 40)))
        xs, fs = np.array(times), np.array(served)
        points = [*times, *rng.uniform(times[0], times[-1], 20)]
        for t in points:
            assert served_by(times, served, float(t)) == float(np.interp(t, xs, fs))
        for people in [*served, *rng.uniform(served[0], served[-1], 20)]:
            if served[0] < people < served[-1]:
                got = time_when_served(times, served, float(people))
                assert got == float(np.interp(people, fs, xs))


def test_clearing_time_of_a_fluid_queue_by_hand() -> None:
    spells = [DeskSpell("S", 360, 400, 1)]
    # 60 people at 360 on one desk of 2 a minute: 30 minutes; 10 more at 420 after the desk
    # closed are served at the last count (1 desk): 5 more minutes.
    assert clearing_time([(360.0, 60.0)], spells, 30.0) == 390.0
    assert clearing_time([(360.0, 60.0), (420.0, 10.0)], spells, 30.0) == 425.0
    assert clearing_time([], spells, 30.0) == -math.inf


def test_front_loaded_work_blocks() -> None:
    sampler = Staff("P", "", Role.SAMPLER, "", 330, 900, 8.0)
    assert work_blocks(sampler, 360, 4.0, 30.0) == [(360, 600), (630, 870)]
    registrar = Staff("R", "", Role.REGISTRAR, "", 420, 900, 3.0)
    assert work_blocks(registrar, 360, 4.0, 30.0) == [(420, 600)]


def _problem(work: list[float], max_desks: list[int], crews: list[int]) -> DeskProblem:
    n, k = len(work), len(crews)
    return DeskProblem(
        site_ids=tuple(f"S{i}" for i in range(n)),
        work_min=np.array(work, float),
        max_desks=np.array(max_desks, np.int64),
        first_slot=np.zeros(n, np.int64),
        last_slot=np.full(n, k, np.int64),
        crews=np.array(crews, np.int64),
        marshals=np.full(k, 10, np.int64),
        marshals_per_site=1,
        slot_start=360,
        slot_min=15,
    )


def brute_force_makespan(problem: DeskProblem) -> int:
    """Fewest slots in which crews can cover every site's work (desks constant per site)."""
    need = np.ceil(problem.work_min / problem.slot_min).astype(int)
    for slots in range(1, problem.crews.size + 1):
        for counts in itertools.product(*(range(1, m + 1) for m in problem.max_desks)):
            if sum(counts) <= problem.crews[:slots].min() and all(
                c * slots >= n for c, n in zip(counts, need, strict=True)
            ):
                return slots
    return problem.crews.size + 1


def test_desk_allocation_covers_work_within_crews_and_finishes_earliest() -> None:
    problem = _problem(work=[150.0, 100.0, 40.0], max_desks=[3, 2, 2], crews=[5] * 8)
    result = allocate_desks(problem, time_limit=5)
    desks = result.desks
    assert (desks.sum(axis=0) <= problem.crews).all()
    assert (desks <= problem.max_desks[:, None]).all()
    assert (desks.sum(axis=1) * 15 >= problem.work_min).all()
    # Never below the constant-desk optimum found by brute force, and no gap inside a site's day.
    assert result.finish_slot <= brute_force_makespan(problem)
    for row in desks:
        open_slots = np.flatnonzero(row)
        assert (np.diff(open_slots) == 1).all()
    assert sum((s.end - s.start) * s.desks for s in result.spells) == desks.sum() * 15


def test_desk_allocation_follows_crews_that_arrive_late() -> None:
    # One crew for the first hour, then four: the big site grows when the crews arrive.
    problem = _problem(work=[240.0], max_desks=[4], crews=[1, 1, 1, 1, 4, 4, 4, 4])
    result = allocate_desks(problem, time_limit=5)
    assert result.desks[0, :4].tolist() == [1, 1, 1, 1]
    assert result.finish_slot == 7  # 4 desk-slots + 3 x 4 = 16 desk-slots of 15 minutes


def test_pooled_sites_share_their_committees_feed_in_both_greedy_and_model() -> None:
    # Two sites of one pooled committee whose sweepers feed 3 desks, a third site on its own;
    # crews for 8. Without the group cap the first two would run 5 desks between them.
    problem = dataclasses.replace(
        _problem(work=[150.0, 150.0, 60.0], max_desks=[4, 4, 2], crews=[8] * 12),
        group_of=np.array([0, 0, -1], np.int64),
        group_cap=np.full((1, 12), 3, np.int64),
    )
    need = np.ceil(problem.work_min / problem.slot_min).astype(np.int64)
    for desks in (greedy_desks(problem, need), allocate_desks(problem, time_limit=5).desks):
        assert (desks[:2].sum(axis=0) <= 3).all()
        assert (desks.sum(axis=1) >= need).all()  # still all the work: 20 desk-slots in 12
    # 20 desk-slots at 3 a slot: the pooled pair cannot finish before slot 7.
    assert allocate_desks(problem, time_limit=5).finish_slot == 7


def test_greedy_serves_first_the_site_whose_sweepers_leave_soon() -> None:
    # Site 0 can run 2 desks only in the first two slots (its sweepers then leave) and needs
    # 4 desk-slots; site 1 has far more work but all day. Crews for 3. Giving the spare crew
    # to the site with more work per desk would leave site 0 short.
    problem = dataclasses.replace(
        _problem(work=[60.0, 300.0], max_desks=[2, 5], crews=[3] * 12),
        site_cap=np.array([[2, 2] + [0] * 10, [5] * 12], np.int64),
    )
    need = np.ceil(problem.work_min / problem.slot_min).astype(np.int64)
    desks = greedy_desks(problem, need)
    assert desks[0, :2].tolist() == [2, 2]
    assert (desks.sum(axis=1) >= need).all()
