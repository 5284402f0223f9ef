"""The one parser module: a scenario folder in, a validated :class:`~planner.model.Scenario` out.

Reading happens in three passes so that one run reports every problem at once:

1. ``scenario.toml`` is read key by key against the parameter tables below.
2. Each table is read as text, then every cell is converted by its column's kind (integer, number,
   0/1, ``HH:MM``); a cell that does not convert is reported with its row and left empty.
3. The typed tables are checked with pandera (ranges, allowed values, unique ids), then across
   tables (committees, windows, immobile <= residents, far-away buildings).

Only when no error was found are the immutable model objects built. The format is documented in
``docs/formats.md``; keep the two in step.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from planner.geo import haversine_m
from planner.messages import Ref
from planner.model import (
    Building,
    CrewParams,
    FlowParams,
    Role,
    RoundInfo,
    Scenario,
    Site,
    Staff,
)
from planner.problems import Problem, ScenarioError
from planner.tabular import FIRST_DATA_ROW, Col, convert, known, read_table, records
from planner.timefmt import format_hhmm, parse_hhmm

TOML_FILE = "scenario.toml"
TABLE_NAMES = ("buildings", "sites", "staff")

#: A building further than this from the median of all buildings is reported (swapped lat/lon).
FAR_AWAY_KM = 50.0


def _copy_of(column: str) -> Callable[[pd.DataFrame, RoundInfo], pd.Series]:
    return lambda frame, _round: frame[column]


def _round_start(frame: pd.DataFrame, round_: RoundInfo) -> pd.Series:
    return pd.Series(round_.start, index=frame.index, dtype="Int64")


def _round_deadline(frame: pd.DataFrame, round_: RoundInfo) -> pd.Series:
    return pd.Series(round_.deadline, index=frame.index, dtype="Int64")


def _lift_if_tall(frame: pd.DataFrame, _round: RoundInfo) -> pd.Series:
    return (frame["floors"] >= 7).astype("boolean")


# Column order matters: a default may copy a column read before it.
COLUMNS: dict[str, tuple[Col, ...]] = {
    "buildings": (
        Col("building_id", "text", unique=True),
        Col("committee", "text"),
        Col("compound", "text", required=False, default=_copy_of("committee")),
        Col("lat", "float", ge=-90, le=90),
        Col("lon", "float", ge=-180, le=180),
        Col("floors", "int", ge=1, le=120),
        Col("households", "int", ge=0, le=100_000),
        Col("residents", "int", ge=0, le=1_000_000),
        Col("immobile", "int", required=False, default=0, ge=0),
        Col("locked", "bool", required=False, default=False),
        Col("lift", "bool", required=False, default=_lift_if_tall),
    ),
    "sites": (
        Col("site_id", "text", unique=True),
        Col("name", "text", required=False, default=_copy_of("site_id")),
        Col("committee", "text"),
        Col("lat", "float", ge=-90, le=90),
        Col("lon", "float", ge=-180, le=180),
        Col("max_desks", "int", ge=1, le=50),
        Col("queue_capacity", "int", required=False, default=200, ge=0, le=100_000),
        Col("open_from", "time", required=False, default=_round_start),
        Col("open_to", "time", required=False, default=_round_deadline),
    ),
    "staff": (
        Col("staff_id", "text", unique=True),
        Col("name", "text", required=False, default=_copy_of("staff_id")),
        Col("role", "text", allowed=tuple(r.value for r in Role)),
        Col("committee", "text", required=False, default=""),
        Col("available_from", "time", required=False, default=_round_start),
        Col("available_to", "time", required=False, default=_round_deadline),
        Col("max_hours", "float", required=False, default=8.0, ge=0, le=24),
    ),
}

# scenario.toml parameters: key -> (type, lowest, highest). Defaults come from the dataclasses.
FLOW_BOUNDS: dict[str, tuple[type, float, float]] = {
    "service_s": (float, 1, 600),
    "service_cv": (float, 0, 3),
    "walk_m_per_s": (float, 0.1, 5),
    "detour": (float, 1, 5),
    "stairs_s_per_floor": (float, 0, 120),
    "lift_from_floor": (int, 1, 200),
    "lift_s": (float, 1, 1800),
    "lift_people": (int, 1, 50),
    "response_min": (float, 0, 240),
    "turnout": (float, 0.01, 1),
    "queue_spacing_m": (float, 0.1, 10),
}
CREW_BOUNDS: dict[str, tuple[type, float, float]] = {
    "desk_samplers": (int, 1, 10),
    "desk_registrars": (int, 0, 10),
    "marshals_per_site": (int, 0, 20),
    "max_ppe_h": (float, 0.5, 24),
    "ppe_break_min": (float, 0, 240),
    "door_samplers": (int, 1, 10),
    "door_registrars": (int, 0, 10),
    "door_s_per_person": (float, 1, 3600),
    "sweep_s_per_household": (float, 0, 600),
}
_TOP_KEYS = frozenset({"name", "synthetic", "source", "round", "flow", "crew"})
_ROUND_KEYS = frozenset({"date", "notice", "start", "deadline"})


# --------------------------------------------------------------------------------------------------
# Public entry point
# --------------------------------------------------------------------------------------------------


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario folder.

    Parameters
    ----------
    path
        Folder holding ``scenario.toml`` and the ``buildings``, ``sites`` and ``staff`` tables
        (CSV or Parquet), as described in ``docs/formats.md``.

    Returns
    -------
    Scenario
        The validated, immutable scenario.

    Raises
    ------
    ScenarioError
        With every problem found (file, row, column, message), when anything is wrong. No other
        exception escapes for bad input.
    """
    folder = Path(path)
    if not folder.is_dir():
        raise ScenarioError([Problem(str(folder), None, None, "not_a_dir")])
    problems: list[Problem] = []
    meta, round_, flow, crew = _read_toml(folder, problems)
    frames: dict[str, pd.DataFrame] = {}
    for name in TABLE_NAMES:
        raw, file_name = read_table(folder, name, problems)
        if raw is not None:
            frames[name] = convert(raw, file_name, COLUMNS[name], round_, problems)
            frames[name].attrs["file"] = file_name
    _check_across(frames, problems)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ScenarioError(sort_problems(errors))
    return Scenario(
        name=str(meta.get("name") or folder.resolve().name),
        synthetic=bool(meta.get("synthetic", False)),
        source=str(meta.get("source", "")),
        round=round_,
        flow=flow,
        crew=crew,
        buildings=tuple(_buildings(frames["buildings"])),
        sites=tuple(_sites(frames["sites"])),
        staff=tuple(_staff(frames["staff"])),
        origin=str(folder),
    )


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Problems in reading order: scenario.toml first, then by file, row and column."""

    def key(p: Problem) -> tuple[int, str, int, str]:
        return (p.file != TOML_FILE, p.file, p.row or 0, p.column or "")

    return sorted(problems, key=key)


# --------------------------------------------------------------------------------------------------
# scenario.toml
# --------------------------------------------------------------------------------------------------


def _read_toml(
    folder: Path, problems: list[Problem]
) -> tuple[dict[str, Any], RoundInfo, FlowParams, CrewParams]:
    """Read scenario.toml; on any problem, record it and carry on with defaults."""
    fallback = RoundInfo(date=dt.date(2000, 1, 1), notice=dt.datetime(2000, 1, 1, 6, 0))
    path = folder / TOML_FILE
    if not path.is_file():
        problems.append(Problem(TOML_FILE, None, None, "table_missing", {"name": "scenario"}))
        return {}, fallback, FlowParams(), CrewParams()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        problems.append(Problem(TOML_FILE, None, None, "not_utf8"))
        return {}, fallback, FlowParams(), CrewParams()
    except (tomllib.TOMLDecodeError, OSError) as exc:
        problems.append(Problem(TOML_FILE, None, None, "toml_syntax", {"error": str(exc)}))
        return {}, fallback, FlowParams(), CrewParams()

    def bad(where: str, code: str, /, **values: object) -> None:
        problems.append(Problem(TOML_FILE, None, where, code, values))

    for key in data.keys() - _TOP_KEYS:
        bad(key, "toml_unknown_key")
    meta: dict[str, Any] = {k: data[k] for k in ("name", "source") if k in data}
    for key in ("name", "source"):
        if key in data and not isinstance(data[key], str):
            bad(key, "toml_type", expected=Ref("type_text"), value=data[key])
            meta.pop(key)
    if "synthetic" in data:
        if isinstance(data["synthetic"], bool):
            meta["synthetic"] = data["synthetic"]
        else:
            bad("synthetic", "toml_type", expected=Ref("type_bool"), value=data["synthetic"])
    round_ = _read_round(_section(data, "round", bad), bad) or fallback
    flow = FlowParams(**_read_params(_section(data, "flow", bad), "flow", FLOW_BOUNDS, bad))
    crew = CrewParams(**_read_params(_section(data, "crew", bad), "crew", CREW_BOUNDS, bad))
    return meta, round_, flow, crew


def _section(data: dict[str, Any], key: str, bad: Callable[..., None]) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        bad(key, "toml_not_table", key=key)
        return {}
    return value


def _read_round(section: dict[str, Any], bad: Callable[..., None]) -> RoundInfo | None:
    for key in section.keys() - _ROUND_KEYS:
        bad(f"round.{key}", "toml_unknown_key")
    date = section.get("date")
    if isinstance(date, str):
        with contextlib.suppress(ValueError):
            date = dt.date.fromisoformat(date)
    if date is None:
        bad("round.date", "toml_required")
        return None
    if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
        bad("round.date", "toml_type", expected=Ref("type_date"), value=date)
        return None
    start = _toml_time(section, "start", 6 * 60, bad)
    deadline = _toml_time(section, "deadline", 14 * 60, bad)
    if start is None or deadline is None:
        return None
    start_at = dt.datetime.combine(date, dt.time()) + dt.timedelta(minutes=start)
    notice_raw = section.get("notice")
    if notice_raw is None:
        notice = start_at
    elif isinstance(notice_raw, dt.datetime) and notice_raw.tzinfo is None:
        notice = notice_raw
    elif isinstance(notice_raw, str) and parse_hhmm(notice_raw) is not None:
        notice = dt.datetime.combine(date, dt.time()) + dt.timedelta(
            minutes=parse_hhmm(notice_raw) or 0
        )
    elif isinstance(notice_raw, dt.time) and notice_raw.tzinfo is None:
        # A bare TOML time (notice = 05:30:00), as start and deadline accept: the round's day.
        notice = dt.datetime.combine(date, notice_raw)
    else:
        bad("round.notice", "toml_type", expected=Ref("type_datetime"), value=notice_raw)
        return None
    ok = True
    if deadline <= start:
        bad(
            "round.deadline",
            "deadline_before_start",
            deadline=format_hhmm(deadline),
            start=format_hhmm(start),
        )
        ok = False
    if notice > start_at:
        bad(
            "round.notice",
            "notice_after_start",
            notice=notice.isoformat(sep=" ", timespec="minutes"),
            start=format_hhmm(start),
        )
        ok = False
    return RoundInfo(date=date, notice=notice, start=start, deadline=deadline) if ok else None


def _toml_time(
    section: dict[str, Any], key: str, default: int, bad: Callable[..., None]
) -> int | None:
    value = section.get(key)
    if value is None:
        return default
    if isinstance(value, dt.time):
        return value.hour * 60 + value.minute
    minutes = parse_hhmm(value) if isinstance(value, str) else None
    if minutes is None:
        bad(f"round.{key}", "toml_type", expected=Ref("type_time"), value=value)
    return minutes


def _read_params(
    section: dict[str, Any],
    prefix: str,
    bounds: dict[str, tuple[type, float, float]],
    bad: Callable[..., None],
) -> dict[str, Any]:
    """Check each key's type and range; return the good ones (the rest keep their defaults)."""
    out: dict[str, Any] = {}
    for key, value in section.items():
        name = f"{prefix}.{key}"
        if key not in bounds:
            bad(name, "toml_unknown_key")
            continue
        kind, low, high = bounds[key]
        is_number = isinstance(value, int | float) and not isinstance(value, bool)
        if not is_number or (kind is int and not float(value).is_integer()):
            expected = Ref("type_integer" if kind is int else "type_number")
            bad(name, "toml_type", expected=expected, value=value)
        elif not math.isfinite(value) or value < low:
            bad(name, "below_min", value=value, bound=low)
        elif value > high:
            bad(name, "above_max", value=value, bound=high)
        else:
            out[key] = kind(value)
    return out


