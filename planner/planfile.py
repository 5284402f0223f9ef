"""Reading and writing plan folders (``desks``, ``calls``, ``visits``, ``roster``, ``kpis.json``).

:func:`read_plan` checks types and that every id refers to the scenario; whether the plan is
*valid* (coverage, crews, timing) is :mod:`planner.check`'s job, so that a broken plan can still be
read, checked, simulated and shown. The format is in ``docs/formats.md``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from planner.messages import Ref
from planner.model import Role, Scenario
from planner.plan import Call, DeskSpell, Plan, Shift, Visit
from planner.problems import Problem, ScenarioError
from planner.tabular import FIRST_DATA_ROW, Col, convert, read_table, records
from planner.timefmt import format_hhmm

KPI_FILE = "kpis.json"

PLAN_COLUMNS: dict[str, tuple[Col, ...]] = {
    "desks": (
        Col("site_id", "text"),
        Col("from", "time"),
        Col("to", "time"),
        Col("desks", "int", ge=0, le=50),
    ),
    "calls": (
        Col("building_id", "text"),
        Col("floor_from", "int", ge=1, le=200),
        Col("floor_to", "int", ge=1, le=200),
        Col("people", "int", ge=0),
        Col("site_id", "text"),
        Col("call_time", "time"),
        Col("sweeper_id", "text"),
        Col("seq", "int", ge=0),
    ),
    "visits": (
        Col("team_id", "text"),
        Col("seq", "int", ge=0),
        Col("building_id", "text"),
        Col("floor_from", "int", ge=1, le=200),
        Col("floor_to", "int", ge=1, le=200),
        Col("people", "int", ge=0),
        Col("start", "time"),
        Col("end", "time"),
    ),
    "roster": (
        Col("staff_id", "text"),
        Col("role", "text", allowed=tuple(r.value for r in Role)),
        Col("post", "text"),
        Col("start", "time"),
        Col("end", "time"),
    ),
}

# (table, column) -> which scenario ids it must name.
_REFERENCES: dict[tuple[str, str], str] = {
    ("desks", "site_id"): "site",
    ("calls", "building_id"): "building",
    ("calls", "site_id"): "site",
    ("calls", "sweeper_id"): "staff",
    ("visits", "building_id"): "building",
    ("roster", "staff_id"): "staff",
}


class PlanError(ScenarioError):
    """Raised when a plan folder cannot be read; ``problems`` lists every problem."""


def read_plan(path: str | Path, scenario: Scenario) -> Plan:
    """Read a plan folder written for ``scenario``.

    Raises
    ------
    PlanError
        With every problem found: missing or unreadable tables, bad cells, ids the scenario does
        not know. A plan that reads may still be invalid: run :func:`planner.check.check_plan`.

    Notes
    -----
    Rows keep their file order, so position ``k`` in a table is spreadsheet row ``k + 2`` of its
    file and problems found later can point at the row. :func:`write_plan` writes the canonical
    order (:meth:`Plan.canonical`).
    """
    folder = Path(path)
    if not folder.is_dir():
        raise PlanError([Problem(str(folder), None, None, "not_a_plan_dir")])
    problems: list[Problem] = []
    frames: dict[str, pd.DataFrame] = {}
    for name, columns in PLAN_COLUMNS.items():
        raw, file_name = read_table(folder, name, problems, allow_empty=True)
        if raw is not None:
            frame = convert(raw, file_name, columns, None, problems)
            _check_references(frame, name, file_name, scenario, problems)
            frames[name] = frame
    made_by = _read_made_by(folder, problems)
    if problems:
        raise PlanError(problems)
    return Plan(
        desks=tuple(
            DeskSpell(str(r["site_id"]), int(r["from"]), int(r["to"]), int(r["desks"]))
            for r in records(frames["desks"])
        ),
        calls=tuple(
            Call(
                building_id=str(r["building_id"]),
                floor_from=int(r["floor_from"]),
                floor_to=int(r["floor_to"]),
                people=int(r["people"]),
                site_id=str(r["site_id"]),
                call_time=int(r["call_time"]),
                sweeper_id=str(r["sweeper_id"]),
                seq=int(r["seq"]),
            )
            for r in records(frames["calls"])
        ),
        visits=tuple(
            Visit(
                team_id=str(r["team_id"]),
                seq=int(r["seq"]),
                building_id=str(r["building_id"]),
                floor_from=int(r["floor_from"]),
                floor_to=int(r["floor_to"]),
                people=int(r["people"]),
                start=int(r["start"]),
                end=int(r["end"]),
            )
            for r in records(frames["visits"])
        ),
        roster=tuple(
            Shift(
                str(r["staff_id"]),
                Role(str(r["role"])),
                str(r["post"]),
                int(r["start"]),
                int(r["end"]),
            )
            for r in records(frames["roster"])
        ),
        made_by=made_by,
    )


def _check_references(
    frame: pd.DataFrame, table: str, file_name: str, scenario: Scenario, problems: list[Problem]
) -> None:
    known = {
        "site": scenario.site_index,
        "building": scenario.building_index,
        "staff": scenario.staff_index,
    }
    for (ref_table, column), kind in _REFERENCES.items():
        if ref_table != table:
            continue
        ids = known[kind]
        for index, value in frame[column].items():
            if isinstance(value, str) and value and value not in ids:
                problems.append(
                    Problem(
                        file_name,
                        int(index) + FIRST_DATA_ROW,  # type: ignore[call-overload]
                        column,
                        "unknown_ref",
                        {"kind": Ref(f"ref_{kind}"), "value": value},
                    )
                )


def _read_made_by(folder: Path, problems: list[Problem]) -> dict[str, Any]:
    path = folder / KPI_FILE
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        problems.append(Problem(KPI_FILE, None, None, "file_unreadable", {"error": str(exc)}))
        return {}
    made_by = data.get("made_by", {}) if isinstance(data, dict) else {}
    return made_by if isinstance(made_by, dict) else {}


def plan_frames(plan: Plan) -> dict[str, pd.DataFrame]:
    """The plan's four tables as DataFrames with times as ``HH:MM`` (the file format)."""

    def frame(rows: Iterable[dict[str, Any]], name: str) -> pd.DataFrame:
        columns = [c.name for c in PLAN_COLUMNS[name]]
        return pd.DataFrame(list(rows), columns=columns)

    hhmm = format_hhmm
    plan = plan.canonical()
    return {
        "desks": frame(
            (
                {"site_id": d.site_id, "from": hhmm(d.start), "to": hhmm(d.end), "desks": d.desks}
                for d in plan.desks
            ),
            "desks",
        ),
        "calls": frame(
            (
                {
                    "building_id": c.building_id,
                    "floor_from": c.floor_from,
                    "floor_to": c.floor_to,
                    "people": c.people,
                    "site_id": c.site_id,
                    "call_time": hhmm(c.call_time),
                    "sweeper_id": c.sweeper_id,
                    "seq": c.seq,
                }
                for c in plan.calls
            ),
            "calls",
        ),
        "visits": frame(
            (
                {
                    "team_id": v.team_id,
                    "seq": v.seq,
                    "building_id": v.building_id,
                    "floor_from": v.floor_from,
                    "floor_to": v.floor_to,
                    "people": v.people,
                    "start": hhmm(v.start),
                    "end": hhmm(v.end),
                }
                for v in plan.visits
            ),
            "visits",
        ),
        "roster": frame(
            (
                {
                    "staff_id": s.staff_id,
                    "role": s.role.value,
                    "post": s.post,
                    "start": hhmm(s.start),
                    "end": hhmm(s.end),
                }
                for s in plan.roster
            ),
            "roster",
        ),
    }


def write_plan(plan: Plan, path: str | Path, kpis: dict[str, Any] | None = None) -> Path:
    """Write ``plan`` (and, if given, its simulated KPIs) as a plan folder; returns the folder.

    Files are written in a fixed row order with ``\\n`` line endings, so the same plan always gives
    the same bytes.
    """
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in plan_frames(plan).items():
        frame.to_csv(folder / f"{name}.csv", index=False, lineterminator="\n")
    save_kpis(folder, plan, kpis or {})
    return folder


def save_kpis(path: str | Path, plan: Plan, kpis: dict[str, Any]) -> Path:
    """Replace the simulated KPIs in a plan folder's ``kpis.json``, keeping ``made_by``."""
    file = Path(path) / KPI_FILE
    document = {"made_by": plan.made_by, "kpis": kpis}
    file.write_text(
        json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return file
