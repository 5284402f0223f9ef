"""Sampling logs: read, normalise, check and pseudonymise them (``docs/replay.md``).

A sampling log has one row per person sampled. :func:`read_log` reads it (CSV or Parquet), maps
column names (English, the registration export's Chinese names, or a mapping file), converts
times to minutes since midnight of the round's day, reports every bad row as a
:class:`~planner.problems.Problem` (file, row, column) and skips it, and replaces personal
identifiers by salted hashes before anything else sees them. Clear identifiers never leave this
module: not in the frame, not in a message.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import hmac
import os
import re
import secrets
import tomllib
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from planner.model import Scenario
from planner.problems import Problem
from planner.tabular import FIRST_DATA_ROW

#: The fields of a sampling log; the first two are required.
FIELDS: tuple[str, ...] = (
    "site_id",
    "sampled_at",
    "desk",
    "tube_id",
    "building_id",
    "person",
    "arrived_at",
)
REQUIRED: tuple[str, ...] = ("site_id", "sampled_at")

#: Column names accepted without a mapping file (lower-cased English, the export's Chinese).
ALIASES: dict[str, str] = {
    **{f: f for f in FIELDS},
    "site": "site_id",
    "采样点": "site_id",
    "采样点编号": "site_id",
    "采样点位": "site_id",
    "time": "sampled_at",
    "timestamp": "sampled_at",
    "采样时间": "sampled_at",
    "登记时间": "sampled_at",
    "采样台": "desk",
    "采样通道": "desk",
    "通道": "desk",
    "tube": "tube_id",
    "试管编号": "tube_id",
    "试管号": "tube_id",
    "管码": "tube_id",
    "building": "building_id",
    "楼栋": "building_id",
    "楼号": "building_id",
    "楼栋编号": "building_id",
    "id": "person",
    "身份证号": "person",
    "证件号码": "person",
    "手机号": "person",
    "联系电话": "person",
    "arrived": "arrived_at",
    "到达时间": "arrived_at",
    "排队时间": "arrived_at",
}

#: The registration export's Chinese name of each field (one of its :data:`ALIASES`): what the
#: bundled log and the tests write.
EXPORT_NAMES: dict[str, str] = {
    "site_id": "采样点",
    "sampled_at": "采样时间",
    "desk": "采样台",
    "tube_id": "试管编号",
    "building_id": "楼栋",
    "person": "身份证号",
    "arrived_at": "到达时间",
}

#: Environment variable holding the salt when ``--salt`` is not given.
SALT_ENV = "PLANNER_REPLAY_SALT"

SaltSource = Literal["given", "file", "env", "random"]

_CLOCK = re.compile(r"^\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
#: A time of day somewhere in a timestamp's text (a date alone is not a time).
_HAS_TIME = r"\d:\d\d"
#: A UTC offset (or ``Z``) ending a timestamp's text.
_OFFSET = r"(?:[Zz]|[+-]\d\d(?::?\d\d)?)$"
#: Cell text that may be echoed in a message: short printable ASCII without a run of six digits
#: (an ID card or phone number shifted into the wrong column must not reach a message, a report
#: or the page; names are not ASCII).
_SHOWABLE = re.compile(r"[\x20-\x7e]{0,25}")
_DIGITS = re.compile(r"\d{6}")
#: What a message shows instead of a cell that could identify a person.
HIDDEN = "***"
#: Time zone of naive timestamps and the one aware timestamps are converted to.
DEFAULT_TZ = "Asia/Shanghai"


@dataclass(frozen=True)
class Salt:
    """The secret mixed into every hash, and where it came from (the value is never written)."""

    value: bytes = field(repr=False)
    source: SaltSource

    @classmethod
    def resolve(cls, given: str | None = None) -> Salt:
        """``given``, else ``$PLANNER_REPLAY_SALT``, else a random salt kept only in memory."""
        if given:
            return cls(given.encode("utf-8"), "given")
        env = os.environ.get(SALT_ENV, "")
        if env:
            return cls(env.encode("utf-8"), "env")
        return cls(secrets.token_bytes(16), "random")

    @classmethod
    def from_file(cls, path: str | Path) -> Salt:
        """The salt in a file (its text, surrounding whitespace removed), e.g. ``--salt-file``:
        unlike ``--salt`` it does not show in the shell history or the process list.

        Raises
        ------
        LogError
            When the file cannot be read or is empty.
        """
        p = Path(path)
        try:
            value = p.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            error = getattr(exc, "strerror", None) or type(exc).__name__
            raise LogError(
                [Problem(p.name, None, None, "file_unreadable", {"error": error})]
            ) from None
        if not value:
            raise LogError([Problem(p.name, None, None, "log_empty_salt")])
        return cls(value.encode("utf-8"), "file")


@dataclass(frozen=True)
class SamplingLog:
    """A checked sampling log.

    Attributes
    ----------
    frame
        One row per good log row: ``row`` (spreadsheet row in the file), ``site_id``,
        ``sampled`` and ``arrived`` (minutes since midnight; ``arrived`` NaN when unknown),
        ``desk``, ``tube_id``, ``building_id`` (``""`` when unknown) and ``person`` (the salted
        hash, ``""`` when the row had no identifier). Sorted by ``sampled``.
    problems
        Every bad row (errors: skipped) and doubtful one (warnings: kept), in file order.
    file
        File name, for messages.
    rows
        Data rows read.
    hashed
        Identifiers replaced by hashes (non-empty ``person`` cells of the good rows).
    salt_source
        ``given``, ``env`` or ``random`` (a random salt is stored nowhere: hashes of two
        imports then cannot be linked).
    fields
        Log fields the file had (after mapping).
    """

    frame: pd.DataFrame
    problems: tuple[Problem, ...]
    file: str
    rows: int
    hashed: int
    salt_source: SaltSource
    fields: frozenset[str]

    @property
    def skipped(self) -> int:
        """Rows skipped because of an error."""
        return self.rows - len(self.frame)

    def has(self, name: str) -> bool:
        """Whether the log had field ``name`` with at least one value in a good row."""
        if name not in self.fields:
            return False
        if name == "arrived_at":
            return bool(self.frame["arrived"].notna().any())
        return bool((self.frame[name] != "").any())


class LogError(Exception):
    """The log cannot be used at all (missing file, missing required column, unreadable)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(p.render("en") for p in problems))


