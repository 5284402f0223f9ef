"""planner.check: the hand-made mini plan is valid, and each small break of it is reported exactly.

Every broken plan below is the mini plan of ``conftest.py`` with one edit. The expected messages
carry numbers worked out by hand from the mini scenario (walks with an independent haversine
below), so a checker that finds the right rule but gets the amount wrong still fails.

Rows of the mini plan (spreadsheet numbering, header = 1):

- desks: 2 = S1 06:00-09:00 x1
- calls: 2..6 = P6's seq 0..4: B1 1-3 06:00, B1 4-6 06:20, B2 1-6 06:40, B2 7-12 07:25,
  B2 13-18 08:05
- visits: 2..4 = T1 seq 0..2: B3 1-11 06:00-07:43, B1 3 07:47-07:50, B2 12 07:52-07:57
- roster: 2 P1 sampler S1, 3 P3 registrar S1, 4 P5 marshal S1, 5 P2 sampler T1,
  6 P4 registrar T1, 7 P6 sweeper sweep
"""

from __future__ import annotations

import csv
import dataclasses
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import MINI_TABLES, MINI_TOML, write_plan_tables, write_scenario

from planner import load_scenario
from planner.check import check_plan, violation_table
from planner.messages import CATALOGUE
from planner.model import Role, Scenario
from planner.plan import Call, DeskSpell, Plan, Shift, Visit
from planner.planfile import read_plan
from planner.problems import Problem

Tables = dict[str, list[dict[str, Any]]]
Edit = Callable[[Tables], None]
Expected = tuple[str, int | None, str, str, str]  # file, row, column, code, English message


# --- hand arithmetic, independent of planner.geo --------------------------------------------------


def walk_min(a: str, b: str) -> float:
    """Minutes to walk between two mini buildings: haversine x detour 1.3 / 1.0 m/s."""
    pos = {r["building_id"]: (r["lat"], r["lon"]) for r in MINI_TABLES["buildings"]}
    (lat1, lon1), (lat2, lon2) = pos[a], pos[b]
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6_371_008.8 * math.asin(math.sqrt(h)) * 1.3 / 1.0 / 60


def up(x: float) -> str:
    """A shortfall as the checker shows it: rounded up to 0.1."""
    return f"{math.ceil(round(x * 10, 6)) / 10:.1f}"


# --- plan edits -----------------------------------------------------------------------------------


def set_(table: str, index: int, **changes: Any) -> Edit:
    def edit(plan: Tables) -> None:
        plan[table][index].update(changes)

    return edit


def drop(table: str, *indices: int) -> Edit:
    def edit(plan: Tables) -> None:
        for i in sorted(indices, reverse=True):
            del plan[table][i]

    return edit


def add(table: str, **row: Any) -> Edit:
    def edit(plan: Tables) -> None:
        plan[table].append(row)

    return edit


def both(*edits: Edit) -> Edit:
    def edit(plan: Tables) -> None:
        for e in edits:
            e(plan)

    return edit


def ppe_h(hours: int) -> str:
    return MINI_TOML.replace("max_ppe_h = 4", f"max_ppe_h = {hours}")


def max_hours(staff_id: str, hours: float) -> Tables:
    tables = {name: [dict(r) for r in rows] for name, rows in MINI_TABLES.items()}
    next(r for r in tables["staff"] if r["staff_id"] == staff_id)["max_hours"] = hours
    return tables


# --- running the checker --------------------------------------------------------------------------


@pytest.fixture
def run_check(tmp_path: Path, mini_dir: Path) -> Callable[..., list[Problem]]:
    """Write plan tables (and optionally a scenario variant), read them back, check them."""
    counter = iter(range(1000))

    def run(
        tables: Tables, toml: str | None = None, scenario_tables: Tables | None = None
    ) -> list[Problem]:
        folder = mini_dir
        if toml is not None or scenario_tables is not None:
            folder = write_scenario(
                tmp_path / f"scenario{next(counter)}", toml or MINI_TOML, scenario_tables
            )
        scenario = load_scenario(folder)
        plan = read_plan(write_plan_tables(tmp_path / f"plan{next(counter)}", tables), scenario)
        problems = check_plan(scenario, plan)
        for p in problems:  # every code renders in both languages
            assert p.code in CATALOGUE
            p.message("zh")
            p.message("en")
        return problems

    return run


