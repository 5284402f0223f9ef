"""Replay of a district-scale sampling log (1 million rows): stage by stage and end to end.

Usage::

    .venv/bin/python bench/bench_replay.py [--rows 1000000] [--work /tmp/bench-replay]

Builds the log once (cached in ``--work``): the ``district`` preset, its ``stagger`` baseline plan,
and simulated days (``planner.replay.synth``) merged until there are ``--rows`` rows (later days
get their person ids suffixed, so every row is a distinct person). Then it times each replay
stage in-process on the Parquet log, and ``planner replay`` end to end (a fresh process) on the
Parquet and the CSV log, with the plan (plan against actual simulated once) and without what-if
(solving a district plan is the solver's benchmark, ``bench/bench_solve.py``). Prints a table,
and the service time fitted from the merged log against the scenario's (the truth).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from planner.baseline import baseline  # noqa: E402
from planner.generate import generate  # noqa: E402
from planner.parse import load_scenario  # noqa: E402
from planner.planfile import read_plan, write_plan  # noqa: E402
from planner.replay.calibrate import calibrate  # noqa: E402
from planner.replay.log import Salt, read_log  # noqa: E402
from planner.replay.reconstruct import reconstruct  # noqa: E402
from planner.replay.report import Replay, write_report  # noqa: E402
from planner.replay.synth import log_from_people, write_log  # noqa: E402
from planner.replay.whatif import plan_vs_actual  # noqa: E402
from planner.simulate import simulate  # noqa: E402


def build(work: Path, rows: int) -> tuple[Path, Path, Path, Path]:
    """Scenario, plan, Parquet log and CSV log of about ``rows`` rows (cached)."""
    scenario_dir, plan_dir = work / "district", work / "plan"
    parquet, csv = work / f"log-{rows}.parquet", work / f"log-{rows}.csv"
    if not (scenario_dir / "scenario.toml").exists():
        generate("district", 0).write(scenario_dir)
    scenario = load_scenario(scenario_dir)
    if not (plan_dir / "calls.csv").exists():
        write_plan(baseline(scenario, "stagger").plan, plan_dir)
    if parquet.exists() and csv.exists():
        return scenario_dir, plan_dir, parquet, csv
    plan = read_plan(plan_dir, scenario)
    parts, total, rep = [], 0, 0
    while total < rows:
        people = simulate(scenario, plan, reps=1, seed=rep).people
        day = log_from_people(scenario, people)
        if rep:
            # Another day at the same sites, as if each site had run a second set of desks:
            # distinct people, desks and tubes, so desk-level statistics stay true (turnout
            # over the plan's called people does not: it counts every merged day).
            for column in ("person", "desk", "tube_id"):
                day[column] = day[column] + f"-R{rep}"
        parts.append(day)
        total += len(day)
        rep += 1
    log = pd.concat(parts, ignore_index=True).iloc[:rows]
    log = log.sort_values("sampled_at", kind="stable").reset_index(drop=True)
    write_log(log, str(parquet))
    write_log(log, str(csv))
    return scenario_dir, plan_dir, parquet, csv


def clock(label: str, table: list[tuple[str, float]], action):  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    value = action()
    table.append((label, time.perf_counter() - t0))
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-replay"))
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    scenario_dir, plan_dir, parquet, csv = build(args.work, args.rows)
    scenario = load_scenario(scenario_dir)
    plan = read_plan(plan_dir, scenario)

    stages: list[tuple[str, float]] = []
    salt = Salt.resolve("bench")
    log = clock(
        "read + check + hash (Parquet)", stages, lambda: read_log(parquet, scenario, salt=salt)
    )
    clock("read + check + hash (CSV)", stages, lambda: read_log(csv, scenario, salt=salt))
    recon = clock("reconstruct", stages, lambda: reconstruct(scenario, log))
    cal = clock("calibrate", stages, lambda: calibrate(scenario, log, recon, plan))
    versus = clock(
        "plan against actual (1 simulated day)",
        stages,
        lambda: plan_vs_actual(scenario, plan, log, reps=1),
    )
    result = Replay(scenario, log, recon, cal, versus, None)
    clock("write report", stages, lambda: write_report(result, args.work / "report-lib", "en"))

    ends: list[tuple[str, float]] = []
    planner = str(REPO / ".venv" / "bin" / "planner")
    for name, path in (("Parquet", parquet), ("CSV", csv)):
        command = [planner, "--lang", "en", "replay", str(scenario_dir), str(path)]
        command += ["--plan", str(plan_dir), "--out", str(args.work / f"report-{name}")]
        command += ["--reps", "1", "--no-whatif", "--salt", "bench"]
        t0 = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        ends.append((f"planner replay, {name} log, --plan, --no-whatif", time.perf_counter() - t0))

    print(
        f"log: {len(log.frame):,} rows, {log.frame['site_id'].nunique()} sites, "
        f"{len(recon.desks):,} desks; {parquet.stat().st_size / 1e6:.0f} MB Parquet, "
        f"{csv.stat().st_size / 1e6:.0f} MB CSV"
    )
    print()
    print("| step | seconds |")
    print("|---|---:|")
    for label, seconds in [*stages, *ends]:
        print(f"| {label} | {seconds:.1f} |")
    print()
    flow = scenario.flow
    print(
        f"service_s fitted {cal.service_s.value:.2f} (scenario {flow.service_s}), "
        f"service_cv fitted {cal.service_cv.value:.3f} (scenario {flow.service_cv}), "
        f"from {cal.service_s.n:,} busy gaps"
    )


if __name__ == "__main__":
    main()