def read_mapping(path: str | Path) -> dict[str, str]:
    """Column mapping from a TOML file: ``[columns]`` with ``"source name" = "field"``."""
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise LogError([Problem(p.name, None, None, "file_unreadable", {"error": exc})]) from None
    columns = data.get("columns", {})
    if not isinstance(columns, dict):
        raise LogError([Problem(p.name, None, "[columns]", "log_mapping_table")])
    problems = [
        Problem(p.name, None, f"columns.{k}", "log_unknown_field", {"value": v})
        for k, v in columns.items()
        if v not in FIELDS
    ]
    if problems:
        raise LogError(problems)
    return {str(k).strip(): str(v) for k, v in columns.items()}


def hash_ids(values: pd.Series, salt: Salt) -> pd.Series:
    """HMAC-SHA256 keyed with the salt (first 16 hex digits) of each non-empty identifier;
    ``""`` stays ``""``.

    Identifiers are normalised first (spaces removed, letters upper-cased: the ``x`` of an ID
    card number) so that one person hashes the same however the registrar typed them.
    """
    norm = values.astype(str).str.replace(r"\s+", "", regex=True).str.upper()
    uniques = pd.unique(norm)
    keyed = hmac.new(salt.value, digestmod=hashlib.sha256)

    def digest(u: str) -> str:
        h = keyed.copy()  # the key's padding is hashed once, not once per identifier
        h.update(u.encode("utf-8"))
        return h.hexdigest()[:16]

    table = {u: ("" if u == "" else digest(u)) for u in uniques}
    return norm.map(table)


def showable(values: pd.Series) -> pd.Series:
    """``values`` with every cell that could be a personal identifier replaced by :data:`HIDDEN`.

    Kept: printable ASCII of at most 25 characters without six digits in a row (site and building
    ids, times, typos). Hidden: ID card and phone numbers, names, long text.
    """
    text_values = values.astype(str)
    ok = text_values.map(lambda v: bool(_SHOWABLE.fullmatch(v)) and not _DIGITS.search(v))
    return text_values.where(ok.astype(bool), HIDDEN)