def found(problems: list[Problem]) -> dict[tuple[str, int | None, str | None, str], list[str]]:
    out: dict[tuple[str, int | None, str | None, str], list[str]] = {}
    for p in problems:
        out.setdefault((p.file, p.row, p.column, p.code), []).append(p.message("en"))
    return out


def test_mini_plan_is_valid(run_check: Callable[..., list[Problem]], mini_plan: Tables) -> None:
    assert [p.render("en") for p in run_check(mini_plan)] == []


W_B1_B2 = walk_min("B1", "B2")
W_B3_B1 = walk_min("B3", "B1")

# Sweep of B2 13-18: 100 households x 6/18 floors x 20 s = 666.7 s = 11.11 min.
B2_WAVE_MIN = 100 * 6 / 18 * 20 / 60

CASES: list[Any] = [
    # --- 1. coverage
    pytest.param(
        drop("calls", 1),
        None,
        None,
        [
            (
                "calls.csv",
                None,
                "coverage",
                "chk_floors_not_called",
                "building B1: 3 floor(s) never called: 4-6",
            ),
            (
                "calls.csv",
                None,
                "coverage",
                "chk_call_people",
                "building B1: calls bring 39 people, 78 expected (residents 80 - immobile 2): -39",
            ),
        ],
        id="drop-a-wave",
    ),
    pytest.param(
        drop("calls", 0, 1),
        None,
        None,
        [
            (
                "calls.csv",
                None,
                "coverage",
                "chk_no_calls",
                "building B1 has 78 residents to call down but no calls",
            )
        ],
        id="building-without-calls",
    ),
    pytest.param(
        set_("calls", 0, floor_to=4),
        None,
        None,
        [
            (
                "calls.csv",
                3,
                "coverage",
                "chk_floors_called_twice",
                "building B1: 1 floor(s) called again (4), already called in row 2",
            )
        ],
        id="overlapping-floors",
    ),
    pytest.param(
        set_("calls", 0, floor_from=3, floor_to=1),
        None,
        None,
        [("calls.csv", 2, "coverage", "chk_floors_reversed", "floor_from 3 is above floor_to 1")],
        id="floors-reversed",
    ),
    pytest.param(
        set_("calls", 1, floor_to=8),
        None,
        None,
        [
            (
                "calls.csv",
                3,
                "coverage",
                "chk_floors_outside",
                "floors 4-8 of building B1 lie outside its floors 1-6 by 2 floor(s)",
            )
        ],
        id="call-floors-above-building",
    ),
    pytest.param(
        set_("calls", 3, site_id="S2"),
        None,
        None,
        [
            (
                "calls.csv",
                5,
                "coverage",
                "chk_wave_other_site",
                "building B2: this wave goes to S2 but its first wave (row 4) goes to S1; "
                "all waves of a building go to one site",
            ),
            (
                "calls.csv",
                5,
                "desks",
                "chk_call_no_desk_never",
                "call at 07:25 to S2, which never has a desk open",
            ),
        ],
        id="wave-to-second-site",
    ),
    pytest.param(
        add(
            "calls",
            building_id="B3",
            floor_from=1,
            floor_to=11,
            people=10,
            site_id="S1",
            call_time="08:30",
            sweeper_id="P6",
            seq=5,
        ),
        None,
        None,
        [
            (
                "calls.csv",
                7,
                "coverage",
                "chk_call_locked",
                "building B3 is locked down: its residents are sampled at the door, not called "
                "down (this wave: 10 people)",
            )
        ],
        id="call-the-locked-building",
    ),
    pytest.param(
        set_("calls", 0, people=40),
        None,
        None,
        [
            (
                "calls.csv",
                None,
                "coverage",
                "chk_call_people",
                "building B1: calls bring 79 people, 78 expected (residents 80 - immobile 2): +1",
            )
        ],
        id="calls-sum-wrong",
    ),
    pytest.param(
        set_("visits", 1, people=1),
        None,
        None,
        [
            (
                "visits.csv",
                None,
                "coverage",
                "chk_visit_people_immobile",
                "building B1: visits sample 1 people, it has 2 immobile residents: -1",
            )
        ],
        id="immobile-visits-wrong",
    ),
    pytest.param(
        drop("visits", 2),
        None,
        None,
        [
            (
                "visits.csv",
                None,
                "coverage",
                "chk_no_visits",
                "building B2 needs door visits for 3 people but has none",
            )
        ],
        id="immobile-not-visited",
    ),
    pytest.param(
        set_("visits", 0, people=99),
        None,
        None,
        [
            (
                "visits.csv",
                None,
                "coverage",
                "chk_visit_people_locked",
                "locked building B3: visits sample 99 people, it has 100 residents: -1",
            )
        ],
        id="locked-visits-sum-wrong",
    ),
    pytest.param(
        set_("visits", 0, floor_to=9),
        None,
        None,
        [
            (
                "visits.csv",
                None,
                "coverage",
                "chk_floors_not_visited",
                "locked building B3: 2 floor(s) never visited: 10-11",
            )
        ],
        id="locked-floors-missed",
    ),
    pytest.param(
        add(
            "visits",
            team_id="T1",
            seq=3,
            building_id="B3",
            floor_from=10,
            floor_to=11,
            people=0,
            start="07:59",
            end="08:00",
        ),
        None,
        None,
        [
            (
                "visits.csv",
                5,
                "coverage",
                "chk_floors_visited_twice",
                "locked building B3: 2 floor(s) visited again (10-11), already visited in row 2",
            )
        ],
        id="locked-floors-twice",
    ),
    # --- 2. desks
    pytest.param(
        set_("desks", 0, desks=4),
        None,
        None,
        [("desks.csv", 2, "desks", "chk_desks_over_max", "4 desks at S1, max_desks 3: 1 over")],
        id="desks-above-max",
    ),
    pytest.param(
        add("desks", site_id="S2", **{"from": "06:00", "to": "07:00"}, desks=1),
        None,
        None,
        [
            (
                "desks.csv",
                3,
                "desks",
                "chk_spell_outside_open",
                "spell 06:00-07:00 at S2 is 30 min outside its opening hours 06:30-09:00",
            )
        ],
        id="spell-outside-open-hours",
    ),
    pytest.param(
        # Wholly before opening: 30 min of spell outside, not 90 (the distance to 06:30).
        add("desks", site_id="S2", **{"from": "05:00", "to": "05:30"}, desks=1),
        None,
        None,
        [
            (
                "desks.csv",
                3,
                "desks",
                "chk_spell_outside_open",
                "spell 05:00-05:30 at S2 is 30 min outside its opening hours 06:30-09:00",
            )
        ],
        id="spell-wholly-before-opening",
    ),
    pytest.param(
        set_("desks", 0, to="06:00"),
        None,
        None,
        [
            (
                "desks.csv",
                2,
                "desks",
                "chk_spell_empty",
                "spell 06:00-06:00 at S1 does not end after it starts",
            )
        ],
        id="spell-empty",
    ),
    pytest.param(
        add("desks", site_id="S1", **{"from": "08:00", "to": "09:00"}, desks=1),
        None,
        None,
        [
            (
                "desks.csv",
                3,
                "desks",
                "chk_spells_overlap",
                "spell 08:00-09:00 at S1 overlaps row 2 (06:00-09:00) by 60 min",
            ),
            # The overlap doubles the desks for an hour: one sampler is then 1 short.
            (
                "desks.csv",
                2,
                "crew",
                "chk_samplers_short",
                "site S1 08:00-09:00: 2 desk(s) need 2 sampler(s), 1 on post (1 short)",
            ),
        ],
        id="overlapping-spells",
    ),
    pytest.param(
        set_("desks", 0, **{"from": "07:30"}),
        None,
        None,
        [
            (
                "calls.csv",
                2,
                "desks",
                "chk_call_desk_late",
                "no desk open at S1 in the hour after the call (06:00-07:00); the next opens at "
                "07:30, 30 min after that hour",
            ),
            (
                "calls.csv",
                3,
                "desks",
                "chk_call_desk_late",
                "no desk open at S1 in the hour after the call (06:20-07:20); the next opens at "
                "07:30, 10 min after that hour",
            ),
        ],
        id="call-before-desks-open",
    ),
    pytest.param(
        set_("desks", 0, to="07:00"),
        None,
        None,
        [
            (
                "calls.csv",
                5,
                "desks",
                "chk_call_desk_closed",
                "no desk open at S1 in the hour after the call (07:25-08:25); the last closed at "
                "07:00, 25 min before the call",
            ),
            (
                "calls.csv",
                6,
                "desks",
                "chk_call_desk_closed",
                "no desk open at S1 in the hour after the call (08:05-09:05); the last closed at "
                "07:00, 65 min before the call",
            ),
        ],
        id="call-after-desks-close",
    ),
    # --- 3. crews
    pytest.param(
        drop("roster", 1),
        None,
        None,
        [
            (
                "desks.csv",
                2,
                "crew",
                "chk_registrars_short",
                "site S1 06:00-09:00: 1 desk(s) need 1 registrar(s), 0 on post (1 short)",
            )
        ],
        id="no-registrar-at-S1",
    ),
    pytest.param(
        set_("roster", 1, end="07:30"),
        None,
        None,
        [
            (
                "desks.csv",
                2,
                "crew",
                "chk_registrars_short",
                "site S1 07:30-09:00: 1 desk(s) need 1 registrar(s), 0 on post (1 short)",
            )
        ],
        id="registrar-leaves-early",
    ),
    pytest.param(
        drop("roster", 2),
        None,
        None,
        [
            (
                "desks.csv",
                2,
                "crew",
                "chk_marshals_short",
                "site S1 06:00-09:00: open with 1 desk(s), needs 1 marshal(s), 0 on post (1 short)",
            )
        ],
        id="no-marshal",
    ),
    pytest.param(
        drop("roster", 4),
        None,
        None,
        [
            (
                "visits.csv",
                row,
                "crew",
                "chk_door_registrars_short",
                f"door team T1 {span} (visit seq {row - 2}): needs 1 registrar(s), 0 on post "
                "(1 short)",
            )
            for row, span in ((2, "06:00-07:43"), (3, "07:47-07:50"), (4, "07:52-07:57"))
        ],
        id="door-team-without-registrar",
    ),
    pytest.param(
        set_("roster", 3, end="07:00"),
        None,
        None,
        [
            (
                "visits.csv",
                2,
                "crew",
                "chk_door_samplers_short",
                "door team T1 07:00-07:43 (visit seq 0): needs 1 sampler(s), 0 on post (1 short)",
            )
        ],
        id="door-sampler-leaves-mid-visit",
    ),
    # --- 4. roster
    pytest.param(
        lambda plan: None,
        ppe_h(2),
        None,
        [
            (
                "roster.csv",
                2,
                "roster",
                "chk_ppe_stint",
                "sampler P1: stint 06:00-09:00 is 3.0 h, 1.0 h over max_ppe_h 2",
            )
        ],
        id="ppe-stint-too-long",
    ),
    pytest.param(
        both(
            set_("roster", 0, end="07:00"),
            add("roster", staff_id="P1", role="sampler", post="S1", start="07:10", end="09:00"),
        ),
        ppe_h(2),
        None,
        [
            (
                "roster.csv",
                8,
                "roster",
                "chk_ppe_stint",
                "sampler P1: stint 06:00-09:00 is 3.0 h, 1.0 h over max_ppe_h 2",
            )
        ],
        id="ppe-split-shift-10-min-break",
    ),
    pytest.param(
        set_("roster", 2, start="05:30"),
        None,
        None,
        [
            (
                "roster.csv",
                4,
                "roster",
                "chk_shift_unavailable",
                "shift 05:30-09:00 of P5 is 30 min outside their availability 06:00-09:00",
            )
        ],
        id="shift-outside-availability",
    ),
    pytest.param(
        set_("roster", 2, end="06:00"),
        None,
        None,
        [
            (
                "roster.csv",
                4,
                "roster",
                "chk_shift_empty",
                "shift 06:00-06:00 of P5 does not end after it starts",
            )
        ],
        id="shift-empty",
    ),
    pytest.param(
        add("roster", staff_id="P1", role="sampler", post="T1", start="07:00", end="08:00"),
        None,
        None,
        [
            (
                "roster.csv",
                8,
                "roster",
                "chk_shift_overlap",
                "shift 07:00-08:00 of P1 overlaps row 2 (06:00-09:00) by 60 min",
            )
        ],
        id="overlapping-shifts",
    ),
    pytest.param(
        lambda plan: None,
        None,
        max_hours("P1", 2),
        [("roster.csv", 2, "roster", "chk_max_hours", "P1 works 3.0 h, 1.0 h over max_hours 2")],
        id="over-max-hours",
    ),
    pytest.param(
        both(
            set_("roster", 5, end="07:00"),
            add("roster", staff_id="P6", role="sweeper", post="sweep", start="07:00", end="08:30"),
        ),
        None,
        max_hours("P6", 2),
        # The second shift is the one that takes P6 over the limit.
        [("roster.csv", 8, "roster", "chk_max_hours", "P6 works 2.5 h, 0.5 h over max_hours 2")],
        id="over-max-hours-second-shift",
    ),
    pytest.param(
        set_("roster", 1, role="sampler"),
        None,
        None,
        [
            (
                "roster.csv",
                3,
                "roster",
                "chk_role_mismatch",
                "P3 is a registrar in the staff table, rostered as sampler",
            )
        ],
        id="wrong-role",
    ),
    pytest.param(
        set_("roster", 5, post="S1"),
        None,
        None,
        [
            (
                "roster.csv",
                7,
                "roster",
                "chk_post_sweeper",
                'sweeper P6 is posted at "S1"; sweepers work on "sweep"',
            )
        ],
        id="sweeper-posted-at-a-site",
    ),
    pytest.param(
        set_("roster", 2, post="T1"),
        None,
        None,
        [
            (
                "roster.csv",
                4,
                "roster",
                "chk_post_marshal",
                'marshal P5 is posted at "T1", which is not a site',
            )
        ],
        id="marshal-posted-at-a-team",
    ),
    pytest.param(
        set_("roster", 3, post="T9"),
        None,
        None,
        [
            (
                "roster.csv",
                5,
                "roster",
                "chk_post_desk",
                'sampler P2 is posted at "T9", neither a site nor a door team with visits',
            )
        ],
        id="sampler-posted-at-a-team-without-visits",
    ),
    # --- 5. sweeps
    pytest.param(
        set_("calls", 1, call_time="06:03"),
        None,
        None,
        [
            (
                "calls.csv",
                3,
                "sweep",
                "chk_call_too_early",
                # B1 1-3: 15 households x 20 s = 5.0 min, from 06:00.
                "sweeper P6: call seq 1 at 06:03 starts 2.0 min too early (previous call ends "
                "06:05.0 + 0.0 min walk)",
            )
        ],
        id="call-before-previous-ends",
    ),
    pytest.param(
        set_("calls", 2, call_time="06:25"),
        None,
        None,
        [
            (
                "calls.csv",
                4,
                "sweep",
                "chk_call_too_early",
                f"sweeper P6: call seq 2 at 06:25 starts {up(W_B1_B2)} min too early (previous "
                f"call ends 06:25.0 + {W_B1_B2:.1f} min walk)",
            )
        ],
        id="call-without-time-to-walk",
    ),
    pytest.param(
        set_("roster", 5, end="08:10"),
        None,
        None,
        [
            (
                "calls.csv",
                6,
                "sweep",
                "chk_sweep_off_shift",
                f"sweeper P6 is off a sweep shift for {up(8 * 60 + 5 + B2_WAVE_MIN - 490)} of "
                f"the {B2_WAVE_MIN:.1f} min of this call (08:05-08:16.1)",
            )
        ],
        id="sweeper-not-on-shift",
    ),
    pytest.param(
        set_("calls", 0, sweeper_id="P5"),
        None,
        None,
        [("calls.csv", 2, "sweep", "chk_not_sweeper", "P5 is a marshal, not a sweeper")],
        id="call-by-a-marshal",
    ),
    pytest.param(
        set_("calls", 1, seq=0),
        None,
        None,
        [("calls.csv", 3, "sweep", "chk_call_seq_repeat", "seq 0 of sweeper P6 repeats row 2")],
        id="sweep-seq-repeated",
    ),
    # --- 6. visits
    pytest.param(
        set_("visits", 2, end="07:56"),
        None,
        None,
        [
            (
                "visits.csv",
                4,
                "visit",
                "chk_visit_too_short",
                # 3 people x 60 s + one lift ride of 90 s (B2 has a lift, floor 12 >= 7).
                "door team T1: visit seq 2 lasts 4.0 min, needs 4.5 min (3 people x 60 s + "
                "90 s lift ride): 0.5 min short",
            )
        ],
        id="visit-too-short-lift",
    ),
    pytest.param(
        set_("visits", 1, end="07:49"),
        None,
        None,
        [
            (
                "visits.csv",
                3,
                "visit",
                "chk_visit_too_short",
                # 2 people x 60 s + stairs 2 x (3 - 1) x 12 s = 168 s = 2.8 min.
                "door team T1: visit seq 1 lasts 2.0 min, needs 2.8 min (2 people x 60 s + "
                "48 s stairs): 0.8 min short",
            )
        ],
        id="visit-too-short-stairs",
    ),
    pytest.param(
        set_("visits", 0, end="07:45"),
        None,
        None,
        [
            (
                "visits.csv",
                3,
                "visit",
                "chk_visit_too_early",
                f"door team T1: visit seq 1 at 07:47 starts {up(45 + W_B3_B1 - 47)} min too "
                f"early (previous visit ends 07:45 + {W_B3_B1:.1f} min walk)",
            )
        ],
        id="visit-overlaps-previous-plus-walk",
    ),
    pytest.param(
        set_("visits", 1, floor_from=7, floor_to=7),
        None,
        None,
        [
            (
                "visits.csv",
                3,
                "visit",
                "chk_floors_outside",
                "floors 7-7 of building B1 lie outside its floors 1-6 by 1 floor(s)",
            )
        ],
        id="visit-floor-above-building",
    ),
    pytest.param(
        set_("visits", 2, seq=1),
        None,
        None,
        [("visits.csv", 4, "visit", "chk_visit_seq_repeat", "seq 1 of door team T1 repeats row 3")],
        id="visit-seq-repeated",
    ),
]


