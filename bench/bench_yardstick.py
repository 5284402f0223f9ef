"""Time the yardstick on the bundled scenarios: load, baselines, check, simulate (1 and 30 reps).

Run on demand (not in CI): ``.venv/bin/python bench/bench_yardstick.py [--reps 30]``. Prints a
markdown table; paste it into docs/performance.md with the command. Every step runs in this one
process on one core, so ratios between rows are fair even on a noisy shared machine.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from planner import load_scenario
from planner.baseline import baseline
from planner.check import check_plan
from planner.simulate import simulate

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
T = TypeVar("T")


def timed(work: Callable[[], T]) -> tuple[T, float]:
    """Result and wall seconds of ``work()``."""
    started = time.perf_counter()
    result = work()
    return result, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=30, help="replications of the long run")
    parser.add_argument("--scenarios", nargs="+", default=["tiny", "compound-103", "town"])
    args = parser.parse_args()
    print("| scenario | residents | step | seconds | note |")
    print("|---|---:|---|---:|---|")
    for name in args.scenarios:
        folder = SCENARIOS / name
        scenario, seconds = timed(lambda: load_scenario(folder))  # noqa: B023
        people = f"{scenario.residents:,}"
        print(f"| {name} | {people} | load + validate | {seconds:.2f} | |")
        for kind in ("broadcast", "stagger"):
            result, seconds = timed(lambda: baseline(scenario, kind))  # noqa: B023
            print(
                f"| {name} | {people} | baseline {kind} | {seconds:.2f} | "
                f"{len(result.plan.calls):,} calls, {len(result.plan.roster):,} shifts |"
            )
            problems, seconds = timed(lambda: check_plan(scenario, result.plan))  # noqa: B023
            print(
                f"| {name} | {people} | check {kind} | {seconds:.2f} | {len(problems)} violations |"
            )
            for reps in (1, args.reps):
                _, seconds = timed(
                    lambda: simulate(scenario, result.plan, reps=reps, seed=0, keep_people=0)  # noqa: B023
                )
                print(
                    f"| {name} | {people} | simulate {kind}, {reps} reps | {seconds:.2f} | "
                    f"{seconds / reps:.3f} s/rep |"
                )


if __name__ == "__main__":
    main()