def read_log(
    path: str | Path | bytes,
    scenario: Scenario,
    *,
    salt: Salt | None = None,
    mapping: dict[str, str] | None = None,
    allow_empty: bool = False,
    timezone: str = DEFAULT_TZ,
    name: str | None = None,
) -> SamplingLog:
    """Read and check a sampling log of ``scenario``'s round.

    Parameters
    ----------
    path
        CSV (UTF-8, optional BOM) or Parquet file, or its contents (an upload, kept in memory so
        that clear identifiers are never written to disk; Parquet is told by its magic bytes).
    scenario
        The round's scenario: its date, site and building ids.
    salt
        Salt for the identifier hashes (default: :meth:`Salt.resolve`).
    mapping
        Extra ``{column name: field}`` pairs, applied before the built-in aliases.
    allow_empty
        Accept a log with no (good) rows, e.g. for the progress board before the first sample.
    timezone
        IANA zone of the round: naive times are taken as its wall clock, times with a UTC offset
        (``Z``, ``+08:00``, UTC Parquet timestamps) are converted to it.
    name
        File name for messages (default: the path's name; ``"log"`` for contents).

    Returns
    -------
    SamplingLog
        The good rows and every problem. Bad rows (no or unknown site, a time that does not
        parse or is not on the round's day, unknown building, arrival after sampling) are errors
        and are skipped; a person sampled twice is a warning and both rows are kept.

    Raises
    ------
    LogError
        When the file is missing or unreadable, lacks a required column, or has no good row.
    """
    file_name = name or ("log" if isinstance(path, bytes) else Path(path).name)
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise LogError(
            [Problem(file_name, None, None, "log_bad_tz", {"value": timezone})]
        ) from None
    salt = salt or Salt.resolve()
    raw, ragged = _read_raw(path, file_name)
    frame, fields, problems = _rename(raw, file_name, mapping or {}, allow_empty or bool(ragged))
    n = len(frame)
    # Spreadsheet row of each data row: rows with the wrong number of fields were skipped by the
    # reader and are reported here.
    total = n + len(ragged)
    rows = np.setdiff1d(np.arange(total, dtype=np.int64) + FIRST_DATA_ROW, [r for r in ragged])
    if len(rows) != n:  # the reader did not know where the bad rows were
        rows = np.arange(n, dtype=np.int64) + FIRST_DATA_ROW
    problems += [Problem(file_name, r, None, "log_bad_columns") for r in ragged]
    bad = np.zeros(n, dtype=bool)

    def report(mask: npt_bool, column: str, code: str, echo: pd.Series | None = None) -> None:
        nonlocal bad
        new = np.flatnonzero(mask & ~bad)
        # Only what cannot be an identifier is echoed: a shifted row puts ID numbers anywhere.
        shown = None if echo is None or not len(new) else showable(echo.iloc[new]).tolist()
        for k, i in enumerate(new):
            values: dict[str, Any] = {} if shown is None else {"value": shown[k]}
            problems.append(Problem(file_name, int(rows[i]), column, code, values))
        bad |= mask

    site = _text(frame, "site_id")
    report((site == "").to_numpy(), "site_id", "value_missing")
    known_site = site.isin(list(scenario.site_index)).to_numpy()
    report(~known_site, "site_id", "log_unknown_site", site)

    midnight = pd.Timestamp(dt.datetime.combine(scenario.round.date, dt.time()))
    sampled, s_bad, s_other = _minutes(frame["sampled_at"], midnight, timezone)
    s_text = _text(frame, "sampled_at")
    report((s_text == "").to_numpy() & s_bad, "sampled_at", "value_missing")
    report(s_bad, "sampled_at", "log_bad_time", s_text)
    report(s_other, "sampled_at", "log_other_day", s_text)

    if "arrived_at" in frame.columns:
        arrived, a_bad, a_other = _minutes(frame["arrived_at"], midnight, timezone)
        a_text = _text(frame, "arrived_at")
        a_blank = (a_text == "").to_numpy()
        report(a_bad & ~a_blank, "arrived_at", "log_bad_time", a_text)
        report(a_other, "arrived_at", "log_other_day", a_text)
        late = np.nan_to_num(arrived, nan=-np.inf) > np.nan_to_num(sampled, nan=np.inf)
        report(late, "arrived_at", "log_arrived_after", a_text)
        arrived = np.where(a_blank | a_bad, np.nan, arrived)
    else:
        arrived = np.full(n, np.nan)

    building = _text(frame, "building_id")
    unknown_b = ((building != "") & ~building.isin(list(scenario.building_index))).to_numpy()
    report(unknown_b, "building_id", "log_unknown_building", building)

    person = hash_ids(_text(frame, "person"), salt) if "person" in frame.columns else None
    keep = ~bad
    out = pd.DataFrame(
        {
            "row": rows,
            "site_id": site.to_numpy(),
            "sampled": sampled,
            "arrived": arrived,
            "desk": _text(frame, "desk").to_numpy(),
            "tube_id": _text(frame, "tube_id").to_numpy(),
            "building_id": building.to_numpy(),
            "person": person.to_numpy() if person is not None else np.full(n, ""),
        }
    )[keep]
    # A person sampled twice is worth a look (a re-test, or two people on one identifier) but
    # not an error: both rows stay. The message names the rows, never the identifier.
    named = out[out["person"] != ""]
    repeated = named[named.duplicated("person", keep="first")]
    first_row = named.drop_duplicates("person").set_index("person")["row"]
    for row, h in zip(repeated["row"].tolist(), repeated["person"].tolist(), strict=True):
        problems.append(
            Problem(
                file_name,
                int(row),
                "person",
                "log_sampled_twice",
                {"first": int(first_row[h])},
                "warning",
            )
        )
    problems.sort(key=lambda q: (q.row or 0, FIELDS.index(q.column) if q.column in FIELDS else 9))
    if out.empty and not allow_empty:
        # Nothing to replay: refuse with every reason rather than report on an empty day.
        raise LogError([*problems, Problem(file_name, None, None, "log_no_rows", {"rows": total})])
    out = out.sort_values(["sampled", "row"], kind="stable").reset_index(drop=True)
    out["site_id"] = out["site_id"].astype("category")
    return SamplingLog(
        frame=out,
        problems=tuple(problems),
        file=file_name,
        rows=total,
        hashed=int((out["person"] != "").sum()),
        salt_source=salt.source,
        fields=frozenset(fields),
    )