@pytest.mark.parametrize(("edit", "toml", "scenario_tables", "expected"), CASES)
def test_each_broken_plan_is_reported_with_its_numbers(
    run_check: Callable[..., list[Problem]],
    mini_plan: Tables,
    edit: Edit,
    toml: str | None,
    scenario_tables: Tables | None,
    expected: list[Expected],
) -> None:
    edit(mini_plan)
    problems = run_check(mini_plan, toml, scenario_tables)
    seen = found(problems)
    for file, row, column, code, message in expected:
        where = (file, row, column, code)
        assert where in seen, (where, [p.render("en") for p in problems])
        assert message in seen[where], (message, seen[where])
    assert problems == sorted(problems, key=lambda p: (p.file, p.row or 0))


# --- boundaries: what must NOT be reported --------------------------------------------------------


def test_thirty_minute_break_splits_ppe_stints(
    run_check: Callable[..., list[Problem]], mini_plan: Tables
) -> None:
    # 06:00-07:00 and 07:30-09:00 are 30 min apart (= ppe_break_min): two stints of 1 and 1.5 h.
    set_("roster", 0, end="07:00")(mini_plan)
    add("roster", staff_id="P1", role="sampler", post="S1", start="07:30", end="09:00")(mini_plan)
    problems = run_check(mini_plan, ppe_h(2))
    assert not [p for p in problems if p.code == "chk_ppe_stint"]
    # The half hour without a sampler is still a crew gap, reported once.
    short = [p.message("en") for p in problems if p.code == "chk_samplers_short"]
    assert short == ["site S1 07:00-07:30: 1 desk(s) need 1 sampler(s), 0 on post (1 short)"]


