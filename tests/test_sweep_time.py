"""Sweeper time (planner.sweep_time): calling, walking and waiting add up, walking agrees with
the checker's, and the least-walking bound stays below what a plan walks."""

from __future__ import annotations

from typing import Any

import pytest

from planner.check import check_plan
from planner.model import Role
from planner.plan import Call, Plan, Shift
from planner.solver import SolveConfig, solve
from planner.sweep_time import sweeper_time


def _plan(tiny: Any, times: list[int]) -> Plan:
    """One sweeper calls B001 and B003 (whole, to S001) and then B004 (to S003): as many of
    them as ``times`` has."""
    calls = tuple(
        Call(building, 1, 6, 0, site, minute, "SWP001", seq)
        for seq, (building, site, minute) in enumerate(
            zip(
                ["C01-K1-B001", "C01-K1-B003", "C01-K1-B004"],
                ["S001", "S001", "S003"],
                times,
                strict=False,
            )
        )
    )
    shift = Shift("SWP001", Role.SWEEPER, "sweep", 360, 480)
    return Plan(desks=(), calls=calls, visits=(), roster=(shift,))


def _earliest_accepted(tiny: Any, times: list[int], k: int) -> int:
    """The first minute the checker lets the ``k``-th call start (the walk from the one before)."""
    trial = [*times[:k], times[k - 1]]
    while any(p.code == "chk_call_too_early" for p in check_plan(tiny, _plan(tiny, trial))):
        trial[k] += 1
    return trial[k]


def test_calling_walking_and_waiting_split_the_time_between_calls(tiny: Any) -> None:
    households = {b.building_id: b.households for b in tiny.buildings}
    per_household = tiny.crew.sweep_s_per_household / 60
    minutes = [households[b] * per_household for b in ("C01-K1-B001", "C01-K1-B003", "C01-K1-B004")]
    times = [360, 360, 360]
    # Each call as early as the checker allows after the one before: no waiting but rounding.
    times[1] = _earliest_accepted(tiny, times, 1)
    times[2] = _earliest_accepted(tiny, times, 2)
    tight = sweeper_time(tiny, _plan(tiny, times))
    assert tight.calling_min == pytest.approx(sum(minutes))
    assert tight.moves_same_site == 1 and tight.moves_other_site == 1
    assert tight.walking_min == pytest.approx(
        tight.walking_same_site_min + tight.walking_other_site_min
    )
    # Walking is what the checker asks between the calls, to within the whole-minute start.
    span = times[2] + minutes[2] - times[0]
    assert span - 2 <= tight.calling_min + tight.walking_min <= span
    assert tight.waiting_min < 2
    # Ten minutes later for the last call: ten minutes more waiting, nothing else moves.
    late = sweeper_time(tiny, _plan(tiny, [*times[:2], times[2] + 10]))
    assert late.waiting_min == pytest.approx(tight.waiting_min + 10)
    assert late.walking_min == pytest.approx(tight.walking_min)


def test_a_solved_plan_calls_every_household_once_and_walks_more_than_the_bound(
    tiny: Any,
) -> None:
    plan = solve(tiny, SolveConfig(time_limit=5, eval_reps=1)).plan
    t = sweeper_time(tiny, plan)
    called = sum(b.households for b in tiny.buildings if not b.locked and b.mobile > 0)
    assert t.calling_min == pytest.approx(called * tiny.crew.sweep_s_per_household / 60)
    assert 0 < t.least_walking_min <= t.walking_min
    assert 0 < t.calling_share < 1
