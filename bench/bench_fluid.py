"""How far each solved plan is from the fluid floor of its own assignment, and that from the bound.

Run on demand (not in CI): ``.venv/bin/python bench/bench_fluid.py [--time-limit 60]``. For each
bundled scenario: solve, then the fluid floor (:mod:`planner.solver.fluid`) of the plan's site
assignment and door teams, with each committee's sweepers calling only its buildings, with every
sweeper pooled, and with committees at the solver's planning assumption of 75% calling; then
with each sweeper's time split between committees as the plan's calls split it (the plan's own
lending), calling all the time and at the plan's own calling share (``planner.sweep_time``);
against the finish lower bound and the plan's simulated finish (p90). Prints a markdown table
for docs/performance.md.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from planner import load_scenario
from planner.solver import SolveConfig, solve
from planner.solver.fluid import fluid_floor, plan_problem
from planner.sweep_time import sweeper_time
from planner.timefmt import format_hhmm

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--scenarios", nargs="+", default=["tiny", "compound-103", "town"])
    args = parser.parse_args()
    print(
        "| scenario | lower bound | floor, pooled sweepers | floor, committees' sweepers "
        "| same at 75% calling | plan's lending | same at the plan's calling share "
        "| solved plan (p90) | floors' seconds |"
    )
    print("|---|---|---|---|---|---|---|---|---:|")
    for name in args.scenarios:
        scenario = load_scenario(SCENARIOS / name)
        result = solve(scenario, SolveConfig(time_limit=args.time_limit))
        start, bound = scenario.round.start, result.lower_bound
        started = time.perf_counter()
        lowest = int(bound) if bound is not None else None
        owned = plan_problem(scenario, result.plan)
        pooled = fluid_floor(plan_problem(scenario, result.plan, pooled=True), lowest=lowest)
        committees = fluid_floor(owned, lowest=lowest)
        planning = fluid_floor(owned, efficiency=0.75, lowest=lowest)
        lent = plan_problem(scenario, result.plan, as_called=True)
        share = sweeper_time(scenario, result.plan).calling_share
        as_lent = fluid_floor(lent, lowest=lowest)
        as_done = fluid_floor(lent, efficiency=share, lowest=lowest)
        seconds = time.perf_counter() - started
        finish = (result.kpis["finish"] or {}).get("p90")
        minutes = [bound, pooled.finish, committees.finish, planning.finish, as_lent.finish]
        cells = " | ".join(_over(m, start, bound) for m in minutes)
        cells += f" | {_over(as_done.finish, start, bound)} at {share:.0%} | "
        cells += _over(finish, start, bound)
        print(f"| {name} | {cells} | {seconds:.1f} |", flush=True)


def _over(minute: float | None, start: int, bound: float | None) -> str:
    """``HH:MM (+x%)``: the minute, and how much longer than the bound's day it makes the day."""
    if minute is None:
        return "never"
    if bound is None:
        return format_hhmm(minute)
    return f"{format_hhmm(minute)} ({(minute - start) / (bound - start) - 1:+.0%})"


if __name__ == "__main__":
    main()