def test_call_exactly_when_previous_ends_is_fine(
    run_check: Callable[..., list[Problem]], mini_plan: Tables
) -> None:
    set_("calls", 1, call_time="06:05")(mini_plan)  # seq 0 ends at 06:05.0, same building
    assert run_check(mini_plan) == []


def test_back_to_back_sweep_shifts_cover_a_call_jointly(
    run_check: Callable[..., list[Problem]], mini_plan: Tables
) -> None:
    set_("roster", 5, end="06:03")(mini_plan)
    add("roster", staff_id="P6", role="sweeper", post="sweep", start="06:03", end="08:30")(
        mini_plan
    )
    assert run_check(mini_plan) == []


def test_a_gap_split_by_breakpoints_is_one_violation(
    run_check: Callable[..., list[Problem]], mini_plan: Tables
) -> None:
    # P1's shift split at 07:00 adds a breakpoint inside the registrar gap: still one problem.
    drop("roster", 1)(mini_plan)
    set_("roster", 0, end="07:00")(mini_plan)
    add("roster", staff_id="P1", role="sampler", post="S1", start="07:00", end="09:00")(mini_plan)
    problems = run_check(mini_plan)
    assert [(p.row, p.code) for p in problems] == [(2, "chk_registrars_short")]
    assert "06:00-09:00" in problems[0].message("en")


