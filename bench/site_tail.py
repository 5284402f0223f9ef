"""Which sites end a plan's day last, and what held each of them back.

Usage (from the repository root)::

    .venv/bin/planner solve scenarios/town --out /tmp/town-plan
    .venv/bin/python bench/site_tail.py scenarios/town /tmp/town-plan [--sites 15]

Prints a markdown table of the sites whose desks close last, with three ends to compare with the
desks' close (all from the plan, in expected values, no simulation):

- ``desk-bound end``: the site's first desk plus its people served at its most desks all along;
  a close far past it means the desks were not fed (the sweepers came late or called slowly);
- ``lift-bound end``: the first call of its tower with the longest lift queue plus that queue
  (riders / lift_people x lift_s); close to the desks' close means the tower's lift set the end
  and its floors should have been called earlier;
- the first desk and the first call: a site that opens hours after the round's start was laid
  out late in its committee's sweeper time (docs/solver.md, "Session 23").
"""

from __future__ import annotations

import argparse
import math
import sys
from collections import defaultdict
from pathlib import Path

from planner import load_scenario
from planner.model import Scenario
from planner.plan import Plan
from planner.planfile import read_plan
from planner.problems import ScenarioError
from planner.solver.waves import descent
from planner.timefmt import format_hhmm


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", type=Path)
    parser.add_argument("plan", type=Path)
    parser.add_argument("--sites", type=int, default=15, help="how many of the latest sites")
    args = parser.parse_args(argv)
    try:
        scenario = load_scenario(args.scenario)
        plan = read_plan(args.plan, scenario)
    except ScenarioError as exc:  # the plan's PlanError too: say what is wrong, no traceback
        print(exc, file=sys.stderr)
        return 2
    print(
        "| site | committee | most desks | people | first desk | first call | last call "
        "| desk-bound end | longest lift (min) | its first call | lift-bound end | desks close |"
    )
    print("|---|---|---:|---:|---|---|---|---|---:|---|---|---|")
    for row in tail_rows(scenario, plan)[: args.sites]:
        print("| " + " | ".join(row) + " |")
    return 0


def tail_rows(scenario: Scenario, plan: Plan) -> list[list[str]]:
    """One row per site with calls, latest desk close first (see the module docstring)."""
    flow = scenario.flow
    sites = {s.site_id: s for s in scenario.sites}
    buildings = {b.building_id: b for b in scenario.buildings}
    spells = defaultdict(list)
    for d in plan.desks:
        spells[d.site_id].append(d)
    calls = defaultdict(list)
    for c in plan.calls:
        calls[c.site_id].append(c)
    rows: list[tuple[float, list[str]]] = []
    for site_id, site_calls in calls.items():
        site = sites[site_id]
        open_spells = spells.get(site_id, [])
        first_desk = min((d.start for d in open_spells), default=math.nan)
        close = max((d.end for d in open_spells), default=math.nan)
        people = sum(c.people for c in site_calls) * flow.turnout
        desk_end = first_desk + people * flow.service_s / 60.0 / max(1, site.max_desks)
        lift_min: dict[str, float] = defaultdict(float)
        lift_first: dict[str, float] = {}
        for c in site_calls:
            # The solver's own reading of a wave's way down (walking to the site is not needed).
            way = descent(buildings[c.building_id], c.floor_from, c.floor_to, c.people, flow, 0.0)
            if way.rides:
                lift_min[c.building_id] += way.rides * flow.lift_s / 60.0
                first = lift_first.get(c.building_id, math.inf)
                lift_first[c.building_id] = min(first, c.call_time)
        tower = max(lift_min, key=lambda b: lift_min[b], default=None)
        longest = lift_min[tower] if tower else 0.0
        tower_first = lift_first[tower] if tower else math.nan
        rows.append(
            (
                close,
                [
                    site_id,
                    site.committee,
                    str(site.max_desks),
                    f"{people:,.0f}",
                    _hhmm(first_desk),
                    _hhmm(min(c.call_time for c in site_calls)),
                    _hhmm(max(c.call_time for c in site_calls)),
                    _hhmm(desk_end),
                    f"{longest:.0f}",
                    _hhmm(tower_first),
                    _hhmm(tower_first + longest) if tower else "",
                    _hhmm(close),
                ],
            )
        )
    # Latest close first; a site with calls but no desks (no close) last.
    rows.sort(key=lambda r: (math.inf if math.isnan(r[0]) else -r[0], r[1][0]))
    return [r for _, r in rows]


def _hhmm(minutes: float) -> str:
    return format_hhmm(minutes) if minutes == minutes else ""


if __name__ == "__main__":
    sys.exit(main())
