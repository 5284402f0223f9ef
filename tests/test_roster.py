"""The roster builder: crews complete where it claims so, every roster rule kept, gaps reported.

Rules are checked by :func:`planner.check.check_plan` (the oracle), on a plan made of the desks and
shifts under test; its coverage findings are ignored here since these plans call nobody.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from conftest import SCENARIOS

from planner import load_scenario
from planner.check import check_plan
from planner.model import Role, Scenario
from planner.plan import SWEEP_POST, DeskSpell, Plan, Shift, Visit
from planner.roster import (
    SweepNeed,
    TeamNeed,
    build_roster,
    desk_capacity,
    staffed_desks,
)

DAY_TOML = """\
name = "day"
synthetic = true

[round]
date = 2022-03-16
start = "06:00"
deadline = "14:00"

[crew]
max_ppe_h = {ppe}
ppe_break_min = 30
"""


def person(
    staff_id: str,
    role: str,
    start: str = "06:00",
    end: str = "14:00",
    hours: float = 8,
    committee: str = "",
) -> dict[str, Any]:
    return dict(
        staff_id=staff_id,
        name=staff_id,
        role=role,
        committee=committee,
        available_from=start,
        available_to=end,
        max_hours=hours,
    )


def day_scenario(
    writer: Callable[..., Path],
    tables: dict[str, list[dict[str, Any]]],
    staff: list[dict[str, Any]],
    ppe: float = 4,
) -> Scenario:
    """The mini scenario's buildings and sites, open 06:00-14:00, with the staff given."""
    tables = {**tables, "staff": staff}
    for site in tables["sites"]:
        site["open_from"], site["open_to"] = "06:00", "14:00"
    return load_scenario(writer(toml=DAY_TOML.format(ppe=ppe), tables=tables))


def rule_problems(
    scenario: Scenario,
    desks: Sequence[DeskSpell],
    shifts: Sequence[Shift],
    visits: Sequence[Visit] = (),
) -> list[str]:
    """What the oracle finds about desks, crews and the roster (not coverage or sweeps)."""
    plan = Plan(tuple(desks), (), tuple(visits), tuple(shifts))
    return [
        p.render("en")
        for p in check_plan(scenario, plan)
        if p.column in ("desks", "crew", "roster", "visit")
    ]


def on_post(shifts: Sequence[Shift], post: str, role: Role) -> list[Shift]:
    return sorted((s for s in shifts if s.post == post and s.role == role), key=lambda s: s.start)


def covered_minutes(shifts: Sequence[Shift], minute: int) -> int:
    return sum(1 for s in shifts if s.start <= minute < s.end)


def stints(shifts: Sequence[Shift], brk: int = 30) -> list[tuple[int, int]]:
    """One person's sampler shifts merged into stints (gaps up to ``brk`` minutes join)."""
    out: list[tuple[int, int]] = []
    for s in sorted(shifts, key=lambda s: s.start):
        if out and s.start - out[-1][1] <= brk:
            out[-1] = (out[-1][0], max(out[-1][1], s.end))
        else:
            out.append((s.start, s.end))
    return out


FULL_CREW = [
    *(person(f"SMP{k}", "sampler") for k in range(1, 5)),
    *(person(f"REG{k}", "registrar", committee="C1") for k in range(1, 3)),
    person("MAR1", "marshal", committee="C1"),
]


def test_desk_open_all_morning_gets_samplers_in_relay(
    scenario_writer: Callable[..., Path], mini_tables: dict[str, list[dict[str, Any]]]
) -> None:
    scenario = day_scenario(scenario_writer, mini_tables, FULL_CREW)
    desks = [DeskSpell("S1", 360, 840, 1)]
    result = build_roster(scenario, desks=desks)
    assert result.complete
    assert rule_problems(scenario, desks, result.shifts) == []
    samplers = on_post(result.shifts, "S1", Role.SAMPLER)
    # 8 h of desk with 4 h stints: at least two people in sequence, one at every minute.
    assert len({s.staff_id for s in samplers}) >= 2
    assert all(covered_minutes(samplers, m) == 1 for m in range(360, 840))
    for staff_id in {s.staff_id for s in samplers}:
        mine = [s for s in samplers if s.staff_id == staff_id]
        assert all(b - a <= 240 for a, b in stints(mine))
    # One registrar and one marshal at every open minute, too.
    for role in (Role.REGISTRAR, Role.MARSHAL):
        crew = on_post(result.shifts, "S1", role)
        assert all(covered_minutes(crew, m) >= 1 for m in range(360, 840))
    assert staffed_desks(scenario, desks, result.shifts) == tuple(desks)