def test_one_person_twice_on_post_counts_once(
    run_check: Callable[..., list[Problem]], mini_plan: Tables
) -> None:
    # Two desks need two samplers; P1 rostered twice over the same hours is still one person.
    set_("desks", 0, desks=2)(mini_plan)
    add("roster", staff_id="P1", role="sampler", post="S1", start="06:00", end="09:00")(mini_plan)
    add("roster", staff_id="P4", role="registrar", post="S1", start="08:00", end="09:00")(mini_plan)
    codes = {(p.code, p.message("en")) for p in run_check(mini_plan)}
    assert (
        "chk_samplers_short",
        "site S1 06:00-09:00: 2 desk(s) need 2 sampler(s), 1 on post (1 short)",
    ) in codes


# --- row numbers, references, the table -----------------------------------------------------------


def test_rows_point_at_the_csv_lines(tmp_path: Path, mini_dir: Path, mini_plan: Tables) -> None:
    # Shuffle the tables so that file order differs from canonical order, then break one row each.
    mini_plan["calls"].reverse()  # seq 4 first
    mini_plan["roster"].reverse()  # P6 first
    mini_plan["visits"].reverse()
    next(r for r in mini_plan["calls"] if r["seq"] == 2)["floor_to"] = 20
    next(r for r in mini_plan["roster"] if r["staff_id"] == "P5")["start"] = "05:00"
    next(r for r in mini_plan["visits"] if r["seq"] == 1)["end"] = "07:48"
    mini_plan["desks"].insert(0, {"site_id": "S2", "from": "06:30", "to": "07:00", "desks": 9})
    folder = write_plan_tables(tmp_path / "shuffled", mini_plan)
    scenario = load_scenario(mini_dir)
    problems = check_plan(scenario, read_plan(folder, scenario))

    def line(file: str, row: int) -> dict[str, str]:
        with (folder / file).open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        return rows[row - 2]  # the header is row 1

    def one(code: str) -> Problem:
        (problem,) = [p for p in problems if p.code == code]
        assert problem.row is not None
        return problem

    call = one("chk_floors_outside")
    assert call.file == "calls.csv" and call.row == 4
    assert line("calls.csv", call.row)["floor_to"] == "20"
    shift = one("chk_shift_unavailable")
    assert shift.file == "roster.csv" and shift.row == 5
    assert line("roster.csv", shift.row)["staff_id"] == "P5"
    visit = one("chk_visit_too_short")
    assert visit.file == "visits.csv" and visit.row == 3
    assert line("visits.csv", visit.row)["seq"] == "1"
    spell = one("chk_desks_over_max")
    assert spell.file == "desks.csv" and spell.row == 2
    assert line("desks.csv", spell.row)["site_id"] == "S2"
    assert spell.render("en") == "desks.csv:2: desks: 9 desks at S2, max_desks 2: 7 over"


