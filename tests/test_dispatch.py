"""The one-pass call dispatcher: late calls must not come in a crowd, and nobody is left out."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import numpy as np

from planner import load_scenario
from planner.check import check_plan
from planner.model import Building, Role, Scenario, Staff
from planner.plan import DeskSpell, wave_households
from planner.solver import SolveConfig, solve
from planner.solver.dispatch import _CATCH_UP_SHARE, dispatch_calls
from planner.solver.pipeline import _site_waves
from planner.solver.sweeps import (
    _FAR_PENALTY_MIN,
    _SITE_PENALTY_MIN,
    Stint,
    _Sweeper,
    pick_sweeper,
)
from planner.solver.waves import Descent, Wave, building_waves

FAST = SolveConfig(time_limit=10, eval_reps=2)


def _waves(scenario: Scenario, site: int) -> tuple[list[list[Wave]], dict]:
    """Every mobile building's waves, all to ``site``, with a 3-minute walk and no lift."""
    per_building, ways = [], {}
    for b, building in enumerate(scenario.buildings):
        waves = []
        for lo, hi, people in building_waves(building, 10, 20):
            households = wave_households(building, lo, hi)
            waves.append(Wave(b, lo, hi, people, households, site, 0.0))
            ways[(b, lo)] = Descent(fixed_min=3.0, rides=0, lift_share=0.0)
        if waves:
            per_building.append(waves)
    return per_building, ways


def _fluid_peak(times: list[float], people: list[int], desks: int, turnout: float) -> float:
    """Largest expected queue when each wave arrives 3 minutes after its call."""
    arrivals = sorted(zip([t + 3.0 for t in times], people, strict=True))
    queue, peak, k = 0.0, 0.0, 0
    for t in range(int(arrivals[0][0]), int(arrivals[-1][0]) + 240):
        while k < len(arrivals) and arrivals[k][0] < t + 1:
            queue += arrivals[k][1] * turnout
            k += 1
        peak = max(peak, queue)
        queue = max(0.0, queue - desks * 2.0)  # service_s = 30: two people a minute per desk
    return peak


def test_late_sweepers_do_not_send_a_crowd(
    scenario_writer: Callable[..., Path], mini_tables: dict
) -> None:
    # Three desks open at 06:00, but the four sweepers only come at 07:00: every call is late.
    # Calling each wave as soon as a sweeper is free would send four waves at once, again and
    # again; the dispatcher spaces them by what the desks serve, allowing only a catch-up queue.
    sweeper = next(r for r in mini_tables["staff"] if r["role"] == "sweeper")
    sweeper["available_from"], sweeper["available_to"] = "07:00", "12:00"
    for k in range(3):
        mini_tables["staff"].append({**sweeper, "staff_id": f"SW{k}"})
    scenario = load_scenario(scenario_writer(tables=mini_tables))
    site = scenario.site_index["S1"]
    per_building, ways = _waves(scenario, site)
    desks = [DeskSpell("S1", 6 * 60, 11 * 60, 3)]
    home = {p.staff_id: (Stint(site),) for p in scenario.staff if p.role.value == "sweeper"}
    schedule = dispatch_calls(
        scenario, {site: per_building}, ways, desks, scenario.staff, home, 1.0
    )
    assert not schedule.uncalled
    assert sum(c.people for c in schedule.calls) == sum(b.mobile for b in scenario.buildings)
    turnout = scenario.flow.turnout
    largest = max(c.people for c in schedule.calls) * turnout
    allowed = _CATCH_UP_SHARE * scenario.sites[site].queue_capacity + largest + 2 * 3 * 2.0
    peak = _fluid_peak(
        [c.call_time for c in schedule.calls], [c.people for c in schedule.calls], 3, turnout
    )
    assert peak <= allowed, (peak, allowed)
    # The crowd it avoids: the same waves, each called as soon as one of the four is free.
    free = [7 * 60.0] * 4
    greedy = []
    for c in sorted(schedule.calls, key=lambda c: c.call_time):
        k = free.index(min(free))
        greedy.append(free[k])
        free[k] += (
            wave_households(
                scenario.buildings[scenario.building_index[c.building_id]], c.floor_from, c.floor_to
            )
            * scenario.crew.sweep_s_per_household
            / 60.0
        )
    crowd = _fluid_peak(
        greedy, [c.people for c in sorted(schedule.calls, key=lambda c: c.call_time)], 3, turnout
    )
    assert crowd > 1.5 * allowed, (crowd, allowed, peak)


def test_waves_nobody_can_call_when_wanted_are_called_earlier(
    scenario_writer: Callable[..., Path], mini_tables: dict
) -> None:
    # The sweeper leaves at 07:00, long before the desks could take everybody at their pace:
    # the later waves are called earlier than the desks want (a queue) rather than never.
    sweeper = next(r for r in mini_tables["staff"] if r["role"] == "sweeper")
    sweeper["available_to"] = "07:00"
    scenario = load_scenario(scenario_writer(tables=mini_tables))
    result = solve(scenario, FAST)
    assert check_plan(scenario, result.plan) == []
    called = sum(c.people for c in result.plan.calls)
    assert called == sum(b.mobile for b in scenario.buildings)
    assert max(c.call_time for c in result.plan.calls) < 7 * 60
    assert math.isfinite(result.kpis["finish"]["mean"] or math.inf)


