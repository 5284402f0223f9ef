"""Time :func:`planner.simulate.simulate` on a generated scenario.

Usage (from the repository root)::

    .venv/bin/python bench/bench_simulate.py                       # town, seed 0, 1 and 30 reps
    .venv/bin/python bench/bench_simulate.py --plan-kind simple broadcast stagger
    .venv/bin/python bench/bench_simulate.py --preset district --reps 1
    .venv/bin/python bench/bench_simulate.py --plan path/to/plan    # a plan folder for the preset

Prints a markdown table (scenario, plan, residents, reps, seconds, seconds/rep) to paste into
``docs/performance.md``. Plans: ``stagger`` and ``broadcast`` are :func:`planner.baseline.baseline`
plans; ``simple`` is built here so the benchmark does not depend on any planning module: each
building goes to the nearest site that has room left (80 % of a day's desk capacity) and is called
whole, each site's buildings called one after another from 06:00 to 12:00, every site running
``max_desks`` desks from the round's start to its deadline, and door visits for locked buildings
and the immobile made by one team per committee. It is not meant to be a good plan
(whole-building calls jam lifts); it exercises every part of the simulation at full size.

Timings cover :func:`simulate` only (not generating or loading the scenario, nor making the plan)
with ``keep_people=None``, i.e. every replication's per-person records kept (the default); the
people DataFrame itself is built lazily and not timed.
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from planner import load_scenario
from planner.geo import distance_matrix_m
from planner.model import Scenario
from planner.plan import Call, DeskSpell, Plan, Visit
from planner.simulate import simulate


def simple_plan(scenario: Scenario) -> Plan:
    """A plain plan: nearest site with room, whole-building calls, all desks open, door teams."""
    buildings, sites, flow = scenario.buildings, scenario.sites, scenario.flow
    first, last = scenario.round.start, scenario.round.deadline
    dist = distance_matrix_m(
        [b.lat for b in buildings],
        [b.lon for b in buildings],
        [s.lat for s in sites],
        [s.lon for s in sites],
    )
    # People each site can serve in the day at 80 % load: the nearest site with room gets the
    # building, else the nearest site.
    room = np.array([0.8 * s.max_desks * (last - first) * 60 / flow.service_s for s in sites])
    by_site: dict[int, list[int]] = defaultdict(list)
    for k, b in enumerate(buildings):
        if b.mobile == 0:
            continue
        ranked = np.argsort(dist[k])
        fits = [int(s) for s in ranked if room[s] >= b.mobile]
        site = fits[0] if fits else int(ranked[0])
        room[site] -= b.mobile
        by_site[site].append(k)
    # Each site's buildings called one after another between 06:00 and 12:00.
    calls = []
    for site, members in sorted(by_site.items()):
        for rank, k in enumerate(members):
            b = buildings[k]
            at = first + 6 * 60 * rank // len(members)
            calls.append(
                Call(
                    b.building_id, 1, b.floors, b.mobile, sites[site].site_id, at, "SW", len(calls)
                )
            )
    desks = tuple(DeskSpell(s.site_id, first, last, s.max_desks) for s in sites)
    visits: list[Visit] = []
    team_clock: dict[str, int] = defaultdict(lambda: first)
    team_seq: dict[str, int] = defaultdict(int)
    for b in buildings:
        if b.door_people == 0:
            continue
        team = f"T-{b.committee}"
        # Rough planned duration: door time per person plus a climb, in whole minutes.
        minutes = int(np.ceil(b.door_people * scenario.crew.door_s_per_person / 60)) + 5
        start = team_clock[team]
        visits.append(
            Visit(
                team,
                team_seq[team],
                b.building_id,
                1,
                b.floors,
                b.door_people,
                start,
                start + minutes,
            )
        )
        team_clock[team] = start + minutes + 2
        team_seq[team] += 1
    return Plan(desks=desks, calls=tuple(calls), visits=tuple(visits), roster=())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="town")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--reps", default="1,30", help="comma-separated replication counts")
    parser.add_argument("--plan", type=Path, help="a plan folder for the scenario")
    parser.add_argument(
        "--plan-kind",
        nargs="+",
        default=["stagger"],
        choices=["simple", "broadcast", "stagger"],
        help="plans to make when no --plan is given",
    )
    args = parser.parse_args(argv)

    from planner.generate import generate  # imported late: only the bench needs it

    with tempfile.TemporaryDirectory() as tmp:
        generate(args.preset, args.seed).write(Path(tmp))
        scenario = load_scenario(tmp)
    plans: list[tuple[str, Plan]] = []
    if args.plan is not None:
        from planner.planfile import read_plan

        plans.append((str(args.plan), read_plan(args.plan, scenario)))
    for kind in [] if args.plan is not None else args.plan_kind:
        if kind == "simple":
            plans.append((kind, simple_plan(scenario)))
        else:
            from planner.baseline import baseline

            plans.append((kind, baseline(scenario, kind).plan))

    rows = []
    for name, plan in plans:
        for reps in (int(r) for r in args.reps.split(",")):
            t0 = time.perf_counter()
            result = simulate(scenario, plan, reps=reps, seed=0)
            seconds = time.perf_counter() - t0
            rows.append((name, reps, seconds, result.kpis))

    print(f"Python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}")
    print()
    print("| scenario | plan | residents | reps | seconds | seconds/rep |")
    print("|---|---|---:|---:|---:|---:|")
    for name, reps, seconds, _ in rows:
        print(
            f"| {args.preset} (seed {args.seed}) | {name} | {scenario.residents:,} | {reps} "
            f"| {seconds:.2f} | {seconds / reps:.3f} |"
        )
    print()
    for name, _, _, kpis in rows[-1:] if len(plans) == 1 else rows[1::2]:
        print(
            f"{name}: finish {kpis['finish']['mean']}, done by deadline "
            f"{kpis['done_by_deadline']['mean']:.3f}, unserved {kpis['unserved']['mean']}, "
            f"peak queue {kpis['peak_queue']['mean']}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