@pytest.fixture
def mini(mini_dir: Path, mini_plan_dir: Path) -> tuple[Scenario, Plan]:
    scenario = load_scenario(mini_dir)
    return scenario, read_plan(mini_plan_dir, scenario)


def test_unknown_ids_are_reported_not_raised(mini: tuple[Scenario, Plan]) -> None:
    # read_plan refuses unknown ids, but plans made in code reach the checker directly.
    scenario, plan = mini
    broken = Plan(
        desks=(*plan.desks, DeskSpell("S9", 400, 500, 1)),
        calls=(
            dataclasses.replace(plan.calls[0], building_id="B9"),
            dataclasses.replace(plan.calls[1], site_id="S9", sweeper_id="P9"),
            *plan.calls[2:],
        ),
        visits=(*plan.visits, Visit("T1", 9, "B9", 1, 1, 0, 480, 485)),
        roster=(*plan.roster, Shift("P9", Role.SWEEPER, "sweep", 360, 400)),
    )
    got = {(p.file, p.row, p.column, p.message("en")) for p in check_plan(scenario, broken)}
    assert ("calls.csv", 2, "coverage", 'unknown building "B9" (not in the scenario)') in got
    assert ("calls.csv", 3, "desks", 'unknown site "S9" (not in the scenario)') in got
    assert ("calls.csv", 3, "sweep", 'unknown staff member "P9" (not in the scenario)') in got
    assert ("desks.csv", 3, "desks", 'unknown site "S9" (not in the scenario)') in got
    assert ("visits.csv", 5, "visit", 'unknown building "B9" (not in the scenario)') in got
    assert ("roster.csv", 8, "roster", 'unknown staff member "P9" (not in the scenario)') in got


