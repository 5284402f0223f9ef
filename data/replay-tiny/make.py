"""Rebuild this folder: the tiny scenario's plan and one simulated day, exported as a sampling log.

Also the plan of ``compound-103`` that ``tests/test_replay.py`` simulates and replays.

Run from the repository root: ``.venv/bin/python data/replay-tiny/make.py``. The log has the
Chinese column names of a registration export, made-up ID numbers (all starting 000000, so they
are obviously not real) and three bad rows, so a replay has something to report.
"""

from __future__ import annotations

from pathlib import Path

from planner.parse import load_scenario
from planner.planfile import write_plan
from planner.replay.log import EXPORT_NAMES
from planner.replay.synth import log_from_people
from planner.simulate import simulate
from planner.solver import SolveConfig, solve

HERE = Path(__file__).resolve().parent


def main() -> None:
    scenario = load_scenario(HERE.parent.parent / "scenarios" / "tiny")
    plan = solve(scenario, SolveConfig(time_limit=5, seed=0)).plan
    write_plan(plan, HERE / "plan")
    people = simulate(scenario, plan, reps=1, seed=1).people
    log = log_from_people(scenario, people)
    for column in ("sampled_at", "arrived_at"):
        log[column] = log[column].dt.strftime("%Y-%m-%d %H:%M:%S")
    log["person"] = [f"000000{k:011d}X" for k in range(len(log))]
    log.loc[10, "site_id"] = "S404"  # a site that is not in the scenario
    log.loc[20, "sampled_at"] = "16/03 7点"  # a time nobody can parse
    log.loc[30, "sampled_at"] = "2022-03-15 07:00:00"  # the day before the round
    log.rename(columns=EXPORT_NAMES).to_csv(HERE / "log.csv", index=False, encoding="utf-8")
    # The plan of compound-103 the calibration tests replay (kept here so that they test the
    # replay, not whatever the solver makes today).
    compound = load_scenario(HERE.parent.parent / "scenarios" / "compound-103")
    write_plan(solve(compound, SolveConfig(time_limit=5, seed=0)).plan, HERE / "compound-103-plan")


if __name__ == "__main__":
    main()