def test_sampler_comes_back_after_a_break(
    scenario_writer: Callable[..., Path], mini_tables: dict[str, list[dict[str, Any]]]
) -> None:
    # Two samplers, 3 h stints, an 8 h desk: somebody must do two stints with a break between.
    staff = [person("SMP1", "sampler"), person("SMP2", "sampler"), *FULL_CREW[4:]]
    scenario = day_scenario(scenario_writer, mini_tables, staff, ppe=3)
    desks = [DeskSpell("S1", 360, 840, 1)]
    result = build_roster(scenario, desks=desks)
    assert result.complete, result.unfilled
    assert rule_problems(scenario, desks, result.shifts) == []
    samplers = on_post(result.shifts, "S1", Role.SAMPLER)
    per_person = {
        sid: stints([s for s in samplers if s.staff_id == sid]) for sid in ("SMP1", "SMP2")
    }
    assert max(len(v) for v in per_person.values()) >= 2
    assert all(b - a <= 180 for v in per_person.values() for a, b in v)


def test_too_few_samplers_are_reported_not_hidden(
    scenario_writer: Callable[..., Path], mini_tables: dict[str, list[dict[str, Any]]]
) -> None:
    staff = [person("SMP1", "sampler"), *FULL_CREW[4:]]
    scenario = day_scenario(scenario_writer, mini_tables, staff)
    desks = [DeskSpell("S1", 360, 840, 2)]
    result = build_roster(scenario, desks=desks)
    missing = [u for u in result.unfilled if u.role == Role.SAMPLER]
    assert missing and all(u.post == "S1" for u in missing)
    # Two 8 h desks need 960 sampler-minutes; one sampler works at most 4 h, a break of more than
    # 30 min, then the rest of the day: 449 minutes. The other 511 are missing.
    assert sum((u.end - u.start) * u.missing for u in missing) == 960 - 449
    staffed = staffed_desks(scenario, desks, result.shifts)
    assert sum((d.end - d.start) * d.desks for d in staffed) == 449
    assert all(d.desks <= 1 for d in staffed)
    assert rule_problems(scenario, staffed, result.shifts) == []


def test_staffed_desks_step_down_where_a_registrar_is_missing(
    scenario_writer: Callable[..., Path], mini_tables: dict[str, list[dict[str, Any]]]
) -> None:
    scenario = day_scenario(scenario_writer, mini_tables, FULL_CREW)
    desks = [DeskSpell("S1", 360, 840, 2)]
    shifts = [
        Shift("SMP1", Role.SAMPLER, "S1", 360, 600),
        Shift("SMP2", Role.SAMPLER, "S1", 360, 600),
        Shift("SMP3", Role.SAMPLER, "S1", 600, 840),
        Shift("SMP4", Role.SAMPLER, "S1", 600, 840),
        Shift("REG1", Role.REGISTRAR, "S1", 360, 840),
        Shift("REG2", Role.REGISTRAR, "S1", 360, 500),
        Shift("MAR1", Role.MARSHAL, "S1", 360, 800),
    ]
    assert staffed_desks(scenario, desks, shifts) == (
        DeskSpell("S1", 360, 500, 2),
        DeskSpell("S1", 500, 800, 1),
    )


def test_door_team_is_staffed_for_its_whole_route(
    scenario_writer: Callable[..., Path], mini_tables: dict[str, list[dict[str, Any]]]
) -> None:
    scenario = day_scenario(scenario_writer, mini_tables, FULL_CREW)
    team = TeamNeed("T01", 360, 700, "C2")
    visits = [Visit("T01", 0, "B3", 1, 11, 100, 360, 700)]
    result = build_roster(scenario, teams=[team])
    assert result.complete
    assert rule_problems(scenario, (), result.shifts, visits) == []
    for role in (Role.SAMPLER, Role.REGISTRAR):
        crew = on_post(result.shifts, "T01", role)
        assert all(covered_minutes(crew, m) == 1 for m in range(360, 700))
    # No desk was asked for, so nobody stands at a site.
    assert {s.post for s in result.shifts} == {"T01"}


def test_fixed_shifts_keep_people_busy(
    scenario_writer: Callable[..., Path], mini_tables: dict[str, list[dict[str, Any]]]
) -> None:
    staff = [person("SMP1", "sampler"), person("SMP2", "sampler"), *FULL_CREW[4:]]
    scenario = day_scenario(scenario_writer, mini_tables, staff)
    fixed = [Shift("SMP1", Role.SAMPLER, "T01", 360, 600)]
    desks = [DeskSpell("S1", 360, 480, 1)]
    result = build_roster(scenario, desks=desks, fixed=fixed)
    assert fixed[0] in result.shifts
    assert [s.staff_id for s in on_post(result.shifts, "S1", Role.SAMPLER)] == ["SMP2"]
    with pytest.raises(ValueError, match="SMP9"):
        build_roster(scenario, fixed=[Shift("SMP9", Role.SAMPLER, "T01", 360, 400)])


