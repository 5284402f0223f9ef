"""How responsive the page is on a town: re-simulation after an edit, map, full page runs.

Usage (from the repository root)::

    .venv/bin/python bench/bench_page.py                     # town, the stagger plan
    .venv/bin/python bench/bench_page.py --solve 60          # town, a plan solved in 60 s
    .venv/bin/python bench/bench_page.py --plan out/town     # town, a plan folder
    .venv/bin/python bench/bench_page.py --scenario scenarios/compound-103 --repeat 5

Prints a markdown table (step, seconds: median and max over ``--repeat`` runs) for
``docs/performance.md``. Library steps (what a page run after an edit calls):

- ``apply edits``: the edit list played on the base plan (:func:`planner.edits.apply_edits`);
- ``evaluate``: check + simulate (``planner.views.REPS`` replications) + per-site queue bands
  (:func:`planner.views.evaluate`), for each kind of edit;
- ``map layers`` / ``map chart``: the map's DataFrames and the Altair spec with its data.

Page steps drive the real page with AppTest (no browser; the browser draws the same spec):
``edit page: apply a move`` is the script run after clicking "apply" (the edit, its saving, the
new evaluation and the whole page); ``plan page`` is a run of the plan page (map, charts and
tables), after the baselines are cached. The issue asks for under 3 s after an edit. The run
also checks that the map's data holds every building.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from planner import versions, views  # noqa: E402
from planner.baseline import baseline  # noqa: E402
from planner.edits import CloseSite, MarkAbsent, MoveBuilding, SetDesks, apply_edits  # noqa: E402
from planner.parse import load_scenario  # noqa: E402
from planner.planfile import read_plan  # noqa: E402
from planner.solver import SolveConfig, solve  # noqa: E402


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), max(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenario", default=str(REPO / "scenarios" / "town"))
    parser.add_argument("--solve", type=float, default=0.0, help="solve for this many seconds")
    parser.add_argument("--plan", help="a plan folder for the scenario (instead of stagger)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ["PLANNER_HOME"] = tempfile.mkdtemp(prefix="bench-page-")

    sc = load_scenario(args.scenario)
    if args.plan:
        plan = read_plan(args.plan, sc)
        made = f"plan folder {Path(args.plan).name} ({plan.made_by.get('kind', '?')})"
    elif args.solve:
        plan = solve(sc, SolveConfig(time_limit=args.solve)).plan
        made = f"solve {args.solve:.0f} s"
    else:
        plan = baseline(sc, "stagger").plan
        made = "stagger"
    site_of = plan.site_of_building()
    building = sorted(site_of)[len(site_of) // 2]
    here = sc.sites[sc.site_index[site_of[building]]]
    other = min(
        (s for s in sc.sites if s.site_id != here.site_id),
        key=lambda s: (s.lat - here.lat) ** 2 + (s.lon - here.lon) ** 2,
    )
    busy = max(
        {d.site_id for d in plan.desks}, key=lambda s: sum(c.site_id == s for c in plan.calls)
    )
    edits = {
        "move a building": [MoveBuilding(building, other.site_id)],
        "set a site's desks": [SetDesks(busy, 1)],
        "close a site": [CloseSite(busy)],
        "mark staff absent": [MarkAbsent(plan.roster[0].staff_id)],
    }
    rows: list[tuple[str, float, float]] = []
    rows.append(
        (
            "apply edits (4 kinds)",
            *timed(
                lambda: apply_edits(sc, plan, [e for chosen in edits.values() for e in chosen]),
                args.repeat,
            ),
        )
    )
    for name, chosen in edits.items():
        edited = apply_edits(sc, plan, chosen)
        rows.append(
            (f"evaluate after: {name}", *timed(lambda e=edited: views.evaluate(sc, e), args.repeat))
        )

    from ui import charts  # imports streamlit: keep the library timings free of it

    layers = views.map_layers(sc, plan)
    assert len(layers["buildings"]) == len(sc.buildings)
    rows.append(("map layers", *timed(lambda: views.map_layers(sc, plan), args.repeat)))
    rows.append(("map chart spec", *timed(lambda: charts.map_chart(layers).to_dict(), args.repeat)))

    # The real page, headless.
    from streamlit.testing.v1 import AppTest

    from ui import state

    versions.create_version(sc, plan, made)
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=300)
    app.session_state[state.SCENARIO_DIR] = str(Path(args.scenario).resolve())
    app.run()
    app.switch_page("ui/plan_page.py")
    t0 = time.perf_counter()
    app.run()
    first_plan = time.perf_counter() - t0
    assert not app.exception, app.exception
    drawn = 0
    for chart in app.get("vega_lite_chart"):
        for data in chart.proto.datasets:
            table = pa.ipc.open_stream(data.data.data).read_all()
            if "residents" in table.column_names:
                drawn = table.num_rows
    assert drawn == len(sc.buildings), f"the map drew {drawn} of {len(sc.buildings)} buildings"
    rows.append(("plan page, first run (baselines made)", first_plan, first_plan))
    rows.append(("plan page run", *timed(lambda: app.run(), args.repeat)))
    app.switch_page("ui/edit_page.py").run()
    options = app.selectbox(key="mb_building").options
    sites = [s.site_id for s in sc.sites]
    clicks: list[float] = []
    for k in range(args.repeat):
        app.selectbox(key="mb_building").set_value(options[(k * 37) % len(options)].split(" ")[0])
        app.selectbox(key="mb_site").set_value(sites[(k * 11) % len(sites)])
        app.button(key="mb_apply").click()
        t0 = time.perf_counter()
        app.run()
        clicks.append(time.perf_counter() - t0)
        assert not app.exception, app.exception
    assert len(app.session_state[state.EDITS]) == args.repeat, "an edit did not happen"
    rows.append(("edit page: apply a move (whole run)", statistics.median(clicks), max(clicks)))

    print(
        f"{sc.name}: {len(sc.buildings):,} buildings, {len(sc.sites)} sites, "
        f"{sc.residents:,} residents; plan: {made}; {views.REPS} reps; map drew {drawn:,} buildings"
    )
    print()
    print("| step | median s | max s |")
    print("|---|---:|---:|")
    for name, median, worst in rows:
        print(f"| {name} | {median:.2f} | {worst:.2f} |")


if __name__ == "__main__":
    main()
