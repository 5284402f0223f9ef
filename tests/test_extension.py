"""Desks extended past their spells only where a marshal is free (planner.solver.extension)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from planner import load_scenario
from planner.model import Role, Scenario
from planner.plan import Call, DeskSpell, Shift
from planner.solver.extension import CLEAR_MARGIN_MIN, extend_desks, extension_room
from planner.solver.waves import Descent


def _marshal(staff_id: str, to: str, max_hours: float = 8) -> dict[str, Any]:
    return dict(
        staff_id=staff_id,
        name="marshal",
        role="marshal",
        committee="C1",
        available_from="06:00",
        available_to=to,
        max_hours=max_hours,
    )


@pytest.fixture
def two_marshals(
    scenario_writer: Callable[..., Path], mini_tables: dict[str, list[dict[str, Any]]]
) -> Callable[..., Scenario]:
    """The mini scenario with a second marshal, P7, who leaves at 07:30."""

    def make(p7_max_hours: float = 8) -> Scenario:
        mini_tables["staff"].append(_marshal("P7", "07:30", p7_max_hours))
        return load_scenario(scenario_writer(tables=mini_tables))

    return make


# S1 runs 06:00-08:00 with P5 as its marshal; S2 runs 06:30-07:00 with P7, who leaves at 07:30.
DESKS = [DeskSpell("S1", 360, 480, 2), DeskSpell("S2", 390, 420, 1)]
SHIFTS = [Shift("P5", Role.MARSHAL, "S1", 360, 480), Shift("P7", Role.MARSHAL, "S2", 390, 420)]


def test_room_is_where_a_marshal_is_free_after_the_last_spell(
    two_marshals: Callable[..., Scenario],
) -> None:
    room = extension_room(two_marshals(), DESKS, SHIFTS)
    # S2: P7 until they leave at 07:30; nobody 07:30-08:00 (P5 is at S1); P5 from 08:00 until
    # the site closes at 09:00. At S2's last desk count.
    assert room["S2"] == [DeskSpell("S2", 420, 450, 1), DeskSpell("S2", 480, 540, 1)]
    # S1: its own marshal is free from its last spell on; at its last desk count (2).
    assert room["S1"] == [DeskSpell("S1", 480, 540, 2)]


def test_a_marshal_at_their_most_hours_is_not_free(
    two_marshals: Callable[..., Scenario],
) -> None:
    # P7 may work half an hour and has worked it at S2.
    room = extension_room(two_marshals(p7_max_hours=0.5), DESKS, SHIFTS)
    assert room["S2"] == [DeskSpell("S2", 480, 540, 1)]


def _late_call(scenario: Scenario) -> tuple[list[Call], dict[tuple[int, int], Descent]]:
    """40 people of B1 called for S2 at 06:55, all at S2 at 07:00 (5 minutes' way, no lift)."""
    call = Call("B1", 1, 3, 40, "S2", 415, "P6", 0)
    ways = {(scenario.building_index["B1"], 1): Descent(5.0, 0, 0.0)}
    return [call], ways


def test_extension_waits_for_a_free_marshal(two_marshals: Callable[..., Scenario]) -> None:
    scenario = two_marshals()
    calls, ways = _late_call(scenario)
    room = {"S2": [DeskSpell("S2", 480, 540, 1)]}
    out = [d for d in extend_desks(scenario, DESKS, calls, ways, room) if d.site_id == "S2"]
    # The 40 x 0.97 people queue from 07:00 until a marshal is free at 08:00; one desk serves
    # two a minute (30 s each): through by 08:20, then the margin.
    expected_people = 40 * scenario.flow.turnout
    end = 480 + -(-expected_people // 2) + CLEAR_MARGIN_MIN
    assert out == [DeskSpell("S2", 390, 420, 1), DeskSpell("S2", 480, int(end), 1)]


def test_extension_runs_straight_on_where_there_is_room_or_none_is_known(
    two_marshals: Callable[..., Scenario],
) -> None:
    scenario = two_marshals()
    calls, ways = _late_call(scenario)
    expected_people = 40 * scenario.flow.turnout
    straight = [DeskSpell("S2", 390, int(420 + -(-expected_people // 2) + CLEAR_MARGIN_MIN), 1)]
    rooms: list[dict[str, list[DeskSpell]]] = [
        {"S2": [DeskSpell("S2", 420, 540, 1)]},
        {},
        {"S2": []},
    ]
    for room in rooms:
        out = [d for d in extend_desks(scenario, DESKS, calls, ways, room) if d.site_id == "S2"]
        assert out == straight, room


def test_extension_at_the_largest_desk_count_and_never_at_kept_sites(
    two_marshals: Callable[..., Scenario],
) -> None:
    scenario = two_marshals()
    calls, ways = _late_call(scenario)
    desks = [
        DeskSpell("S1", 360, 480, 2),
        DeskSpell("S2", 390, 400, 2),
        DeskSpell("S2", 400, 420, 1),
    ]
    room = {"S2": [DeskSpell("S2", 480, 540, 1)]}
    out = [d for d in extend_desks(scenario, desks, calls, ways, room) if d.site_id == "S2"]
    assert out[-1].start == 480 and out[-1].desks == 2
    kept = extend_desks(scenario, desks, calls, ways, room, keep=frozenset({"S2"}))
    assert [d for d in kept if d.site_id == "S2"] == desks[1:]
