"""The command line: exit codes, problem lines, no tracebacks, both languages."""

from __future__ import annotations

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
    assert "场景摘要：mini" in out and "430 人" in out and "08:12" in out


def test_summary_in_english(mini_dir: Path) -> None:
    code, out = run("--lang", "en", "summary", str(mini_dir))
    assert code == 0
    assert "430 people in 170 households; 325 walk to a site, 105 sampled at the door" in out
    assert "Earliest finish (lower bound): 08:12 (deadline 09:00)" in out


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
    for command in ("validate", "summary", "generate"):
        code, out = run(command, "--help")
        assert code == 0 and "Usage" in out