def test_sweeps_named_or_picked(
    scenario_writer: Callable[..., Path], mini_tables: dict[str, list[dict[str, Any]]]
) -> None:
    staff = [
        person("SWP1", "sweeper", committee="C1"),
        person("SWP2", "sweeper", start="10:00", end="14:00", hours=4, committee="C2"),
        *FULL_CREW,
    ]
    scenario = day_scenario(scenario_writer, mini_tables, staff)
    sweeps = [
        ("SWP1", SweepNeed(360, 400)),
        ("SWP2", SweepNeed(360, 400)),  # outside SWP2's availability
        ("", SweepNeed(700, 760, "C2")),  # builder picks: SWP2 is C2's own
    ]
    result = build_roster(scenario, sweeps=sweeps, marshals=False)
    assert result.sweepers == ("SWP1", "", "SWP2")
    assert [(u.post, u.role, u.start, u.end, u.missing) for u in result.unfilled] == [
        (SWEEP_POST, Role.SWEEPER, 360, 400, 1)
    ]
    assert sorted((s.staff_id, s.start, s.end) for s in result.shifts) == [
        ("SWP1", 360, 400),
        ("SWP2", 700, 760),
    ]


def test_committee_volunteers_preferred(
    scenario_writer: Callable[..., Path], mini_tables: dict[str, list[dict[str, Any]]]
) -> None:
    staff = [
        person("REG1", "registrar", committee="C2"),
        person("REG2", "registrar", committee="C1"),
        person("SMP1", "sampler"),
        person("MAR1", "marshal", committee="C2"),
        person("MAR2", "marshal", committee="C1"),
    ]
    scenario = day_scenario(scenario_writer, mini_tables, staff)
    desks = [DeskSpell("S1", 360, 480, 1)]  # S1 belongs to C1
    result = build_roster(scenario, desks=desks)
    assert [s.staff_id for s in on_post(result.shifts, "S1", Role.REGISTRAR)] == ["REG2"]
    assert [s.staff_id for s in on_post(result.shifts, "S1", Role.MARSHAL)] == ["MAR2"]


def test_desk_capacity_follows_staff(
    scenario_writer: Callable[..., Path], mini_tables: dict[str, list[dict[str, Any]]]
) -> None:
    plenty = [
        *(person(f"SMP{k}", "sampler") for k in range(20)),
        *(person(f"REG{k}", "registrar") for k in range(20)),
        person("MAR1", "marshal"),
        person("MAR2", "marshal"),
    ]
    scenario = day_scenario(scenario_writer, mini_tables, plenty)
    assert desk_capacity(scenario) == {"S1": 3, "S2": 2}  # max_desks caps it
    # Three registrars: three 8 h desks, dealt one per site per round, S1 first.
    few = [p for p in plenty if p["role"] != "registrar"] + plenty[20:23]
    assert desk_capacity(day_scenario(scenario_writer, mini_tables, few)) == {"S1": 2, "S2": 1}
    # Reserving 8 h of registrar time (a door team) costs one desk.
    assert desk_capacity(
        day_scenario(scenario_writer, mini_tables, few), reserved={Role.REGISTRAR: 480.0}
    ) == {"S1": 1, "S2": 1}
    # One marshal: only one site can open.
    one_marshal = [p for p in plenty if p["staff_id"] != "MAR2"]
    counts = desk_capacity(day_scenario(scenario_writer, mini_tables, one_marshal))
    assert sorted(counts.values()) == [0, 3]


@pytest.mark.skipif(not (SCENARIOS / "town").is_dir(), reason="bundled town scenario missing")
def test_town_roster_is_fast_and_valid() -> None:
    scenario = load_scenario(SCENARIOS / "town")
    counts = desk_capacity(scenario)
    desks = [
        DeskSpell(s.site_id, max(s.open_from, scenario.round.start), s.open_to, counts[s.site_id])
        for s in scenario.sites
        if counts[s.site_id]
    ]
    began = time.perf_counter()
    result = build_roster(scenario, desks=desks)
    assert time.perf_counter() - began < 5.0
    staffed = staffed_desks(scenario, desks, result.shifts)
    assert rule_problems(scenario, staffed, result.shifts) == []
    # The budget is realistic: most wanted desk-minutes are staffed.
    want = sum((d.end - d.start) * d.desks for d in desks)
    have = sum((d.end - d.start) * d.desks for d in staffed)
    assert have >= 0.85 * want
