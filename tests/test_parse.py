"""Loading scenarios: conversions, defaults, and one failing case per validation rule."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import MINI_TABLES, MINI_TOML

from planner import Role, ScenarioError, load_scenario
from planner.problems import Problem


def problems_of(folder: Path) -> list[Problem]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(folder)
    return info.value.problems


def codes(problems: list[Problem]) -> set[tuple[str, int | None, str | None, str]]:
    return {(p.file, p.row, p.column, p.code) for p in problems}


# --- what a valid scenario becomes ---------------------------------------------------------------


def test_mini_loads_with_converted_values(mini_dir: Path) -> None:
    s = load_scenario(mini_dir)
    assert s.name == "mini" and s.synthetic
    assert s.round.date == dt.date(2022, 3, 16)
    assert s.round.notice == dt.datetime(2022, 3, 15, 23, 30)
    assert (s.round.start, s.round.deadline) == (360, 540)
    assert s.flow.service_s == 30.0 and s.flow.turnout == 0.97  # set / default
    b1, _, b3 = s.buildings
    assert (b1.floors, b1.residents, b1.immobile, b1.lift, b1.locked) == (6, 80, 2, False, False)
    assert b3.locked and b3.mobile == 0 and b3.door_people == 100
    assert s.mobile_residents == 78 + 247 and s.door_residents == 2 + 3 + 100
    assert s.sites[1].open_from == 390 and s.sites[1].name == "二号点"
    assert s.staff[0].role is Role.SAMPLER and s.staff[0].committee == ""
    assert s.committees == ("C1", "C2")
    assert s.staff_count()[Role.SAMPLER] == 2


def test_parquet_and_csv_give_the_same_scenario(tmp_path: Path) -> None:
    from conftest import write_scenario

    a = load_scenario(write_scenario(tmp_path / "csv"))
    b = load_scenario(write_scenario(tmp_path / "pq", fmt="parquet"))
    assert a == b


def test_byte_order_mark_and_padding_are_accepted(mini_dir: Path) -> None:
    path = mini_dir / "buildings.csv"
    text = path.read_text(encoding="utf-8").replace(",C1,", ", C1 ,")
    path.write_bytes("\ufeff".encode() + text.encode("utf-8"))
    assert load_scenario(mini_dir).buildings[0].committee == "C1"


def test_optional_columns_take_documented_defaults(scenario_writer: Callable[..., Path]) -> None:
    tables: dict[str, list[dict[str, Any]]] = {
        "buildings": [
            {k: v for k, v in row.items() if k not in ("compound", "immobile", "locked", "lift")}
            for row in MINI_TABLES["buildings"]
        ],
        "sites": [
            {
                k: v
                for k, v in row.items()
                if k not in ("name", "queue_capacity", "open_from", "open_to")
            }
            for row in MINI_TABLES["sites"]
        ],
        "staff": [
            {k: v for k, v in row.items() if k in ("staff_id", "role")}
            for row in MINI_TABLES["staff"]
        ],
    }
    s = load_scenario(scenario_writer(tables=tables))
    assert [b.compound for b in s.buildings] == ["C1", "C1", "C2"]
    assert [b.lift for b in s.buildings] == [False, True, True]  # 6, 18, 11 floors
    assert all(b.immobile == 0 and not b.locked for b in s.buildings)
    site = s.sites[0]
    assert (site.name, site.queue_capacity, site.open_from, site.open_to) == ("S1", 200, 360, 540)
    person = s.staff[0]
    assert (person.name, person.committee, person.max_hours) == ("P1", "", 8.0)
    assert (person.available_from, person.available_to) == (360, 540)


def test_blank_optional_cell_takes_default(
    scenario_writer: Callable[..., Path], mini_tables: dict
) -> None:
    mini_tables["sites"][0]["open_to"] = ""
    mini_tables["buildings"][1]["lift"] = ""
    s = load_scenario(scenario_writer(tables=mini_tables))
    assert s.sites[0].open_to == 540
    assert s.buildings[1].lift is True


def test_times_past_midnight_are_kept_in_order(
    scenario_writer: Callable[..., Path], mini_tables: dict
) -> None:
    toml = MINI_TOML.replace('start = "06:00"', 'start = "22:00"').replace(
        'deadline = "09:00"', 'deadline = "26:00"'
    )
    for row in mini_tables["sites"] + mini_tables["staff"]:
        for a, b in (("open_from", "open_to"), ("available_from", "available_to")):
            if a in row:
                row[a], row[b] = "22:00", "25:30"
    s = load_scenario(scenario_writer(toml=toml, tables=mini_tables))
    assert (s.round.start, s.round.deadline) == (22 * 60, 26 * 60)
    assert s.sites[0].open_to == 25 * 60 + 30


def test_bare_hhmm_notice_is_on_the_round_day(scenario_writer: Callable[..., Path]) -> None:
    toml = MINI_TOML.replace("notice = 2022-03-15T23:30:00", 'notice = "05:15"')
    assert load_scenario(scenario_writer(toml=toml)).round.notice == dt.datetime(2022, 3, 16, 5, 15)


def test_toml_time_notice_is_on_the_round_day(scenario_writer: Callable[..., Path]) -> None:
    # start/deadline accept a bare TOML time; notice does too (it used to be refused).
    toml = MINI_TOML.replace("notice = 2022-03-15T23:30:00", "notice = 05:30:00")
    assert load_scenario(scenario_writer(toml=toml)).round.notice == dt.datetime(2022, 3, 16, 5, 30)
    late = MINI_TOML.replace("notice = 2022-03-15T23:30:00", "notice = 06:30:00")
    assert problems_of(scenario_writer(toml=late))[0].code == "notice_after_start"


# --- file-level problems -------------------------------------------------------------------------


def test_not_a_folder(tmp_path: Path) -> None:
    assert problems_of(tmp_path / "nope")[0].code == "not_a_dir"


def test_missing_table_and_toml(mini_dir: Path) -> None:
    (mini_dir / "sites.csv").unlink()
    (mini_dir / "scenario.toml").unlink()
    got = codes(problems_of(mini_dir))
    assert ("sites.csv", None, None, "table_missing") in got
    assert ("scenario.toml", None, None, "table_missing") in got


def test_csv_and_parquet_side_by_side_is_ambiguous(mini_dir: Path) -> None:
    import pandas as pd

    pd.read_csv(mini_dir / "staff.csv").to_parquet(mini_dir / "staff.parquet")
    assert ("staff.csv", None, None, "table_ambiguous") in codes(problems_of(mini_dir))


def test_non_utf8_csv_is_named(mini_dir: Path) -> None:
    path = mini_dir / "buildings.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("gbk", errors="replace"))
    (mini_dir / "sites.csv").write_bytes("site_id,name\nS1,一号点\n".encode("gbk"))
    got = codes(problems_of(mini_dir))
    assert ("sites.csv", None, None, "not_utf8") in got


@pytest.mark.parametrize(
    "content", ["", "building_id,committee,lat,lon,floors,households,residents\n"]
)
def test_empty_table(mini_dir: Path, content: str) -> None:
    (mini_dir / "buildings.csv").write_text(content, encoding="utf-8")
    assert ("buildings.csv", None, None, "empty_table") in codes(problems_of(mini_dir))


def test_ragged_csv_is_unreadable_not_a_crash(mini_dir: Path) -> None:
    path = mini_dir / "staff.csv"
    path.write_text(path.read_text(encoding="utf-8") + 'P9,"unterminated\n', encoding="utf-8")
    assert any(p.code == "file_unreadable" for p in problems_of(mini_dir))


def test_garbage_parquet_is_unreadable(mini_dir: Path) -> None:
    (mini_dir / "sites.csv").unlink()
    (mini_dir / "sites.parquet").write_bytes(b"PAR1 this is not parquet")
    assert ("sites.parquet", None, None, "file_unreadable") in codes(problems_of(mini_dir))


def test_missing_required_column(scenario_writer: Callable[..., Path], mini_tables: dict) -> None:
    for row in mini_tables["buildings"]:
        del row["residents"]
    assert ("buildings.csv", None, "residents", "column_missing") in codes(
        problems_of(scenario_writer(tables=mini_tables))
    )


def test_repeated_column(mini_dir: Path) -> None:
    path = mini_dir / "sites.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + ",max_desks"] + [line + ",9" for line in lines[1:]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert ("sites.csv", None, "max_desks", "column_duplicate") in codes(problems_of(mini_dir))


# --- cell-level problems: (table, row index in MINI_TABLES, column, bad value, expected code) ----

CELL_CASES = [
    ("buildings", 0, "building_id", "", "value_missing"),
    ("buildings", 1, "floors", "3.5", "not_integer"),
    ("buildings", 1, "floors", "six", "not_integer"),
    ("buildings", 0, "lat", "31,2", "not_number"),
    ("buildings", 0, "lon", "inf", "not_number"),
    ("buildings", 2, "locked", "maybe", "not_bool"),
    ("sites", 0, "open_from", "6am", "not_time"),
    ("sites", 1, "open_to", "24:60", "not_time"),
    ("buildings", 0, "floors", "0", "below_min"),
    ("buildings", 1, "residents", "-5", "below_min"),
    ("buildings", 0, "lat", "95", "above_max"),
    ("sites", 0, "max_desks", "0", "below_min"),
    ("sites", 1, "max_desks", "60", "above_max"),
    ("staff", 3, "max_hours", "30", "above_max"),
    ("staff", 0, "role", "doctor", "unknown_role"),
    ("buildings", 1, "building_id", "B1", "duplicate_id"),
    ("sites", 1, "site_id", "S1", "duplicate_id"),
    ("staff", 5, "staff_id", "P2", "duplicate_id"),
    ("sites", 1, "committee", "C9", "unknown_committee"),
    ("staff", 2, "committee", "新泾九村", "unknown_committee"),
    ("buildings", 0, "immobile", "81", "immobile_gt_residents"),
    ("buildings", 1, "households", "0", "residents_no_households"),
    ("sites", 0, "open_to", "06:00", "window_reversed"),
    ("staff", 4, "available_to", "05:00", "window_reversed"),
]


@pytest.mark.parametrize(("table", "index", "column", "value", "code"), CELL_CASES)
def test_each_cell_rule_reports_file_row_column(
    scenario_writer: Callable[..., Path],
    mini_tables: dict,
    table: str,
    index: int,
    column: str,
    value: str,
    code: str,
) -> None:
    mini_tables[table][index][column] = value
    got = problems_of(scenario_writer(tables=mini_tables))
    # Spreadsheet numbering: header row 1, first data row 2.
    assert (f"{table}.csv", index + 2, column, code) in codes(got)
    assert all(p.severity == "error" for p in got)


def test_far_away_building_suggests_swapped_coordinates(
    scenario_writer: Callable[..., Path], mini_tables: dict
) -> None:
    row = mini_tables["buildings"][2]
    row["lat"], row["lon"] = 21.37, 131.2  # plausible numbers, wrong place
    got = problems_of(scenario_writer(tables=mini_tables))
    assert ("buildings.csv", 4, "lat", "far_away") in codes(got)
    assert "km" in got[0].render("en")


def test_every_problem_is_reported_in_one_run(
    scenario_writer: Callable[..., Path], mini_tables: dict
) -> None:
    mini_tables["buildings"][0]["floors"] = "x"
    mini_tables["sites"][1]["max_desks"] = "-1"
    mini_tables["staff"][2]["role"] = "cook"
    toml = MINI_TOML.replace("service_s = 30", "service_s = 0")
    got = problems_of(scenario_writer(toml=toml, tables=mini_tables))
    assert [p.file for p in got] == ["scenario.toml", "buildings.csv", "sites.csv", "staff.csv"]


# --- scenario.toml -------------------------------------------------------------------------------

TOML_CASES = [
    ("service_s = 30", "servce_s = 30", "flow.servce_s", "toml_unknown_key"),
    ('name = "mini"', 'name = "mini"\ncolour = "red"', "colour", "toml_unknown_key"),
    ("service_s = 30", 'service_s = "fast"', "flow.service_s", "toml_type"),
    ("service_s = 30", "service_s = true", "flow.service_s", "toml_type"),
    ("max_ppe_h = 4", "max_ppe_h = 0", "crew.max_ppe_h", "below_min"),
    ("service_s = 30", "service_s = 30\nlift_people = 2.5", "flow.lift_people", "toml_type"),
    ("service_s = 30", "service_s = 30\nturnout = 1.2", "flow.turnout", "above_max"),
    ('deadline = "09:00"', 'deadline = "05:30"', "round.deadline", "deadline_before_start"),
    (
        "notice = 2022-03-15T23:30:00",
        "notice = 2022-03-16T07:00:00",
        "round.notice",
        "notice_after_start",
    ),
    ('start = "06:00"', 'start = "six"', "round.start", "toml_type"),
    ("date = 2022-03-16\n", "", "round.date", "toml_required"),
    ("synthetic = true", 'synthetic = "yes"', "synthetic", "toml_type"),
]


@pytest.mark.parametrize(("old", "new", "key", "code"), TOML_CASES)
def test_each_toml_rule(
    scenario_writer: Callable[..., Path], old: str, new: str, key: str, code: str
) -> None:
    assert old in MINI_TOML
    got = problems_of(scenario_writer(toml=MINI_TOML.replace(old, new, 1)))
    assert ("scenario.toml", None, key, code) in codes(got)


def test_section_that_is_not_a_table(scenario_writer: Callable[..., Path]) -> None:
    toml = 'crew = "plenty"\n' + MINI_TOML.replace("[crew]\nmax_ppe_h = 4\n", "")
    assert ("scenario.toml", None, "crew", "toml_not_table") in codes(
        problems_of(scenario_writer(toml=toml))
    )


def test_toml_syntax_error(scenario_writer: Callable[..., Path]) -> None:
    got = problems_of(scenario_writer(toml="[round\ndate = 2022-03-16"))
    assert got[0].code == "toml_syntax" and got[0].file == "scenario.toml"


def test_error_carries_readable_text(
    scenario_writer: Callable[..., Path], mini_tables: dict
) -> None:
    mini_tables["buildings"][0]["immobile"] = 99
    with pytest.raises(ScenarioError) as info:
        load_scenario(scenario_writer(tables=mini_tables))
    assert "buildings.csv:2: immobile: 99 immobile residents but only 80 residents" in str(
        info.value
    )
    assert info.value.problems[0].render("zh") == (
        "buildings.csv:2: immobile: 行动不便 99 人，多于居民 80 人"
    )


def test_bundled_scenarios_load() -> None:
    from conftest import SCENARIOS

    folders = sorted(p for p in SCENARIOS.iterdir() if (p / "scenario.toml").exists())
    assert {p.name for p in folders} >= {"tiny", "compound-103", "town"}
    for folder in folders:
        scenario = load_scenario(folder)
        assert scenario.synthetic and scenario.residents > 0


def test_a_broken_copy_of_a_bundled_scenario_is_rejected(tmp_path: Path) -> None:
    from conftest import SCENARIOS

    copy = shutil.copytree(SCENARIOS / "tiny", tmp_path / "tiny")
    lines = (copy / "buildings.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[3].split(",")
    cells[header.index("floors")] = "-2"
    lines[3] = ",".join(cells)
    (copy / "buildings.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert ("buildings.csv", 4, "floors", "below_min") in codes(problems_of(copy))


def test_huge_integer_is_reported_as_such(
    scenario_writer: Callable[..., Path], mini_tables: dict
) -> None:
    mini_tables["buildings"][0]["floors"] = "1e30"
    got = problems_of(scenario_writer(tables=mini_tables))
    assert ("buildings.csv", 2, "floors", "not_integer") in codes(got)
