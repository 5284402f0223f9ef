"""Shared fixtures: tiny named scenarios written to temporary folders."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = REPO / "scenarios"

# A three-building, two-site scenario small enough to reason about by hand.
MINI_TOML = """\
name = "mini"
synthetic = true
source = "hand-written test fixture"

[round]
date = 2022-03-16
notice = 2022-03-15T23:30:00
start = "06:00"
deadline = "09:00"

[flow]
service_s = 30

[crew]
max_ppe_h = 4
"""

MINI_TABLES: dict[str, list[dict[str, Any]]] = {
    "buildings": [
        dict(
            building_id="B1",
            committee="C1",
            compound="K1",
            lat=31.2150,
            lon=121.3700,
            floors=6,
            households=30,
            residents=80,
            immobile=2,
            locked=0,
            lift=0,
        ),
        dict(
            building_id="B2",
            committee="C1",
            compound="K1",
            lat=31.2155,
            lon=121.3705,
            floors=18,
            households=100,
            residents=250,
            immobile=3,
            locked=0,
            lift=1,
        ),
        dict(
            building_id="B3",
            committee="C2",
            compound="K2",
            lat=31.2160,
            lon=121.3710,
            floors=11,
            households=40,
            residents=100,
            immobile=0,
            locked=1,
            lift=1,
        ),
    ],
    "sites": [
        dict(
            site_id="S1",
            name="一号点",
            committee="C1",
            lat=31.2152,
            lon=121.3702,
            max_desks=3,
            queue_capacity=100,
            open_from="06:00",
            open_to="09:00",
        ),
        dict(
            site_id="S2",
            name="二号点",
            committee="C2",
            lat=31.2158,
            lon=121.3708,
            max_desks=2,
            queue_capacity=80,
            open_from="06:30",
            open_to="09:00",
        ),
    ],
    "staff": [
        dict(
            staff_id="P1",
            name="张伟",
            role="sampler",
            committee="",
            available_from="06:00",
            available_to="09:00",
            max_hours=8,
        ),
        dict(
            staff_id="P2",
            name="王芳",
            role="sampler",
            committee="C1",
            available_from="06:00",
            available_to="09:00",
            max_hours=8,
        ),
        dict(
            staff_id="P3",
            name="李娜",
            role="registrar",
            committee="C1",
            available_from="06:00",
            available_to="09:00",
            max_hours=8,
        ),
        dict(
            staff_id="P4",
            name="刘洋",
            role="registrar",
            committee="C2",
            available_from="06:00",
            available_to="09:00",
            max_hours=8,
        ),
        dict(
            staff_id="P5",
            name="陈静",
            role="marshal",
            committee="C1",
            available_from="06:00",
            available_to="09:00",
            max_hours=8,
        ),
        dict(
            staff_id="P6",
            name="杨磊",
            role="sweeper",
            committee="C1",
            available_from="06:00",
            available_to="09:00",
            max_hours=8,
        ),
    ],
}


def write_scenario(
    folder: Path,
    toml: str = MINI_TOML,
    tables: dict[str, list[dict[str, Any]]] | None = None,
    fmt: str = "csv",
) -> Path:
    """Write a scenario folder from rows; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "scenario.toml").write_text(toml, encoding="utf-8")
    for name, rows in (tables or MINI_TABLES).items():
        frame = pd.DataFrame(rows)
        if fmt == "csv":
            frame.to_csv(folder / f"{name}.csv", index=False)
        else:
            frame.to_parquet(folder / f"{name}.parquet", index=False)
    return folder


@pytest.fixture
def mini_tables() -> dict[str, list[dict[str, Any]]]:
    """A deep copy of the mini scenario's rows, free to modify."""
    return copy.deepcopy(MINI_TABLES)


@pytest.fixture
def mini_dir(tmp_path: Path) -> Path:
    """The mini scenario as CSV files in a temporary folder."""
    return write_scenario(tmp_path / "mini")


@pytest.fixture
def scenario_writer(tmp_path: Path) -> Callable[..., Path]:
    """Write a variant of the mini scenario: ``scenario_writer(toml=..., tables=...)``."""
    counter = iter(range(10_000))

    def write(**kwargs: Any) -> Path:
        return write_scenario(tmp_path / f"case{next(counter)}", **kwargs)

    return write


