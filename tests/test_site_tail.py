"""bench/site_tail.py: the sites that end a plan's day last, and their desk- and lift-bound ends."""

from __future__ import annotations

import dataclasses
import importlib.util
import math
from pathlib import Path
from types import ModuleType

import pytest

from planner.model import Scenario
from planner.parse import load_scenario
from planner.plan import Call, DeskSpell, Plan
from planner.timefmt import parse_hhmm

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def site_tail() -> ModuleType:
    spec = importlib.util.spec_from_file_location("site_tail", ROOT / "bench" / "site_tail.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def tiny() -> Scenario:
    return load_scenario(ROOT / "scenarios" / "tiny")


def _plan(tiny: Scenario) -> Plan:
    """Two sites: S001 with the 33-floor tower's lift floors called at 06:00 and 06:20, S003
    with one walk-up called at 06:10 and desks open until 09:00 (the later close)."""
    tower = next(b for b in tiny.buildings if b.floors == 33)
    walkup = next(b for b in tiny.buildings if b.floors == 6 and not b.locked and not b.lift)
    calls = (
        Call(tower.building_id, 7, 20, 100, "S001", 360, "SWP001", 0),
        Call(tower.building_id, 21, 33, 90, "S001", 380, "SWP001", 1),
        Call(walkup.building_id, 1, 6, walkup.residents, "S003", 370, "SWP003", 0),
    )
    desks = (DeskSpell("S001", 360, 480, 2), DeskSpell("S003", 360, 540, 1))
    return Plan(desks=desks, calls=calls, visits=(), roster=())


def test_rows_come_latest_close_first_with_the_towers_lift_bound_end(
    site_tail: ModuleType, tiny: Scenario
) -> None:
    rows = site_tail.tail_rows(tiny, _plan(tiny))
    assert [r[0] for r in rows] == ["S003", "S001"]  # desks close 09:00, then 08:00
    s001 = rows[1]
    flow = tiny.flow
    # Every called floor is a lift floor: rides per call, 90 s each, from the first call 06:00.
    rides = math.ceil(100 * flow.turnout / flow.lift_people) + math.ceil(
        90 * flow.turnout / flow.lift_people
    )
    lift_min = rides * flow.lift_s / 60.0
    assert s001[8] == f"{lift_min:.0f}"
    assert s001[9] == "06:00"
    assert parse_hhmm(s001[10]) == math.floor(360 + lift_min)
    # Desk-bound: 190 people x turnout x 25 s at S001's five desks, from its first desk 06:00.
    desk_end = 360 + 190 * flow.turnout * flow.service_s / 60.0 / 5
    assert parse_hhmm(s001[7]) == math.floor(desk_end)
    # The walk-up's site has no lift queue to show.
    assert rows[0][8] == "0" and rows[0][10] == ""


def test_a_lift_call_counts_only_its_floors_from_lift_from_floor(
    site_tail: ModuleType, tiny: Scenario
) -> None:
    plan = _plan(tiny)
    # The same first call from floor 1: floors 1-6 walk, so fewer riders than 100 people.
    first = dataclasses.replace(plan.calls[0], floor_from=1)
    rows = site_tail.tail_rows(tiny, dataclasses.replace(plan, calls=(first, *plan.calls[1:])))
    riders = 100 * tiny.flow.turnout * 14 / 20
    rides = math.ceil(riders / tiny.flow.lift_people) + math.ceil(
        90 * tiny.flow.turnout / tiny.flow.lift_people
    )
    assert rows[1][8] == f"{rides * tiny.flow.lift_s / 60.0:.0f}"