npt_bool = np.ndarray


def _read_raw(source: str | Path | bytes, file_name: str) -> tuple[pa.Table, list[int]]:
    """The file as an Arrow table, and the spreadsheet rows skipped for a wrong field count.

    Timestamps are kept as timestamps, everything else as read. No message carries the reader's
    own error text: it may quote a row, and rows hold identifiers.
    """

    def fail(code: str, **values: object) -> LogError:
        return LogError([Problem(file_name, None, None, code, values)])

    if isinstance(source, bytes):
        data = source
        parquet = data.startswith(b"PAR1")
    else:
        p = Path(source)
        if not p.is_file():
            raise fail("log_missing")
        parquet = p.suffix.lower() == ".parquet"
        try:
            data = p.read_bytes()
        except OSError as exc:
            raise fail("file_unreadable", error=exc.strerror or type(exc).__name__) from None
    try:
        if parquet:
            return pq.read_table(pa.BufferReader(data)), []
        if data.startswith(codecs.BOM_UTF8):
            data = data[len(codecs.BOM_UTF8) :]
        # All columns as text: ids such as 0012 keep their zeros; times are parsed below.
        first = data[: data.find(b"\n") if b"\n" in data else len(data)]
        lines = first.decode("utf-8", errors="replace").splitlines()
        names = next(csv.reader(lines[:1]), [])
        types = {name: pa.string() for name in names}
        options = pacsv.ConvertOptions(column_types=types, strings_can_be_null=False)
        ragged: list[int | None] = []

        def skip(row: Any) -> str:
            ragged.append(row.number)
            return "skip"

        def read(threads: bool) -> pa.Table:
            ragged.clear()
            return pacsv.read_csv(
                pa.BufferReader(data),
                read_options=pacsv.ReadOptions(use_threads=threads),
                parse_options=pacsv.ParseOptions(invalid_row_handler=skip),
                convert_options=options,
            )

        table = read(True)
        if ragged and None in ragged:
            # The multithreaded reader does not know row numbers: read again on one thread.
            table = read(False)
        table.column_names  # noqa: B018 (decodes the header: raises on text that is not UTF-8)
        return table, sorted(r for r in ragged if r is not None)
    except UnicodeDecodeError:
        raise fail("not_utf8") from None
    except csv.Error:  # a header the csv module cannot split (a NUL, a stray quote)
        raise fail("log_unreadable") from None
    except (pa.ArrowInvalid, OSError) as exc:
        if "utf8" in str(exc).lower():
            raise fail("not_utf8") from None
        raise fail("log_unreadable") from None