# A valid plan for the mini scenario, worked out by hand (see docs/formats.md, plan validity):
# one desk at S1 all morning, S2 closed; a door team does the locked B3 and then the immobile of B1
# and B2; one sweeper calls B1 in two waves and B2 in three.
MINI_PLAN: dict[str, list[dict[str, Any]]] = {
    "desks": [{"site_id": "S1", "from": "06:00", "to": "09:00", "desks": 1}],
    "calls": [
        dict(
            building_id="B1",
            floor_from=1,
            floor_to=3,
            people=39,
            site_id="S1",
            call_time="06:00",
            sweeper_id="P6",
            seq=0,
        ),
        dict(
            building_id="B1",
            floor_from=4,
            floor_to=6,
            people=39,
            site_id="S1",
            call_time="06:20",
            sweeper_id="P6",
            seq=1,
        ),
        dict(
            building_id="B2",
            floor_from=1,
            floor_to=6,
            people=83,
            site_id="S1",
            call_time="06:40",
            sweeper_id="P6",
            seq=2,
        ),
        dict(
            building_id="B2",
            floor_from=7,
            floor_to=12,
            people=82,
            site_id="S1",
            call_time="07:25",
            sweeper_id="P6",
            seq=3,
        ),
        dict(
            building_id="B2",
            floor_from=13,
            floor_to=18,
            people=82,
            site_id="S1",
            call_time="08:05",
            sweeper_id="P6",
            seq=4,
        ),
    ],
    "visits": [
        dict(
            team_id="T1",
            seq=0,
            building_id="B3",
            floor_from=1,
            floor_to=11,
            people=100,
            start="06:00",
            end="07:43",
        ),
        dict(
            team_id="T1",
            seq=1,
            building_id="B1",
            floor_from=3,
            floor_to=3,
            people=2,
            start="07:47",
            end="07:50",
        ),
        dict(
            team_id="T1",
            seq=2,
            building_id="B2",
            floor_from=12,
            floor_to=12,
            people=3,
            start="07:52",
            end="07:57",
        ),
    ],
    "roster": [
        dict(staff_id="P1", role="sampler", post="S1", start="06:00", end="09:00"),
        dict(staff_id="P3", role="registrar", post="S1", start="06:00", end="09:00"),
        dict(staff_id="P5", role="marshal", post="S1", start="06:00", end="09:00"),
        dict(staff_id="P2", role="sampler", post="T1", start="06:00", end="08:00"),
        dict(staff_id="P4", role="registrar", post="T1", start="06:00", end="08:00"),
        dict(staff_id="P6", role="sweeper", post="sweep", start="06:00", end="08:30"),
    ],
}


def write_plan_tables(folder: Path, tables: dict[str, list[dict[str, Any]]] | None = None) -> Path:
    """Write plan tables (default: MINI_PLAN) as CSV files; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in (tables or MINI_PLAN).items():
        columns = list(MINI_PLAN[name][0])
        pd.DataFrame(rows, columns=columns).to_csv(folder / f"{name}.csv", index=False)
    return folder


@pytest.fixture
def mini_plan() -> dict[str, list[dict[str, Any]]]:
    """A deep copy of the mini plan's rows, free to modify."""
    return copy.deepcopy(MINI_PLAN)


@pytest.fixture
def mini_plan_dir(tmp_path: Path) -> Path:
    """The mini plan as CSV files in a temporary folder."""
    return write_plan_tables(tmp_path / "mini-plan")


@pytest.fixture(scope="session")
def tiny() -> Any:
    """The bundled ``tiny`` scenario (immutable, shared by every test that asks)."""
    from planner.parse import load_scenario

    return load_scenario(SCENARIOS / "tiny")


@pytest.fixture(scope="session")
def tiny_plan(tiny: Any) -> Any:
    """The ``stagger`` baseline plan of :func:`tiny` (one wave per building, valid)."""
    from planner.baseline import baseline

    return baseline(tiny, "stagger").plan
