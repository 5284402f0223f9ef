"""Workload, supply and the finish lower bound against hand computations on the mini scenario."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from planner import load_scenario
from planner.capacity import assess, capacity_warnings


def test_mini_workload_and_bound_by_hand(mini_dir: Path) -> None:
    cap = assess(load_scenario(mini_dir))
    # 78 + 247 mobile residents x 0.97 turnout; 105 at doors (2 + 3 immobile, 100 locked).
    assert cap.site_people == pytest.approx(325 * 0.97)
    assert cap.door_people == 105
    site_min = 325 * 0.97 * 30 / 60  # service_s = 30
    # B3 is locked, 11 floors with a lift: its visits need at least one 90 s lift ride (the
    # stairs would take 2 x 10 x 12 s); the immobile need no climb (their floor is unknown).
    door_min = 105 * 60 / 60 + 90 / 60
    assert cap.desk.need_h == pytest.approx(site_min / 60)
    # Desks: S1 3 x 3 h + S2 2 x 2.5 h.
    assert cap.desk.have_h == pytest.approx(9 + 5)
    # Two samplers all morning are the binding resource: desks and doors share them.
    assert cap.samplers.need_h == pytest.approx((site_min + door_min) / 60)
    assert cap.finish_lower_bound == pytest.approx(360 + (site_min + door_min) / 2)
    # Sweepers call the 130 households of the two open buildings at 20 s each.
    assert cap.sweepers.need_h == pytest.approx(130 * 20 / 3600)
    assert capacity_warnings(load_scenario(mini_dir)) == []


def test_bound_follows_staff_arrivals(
    scenario_writer: Callable[..., Path], mini_tables: dict
) -> None:
    # The second sampler arrives at 07:00: one desk crew for the first hour.
    mini_tables["staff"][1]["available_from"] = "07:00"
    cap = assess(load_scenario(scenario_writer(tables=mini_tables)))
    work = 325 * 0.97 * 30 / 60 + 105 + 1.5  # + B3's lift ride
    # 60 sampler-minutes before 07:00, then two per minute.
    assert cap.finish_lower_bound == pytest.approx(420 + (work - 60) / 2)


def test_short_staff_warns_with_numbers(
    scenario_writer: Callable[..., Path], mini_tables: dict
) -> None:
    mini_tables["staff"] = [r for r in mini_tables["staff"] if r["staff_id"] != "P2"]
    scenario = load_scenario(scenario_writer(tables=mini_tables))
    warnings = {w.code: w for w in capacity_warnings(scenario)}
    assert set(warnings) == {"short_role_hours", "late_lower_bound"} or set(warnings) == {
        "short_role_hours",
        "late_never",
    }
    text = warnings["short_role_hours"].render("en")
    need = (325 * 0.97 * 30 + 105 * 60 + 90) / 3600
    assert f"{need:.1f} person-hours needed" in text and "at most 3.0" in text
    assert "about 1 more people" in text
    assert warnings["short_role_hours"].severity == "warning"


def test_late_bound_names_the_time(scenario_writer: Callable[..., Path], mini_tables: dict) -> None:
    # Staff stay until 12:00 but the deadline is 08:00: feasible only late.
    for row in mini_tables["staff"]:
        row["available_to"] = "12:00"
    for row in mini_tables["sites"]:
        row["open_to"] = "12:00"
    from conftest import MINI_TOML

    toml = MINI_TOML.replace('deadline = "09:00"', 'deadline = "08:00"')
    scenario = load_scenario(scenario_writer(toml=toml, tables=mini_tables))
    late = [w for w in capacity_warnings(scenario) if w.code == "late_lower_bound"]
    # 360 + (157.6 desk + 105 door + 1.5 lift-ride minutes) / 2 samplers = 492.1 -> 08:13
    assert late and "08:13" in late[0].render("en")


def test_too_few_desks(scenario_writer: Callable[..., Path], mini_tables: dict) -> None:
    for row in mini_tables["sites"]:
        row["max_desks"] = 1
        row["open_to"] = "06:40"
        row["open_from"] = "06:00"
    scenario = load_scenario(scenario_writer(tables=mini_tables))
    codes = {w.code for w in capacity_warnings(scenario)}
    assert "short_desk_hours" in codes and "late_never" in codes


def test_bound_waits_for_the_calling(
    scenario_writer: Callable[..., Path], mini_tables: dict
) -> None:
    # The only sweeper comes at 07:50: 130 households x 20 s = 43.3 min of calling end at 08:33.3
    # at the earliest, later than the desks and samplers alone would allow (08:12.1).
    sweeper = next(r for r in mini_tables["staff"] if r["role"] == "sweeper")
    sweeper["available_from"] = "07:50"
    sweeper["available_to"] = "12:00"
    cap = assess(load_scenario(scenario_writer(tables=mini_tables)))
    assert cap.finish_lower_bound == pytest.approx(470 + 130 * 20 / 60)
    # Time before the start counts: from 05:00 the calling is done before 06:00.
    sweeper["available_from"] = "05:00"
    cap = assess(load_scenario(scenario_writer(tables=mini_tables)))
    assert cap.finish_lower_bound == pytest.approx(360 + (325 * 0.97 * 30 / 60 + 105 + 1.5) / 2)
