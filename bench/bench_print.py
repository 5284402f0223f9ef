"""Time :func:`planner.sheets.print_sheets` on a bundled scenario's stagger baseline plan.

Usage (from the repository root)::

    .venv/bin/python bench/bench_print.py                          # town, Chinese notices
    .venv/bin/python bench/bench_print.py --scenario scenarios/compound-103
    .venv/bin/python bench/bench_print.py --notice-langs zh en ja ko
    .venv/bin/python bench/bench_print.py --out /tmp/sheets        # keep the PDFs
    .venv/bin/python bench/bench_print.py --samples docs/img       # only the sample PNGs

``--samples DIR`` prints the ``compound-103`` stagger plan and renders page 1 of each kind of
sheet to ``DIR/sheet-*.png`` (grey, 80 dpi) with ``pdftoppm``, the pictures in
``docs/printing.md``, instead of timing anything.

Prints a markdown table (kind, sheets, files, pages, wall-clock and CPU seconds) to paste into
``docs/printing.md``: one row per kind printed alone, then one row for everything in one call
(the number that must stay under 60 s for the town). Printing runs on one core, so on a quiet
machine the two times agree; on a shared one the CPU time is the steadier figure. Timings cover
:func:`print_sheets` only, i.e. the simulation behind the expected figures (5 replications) and
writing every PDF, single and combined files; loading the scenario and making the plan are not
timed. The font is registered before timing starts (once per process, as the CLI does).
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from planner import load_scenario
from planner.baseline import baseline
from planner.sheets import KINDS, PrintResult, find_cjk_font, print_sheets
from planner.sheets.fonts import load_font


def _sheets(result: PrintResult, kind: str) -> int:
    return {
        "cover": 1 if result.cover else 0,
        "sites": len(result.sites),
        "routes": len(result.sweepers) + len(result.teams),
        "notices": len(result.notices),
    }[kind]


def samples(folder: Path) -> list[Path]:
    """Render page 1 of each kind of sheet of compound-103's stagger plan into ``folder``."""
    if shutil.which("pdftoppm") is None:
        raise SystemExit("pdftoppm not found: install poppler-utils (scripts/install.sh does)")
    scenario = load_scenario("scenarios/compound-103")
    plan = baseline(scenario, "stagger").plan
    # A fixed print time keeps the pictures the same from one run to the next.
    when = dt.datetime(2022, 3, 16, 0, 30)
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        zh = print_sheets(
            scenario,
            plan,
            Path(tmp) / "zh",
            notice_langs=("zh", "en", "ja", "ko"),
            generated_at=when,
            combined=False,
        )
        en = print_sheets(
            scenario,
            plan,
            Path(tmp) / "en",
            lang="en",
            kinds=["sites", "cover"],
            generated_at=when,
            combined=False,
        )
        site = max(zh.sites, key=lambda s: sum(c.site_id == s for c in plan.calls))
        team = max(zh.teams, key=lambda t: sum(v.team_id == t for v in plan.visits))
        sweeper = max(zh.sweepers, key=lambda s: sum(c.sweeper_id == s for c in plan.calls))
        # A notice for a building with immobile residents shows the door-visit line as well.
        visited = {v.building_id for v in plan.visits}
        building = next(b for b in plan.site_of_building() if b in visited)
        locked = next(b.building_id for b in scenario.buildings if b.locked)
        wanted = {
            "site": (zh.sites[site], 1),
            "site-en": (en.sites[site], 1),
            "sweeper": (zh.sweepers[sweeper], 1),
            "team": (zh.teams[team], 1),
            "notice": (zh.notices[building], 1),
            "notice-en": (zh.notices[building], 2),
            "notice-ja": (zh.notices[building], 3),
            "notice-ko": (zh.notices[building], 4),
            "notice-locked": (zh.notices[locked], 1),
            "cover": (zh.cover, 1),
            "cover-en": (en.cover, 1),
        }
        written = []
        for name, (pdf, page) in wanted.items():
            assert pdf is not None
            target = folder / f"sheet-{name}"
            subprocess.run(
                [
                    "pdftoppm",
                    "-png",
                    # Grey, as the sheets come out of a black-and-white printer.
                    "-gray",
                    "-r",
                    "80",
                    "-f",
                    str(page),
                    "-l",
                    str(page),
                    "-singlefile",
                    str(pdf),
                    str(target),
                ],
                check=True,
            )
            written.append(target.with_suffix(".png"))
    return written


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="scenarios/town", help="scenario folder")
    parser.add_argument("--notice-langs", nargs="+", default=["zh"], help="zh en ja ko")
    parser.add_argument("--lang", default="zh", choices=["zh", "en"])
    parser.add_argument("--out", help="output folder (default: a temporary one, removed)")
    parser.add_argument("--samples", help="render sample PNGs into this folder instead")
    args = parser.parse_args(argv)
    if args.samples:
        for path in samples(Path(args.samples)):
            print(path)
        return 0

    scenario = load_scenario(args.scenario)
    plan = baseline(scenario, "stagger").plan
    load_font(find_cjk_font())

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(args.out or tmp)
        rows = []
        for kinds in [(kind,) for kind in KINDS] + [KINDS]:
            started, cpu = time.perf_counter(), time.process_time()
            result = print_sheets(
                scenario,
                plan,
                out / ("all" if len(kinds) > 1 else kinds[0]),
                lang=args.lang,
                kinds=kinds,
                notice_langs=args.notice_langs,
            )
            seconds = time.perf_counter() - started
            cpu = time.process_time() - cpu
            label = "all" if len(kinds) > 1 else kinds[0]
            sheets = sum(_sheets(result, kind) for kind in kinds)
            rows.append((label, sheets, len(result.files), result.pages, seconds, cpu))

    print(
        f"{scenario.name}: {len(scenario.buildings):,} buildings, {len(scenario.sites)} sites, "
        f"stagger plan; notices in {' '.join(args.notice_langs)}; Python "
        f"{platform.python_version()} on {platform.machine()}"
    )
    print()
    print("| kind | sheets | files | pages | seconds | CPU seconds |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, sheets, files, pages, seconds, cpu in rows:
        print(f"| {label} | {sheets:,} | {files:,} | {pages:,} | {seconds:.1f} | {cpu:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
