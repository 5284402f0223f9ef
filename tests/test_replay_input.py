"""Regressions of the log reader: odd files give row problems, never tracebacks or clear IDs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from planner.cli import app
from planner.model import Scenario
from planner.parse import load_scenario
from planner.replay.log import LogError, Salt, read_log, read_mapping

REPO = Path(__file__).resolve().parent.parent
TINY = REPO / "scenarios" / "tiny"
RUNNER = CliRunner()
ID = "110101199003078888"
HEADER = "采样点,采样台,采样时间,楼栋,身份证号\n"
GOOD = "S001,S001-D1,2022-03-16 06:00:00,C01-K1-B010,110101199003077777\n"


@pytest.fixture(scope="module")
def tiny() -> Scenario:
    return load_scenario(TINY)


def read(tmp_path: Path, scenario: Scenario, body: str, name: str = "log.csv") -> object:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return read_log(path, scenario, salt=Salt.resolve("s"))


def replay_cli(tmp_path: Path, path: Path) -> tuple[int, str, Path]:
    out = tmp_path / "report"
    args = ["--lang", "en", "replay", str(TINY), str(path), "--out", str(out)]
    result = RUNNER.invoke(app, [*args, "--no-whatif", "--solve-time", "0"])
    return result.exit_code, result.output, out


def blob(folder: Path) -> bytes:
    return b"\n".join(f.read_bytes() for f in folder.rglob("*") if f.is_file())


def test_shifted_cells_never_echo_an_id(tiny: Scenario, tmp_path: Path) -> None:
    # Columns shifted by one: the ID lands in the time, site and building columns.
    path = tmp_path / "shifted.csv"
    path.write_text(
        HEADER
        + GOOD
        + f"S001,S001-D1,{ID},C01-K1-B010,2022-03-16 06:00:30\n"
        + f"{ID},S001-D1,2022-03-16 06:01:00,C01-K1-B010,1\n"
        + f"S001,S001-D1,2022-03-16 06:01:30,{ID},1\n"
        + "S001,S001-D1,2022-03-16 06:02:00,13912345678 张三,1\n",
        encoding="utf-8",
    )
    log = read_log(path, tiny, salt=Salt.resolve("s"))
    assert [p.row for p in log.problems] == [3, 4, 5, 6]
    assert all(ID not in p.render(lang) for p in log.problems for lang in ("zh", "en"))
    code, output, out = replay_cli(tmp_path, path)
    assert code == 0, output
    assert ID not in output and "13912345678" not in output and "张三" not in output
    assert ID.encode() not in blob(out) and "张三".encode() not in blob(out)
    # Short values that cannot be an identifier are still shown, so the user can find them.
    log = read(tmp_path, tiny, HEADER + GOOD + "S999,D,2022-03-16 06:00:40,,\n")
    assert '"S999"' in log.problems[0].render("en")


def test_a_ragged_row_is_a_row_problem(tiny: Scenario, tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text(
        HEADER
        + GOOD
        + f"S001,S001-D1,2022-03-16 06:00:30,C01-K1-B010,{ID},13912345679\n"
        + "S001,S001-D1,2022-03-16 06:01:00,C01-K1-B010,110101199003079999\n"
        + "S999,S001-D1,2022-03-16 06:01:30,C01-K1-B010,\n",
        encoding="utf-8",
    )
    log = read_log(path, tiny, salt=Salt.resolve("s"))
    assert [(p.row, p.column, p.code) for p in log.problems] == [
        (3, None, "log_bad_columns"),
        (5, "site_id", "log_unknown_site"),
    ]
    assert log.rows == 4 and log.skipped == 2
    assert log.frame["row"].tolist() == [2, 4]
    code, output, out = replay_cli(tmp_path, path)
    assert code == 0, output
    assert ID not in output and "13912345679" not in output
    assert ID.encode() not in blob(out)


def test_duplicate_columns_and_a_bad_mapping_are_reported(tiny: Scenario, tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text(
        "site_id,sampled_at,sampled_at\nS001,06:00,06:01\nS001,06:02,06:03\n", encoding="utf-8"
    )
    log = read_log(path, tiny, salt=Salt.resolve("s"))
    assert [(p.column, p.code, p.severity) for p in log.problems] == [
        ("sampled_at", "log_duplicate_column", "warning")
    ]
    assert log.frame["sampled"].tolist() == [360.0, 362.0]  # the first one is used
    mapping = tmp_path / "map.toml"
    mapping.write_text('columns = "oops"\n', encoding="utf-8")
    with pytest.raises(LogError) as bad:
        read_mapping(mapping)
    assert [(p.column, p.code) for p in bad.value.problems] == [("[columns]", "log_mapping_table")]
    args = ["--lang", "en", "replay", str(TINY), str(path), "--out", str(tmp_path / "r")]
    result = RUNNER.invoke(app, [*args, "--mapping", str(mapping), "--no-whatif"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "map.toml: [columns]:" in result.output


def test_time_zones_convert_to_the_round_clock(tiny: Scenario, tmp_path: Path) -> None:
    # 22:00 UTC the day before is 06:00 in Shanghai.
    body = "site_id,sampled_at,arrived_at\n"
    log = read(
        tmp_path,
        tiny,
        body
        + "S001,2022-03-15T22:00:00Z,2022-03-16T05:59:00+08:00\n"
        + "S001,2022-03-16T06:00:30+08:00,2022-03-15T21:59:30Z\n"
        + "S001,2022-03-16 06:01:00,06:00\n"
        + "S001,2022-03-16T06:02:00+25:00,\n",
    )
    assert [(p.row, p.code) for p in log.problems] == [(5, "log_bad_time")]
    assert log.frame["sampled"].tolist() == [360.0, 360.5, 361.0]
    assert log.frame["arrived"].tolist() == [359.0, 359.5, 360.0]
    utc = pd.DataFrame(
        {
            "site_id": ["S001", "S001"],
            "sampled_at": pd.to_datetime(["2022-03-15 22:00:00", "2022-03-15 22:10:00"], utc=True),
        }
    )
    utc.to_parquet(tmp_path / "utc.parquet")
    log = read_log(tmp_path / "utc.parquet", tiny, salt=Salt.resolve("s"))
    assert log.problems == () and log.frame["sampled"].tolist() == [360.0, 370.0]
    # Another zone on request (the CLI's --tz).
    log = read_log(
        tmp_path / "utc.parquet", tiny, salt=Salt.resolve("s"), timezone="UTC", allow_empty=True
    )
    assert [p.code for p in log.problems] == ["log_other_day"] * 2
    path = tmp_path / "day.csv"
    path.write_text("site_id,sampled_at\nS001,06:00\n", encoding="utf-8")
    args = ["--lang", "en", "replay", str(TINY), str(path), "--out", str(tmp_path / "r")]
    result = RUNNER.invoke(app, [*args, "--no-whatif", "--tz", "Mars/Olympus"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert 'unknown time zone "Mars/Olympus"' in result.output


def test_a_date_without_a_time_is_a_bad_time(tiny: Scenario, tmp_path: Path) -> None:
    log = read(tmp_path, tiny, "site_id,sampled_at\nS001,2022-03-16\nS001,06:00\nS001,2022/3/16\n")
    assert [(p.row, p.code) for p in log.problems] == [(2, "log_bad_time"), (4, "log_bad_time")]
    assert log.frame["sampled"].tolist() == [360.0]


def test_a_reused_report_folder_keeps_no_stale_file(tmp_path: Path) -> None:
    out = tmp_path / "report"
    log, plan = REPO / "data" / "replay-tiny" / "log.csv", REPO / "data" / "replay-tiny" / "plan"
    args = ["--lang", "en", "replay", str(TINY), str(log), "--out", str(out)]
    first = RUNNER.invoke(app, [*args, "--plan", str(plan), "--reps", "1", "--solve-time", "1"])
    assert first.exit_code == 0, first.output
    assert (out / "plan_vs_actual.csv").is_file() and (out / "whatif.csv").is_file()
    assert (out / "new_plan").is_dir()
    (out / "my notes.txt").write_text("mine", encoding="utf-8")
    second = RUNNER.invoke(app, [*args, "--no-whatif"])
    assert second.exit_code == 0, second.output
    names = {f.name for f in out.iterdir()}
    assert not names & {"plan_vs_actual.csv", "whatif.csv", "new_plan"}
    assert {"summary.md", "sites.csv", "my notes.txt"} <= names
    assert (out / "my notes.txt").read_text(encoding="utf-8") == "mine"


def test_ids_are_hashed_with_hmac_and_the_salt_can_come_from_a_file(
    tiny: Scenario, tmp_path: Path
) -> None:
    import hashlib
    import hmac

    from planner.replay.log import Salt, hash_ids

    got = hash_ids(pd.Series([" 11010119900307888x"]), Salt(b"pepper", "given"))[0]
    want = hmac.new(b"pepper", b"11010119900307888X", hashlib.sha256).hexdigest()[:16]
    assert got == want
    secret = tmp_path / "salt.txt"
    secret.write_text("pepper\n", encoding="utf-8")
    salt = Salt.from_file(secret)
    assert salt.value == b"pepper" and salt.source == "file"
    path = tmp_path / "log.csv"
    path.write_text("site_id,sampled_at,person\nS001,06:00,11010119900307888x\n", encoding="utf-8")
    args = ["--lang", "en", "replay", str(TINY), str(path), "--out", str(tmp_path / "r")]
    result = RUNNER.invoke(app, [*args, "--no-whatif", "--salt-file", str(secret)])
    assert result.exit_code == 0, result.output
    assert "Salt from --salt-file." in result.output
    assert pd.read_parquet(tmp_path / "r" / "log.parquet")["person"].tolist() == [want]
    result = RUNNER.invoke(app, [*args, "--no-whatif", "--salt-file", str(tmp_path / "no")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "no: " in result.output