def test_violation_table(mini: tuple[Scenario, Plan]) -> None:
    scenario, plan = mini
    empty = violation_table(check_plan(scenario, plan), "en")
    assert list(empty.columns) == ["severity", "file", "row", "column", "code", "problem"]
    assert empty.empty
    broken = dataclasses.replace(plan, roster=plan.roster[:2] + plan.roster[3:])  # no marshal
    table = violation_table(check_plan(scenario, broken), "zh")
    assert table["code"].tolist() == ["chk_marshals_short"]
    assert str(table["row"].dtype) == "Int64" and table["row"].tolist() == [2]
    assert "秩序维护" in table["problem"].iloc[0] and "缺 1 人" in table["problem"].iloc[0]


def test_large_plan_checks_fast(mini: tuple[Scenario, Plan]) -> None:
    # 1,500 calls, 900 shifts, 110 sites of desk spells: well under the 2 s budget.
    scenario, plan = mini
    sites = [dataclasses.replace(scenario.sites[0], site_id=f"X{i}") for i in range(110)]
    staff = [
        dataclasses.replace(scenario.staff[i % 6], staff_id=f"Q{i}", available_to=24 * 60)
        for i in range(900)
    ]
    big_scenario = dataclasses.replace(
        scenario, sites=(*scenario.sites, *sites), staff=(*scenario.staff, *staff)
    )
    calls = tuple(
        Call("B2", 1 + i % 18, 1 + i % 18, 1, f"X{i % 110}", 360 + i % 400, f"Q{i % 150}", i)
        for i in range(1500)
    )
    desks = tuple(
        DeskSpell(f"X{i}", 360 + h * 60, 420 + h * 60, 2) for i in range(110) for h in (0, 2)
    )
    roster = tuple(
        Shift(
            s.staff_id,
            s.role,
            f"X{i % 110}" if s.role is not Role.SWEEPER else "sweep",
            360 + i % 60,
            600,
        )
        for i, s in enumerate(staff)
    )
    big = Plan(desks=desks, calls=calls, visits=plan.visits, roster=roster)
    started = time.perf_counter()
    problems = check_plan(big_scenario, big)
    assert time.perf_counter() - started < 2.0
    assert problems  # a random plan is far from valid; the point is the time
