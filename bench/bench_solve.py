"""The planning core against its targets, with the baselines side by side, in one run.

Run on demand (not in CI): ``.venv/bin/python bench/bench_solve.py [--time-limit 60] [--reps 10]``.
For each bundled scenario: solve time, validity (the checker), simulated finish against the lower
bound, peak queue against queue capacity, p95 wait (town-wide, and at the site where it is
longest, named), walking and staff-hours; then the ``broadcast`` and ``stagger`` baselines
simulated with the same random numbers. Prints a markdown table for docs/performance.md.

A scenario named ``PRESET@SEED`` (``tiny@3``, ``compound-103@1``) is generated with
:func:`planner.generate.generate` instead of read from ``scenarios/``: the bundled three are
what the solver has been tuned on, and generated seeds of the same presets are the check that a
change helps beyond them (docs/solver.md, "Session 15")::

    .venv/bin/python bench/bench_solve.py --scenarios tiny@1 tiny@2 tiny@3 tiny@4 \
        compound-103@1 compound-103@2
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from planner import load_scenario
from planner.baseline import baseline
from planner.check import check_plan
from planner.compare import compare_plans
from planner.generate import generate
from planner.model import Scenario
from planner.solver import SolveConfig, solve
from planner.timefmt import format_hhmm

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--scenarios", nargs="+", default=["tiny", "compound-103", "town"])
    parser.add_argument(
        "--short-wait",
        type=float,
        default=SolveConfig().short_wait_min,
        help="SolveConfig.short_wait_min (minutes)",
    )
    args = parser.parse_args()
    print(
        "| scenario | plan | seconds | violations | finish (p90) | lower bound | over bound "
        "| done by deadline | peak queue | sites over capacity | p95 wait (min) "
        "| worst site's p95 (min) | walking (person-km) | staff-hours |"
    )
    print("|---|---|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name in args.scenarios:
        scenario = _scenario(name)
        started = time.perf_counter()
        config = SolveConfig(time_limit=args.time_limit, short_wait_min=args.short_wait)
        result = solve(scenario, config)
        seconds = time.perf_counter() - started
        plans = [("solve", result.plan)]
        timing = {"solve": seconds}
        for kind in ("broadcast", "stagger"):
            started = time.perf_counter()
            plans.append((kind, baseline(scenario, kind).plan))  # type: ignore[arg-type]
            timing[kind] = time.perf_counter() - started
        comparison = compare_plans(scenario, plans, reps=args.reps, seed=0)
        start = scenario.round.start
        bound = result.lower_bound
        for plan_name, plan in plans:
            kpis = comparison.kpis[plan_name]
            finish = (kpis["finish"] or {}).get("p90")
            over = (
                f"{(finish - start) / (bound - start) - 1:+.0%}"
                if finish is not None and bound is not None
                else "never"
            )
            print(
                f"| {name} | {plan_name} | {timing[plan_name]:.1f} | "
                f"{len(check_plan(scenario, plan))} | "
                f"{format_hhmm(finish) if finish is not None else 'never'} | "
                f"{format_hhmm(bound) if bound is not None else '-'} | {over} | "
                f"{kpis['done_by_deadline']['mean']:.1%} | {kpis['peak_queue']['mean']:.0f} | "
                f"{len(kpis['sites_over_capacity'])} | {kpis['wait_p95_min']['mean']:.1f} | "
                f"{kpis['wait_p95_worst_site_min']['mean']:.1f} {kpis['worst_wait_site']} | "
                f"{kpis['walking_person_m']['mean'] / 1000:,.0f} | {kpis['staff_hours']:,.0f} |"
            )


def _scenario(name: str) -> Scenario:
    """A bundled scenario by folder name, or ``PRESET@SEED`` generated afresh."""
    if "@" not in name:
        return load_scenario(SCENARIOS / name)
    preset, seed = name.split("@", 1)
    with tempfile.TemporaryDirectory() as folder:
        generate(preset, int(seed)).write(Path(folder))
        return load_scenario(folder)


if __name__ == "__main__":
    main()