def test_sweepers_going_home_early_bring_calls_forward_but_not_before_the_desks(
    scenario_writer: Callable[..., Path], mini_tables: dict
) -> None:
    # The desks open at 10:00 and the only sweeper leaves at 10:30: pacing to the desks would
    # leave most waves for after 10:30. They are called earlier, but never sooner than 50
    # minutes before the first desk opens (a plan rule wants a desk within the hour).
    sweeper = next(r for r in mini_tables["staff"] if r["role"] == "sweeper")
    sweeper["available_from"], sweeper["available_to"] = "05:30", "10:30"
    scenario = load_scenario(scenario_writer(tables=mini_tables))
    site = scenario.site_index["S1"]
    per_building, ways = _waves(scenario, site)
    desks = [DeskSpell("S1", 10 * 60, 14 * 60, 1)]
    home = {sweeper["staff_id"]: (Stint(site),)}
    schedule = dispatch_calls(
        scenario, {site: per_building}, ways, desks, scenario.staff, home, 1.0
    )
    assert not schedule.uncalled
    times = [c.call_time for c in schedule.calls]
    assert min(times) >= 10 * 60 - 50 and max(times) < 10 * 60 + 30


def test_lift_first_starts_the_towers_lift_earlier(mini_dir: Path) -> None:
    # Mini: a 6-floor walk-up (B1) and an 18-floor tower with a lift (B2) go to S1, three desks.
    # With lift floors as a queue of their own and lift_first, the tower's first lift wave is
    # called before its stair floors; without, bottom up after them.
    scenario = load_scenario(mini_dir)
    site = scenario.site_index["S1"]
    site_of = np.array([-1 if b.locked else site for b in scenario.buildings])
    walk = np.full((len(scenario.buildings), len(scenario.sites)), 2.0)
    home = {p.staff_id: (Stint(site),) for p in scenario.staff if p.role.value == "sweeper"}
    desks = [DeskSpell("S1", 6 * 60, 10 * 60, 3)]
    lift_from = scenario.flow.lift_from_floor
    first_lift_call = {}
    for lift_first in (False, True):
        waves, ways = _site_waves(scenario, walk, site_of, SolveConfig(), lift_first)
        schedule = dispatch_calls(
            scenario, waves, ways, desks, scenario.staff, home, 1.0, None, lift_first
        )
        assert not schedule.uncalled
        tower = [c for c in schedule.calls if c.building_id == "B2"]
        assert sum(c.people for c in tower) == scenario.buildings[1].mobile
        if lift_first:  # no call mixes stair floors and lift floors
            assert all(c.floor_to < lift_from or c.floor_from >= lift_from for c in tower)
        lift_calls = [c.call_time for c in tower if c.floor_to >= lift_from]
        stair_calls = [c.call_time for c in tower if c.floor_to < lift_from]
        first_lift_call[lift_first] = min(lift_calls)
        if lift_first:
            assert min(lift_calls) < min(stair_calls)
    assert first_lift_call[True] < first_lift_call[False]


def _helper_race(home_late_min: float, committee: str) -> str:
    """Who calls a wave wanted at 06:00 at a site-0 building: its own sweeper, free
    ``home_late_min`` minutes late, or a neighbour of ``committee`` free in time and standing
    in the building."""
    building = Building("B1", "C1", "K1", 31.2, 121.4, 6, 24, 60)
    own, helper = (
        _Sweeper(Staff(sid, sid, Role.SWEEPER, c, 300, 840, 8.0))
        for sid, c in (("OWN", "C1"), ("HELP", committee))
    )
    own.free_at, own.lat, own.lon, own.building = 360.0 + home_late_min, 31.2, 121.4, 0
    helper.free_at, helper.lat, helper.lon, helper.building = 350.0, 31.2, 121.4, 0
    home = {"OWN": (Stint(0),), "HELP": (Stint(1),)}
    wave = Wave(0, 1, 6, 60, 24.0, 0, 360.0)
    best = pick_sweeper([own, helper], wave, building, home, 60.0, 8.0)
    assert best is not None
    return best[0].person.staff_id


def test_a_neighbour_calls_when_the_sites_own_sweeper_would_be_later_than_the_penalty() -> None:
    # Equally early: the site's own sweeper.
    assert _helper_race(0.0, "C1") == "OWN"
    # Same committee: a helper once waiting for the own sweeper costs more than the penalty.
    assert _helper_race(_SITE_PENALTY_MIN - 1, "C1") == "OWN"
    assert _helper_race(_SITE_PENALTY_MIN + 1, "C1") == "HELP"
    # Another committee: only past the larger penalty.
    assert _helper_race(_SITE_PENALTY_MIN + 1, "C9") == "OWN"
    assert _helper_race(_FAR_PENALTY_MIN + 1, "C9") == "HELP"
    # A helper on the spot beats the site's own sweeper 3 minutes late (5 from another
    # committee): each late minute idles the desks (session 8; the old 8 / 20 did not).
    assert _helper_race(3.0, "C1") == "HELP"
    assert _helper_race(5.0, "C9") == "HELP"
