"""Reading tables (CSV or Parquet) cell by cell into typed frames, with row-level problems.

Shared by the scenario parser (:mod:`planner.parse`) and the plan reader (:mod:`planner.planfile`).
Each column is described by a :class:`Col`; :func:`read_table` gets the text of a table and
:func:`convert` turns it into typed columns, recording a :class:`~planner.problems.Problem` for
every cell that does not convert and, through a pandera schema built from the specs, every value
out of range, not allowed, or repeated where it must be unique.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pandera.pandas as pa

from planner.problems import Problem
from planner.timefmt import parse_hhmm

#: Spreadsheet row of the first data row: the header is row 1.
FIRST_DATA_ROW = 2

_TRUE = frozenset({"1", "true", "yes", "y", "是", "1.0"})
_FALSE = frozenset({"0", "false", "no", "n", "否", "0.0"})

Kind = Literal["text", "int", "float", "bool", "time"]
# A default is a constant, or a function of the typed frame so far and a context (the round).
Default = Callable[[pd.DataFrame, Any], pd.Series] | object


@dataclass(frozen=True)
class Col:
    """How one column is read and checked."""

    name: str
    kind: Kind
    required: bool = True
    default: Default = None
    ge: float | None = None
    le: float | None = None
    allowed: tuple[str, ...] | None = None
    unique: bool = False


def read_table(
    folder: Path, name: str, problems: list[Problem], allow_empty: bool = False
) -> tuple[pd.DataFrame | None, str]:
    """Read ``name.csv`` or ``name.parquet`` as a frame of stripped strings ('' = empty cell).

    Returns ``(None, file name)`` after recording a problem when the table is missing, ambiguous,
    unreadable, or (unless ``allow_empty``) has no data rows.
    """
    csv, parquet = folder / f"{name}.csv", folder / f"{name}.parquet"
    if csv.exists() and parquet.exists():
        problems.append(Problem(csv.name, None, None, "table_ambiguous", {"name": name}))
        return None, csv.name
    if not csv.exists() and not parquet.exists():
        problems.append(Problem(csv.name, None, None, "table_missing", {"name": name}))
        return None, csv.name
    path = csv if csv.exists() else parquet

    def fail(code: str, **values: object) -> tuple[None, str]:
        problems.append(Problem(path.name, None, None, code, values))
        return None, path.name

    try:
        if path is csv:
            frame = pd.read_csv(
                path, dtype=str, keep_default_na=False, encoding="utf-8-sig", engine="c"
            )
        else:
            frame = pd.read_parquet(path)
            frame = frame.astype(object).where(frame.notna(), "").astype(str)
    except UnicodeDecodeError:
        return fail("not_utf8")
    except pd.errors.EmptyDataError:
        return fail("empty_table")
    except Exception as exc:  # parser, arrow and OS errors all mean "cannot read this file"
        return fail("file_unreadable", error=_one_line(exc))
    frame.columns = [str(c).strip() for c in frame.columns]
    seen: set[str] = set()
    for column in frame.columns:
        # pandas renames a repeated header "x" to "x.1"; report the original name.
        base = column.rsplit(".", 1)[0] if column.rsplit(".", 1)[-1].isdigit() else column
        if column in seen or (base != column and base in frame.columns):
            problems.append(Problem(path.name, None, base, "column_duplicate"))
        seen.add(column)
    if frame.empty and not (allow_empty and len(frame.columns)):
        return fail("empty_table")
    frame = frame.reset_index(drop=True)
    return frame.apply(lambda s: s.astype(str).str.strip()), path.name


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300] or type(exc).__name__


def convert(
    raw: pd.DataFrame,
    file_name: str,
    columns: tuple[Col, ...],
    context: Any,
    problems: list[Problem],
) -> pd.DataFrame:
    """Typed frame with one column per spec; bad cells are reported and left missing (NA)."""
    typed = pd.DataFrame(index=raw.index)
    for col in columns:
        if col.name not in raw.columns:
            if col.required:
                problems.append(Problem(file_name, None, col.name, "column_missing"))
                typed[col.name] = _empty(col.kind, raw.index)
            else:
                typed[col.name] = _default(col, typed, context)
            continue
        cells = raw[col.name]
        blank = cells == ""
        values, bad = _parse_cells(cells, col.kind)
        for index in raw.index[bad & ~blank]:
            code = {
                "int": "not_integer",
                "float": "not_number",
                "bool": "not_bool",
                "time": "not_time",
            }[col.kind]
            problems.append(
                Problem(file_name, index + FIRST_DATA_ROW, col.name, code, {"value": cells[index]})
            )
        if col.required:
            for index in raw.index[blank]:
                problems.append(
                    Problem(file_name, index + FIRST_DATA_ROW, col.name, "value_missing")
                )
        elif blank.any():
            values = values.where(~blank, _default(col, typed, context))
        typed[col.name] = values
    check_values(typed, file_name, columns, problems)
    return typed


def _empty(kind: Kind, index: pd.Index) -> pd.Series:
    dtype = {"text": object, "int": "Int64", "float": "Float64", "bool": "boolean", "time": "Int64"}
    return pd.Series(pd.NA, index=index, dtype=dtype[kind])  # type: ignore[call-overload]


def _default(col: Col, typed: pd.DataFrame, context: Any) -> pd.Series:
    if callable(col.default):
        return col.default(typed, context)
    series = _empty(col.kind, typed.index)
    constant: Any = col.default
    return series.fillna(constant) if col.kind != "text" else series.map(lambda _: constant)


def _parse_cells(cells: pd.Series, kind: Kind) -> tuple[pd.Series, pd.Series]:
    """Converted values (NA where not convertible) and a mask of cells that did not convert."""
    if kind == "text":
        return cells.astype(object), pd.Series(False, index=cells.index)
    if kind in ("int", "float"):
        numbers = pd.to_numeric(cells, errors="coerce").astype("Float64")
        finite = numbers.notna() & np.isfinite(numbers.fillna(0.0).to_numpy(dtype=float))
        numbers = numbers.where(finite)
        if kind == "int":
            # Beyond 2**53 a float no longer holds whole numbers exactly (and 1e30 would wrap
            # around in int64): such a cell is reported, not silently mangled.
            small = numbers.abs().fillna(0.0) < 2.0**53
            whole = finite & small & (numbers.fillna(0.0) % 1 == 0)
            return numbers.where(whole).round().astype("Int64"), ~whole
        return numbers, ~finite
    if kind == "bool":
        lowered = cells.str.lower()
        truth = pd.Series(pd.NA, index=cells.index, dtype="boolean")
        truth[lowered.isin(_TRUE)] = True
        truth[lowered.isin(_FALSE)] = False
        return truth, truth.isna()
    minutes = cells.map(parse_hhmm).astype("Int64")
    return minutes, minutes.isna()


def check_values(
    typed: pd.DataFrame, file_name: str, columns: tuple[Col, ...], problems: list[Problem]
) -> None:
    """Ranges, allowed values and unique ids, checked by a pandera schema built from the specs."""
    schema_columns: dict[str, pa.Column] = {}
    for col in columns:
        checks = []
        if col.ge is not None:
            checks.append(pa.Check.ge(col.ge, error=f"below_min:{col.ge:g}"))
        if col.le is not None:
            checks.append(pa.Check.le(col.le, error=f"above_max:{col.le:g}"))
        if col.allowed is not None:
            checks.append(pa.Check.isin(col.allowed, error="unknown_role"))
        schema_columns[col.name] = pa.Column(
            checks=checks, nullable=True, unique=col.unique, coerce=False, required=False
        )
    try:
        pa.DataFrameSchema(schema_columns).validate(typed, lazy=True)
    except pa.errors.SchemaErrors as exc:
        for case in exc.failure_cases.itertuples(index=False):
            index = case.index
            if index is None or (isinstance(index, float) and math.isnan(index)):
                continue
            row = int(index) + FIRST_DATA_ROW
            check = str(case.check)
            value = case.failure_case
            spec = next(c for c in columns if c.name == case.column)
            if check == "field_uniqueness":
                problems.append(
                    Problem(file_name, row, spec.name, "duplicate_id", {"value": value})
                )
            elif check == "unknown_role":
                allowed = ", ".join(spec.allowed or ())
                problems.append(
                    Problem(file_name, row, spec.name, check, {"value": value, "allowed": allowed})
                )
            else:
                code, bound = check.split(":")
                problems.append(
                    Problem(file_name, row, spec.name, code, {"value": value, "bound": bound})
                )


def known(*values: object) -> bool:
    return not any(
        v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) for v in values
    )


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    # NA-free by now; to_dict gives numpy scalars, which the constructors below convert.
    return [{str(k): v for k, v in r.items()} for r in frame.astype(object).to_dict("records")]
