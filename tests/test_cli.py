"""The command line: exit codes, problem lines, no tracebacks, both languages."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from planner.cli import app

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_validate_accepts_a_good_scenario(mini_dir: Path) -> None:
    code, out = run("--lang", "en", "validate", str(mini_dir))
    assert code == 0
    assert "valid scenario: mini" in out


def test_validate_lists_every_problem_and_fails(
    scenario_writer: Callable[..., Path], mini_tables: dict
) -> None:
    mini_tables["buildings"][1]["immobile"] = 999
    mini_tables["staff"][0]["role"] = "cook"
    code, out = run("--lang", "en", "validate", str(scenario_writer(tables=mini_tables)))
    assert code == 1
    assert "buildings.csv:3: immobile: 999 immobile residents but only 250 residents" in out
    assert 'staff.csv:2: role: unknown role "cook"' in out
    assert "the scenario has 2 errors" in out
    assert "Traceback" not in out


def test_validate_warns_but_passes_when_short(
    scenario_writer: Callable[..., Path], mini_tables: dict
) -> None:
    mini_tables["staff"] = [r for r in mini_tables["staff"] if r["role"] != "sampler"]
    code, out = run("--lang", "en", "validate", str(scenario_writer(tables=mini_tables)))
    assert code == 0
    assert "sampler hours short" in out and "valid scenario" in out


def test_summary_in_chinese_by_default(mini_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PLANNER_LANG", raising=False)
    code, out = run("summary", str(mini_dir))
    assert code == 0
    assert "场景摘要：mini" in out and "430 人" in out and "08:13" in out


def test_summary_in_english(mini_dir: Path) -> None:
    code, out = run("--lang", "en", "summary", str(mini_dir))
    assert code == 0
    assert "430 people in 170 households; 325 walk to a site, 105 sampled at the door" in out
    assert "Earliest finish (lower bound): 08:13 (deadline 09:00)" in out


def test_generate_refuses_to_overwrite_and_unknown_preset(tmp_path: Path) -> None:
    out = tmp_path / "x"
    out.mkdir()
    (out / "keep.txt").write_text("mine", encoding="utf-8")
    code, text = run("--lang", "en", "generate", "--preset", "tiny", str(out))
    assert code == 2 and "not empty" in text
    assert (out / "keep.txt").read_text(encoding="utf-8") == "mine"
    code, text = run("--lang", "en", "generate", "--preset", "metropolis", str(tmp_path / "y"))
    assert code == 2 and "metropolis" in text and "compound-103" in text


def test_generate_then_validate(tmp_path: Path) -> None:
    code, _ = run("generate", "--preset", "tiny", "--seed", "3", str(tmp_path / "t"))
    assert code == 0
    code, out = run("--lang", "en", "validate", str(tmp_path / "t"))
    assert code == 0, out


@pytest.mark.parametrize("command", ["validate", "summary"])
def test_real_process_prints_no_traceback(tmp_path: Path, command: str) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "scenario.toml").write_text("[round\n", encoding="utf-8")
    (folder / "buildings.csv").write_bytes(b"\xff\xfe\x00garbage")
    proc = subprocess.run(
        [sys.executable, "-m", "planner.cli", "--lang", "en", command, str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "scenario.toml: TOML syntax error" in proc.stderr
    assert "buildings.csv: not UTF-8 text" in proc.stderr
    assert "sites.csv: table sites not found" in proc.stderr


def test_every_subcommand_has_help() -> None:
    for command in (
        "validate",
        "summary",
        "generate",
        "check",
        "simulate",
        "compare",
        "baseline",
        "solve",
        "print",
    ):
        code, out = run(command, "--help")
        assert code == 0 and "Usage" in out


def test_check_accepts_the_mini_plan_and_rejects_a_broken_one(
    mini_dir: Path, mini_plan: dict, tmp_path: Path
) -> None:
    from conftest import write_plan_tables

    good = write_plan_tables(tmp_path / "good", mini_plan)
    code, out = run("--lang", "en", "check", str(mini_dir), str(good))
    assert code == 0 and "valid plan" in out
    mini_plan["desks"][0]["desks"] = 5  # S1 has 3 desks at most
    bad = write_plan_tables(tmp_path / "bad", mini_plan)
    code, out = run("--lang", "en", "check", str(mini_dir), str(bad))
    assert code == 1
    assert "desks.csv:2: desks:" in out and "the plan has" in out


def test_check_names_unreadable_plan_cells(mini_dir: Path, mini_plan: dict, tmp_path: Path) -> None:
    from conftest import write_plan_tables

    mini_plan["calls"][2]["site_id"] = "S9"
    mini_plan["roster"][0]["start"] = "6h"
    folder = write_plan_tables(tmp_path / "p", mini_plan)
    code, out = run("--lang", "en", "check", str(mini_dir), str(folder))
    assert code == 1
    assert 'calls.csv:4: site_id: unknown site "S9"' in out
    assert 'roster.csv:2: start: "6h" is not a HH:MM time' in out


def test_simulate_saves_kpis_next_to_made_by(mini_dir: Path, mini_plan_dir: Path) -> None:
    import json

    (mini_plan_dir / "kpis.json").write_text('{"made_by": {"kind": "manual"}}', encoding="utf-8")
    records = mini_plan_dir.parent / "records"
    code, out = run(
        "--lang",
        "en",
        "simulate",
        str(mini_dir),
        str(mini_plan_dir),
        "--reps",
        "2",
        "--records",
        str(records),
    )
    assert code == 0 and "2 replications, seed 0" in out and "finish lower bound: 08:12" in out
    saved = json.loads((mini_plan_dir / "kpis.json").read_text(encoding="utf-8"))
    assert saved["made_by"] == {"kind": "manual"} and saved["kpis"]["reps"] == 2
    assert (records / "people.parquet").exists() and (records / "queue.parquet").exists()


def test_compare_prints_every_plan(mini_dir: Path, mini_plan_dir: Path, tmp_path: Path) -> None:
    import shutil

    other = shutil.copytree(mini_plan_dir, tmp_path / "other")
    code, out = run(
        "--lang", "en", "compare", str(mini_dir), str(mini_plan_dir), str(other), "--reps", "2"
    )
    assert code == 0
    assert "mini-plan" in out and "other" in out and "(×1.00)" in out


def test_solve_writes_a_valid_plan_and_prints_stages(tmp_path: Path) -> None:
    from conftest import SCENARIOS

    out = tmp_path / "plan"
    result = runner.invoke(
        app,
        ["--lang", "en", "solve", str(SCENARIOS / "tiny"), "--out", str(out), "--time-limit", "10"],
    )
    assert result.exit_code == 0, result.output
    assert "plan written to" in result.output and "sites and building assignment" in result.output
    code, text = run("--lang", "en", "check", str(SCENARIOS / "tiny"), str(out))
    assert code == 0 and "valid plan" in text
    made_by = json.loads((out / "kpis.json").read_text(encoding="utf-8"))["made_by"]
    from planner.solver.config import SolveConfig

    # The CLI's default is the solver's.
    assert made_by["short_wait_min"] == SolveConfig().short_wait_min


def test_solve_takes_the_short_wait(tmp_path: Path) -> None:
    from conftest import SCENARIOS

    out = tmp_path / "plan"
    args = ["solve", str(SCENARIOS / "tiny"), "--out", str(out), "--time-limit", "10"]
    result = runner.invoke(app, [*args, "--short-wait", "12.5"])
    assert result.exit_code == 0, result.output
    made_by = json.loads((out / "kpis.json").read_text(encoding="utf-8"))["made_by"]
    assert made_by["short_wait_min"] == 12.5
    refused = runner.invoke(app, [*args, "--short-wait", "-1"])
    assert refused.exit_code != 0 and "Traceback" not in refused.output


def test_print_writes_pdfs_and_refuses_a_missing_font(tmp_path: Path) -> None:
    from conftest import SCENARIOS

    from planner import load_scenario
    from planner.baseline import baseline
    from planner.planfile import write_plan

    scenario = load_scenario(SCENARIOS / "tiny")
    plan_dir = write_plan(baseline(scenario, "stagger").plan, tmp_path / "plan")
    site = scenario.sites[0].site_id
    code, text = run(
        "print",
        str(SCENARIOS / "tiny"),
        str(plan_dir),
        "--out",
        str(tmp_path / "pdf"),
        "--lang",
        "en",
        "--site",
        site,
    )
    assert code == 0, text
    assert (tmp_path / "pdf" / "sites" / f"{site}.pdf").read_bytes().startswith(b"%PDF")
    assert "PDFs" in text
    code, text = run(
        "print",
        str(SCENARIOS / "tiny"),
        str(plan_dir),
        "--out",
        str(tmp_path / "pdf2"),
        "--font",
        str(tmp_path / "none.ttf"),
    )
    assert code == 1 and "none.ttf" in text and "Traceback" not in text


def test_unknown_language_is_refused_not_taken_for_chinese(mini_dir: Path) -> None:
    code, out = run("--lang", "fr", "summary", str(mini_dir))
    flat = " ".join(out.replace("│", " ").split())  # the error box wraps lines
    assert code == 2 and 'language "fr" is not supported' in flat and "Traceback" not in out
    code, out = run("--lang", "en_GB", "summary", str(mini_dir))
    assert code == 0 and "Scenario summary: mini" in out
