"""The fluid floor: each constraint family against a hand-computed finish; the builder's sums."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest

from planner.capacity import assess
from planner.model import Role
from planner.plan import wave_households
from planner.solver import SolveConfig, solve
from planner.solver.fluid import (
    FluidProblem,
    feasible,
    fluid_floor,
    fluid_schedule,
    lending_of,
    plan_problem,
    problem_of,
    schedule_near_floor,
)

SLOTS = 120
PER_DESK = 12.0  # people a desk serves in a 5-minute slot at 25 s each


def day(
    people: list[float],
    *,
    sites: int = 1,
    max_desks: float = 10.0,
    crews: float = 100.0,
    queue_cap: float = 1e6,
    lag: int = 0,
    call_s: float = 0.0,
    group_minutes: float = 1e6,
    pool_minutes: float = 0.0,
    lift: list[float] | None = None,
    unit_site: list[int] | None = None,
    unit_group: list[int] | None = None,
    unit_lift: list[int] | None = None,
) -> FluidProblem:
    """A one-group day on 5-minute slots from minute 0; every site open from slot 0."""
    n = len(people)
    groups = 1 + max(unit_group or [0])
    return FluidProblem(
        slot_start=0,
        slot_min=5,
        service_s=25.0,
        max_desks=np.full((sites, SLOTS), max_desks),
        crews=np.full(SLOTS, crews),
        queue_cap=np.full(sites, queue_cap),
        unit_site=np.array(unit_site or [0] * n, dtype=np.int64),
        unit_people=np.array(people, dtype=float),
        unit_lag=np.full(n, lag, dtype=np.int64),
        unit_call_s=np.full(n, call_s),
        unit_group=np.array(unit_group or [0] * n, dtype=np.int64),
        unit_lift=np.array(unit_lift or [-1] * n, dtype=np.int64),
        group_minutes=np.full((groups, SLOTS), group_minutes),
        pool_minutes=np.full(SLOTS, pool_minutes),
        lift_per_slot=np.array(lift or [], dtype=float),
    )


def test_desks_set_the_finish_of_a_site_at_its_most_desks() -> None:
    # 600 people at 2 desks of 12 a slot: 25 slots, called with no delay.
    problem = day([600.0], max_desks=2.0)
    assert fluid_floor(problem).finish == 25 * 5
    assert feasible(problem, 25) and not feasible(problem, 24)


def test_crews_are_shared_by_the_sites() -> None:
    # Two sites of 4 desks but 2 crews in all: 240 people need 10 slots (5 if each site had its
    # own crews).
    problem = day([120.0, 120.0], sites=2, max_desks=4.0, crews=2.0, unit_site=[0, 1])
    assert fluid_floor(problem).finish == 10 * 5


def test_calling_is_limited_by_the_groups_sweepers_and_the_pool() -> None:
    # 300 people at 40 s of calling each, one sweeper (5 minutes a slot): 7.5 people a slot, so
    # the last are called in slot 39 and, one slot later, served in slot 40.
    problem = day([300.0], call_s=40.0, group_minutes=5.0, lag=1)
    assert fluid_floor(problem).finish == 41 * 5
    # A pool sweeper doubles the calling; a calling share of a half halves it.
    assert fluid_floor(dataclasses.replace(problem, pool_minutes=np.full(SLOTS, 5.0))).finish == (
        21 * 5
    )
    assert fluid_floor(problem, efficiency=0.5).finish == 81 * 5


def test_a_group_cannot_use_another_groups_sweepers() -> None:
    # Group 1 has no sweepers of its own and nobody in the pool: its people are never called.
    problem = day([60.0, 60.0], call_s=20.0, group_minutes=5.0, unit_group=[0, 1])
    problem = dataclasses.replace(
        problem, group_minutes=np.vstack([np.full(SLOTS, 5.0), np.zeros(SLOTS)])
    )
    assert fluid_floor(problem).finish is None


def test_the_queue_capacity_limits_who_waits_for_a_late_opening() -> None:
    # Desks from slot 4; calling 6 people a slot (5 min at 50 s each). With room, 24 wait at
    # the opening and the other 24 come at 6 a slot: served by slot 8. With room for 6, only 6
    # may wait, and 42 come at 6 a slot from slot 4: slot 11.
    problem = day([48.0], max_desks=1.0, call_s=50.0, group_minutes=5.0)
    closed_early = problem.max_desks.copy()
    closed_early[:, :4] = 0.0
    problem = dataclasses.replace(problem, max_desks=closed_early)
    assert fluid_floor(problem).finish == 8 * 5
    assert fluid_floor(dataclasses.replace(problem, queue_cap=np.array([6.0]))).finish == 11 * 5


def test_a_towers_lift_riders_come_no_faster_than_its_lift() -> None:
    # 400 riders at 4 a ride of 90 s (13.33 a slot) need 30 slots; walkers of the same site
    # are not held by the lift.
    riders = day([400.0], lift=[4 * 300 / 90], unit_lift=[0])
    assert fluid_floor(riders).finish == 30 * 5
    both = day([400.0, 400.0], lift=[4 * 300 / 90], unit_lift=[0, -1])
    assert fluid_floor(both).finish == 30 * 5


@pytest.fixture(scope="module")
def tiny_solved(tiny: Any) -> Any:
    return solve(tiny, SolveConfig(time_limit=10))


@pytest.fixture(scope="module")
def tiny_floor(tiny: Any, tiny_solved: Any) -> tuple[Any, Any]:
    plan = tiny_solved.plan
    return plan_problem(tiny, plan), plan_problem(tiny, plan, pooled=True)


def test_the_built_day_keeps_everybody_and_every_household(
    tiny: Any, tiny_floor: tuple[Any, Any]
) -> None:
    owned, _ = tiny_floor
    flow, crew = tiny.flow, tiny.crew
    called = [b for b in tiny.buildings if b.mobile > 0]
    assert owned.unit_people.sum() == pytest.approx(sum(b.mobile for b in called) * flow.turnout)
    assert (owned.unit_people * owned.unit_call_s).sum() == pytest.approx(
        sum(b.households for b in called) * crew.sweep_s_per_household
    )
    # Every sweeper's minutes are on the grid once, whether by committee or pooled.
    sweepers = [p for p in tiny.staff if p.role is Role.SWEEPER]
    total = sum(min(p.max_hours * 60, p.available_to - p.available_from) for p in sweepers)
    assert owned.group_minutes.sum() + owned.pool_minutes.sum() == pytest.approx(total)
    # Riders are those of lift floors: each tower with a lift has its own unit.
    towers = [b for b in called if b.lift and b.floors >= flow.lift_from_floor]
    assert len(owned.lift_per_slot) == len(towers)


def test_lending_follows_the_households_each_sweeper_called(tiny: Any, tiny_solved: Any) -> None:
    # tiny has one committee; move one building to another and the sweepers who called it
    # lend it the share of their calling that its households make.
    plan = tiny_solved.plan
    moved = plan.calls[0].building_id
    k = tiny.building_index[moved]
    other = dataclasses.replace(tiny.buildings[k], committee="别的居委")
    scenario = dataclasses.replace(
        tiny, buildings=(*tiny.buildings[:k], other, *tiny.buildings[k + 1 :])
    )
    lent = lending_of(scenario, plan)
    for sid in {c.sweeper_id for c in plan.calls}:
        mine = [c for c in plan.calls if c.sweeper_id == sid]
        total = sum(
            wave_households(
                scenario.buildings[scenario.building_index[c.building_id]], c.floor_from, c.floor_to
            )
            for c in mine
        )
        there = sum(
            wave_households(other, c.floor_from, c.floor_to) for c in mine if c.building_id == moved
        )
        assert sum(lent[sid].values()) == pytest.approx(1.0)
        assert lent[sid].get("别的居委", 0.0) == pytest.approx(there / total)


def test_lent_minutes_move_between_the_committees_groups(tiny: Any, tiny_solved: Any) -> None:
    plan = tiny_solved.plan
    own = plan_problem(tiny, plan)
    committee = tiny.buildings[0].committee
    sid = next(
        p.staff_id for p in tiny.staff if p.role is Role.SWEEPER and p.committee == committee
    )
    half = {sid: {committee: 0.5, "别的居委": 0.5}}
    site_of = {c.building_id: c.site_id for c in plan.calls}
    lent = problem_of(tiny, site_of, lent=half)
    only = tuple(p for p in tiny.staff if p.role is not Role.SWEEPER or p.staff_id == sid)
    alone = problem_of(dataclasses.replace(tiny, staff=only), site_of)
    # The committee's group (the one its buildings' units use) keeps half of that sweeper's
    # minutes; the other committee, without buildings here, gets a group with the other half.
    gone = alone.group_minutes.sum() + alone.pool_minutes.sum()
    mine, before = int(lent.unit_group[0]), int(own.unit_group[0])
    assert gone > 0
    assert lent.group_minutes[mine].sum() == pytest.approx(
        own.group_minutes[before].sum() - gone / 2
    )
    assert lent.group_minutes.sum() == pytest.approx(own.group_minutes.sum())


def test_the_floor_lies_between_the_bound_and_the_solved_plan(
    tiny: Any, tiny_solved: Any, tiny_floor: tuple[Any, Any]
) -> None:
    owned, pooled = tiny_floor
    bound = assess(tiny).finish_lower_bound
    own = fluid_floor(owned).finish
    pool = fluid_floor(pooled).finish
    assert own is not None and pool is not None and bound is not None
    # Pooling only relaxes; the bound relaxes more (every site, door work without walking).
    assert bound <= pool <= own
    assert own <= tiny_solved.kpis["finish"]["p10"]


def test_schedule_keeps_queues_empty_where_calls_can_be_spread() -> None:
    # 120 people, 2 desks of 12 a slot, 10 slots: calls spread 24 a slot leave nobody waiting;
    # calling everybody in slot 0 (as a schedule ignoring the queue could) leaves 96 waiting.
    problem = day([120.0], max_desks=2.0)
    schedule = fluid_schedule(problem, 10)
    assert schedule is not None
    assert schedule.calls.sum() == pytest.approx(120.0)
    assert schedule.queue.sum() == pytest.approx(0.0, abs=1e-6)
    assert (schedule.desks <= 2.0 + 1e-9).all()
    served = np.minimum(schedule.calls[0], schedule.desks[0] * PER_DESK)
    assert served.sum() == pytest.approx(120.0)
    assert fluid_schedule(problem, 4) is None  # 4 slots serve 96 at most


def test_schedule_near_floor_ends_its_slack_after_the_floor() -> None:
    problem = day([600.0], max_desks=2.0)  # floor: 25 slots
    near = schedule_near_floor(problem, efficiency=1.0, slack_slots=2)
    assert near is not None
    schedule, end = near
    assert end == 27 * 5 and schedule.desks.shape == (1, 27)
    assert schedule.queue[0, -1] == pytest.approx(0.0, abs=1e-6)
    assert schedule_near_floor(day([600.0], max_desks=0.0), 1.0, 2) is None


def test_schedule_near_floor_gives_up_at_its_time_limit() -> None:
    problem = day([600.0], max_desks=2.0)
    assert schedule_near_floor(problem, 1.0, 2, time_limit=0.0) is None
    near = schedule_near_floor(problem, 1.0, 2, time_limit=60.0)
    assert near is not None and near[1] == 27 * 5