# --------------------------------------------------------------------------------------------------
# Checks across rows and tables
# --------------------------------------------------------------------------------------------------


def _check_across(frames: dict[str, pd.DataFrame], problems: list[Problem]) -> None:
    buildings = frames.get("buildings")
    committees: set[str] | None = None
    if buildings is not None:
        file_name = buildings.attrs["file"]
        committees = {c for c in buildings["committee"].dropna() if c}
        for index, row in buildings.iterrows():
            where = (file_name, int(index) + FIRST_DATA_ROW)  # type: ignore[call-overload]
            residents, immobile, households = row["residents"], row["immobile"], row["households"]
            if known(residents, immobile) and immobile > residents:
                problems.append(
                    Problem(
                        *where,
                        "immobile",
                        "immobile_gt_residents",
                        {"immobile": immobile, "residents": residents},
                    )
                )
            if known(residents, households) and residents > 0 and households == 0:
                problems.append(
                    Problem(
                        *where, "households", "residents_no_households", {"residents": residents}
                    )
                )
        _check_far_away(buildings, file_name, problems)
    for name, column, start, end in (
        ("sites", "committee", "open_from", "open_to"),
        ("staff", "committee", "available_from", "available_to"),
    ):
        frame = frames.get(name)
        if frame is None:
            continue
        file_name = frame.attrs["file"]
        for index, row in frame.iterrows():
            line = int(index) + FIRST_DATA_ROW  # type: ignore[call-overload]
            committee = row[column]
            if (
                committees is not None
                and known(committee)
                and committee
                and (committee not in committees)
            ):
                problems.append(
                    Problem(file_name, line, column, "unknown_committee", {"value": committee})
                )
            if known(row[start], row[end]) and row[end] <= row[start]:
                problems.append(
                    Problem(
                        file_name,
                        line,
                        end,
                        "window_reversed",
                        {
                            "end_col": end,
                            "end": format_hhmm(row[end]),
                            "start_col": start,
                            "start": format_hhmm(row[start]),
                        },
                    )
                )