def _rename(
    table: pa.Table, file_name: str, mapping: dict[str, str], allow_empty: bool = False
) -> tuple[pd.DataFrame, set[str], list[Problem]]:
    """Frame with log fields as column names, and a warning per field named by two columns (the
    first one is used); other columns go."""
    chosen: dict[int, str] = {}
    problems: list[Problem] = []
    for i, name in enumerate(table.column_names):
        clean = name.strip().lstrip("\ufeff")
        target = mapping.get(clean) or ALIASES.get(clean.lower()) or ALIASES.get(clean)
        if not target:
            continue
        if target in chosen.values():
            problems.append(Problem(file_name, None, target, "log_duplicate_column", {}, "warning"))
        else:
            chosen[i] = target
    missing = [f for f in REQUIRED if f not in chosen.values()]
    if missing:
        raise LogError([Problem(file_name, None, f, "log_column_missing") for f in missing])
    if table.num_rows == 0 and not allow_empty:
        raise LogError([Problem(file_name, None, None, "empty_table")])
    columns: dict[str, Any] = {}
    for i, target in chosen.items():
        col = table.column(i)
        if pa.types.is_timestamp(col.type):
            columns[target] = col.to_pandas()
        else:
            text_col = pc.utf8_trim_whitespace(pc.cast(col, pa.string()))
            columns[target] = text_col.to_pandas().fillna("")
    return pd.DataFrame(columns), set(chosen.values()), problems


def _text(frame: pd.DataFrame, name: str) -> pd.Series:
    if name not in frame.columns:
        return pd.Series("", index=frame.index, dtype=object)
    col = frame[name]
    if pd.api.types.is_datetime64_any_dtype(col):
        return col.astype(str).where(col.notna(), "")
    return col.astype(str)


def _minutes(
    col: pd.Series, midnight: pd.Timestamp, timezone: str = DEFAULT_TZ
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Minutes since ``midnight``, a mask of values that do not parse and one of other days.

    Accepted: timestamps (Parquet), ISO-like text (``2022-03-16 06:01:02``, ``T`` or ``/``
    separators), and bare clock times (``06:01`` or ``06:01:02``) taken on the round's day. A
    value with a UTC offset (``Z``, ``+08:00``, a UTC Parquet column) is converted to
    ``timezone``; one without is taken as ``timezone``'s wall clock. A date without a time of day
    does not parse.
    """
    minutes = np.full(len(col), np.nan)
    if pd.api.types.is_datetime64_any_dtype(col):
        stamps = col.dt.tz_convert(timezone).dt.tz_localize(None) if col.dt.tz is not None else col
        minutes = ((stamps - midnight).dt.total_seconds() / 60.0).to_numpy(dtype=float)
    else:
        textual = col.astype(str).str.strip()
        clock = textual.str.match(_CLOCK.pattern).to_numpy()
        day = midnight.strftime("%Y-%m-%d ")
        full = textual.where(~clock, day + textual).str.replace("/", "-", regex=False)
        timed = full.str.contains(_HAS_TIME, regex=True).to_numpy()
        aware = timed & full.str.contains(_OFFSET, regex=True).to_numpy()
        for part, utc in ((timed & ~aware, False), (aware, True)):
            if part.any():
                stamps = _parse(full[part], utc, timezone)
                minutes[part] = ((stamps - midnight).dt.total_seconds() / 60.0).to_numpy(float)
    bad = np.isnan(minutes)
    other = ~bad & ((minutes < 0) | (minutes >= 24 * 60))
    return np.where(bad | other, np.nan, minutes), bad, other


def _parse(values: pd.Series, utc: bool, timezone: str) -> pd.Series:
    """Naive timestamps in ``timezone`` of ``values``; NaT where a value does not parse."""

    def convert(stamps: pd.Series) -> pd.Series:
        if stamps.dt.tz is not None:
            stamps = stamps.dt.tz_convert(timezone).dt.tz_localize(None)
        return stamps.astype("datetime64[ns]")

    def one(value: str) -> Any:
        try:
            stamp = pd.Timestamp(value)
        except (ValueError, TypeError, OverflowError):
            return pd.NaT
        if stamp is pd.NaT:
            return pd.NaT
        if stamp.tzinfo is not None:
            stamp = stamp.tz_convert(timezone).tz_localize(None)
        return stamp

    try:
        stamps = convert(pd.to_datetime(values, format="ISO8601", errors="coerce", utc=utc))
        retry = stamps.isna()
        if retry.any():
            # Exports that write single-digit months or hours (2022-3-16 6:01:02).
            again = pd.to_datetime(values[retry], format="mixed", errors="coerce", utc=utc)
            stamps[retry] = convert(again)
        return stamps
    except (ValueError, TypeError, OverflowError):
        # Values pandas cannot parse as one column (mixed zones): one by one.
        return pd.Series([one(v) for v in values], index=values.index, dtype="datetime64[ns]")
