"""Fuzzing the sampling-log reader: only LogError escapes, and no message quotes an ID."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.model import Scenario
from planner.parse import load_scenario
from planner.replay.log import LogError, Salt, SamplingLog, read_log

REPO = Path(__file__).resolve().parent.parent
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SCENARIO: Scenario = load_scenario(REPO / "scenarios" / "tiny")
SALT = Salt(b"fuzz", "given")

headers = st.lists(
    st.sampled_from(
        ["site_id", "sampled_at", "arrived_at", "desk", "building_id", "person", "采样点", "x"]
    ),
    min_size=1,
    max_size=7,
)
cells = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "",
            "S001",
            "S999",
            "C01-K1-B010",
            "06:00",
            "2022-03-16",
            "2022-03-16 06:00:00",
            "2022-03-15T22:00:00Z",
            "2022-03-16T06:00:00+08:00",
            "2022-03-16T06:00:00+99:00",
            "9999-99-99 99:99",
            "1e400",
            "\x00",
            '"',
        ]
    ),
    st.integers(10**16, 10**18).map(str),  # ID-card-like numbers
)


def check(data: bytes) -> None:
    try:
        log = read_log(data, SCENARIO, salt=SALT, name="fuzz.csv", allow_empty=True)
    except LogError as exc:
        assert exc.problems
        problems = exc.problems
    else:
        assert isinstance(log, SamplingLog)
        assert 0 <= len(log.frame) <= log.rows
        assert log.skipped == len({p.row for p in log.problems if p.severity == "error" and p.row})
        problems = list(log.problems)
    for problem in problems:
        for lang in ("zh", "en"):
            shown = problem.render(lang)
            # Catalogue text has no six digits in a row: any such run came from a cell.
            assert not re.search(r"\d{6}", shown.replace("fuzz.csv", "")), shown


@FUZZ
@given(header=headers, rows=st.lists(st.lists(cells, max_size=8), max_size=6))
def test_random_logs_never_crash_or_leak(header: list[str], rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    check(buffer.getvalue().encode("utf-8"))


@FUZZ
@given(content=st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode)))
def test_random_bytes_never_crash(content: bytes) -> None:
    check(content)


@pytest.mark.parametrize("body", [b"site_id,sampled_at\n", b"PAR1 not parquet", b""])
def test_odd_files(body: bytes) -> None:
    check(body)
