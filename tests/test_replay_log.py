"""Reading sampling logs: column variants, bad rows reported and skipped, no clear IDs anywhere."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from planner.cli import app
from planner.model import Scenario
from planner.parse import load_scenario
from planner.plan import Plan
from planner.planfile import read_plan, write_plan
from planner.replay.log import ALIASES, EXPORT_NAMES, FIELDS, LogError, Salt, hash_ids, read_log
from planner.replay.synth import log_from_people, write_log
from planner.simulate import simulate

REPO = Path(__file__).resolve().parent.parent
RUNNER = CliRunner()


@dataclasses.dataclass(frozen=True)
class Tiny:
    scenario: Scenario
    plan: Plan
    plan_dir: Path
    log: pd.DataFrame  # as written by simulate --log: English columns, timestamps


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Tiny:
    scenario = load_scenario(REPO / "scenarios" / "tiny")
    # The bundled plan, copied: `simulate` writes its KPIs into the plan folder.
    plan = read_plan(REPO / "data" / "replay-tiny" / "plan", scenario)
    plan_dir = write_plan(plan, tmp_path_factory.mktemp("plan") / "plan")
    people = simulate(scenario, plan, reps=1, seed=1).people
    return Tiny(scenario, plan, plan_dir, log_from_people(scenario, people))


def id_card(k: int) -> str:
    """A made-up 18-character ID number, distinctive enough to grep for."""
    return f"31010519{k:010d}"


def messy_log(tiny: Tiny, folder: Path) -> tuple[Path, list[str], dict[int, str]]:
    """The tiny log with Chinese headers, ID-card numbers and seven bad rows.

    Returns the CSV path, every clear ID written into it, and the expected problem code per
    spreadsheet row.
    """
    frame = tiny.log.copy()
    frame["sampled_at"] = frame["sampled_at"].dt.strftime("%Y-%m-%d %H:%M:%S")
    frame["arrived_at"] = frame["arrived_at"].dt.strftime("%Y-%m-%d %H:%M:%S")
    frame["person"] = [id_card(k) for k in range(len(frame))]
    frame["person"] = frame["person"].astype(object)
    # The phone number column of the export: personal, not a log field, must not leak either.
    frame["手机号码"] = [f"1390000{k:04d}" for k in range(len(frame))]
    bad = {
        3: ("site_id", "S999", "log_unknown_site"),
        5: ("site_id", "", "value_missing"),
        8: ("sampled_at", "not a time", "log_bad_time"),
        13: ("sampled_at", "2022-03-17 08:00:00", "log_other_day"),
        21: ("arrived_at", "2022-03-16 23:00:00", "log_arrived_after"),
        34: ("building_id", "B-NOWHERE", "log_unknown_building"),
        55: ("arrived_at", "soon", "log_bad_time"),
        # A row shifted by one column: an ID number where the building should be.
        144: ("building_id", id_card(144), "log_unknown_building"),
    }
    codes: dict[int, str] = {}
    for i, (column, value, code) in bad.items():
        frame.loc[i, column] = value
        codes[i + 2] = code
    # The same ID twice: a warning, both rows kept.
    frame.loc[89, "person"] = frame.loc[88, "person"]
    codes[89 + 2] = "log_sampled_twice"
    frame = frame.rename(columns=EXPORT_NAMES)
    path = folder / "登记导出.csv"
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    ids = [*frame["身份证号"].astype(str), *frame["手机号码"].astype(str)]
    return path, ids, codes


def test_bad_rows_are_listed_and_skipped(tiny: Tiny, tmp_path: Path) -> None:
    path, _, codes = messy_log(tiny, tmp_path)
    log = read_log(path, tiny.scenario, salt=Salt.resolve("s"))
    got = {p.row: p.code for p in log.problems}
    assert got == codes
    errors = [p for p in log.problems if p.severity == "error"]
    assert log.skipped == len(errors) == 8
    assert len(log.frame) == len(tiny.log) - 8
    assert set(log.frame["row"]).isdisjoint(p.row for p in errors)
    # The columns were recognised from their Chinese names.
    assert {"site_id", "sampled_at", "desk", "tube_id", "building_id", "person", "arrived_at"} <= (
        log.fields
    )
    assert log.frame["arrived"].notna().all() and (log.frame["desk"] != "").all()
    messages = {p.row: p.render("en") for p in log.problems}
    assert (
        messages[5]
        == f'{path.name}:5: site_id: unknown site "S999" (not in the scenario): row skipped'
    )
    assert "2022-03-17 08:00:00" in messages[15]
    assert messages[91].endswith("the same person was sampled at row 90 (both rows kept)")


def test_no_clear_ids_anywhere_in_the_report(tiny: Tiny, tmp_path: Path) -> None:
    path, ids, _ = messy_log(tiny, tmp_path)
    out = tmp_path / "report"
    for lang in ("zh", "en"):
        result = RUNNER.invoke(
            app,
            [
                "--lang",
                lang,
                "replay",
                str(REPO / "scenarios" / "tiny"),
                str(path),
                "--plan",
                str(tiny.plan_dir),
                "--out",
                str(out),
                "--reps",
                "2",
                "--solve-time",
                "1",
            ],
        )
        assert result.exit_code == 0, result.output
        for value in ids:
            assert value not in result.output
        # The CLI lists the first problems, naming row and column but never the ID.
        assert "登记导出.csv:5: site_id" in result.output
        assert "登记导出.csv:91: person" in result.output
    files = [f for f in out.rglob("*") if f.is_file()]
    assert {"summary.md", "problems.csv", "log.parquet", "sites.csv", "calibration.toml"} <= {
        f.name for f in files
    }
    blob = b"\n".join(f.read_bytes() for f in files)
    leaked = [value for value in ids if value.encode() in blob]
    assert leaked == []
    # ...while the hashes are there, and the report says how many were hashed.
    summary = (out / "summary.md").read_text(encoding="utf-8")
    kept = len(tiny.log) - 8
    assert f"{kept:,} personal identifiers replaced by salted hashes" in summary
    problems = pd.read_csv(out / "problems.csv")
    assert len(problems) == 9 and set(problems["severity"]) == {"error", "warning"}
    hashed = pd.read_parquet(out / "log.parquet")["person"]
    assert hashed.str.fullmatch(r"[0-9a-f]{16}").all()


def test_export_names_are_aliases_of_every_field() -> None:
    assert set(EXPORT_NAMES) == set(FIELDS)
    assert all(ALIASES[name] == field for field, name in EXPORT_NAMES.items())


def test_hashes_depend_on_the_salt_and_normalise_ids() -> None:
    ids = pd.Series(["31010519900101123x", "31010519900101123X ", "", "13900001234"])
    one = hash_ids(ids, Salt(b"a", "given"))
    assert one[0] == one[1] != "" and one[2] == "" and one[3] != one[0]
    assert hash_ids(ids, Salt(b"b", "given"))[0] != one[0]
    random_a, random_b = Salt.resolve(None), Salt.resolve(None)
    assert random_a.source == "random" and random_a.value != random_b.value


def test_salt_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANNER_REPLAY_SALT", "pepper")
    salt = Salt.resolve(None)
    assert salt.source == "env" and salt.value == b"pepper"
    assert Salt.resolve("given").source == "given"


def test_parquet_timestamps_clock_times_and_a_mapping_file(tiny: Tiny, tmp_path: Path) -> None:
    parquet = tmp_path / "log.parquet"
    write_log(tiny.log, str(parquet))
    from_parquet = read_log(parquet, tiny.scenario, salt=Salt.resolve("s"))
    assert from_parquet.problems == () and len(from_parquet.frame) == len(tiny.log)
    minutes = tiny.log["sampled_at"].dt.hour * 60 + tiny.log["sampled_at"].dt.minute
    minutes = minutes + tiny.log["sampled_at"].dt.second / 60
    assert sorted(from_parquet.frame["sampled"]) == pytest.approx(sorted(minutes))
    # Odd names mapped by a file; bare clock times on the round's day.
    odd = pd.DataFrame(
        {
            "point": tiny.log["site_id"],
            "when": tiny.log["sampled_at"].dt.strftime("%H:%M:%S"),
        }
    )
    odd.to_csv(tmp_path / "odd.csv", index=False)
    mapping = tmp_path / "map.toml"
    mapping.write_text('[columns]\npoint = "site_id"\nwhen = "sampled_at"\n', encoding="utf-8")
    out = tmp_path / "r"
    args = ["--lang", "en", "replay", str(REPO / "scenarios" / "tiny"), str(tmp_path / "odd.csv")]
    result = RUNNER.invoke(
        app, [*args, "--out", str(out), "--mapping", str(mapping), "--no-whatif"]
    )
    assert result.exit_code == 0, result.output
    sites = pd.read_csv(out / "sites.csv").set_index("site_id")["samples"]
    assert sites.to_dict() == tiny.log["site_id"].value_counts().to_dict()
    # Without the mapping the required columns are missing: a message per column, exit 1.
    result = RUNNER.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 1
    assert "odd.csv: site_id: required column is missing" in result.output
    assert "odd.csv: sampled_at: required column is missing" in result.output
    assert "Traceback" not in result.output


def test_unusable_logs_raise(tiny: Tiny, tmp_path: Path) -> None:
    with pytest.raises(LogError) as missing:
        read_log(tmp_path / "nope.csv", tiny.scenario)
    assert missing.value.problems[0].code == "log_missing"
    latin = tmp_path / "latin.csv"
    latin.write_bytes("采样点,采样时间\nS001,06:00\n".encode("gb18030"))
    with pytest.raises(LogError) as wrong:
        read_log(latin, tiny.scenario)
    assert wrong.value.problems[0].code == "not_utf8"


def test_simulate_log_cli_writes_a_replayable_log(tiny: Tiny, tmp_path: Path) -> None:
    out = tmp_path / "day.csv"
    args = ["--lang", "en", "simulate", str(REPO / "scenarios" / "tiny"), str(tiny.plan_dir)]
    result = RUNNER.invoke(app, [*args, "--reps", "1", "--seed", "1", "--log", str(out)])
    assert result.exit_code == 0, result.output
    written = pd.read_csv(out)
    assert list(written.columns) == [
        "site_id",
        "desk",
        "sampled_at",
        "arrived_at",
        "building_id",
        "person",
        "tube_id",
    ]
    # Same seed, same plan: the fixture's log exactly.
    assert len(written) == len(tiny.log)
    assert written["person"].tolist() == tiny.log["person"].tolist()
    assert f"({len(written):,} rows)" in result.output
    log = read_log(out, tiny.scenario, salt=Salt.resolve("s"))
    assert log.problems == () and log.hashed == len(written)


def test_a_log_without_one_good_row_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "site_id,sampled_at,person\nS999,2022-03-16 06:00:00,310105199001011234\nS001,soon,1\n",
        encoding="utf-8",
    )
    args = ["--lang", "en", "replay", str(REPO / "scenarios" / "tiny"), str(path)]
    result = RUNNER.invoke(app, [*args, "--out", str(tmp_path / "r"), "--no-whatif"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        'bad.csv:2: site_id: unknown site "S999" (not in the scenario): row skipped',
        'bad.csv:3: sampled_at: "soon" is not a time (e.g. 2022-03-16 06:01:02 or 06:01): '
        "row skipped",
        "bad.csv: none of the 2 rows can be used: nothing to replay",
        "the sampling log cannot be used (3 problems)",
    ]
    assert not (tmp_path / "r").exists()
