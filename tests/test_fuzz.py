"""Fuzzing the loader: whatever the files hold, the only exception is ScenarioError."""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path

from conftest import MINI_TABLES, MINI_TOML, write_scenario
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner import Scenario, ScenarioError, load_scenario

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

cell_text = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "",
            " ",
            "nan",
            "NaN",
            "inf",
            "-1",
            "1e400",
            "0x10",
            "24:00",
            "99:99",
            "1.5",
            "TRUE",
            "是",
            "\x00",
            '"',
            ",",
            "\n",
            "１２",
        ]
    ),
    st.integers(-(10**12), 10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)


def _load(folder: Path) -> None:
    try:
        result = load_scenario(folder)
    except ScenarioError as exc:
        assert exc.problems, "a ScenarioError must list at least one problem"
        for problem in exc.problems:
            assert problem.render("en") and problem.render("zh")
    else:
        assert isinstance(result, Scenario)


@FUZZ
@given(
    edits=st.lists(
        st.tuples(
            st.sampled_from(sorted(MINI_TABLES)),
            st.integers(0, 5),
            st.sampled_from(sorted({c for rows in MINI_TABLES.values() for c in rows[0]})),
            cell_text,
        ),
        min_size=1,
        max_size=6,
    )
)
def test_random_cells_never_crash(edits: list[tuple[str, int, str, str]]) -> None:
    tables = copy.deepcopy(MINI_TABLES)
    for table, index, column, value in edits:
        rows = tables[table]
        rows[index % len(rows)][column] = value
    with tempfile.TemporaryDirectory() as tmp:
        _load(write_scenario(Path(tmp) / "s", tables=tables))


@FUZZ
@given(
    target=st.sampled_from(
        ["buildings.csv", "sites.csv", "staff.csv", "scenario.toml", "sites.parquet"]
    ),
    content=st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode)),
)
def test_random_file_contents_never_crash(target: str, content: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_scenario(Path(tmp) / "s")
        if target.endswith(".parquet"):
            (folder / "sites.csv").unlink()
        (folder / target).write_bytes(content)
        _load(folder)


@FUZZ
@given(
    section=st.sampled_from(["round", "flow", "crew"]),
    key=st.sampled_from(
        [
            "date",
            "start",
            "deadline",
            "notice",
            "service_s",
            "turnout",
            "lift_people",
            "max_ppe_h",
            "desk_samplers",
            "bogus",
        ]
    ),
    value=st.one_of(
        st.integers(-(10**20), 10**20).map(str),
        st.floats(allow_nan=True).map(lambda f: "nan" if f != f else repr(f).replace("inf", "inf")),
        st.sampled_from(
            [
                '"06:00"',
                '"25:00"',
                "2022-03-16",
                "07:00:00",
                "true",
                "[1, 2]",
                "{a = 1}",
                '""',
                "1979-05-27T07:32:00Z",
            ]
        ),
    ),
)
def test_random_toml_values_never_crash(section: str, key: str, value: str) -> None:
    toml = MINI_TOML.replace(f"[{section}]\n", f"[{section}]\n{key} = {value}\n", 1)
    if toml.count(f"\n{key} =") > 1:  # keep the TOML itself valid: drop the original key
        head, _, tail = toml.partition(f"[{section}]\n{key} = {value}\n")
        tail = "\n".join(line for line in tail.splitlines() if not line.startswith(f"{key} ="))
        toml = f"{head}[{section}]\n{key} = {value}\n{tail}\n"
    with tempfile.TemporaryDirectory() as tmp:
        _load(write_scenario(Path(tmp) / "s", toml=toml))