def _check_far_away(buildings: pd.DataFrame, file_name: str, problems: list[Problem]) -> None:
    """Buildings far from the median position: usually swapped or mistyped coordinates."""
    valid = buildings["lat"].between(-90, 90).fillna(False) & buildings["lon"].between(
        -180, 180
    ).fillna(False)
    if valid.sum() < 2:
        return
    lat = buildings.loc[valid, "lat"].to_numpy(dtype=float)
    lon = buildings.loc[valid, "lon"].to_numpy(dtype=float)
    distance_km = haversine_m(lat, lon, float(np.median(lat)), float(np.median(lon))) / 1000.0
    for index, km in zip(buildings.index[valid], distance_km, strict=True):
        if km > FAR_AWAY_KM:
            problems.append(
                Problem(file_name, int(index) + FIRST_DATA_ROW, "lat", "far_away", {"km": km})
            )


# --------------------------------------------------------------------------------------------------
# Model objects (only built from frames that passed every check)
# --------------------------------------------------------------------------------------------------


def _buildings(frame: pd.DataFrame) -> Iterable[Building]:
    for r in records(frame):
        yield Building(
            building_id=str(r["building_id"]),
            committee=str(r["committee"]),
            compound=str(r["compound"]),
            lat=float(r["lat"]),
            lon=float(r["lon"]),
            floors=int(r["floors"]),
            households=int(r["households"]),
            residents=int(r["residents"]),
            immobile=int(r["immobile"]),
            locked=bool(r["locked"]),
            lift=bool(r["lift"]),
        )


def _sites(frame: pd.DataFrame) -> Iterable[Site]:
    for r in records(frame):
        yield Site(
            site_id=str(r["site_id"]),
            name=str(r["name"]),
            committee=str(r["committee"]),
            lat=float(r["lat"]),
            lon=float(r["lon"]),
            max_desks=int(r["max_desks"]),
            queue_capacity=int(r["queue_capacity"]),
            open_from=int(r["open_from"]),
            open_to=int(r["open_to"]),
        )


def _staff(frame: pd.DataFrame) -> Iterable[Staff]:
    for r in records(frame):
        yield Staff(
            staff_id=str(r["staff_id"]),
            name=str(r["name"]),
            role=Role(str(r["role"])),
            committee=str(r["committee"]),
            available_from=int(r["available_from"]),
            available_to=int(r["available_to"]),
            max_hours=float(r["max_hours"]),
        )


def parameter_names() -> dict[str, tuple[str, ...]]:
    """The keys each scenario.toml section accepts (used by docs tests and the page)."""
    return {
        "flow": tuple(f.name for f in fields(FlowParams)),
        "crew": tuple(f.name for f in fields(CrewParams)),
        "round": tuple(sorted(_ROUND_KEYS)),
    }
