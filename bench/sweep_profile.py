"""Where a plan's sweeper time goes, and whether calling or desks set the pace, by half hour.

Usage (from the repository root)::

    .venv/bin/planner solve scenarios/town --out /tmp/town-plan
    .venv/bin/python bench/sweep_profile.py scenarios/town /tmp/town-plan

Prints two markdown tables: the sweepers' minutes (calling, walking, waiting; moves within a site
and between sites; the least walking any plan needs), and per half hour the people called, what
the plan's desks could serve, the sweepers on duty, and the desk crews and sweepers the staff
list offers (the solver's front-loaded view, so samplers' protective-gear breaks show). Called
well below desk capacity while sweepers wait or walk means calling sets the pace
(docs/solver.md, "Where the time goes").
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

from planner import load_scenario
from planner.model import Role
from planner.plan import SWEEP_POST
from planner.planfile import read_plan
from planner.problems import ScenarioError
from planner.solver.budget import crews_per_slot, people_per_slot
from planner.sweep_time import sweeper_time
from planner.timefmt import format_hhmm

_SLOT_MIN = 30


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", type=Path)
    parser.add_argument("plan", type=Path)
    args = parser.parse_args(argv)
    try:
        scenario = load_scenario(args.scenario)
        plan = read_plan(args.plan, scenario)
    except ScenarioError as exc:  # the plan's PlanError too: say what is wrong, no traceback
        print(exc, file=sys.stderr)
        return 2
    t = sweeper_time(scenario, plan)
    print("| sweeper minutes | value |\n|---|---:|")
    rows = [
        ("calling", t.calling_min),
        ("walking", t.walking_min),
        ("  within a site", t.walking_same_site_min),
        ("  between sites", t.walking_other_site_min),
        ("waiting", t.waiting_min),
        ("least walking any plan needs", t.least_walking_min),
    ]
    for name, value in rows:
        print(f"| {name} | {value:,.0f} |")
    print(f"| moves within a site / between sites | {t.moves_same_site} / {t.moves_other_site} |")
    print(f"| calling share | {t.calling_share:.0%} |\n")

    start = min([c.call_time for c in plan.calls] + [d.start for d in plan.desks])
    end = max([c.call_time for c in plan.calls] + [d.end for d in plan.desks])
    first = start // _SLOT_MIN * _SLOT_MIN
    slots = max(1, math.ceil((end - first) / _SLOT_MIN))
    called = np.zeros(slots)
    desk_min = np.zeros(slots)
    sweeper_min = np.zeros(slots)
    edges = first + _SLOT_MIN * np.arange(slots + 1)

    def spread(into: np.ndarray, lo: int, hi: int, weight: float) -> None:
        into += weight * np.clip(np.minimum(edges[1:], hi) - np.maximum(edges[:-1], lo), 0, None)

    for call in plan.calls:
        called[(call.call_time - first) // _SLOT_MIN] += call.people
    for spell in plan.desks:
        spread(desk_min, spell.start, spell.end, spell.desks)
    for shift in plan.roster:
        if shift.post == SWEEP_POST:
            spread(sweeper_min, shift.start, shift.end, 1.0)
    per_desk_min = 60.0 / scenario.flow.service_s
    # What the staff list allows (the solver's front-loaded view: a sampler's PPE break comes
    # after max_ppe_h), before door teams take their members.
    crews, _ = crews_per_slot(scenario, scenario.staff, first, _SLOT_MIN, slots)
    sweepers = people_per_slot(scenario.staff, Role.SWEEPER, scenario, first, _SLOT_MIN, slots)
    print(
        "| from | people called | desks could serve | sweepers on duty "
        "| desk crews on the staff list | sweepers on the staff list |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for k in range(slots):
        print(
            f"| {format_hhmm(int(edges[k]))} | {called[k]:,.0f} | "
            f"{desk_min[k] * per_desk_min:,.0f} | {sweeper_min[k] / _SLOT_MIN:.0f} | "
            f"{crews[k]} | {sweepers[k]} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
