"""Benchmark the location stage on OR-Library instances with known optima.

Solves single-source CFLP p1..p24 and capacitated p-median pmedcap01..20 (from
``../shared/benchmarks``) with :func:`planner.location.solve_location` and prints a markdown
table: instance, n, m, known optimum, found, gap % = (found - opt) / opt * 100, proven bound,
seconds; then a summary line.

Usage (from the repository root)::

    .venv/bin/python bench/bench_location.py                      # all 44, 10 s each
    .venv/bin/python bench/bench_location.py --only p3,pmedcap11  # a subset
    .venv/bin/python bench/bench_location.py --deterministic      # reproducible budget

Exit status 1 when an instance misses the 0.5 % target.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import orlib

from planner.location import solve_location

TARGET_GAP = 0.5  # percent


def _fmt(v: float) -> str:
    return f"{v:.2f}" if abs(v) < 1e5 else f"{v:,.2f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument(
        "--only", default="", help="comma-separated instance names (p1, pmedcap11, ...)"
    )
    ap.add_argument("--time-limit", type=float, default=10.0, help="seconds per instance")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--deterministic", action="store_true", help="deterministic time budget")
    args = ap.parse_args(argv)

    instances = orlib.all_instances()
    if args.only:
        wanted = {w.strip() for w in args.only.split(",") if w.strip()}
        unknown = wanted - {i.name for i in instances}
        if unknown:
            ap.error(f"unknown instance(s): {', '.join(sorted(unknown))}")
        instances = [i for i in instances if i.name in wanted]

    mode = "deterministic" if args.deterministic else "wall-clock"
    print(
        f"time limit {args.time_limit:g} s ({mode}), {args.workers} workers, seed {args.seed}, "
        f"python {platform.python_version()}, {platform.machine()}"
    )
    print()
    print("| instance | n | m | p | known optimum | found | gap % | proven bound | status | s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|---:|")
    gaps: list[float] = []
    times: list[float] = []
    for inst in instances:
        t0 = time.perf_counter()
        res = solve_location(
            inst.demand,
            inst.capacity,
            inst.open_cost,
            inst.assign_cost,
            p=inst.p,
            time_limit=args.time_limit,
            seed=args.seed,
            workers=args.workers,
            deterministic=args.deterministic,
        )
        seconds = time.perf_counter() - t0
        gap = (res.objective - inst.optimum) / inst.optimum * 100 if res.has_plan else float("inf")
        gaps.append(gap)
        times.append(seconds)
        print(
            f"| {inst.name} | {inst.n} | {inst.m} | {inst.p if inst.p is not None else '-'} "
            f"| {_fmt(inst.optimum)} | {_fmt(res.objective)} | {gap:.3f} | {_fmt(res.bound)} "
            f"| {res.status} | {seconds:.2f} |",
            flush=True,
        )
    if not gaps:
        return 0
    within = sum(g <= TARGET_GAP for g in gaps)
    print()
    print(
        f"Summary: {len(gaps)} instances, max gap {max(gaps):.3f} %, mean gap "
        f"{sum(gaps) / len(gaps):.3f} %, within {TARGET_GAP} %: {within}/{len(gaps)}, "
        f"max time {max(times):.2f} s, total {sum(times):.0f} s"
    )
    return 0 if within == len(gaps) else 1


if __name__ == "__main__":
    raise SystemExit(main())
