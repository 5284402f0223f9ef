"""Plain-data views of a plan for the page: KPIs and their deltas, per-site series, map layers,
the calling timeline and the roster, as dicts and DataFrames (no Streamlit, no charts).

Every simulation here uses the same seed and replications (:data:`REPS`, :data:`SEED`): the
simulator ties its random draws to people, so the difference between two evaluations is the
plan's, not the dice's, and an edit's KPI deltas mean something.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from planner.check import check_plan
from planner.compare import metric_values
from planner.messages import Lang, text
from planner.model import Scenario
from planner.plan import Plan, wave_households
from planner.problems import Problem
from planner.simulate import simulate
from planner.timefmt import format_hhmm

#: Replications and seed of every evaluation on the page (town: about 0.4 s).
REPS = 5
SEED = 0

#: The KPI cards, in order: (metric column of :func:`planner.compare.metric_values`, lower is
#: better).
CARDS: tuple[tuple[str, bool], ...] = (
    ("finish", True),
    ("peak_queue", True),
    ("wait_p95_min", True),
    ("walking_km", True),
    ("staff_hours", True),
    ("done_by_deadline", False),
)


@dataclass(frozen=True)
class Evaluation:
    """What the page shows about one plan.

    Attributes
    ----------
    kpis
        The simulator's KPI dict.
    values
        The card metrics (:func:`planner.compare.metric_values`): ``finish`` in minutes since
        midnight, ``peak_queue``, ``wait_p95_min``, ``walking_km``, ``staff_hours``,
        ``done_by_deadline`` (0-1); NaN where the simulator gave no value.
    problems
        :func:`planner.check.check_plan`'s violations (empty for a valid plan).
    sites
        One row per site that had desks or visitors: ``site_id``, ``name``, ``arrivals``,
        ``peak_queue`` (mean over replications), ``peak_queue_p90``, ``queue_capacity``,
        ``over`` (mean peak above capacity), ``wait_p95`` (mean, minutes), ``utilisation``.
    queue
        Queue length per site and minute over replications: ``site_id``, ``minute``, ``mean``,
        ``p10``, ``p90`` (a replication with nobody at the site at that minute counts 0).
    """

    kpis: dict[str, Any]
    values: dict[str, float]
    problems: tuple[Problem, ...]
    sites: pd.DataFrame
    queue: pd.DataFrame

    @property
    def over_capacity(self) -> list[str]:
        """Sites whose mean peak queue exceeds their queue capacity."""
        return list(self.kpis.get("sites_over_capacity") or [])


def evaluate(scenario: Scenario, plan: Plan, reps: int = REPS, seed: int = SEED) -> Evaluation:
    """Check and simulate ``plan`` (``reps`` replications, ``seed``) and summarise per site."""
    sim = simulate(scenario, plan, reps=reps, seed=seed, keep_people=0)
    problems = tuple(check_plan(scenario, plan))
    names = {s.site_id: s.name for s in scenario.sites}
    frame = sim.sites.copy()
    frame["site_id"] = frame["site_id"].astype(str)
    numbers = ["arrivals", "peak_queue", "queue_capacity", "wait_p95", "utilisation"]
    frame[numbers] = frame[numbers].astype(float)  # an empty table has object columns
    grouped = frame.groupby("site_id", sort=True)
    sites = pd.DataFrame(
        {
            "arrivals": grouped["arrivals"].mean(),
            "peak_queue": grouped["peak_queue"].mean(),
            "peak_queue_p90": grouped["peak_queue"].quantile(0.9),
            "queue_capacity": grouped["queue_capacity"].first(),
            "wait_p95": grouped["wait_p95"].mean(),
            "utilisation": grouped["utilisation"].mean(),
        }
    ).reset_index()
    sites.insert(1, "name", sites["site_id"].map(names))
    sites["over"] = sites["peak_queue"] > sites["queue_capacity"]
    return Evaluation(
        kpis=sim.kpis,
        values=metric_values(sim.kpis),
        problems=problems,
        sites=sites,
        queue=queue_bands(sim.queue, reps),
    )


def queue_bands(queue: pd.DataFrame, reps: int) -> pd.DataFrame:
    """Mean, p10 and p90 over replications of each site's queue per minute.

    ``queue`` is :attr:`planner.simulate.SimResult.queue` (``rep, site_id, minute, queue``); a
    replication without a row for a site and minute had nobody waiting there then (0).
    """
    columns = ["site_id", "minute", "mean", "p10", "p90"]
    if queue.empty:
        return pd.DataFrame(columns=columns)
    frame = queue.assign(site_id=queue["site_id"].astype(str))
    wide = frame.pivot_table(
        index=["site_id", "minute"], columns="rep", values="queue", aggfunc="first", observed=True
    )
    values = wide.to_numpy(dtype=float)
    # Replications missing from the table entirely (nobody anywhere) count as zero columns.
    missing = max(0, reps - values.shape[1])
    values = np.nan_to_num(values, nan=0.0)
    if missing:
        values = np.hstack([values, np.zeros((values.shape[0], missing))])
    out = wide.index.to_frame(index=False)
    out["mean"] = values.mean(axis=1)
    out["p10"] = np.percentile(values, 10, axis=1)
    out["p90"] = np.percentile(values, 90, axis=1)
    return out[columns]


def kpi_deltas(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """``after - before`` per card metric (NaN when either is unknown)."""
    out: dict[str, float] = {}
    for column, _ in CARDS:
        a, b = after.get(column, math.nan), before.get(column, math.nan)
        out[column] = a - b if math.isfinite(a) and math.isfinite(b) else math.nan
    return out


def format_value(column: str, value: float) -> str:
    """A card metric for display (finish as HH:MM, shares as %)."""
    if value is None or not math.isfinite(value):
        return "—"
    if column == "finish":
        return format_hhmm(value)
    if column == "done_by_deadline":
        return f"{value:.1%}"
    if column == "peak_queue":
        return f"{value:.0f}"
    return f"{value:,.1f}"


def format_delta(column: str, value: float, lang: Lang | None = None) -> str | None:
    """A card metric's change for display (``None`` when there is no change worth showing)."""
    if not math.isfinite(value) or abs(value) < 1e-9:
        return None
    if column == "finish":
        return text("view_delta_min", lang, value=f"{value:+.0f}")
    if column == "done_by_deadline":
        return text("view_delta_pp", lang, value=f"{value * 100:+.1f}")
    return f"{value:+,.1f}"


def newly_over(before: Evaluation, after: Evaluation) -> list[str]:
    """Sites over queue capacity after an edit that were not before."""
    was = set(before.over_capacity)
    return [s for s in after.over_capacity if s not in was]


# --- per-site series -----------------------------------------------------------------------------


def desk_series(plan: Plan, site_id: str) -> pd.DataFrame:
    """Desks open at ``site_id`` as a step series: ``minute``, ``desks`` at every change (0 when
    closed between spells), ending with 0 at the last spell's end."""
    spells = sorted((d for d in plan.desks if d.site_id == site_id), key=lambda d: d.start)
    # Overlapping spells add up (an invalid plan may have them); gaps between spells are 0.
    minutes = sorted({d.start for d in spells} | {d.end for d in spells})
    desks = [sum(d.desks for d in spells if d.start <= m < d.end) for m in minutes]
    return pd.DataFrame({"minute": minutes, "desks": desks}, columns=["minute", "desks"])


def site_choices(scenario: Scenario, plan: Plan) -> list[str]:
    """Sites worth a chart: those with desks or called to, in scenario order."""
    used = {d.site_id for d in plan.desks} | {c.site_id for c in plan.calls}
    return [s.site_id for s in scenario.sites if s.site_id in used]


def peak_desks(plan: Plan) -> dict[str, int]:
    """Most desks open at once per site (sites without desks left out)."""
    out: dict[str, int] = {}
    for site_id in {d.site_id for d in plan.desks}:
        series = desk_series(plan, site_id)
        out[site_id] = int(series["desks"].max()) if len(series) else 0
    return out


# --- map -----------------------------------------------------------------------------------------


def map_layers(scenario: Scenario, plan: Plan) -> dict[str, pd.DataFrame]:
    """The map's layers: ``buildings`` (one row per building, ``site_id`` the site its first wave
    goes to, empty for door-only buildings), ``sites`` (every candidate site with ``desks`` = peak
    desks, 0 when closed) and ``routes`` (door teams' stops in order: ``team_id``, ``seq``,
    ``lat``, ``lon``)."""
    site_of = plan.site_of_building()
    buildings = pd.DataFrame(
        {
            "building_id": [b.building_id for b in scenario.buildings],
            "committee": [b.committee for b in scenario.buildings],
            "lat": [b.lat for b in scenario.buildings],
            "lon": [b.lon for b in scenario.buildings],
            "residents": [b.residents for b in scenario.buildings],
            "locked": [b.locked for b in scenario.buildings],
            "site_id": [site_of.get(b.building_id, "") for b in scenario.buildings],
        }
    )
    peaks = peak_desks(plan)
    sites = pd.DataFrame(
        {
            "site_id": [s.site_id for s in scenario.sites],
            "name": [s.name for s in scenario.sites],
            "lat": [s.lat for s in scenario.sites],
            "lon": [s.lon for s in scenario.sites],
            "desks": [peaks.get(s.site_id, 0) for s in scenario.sites],
            "max_desks": [s.max_desks for s in scenario.sites],
        }
    )
    sites["open"] = sites["desks"] > 0
    rows = []
    for team, visits in plan.visits_by_team().items():
        for v in visits:
            b = scenario.buildings[scenario.building_index[v.building_id]]
            rows.append(
                {
                    "team_id": team,
                    "seq": v.seq,
                    "building_id": v.building_id,
                    "lat": b.lat,
                    "lon": b.lon,
                }
            )
    routes = pd.DataFrame(rows, columns=["team_id", "seq", "building_id", "lat", "lon"])
    return {"buildings": buildings, "sites": sites, "routes": routes}


# --- timeline and roster -------------------------------------------------------------------------


def timeline_rows(scenario: Scenario, plan: Plan) -> pd.DataFrame:
    """One row per calling wave: ``building_id``, ``floors`` (``3-5``), ``people``, ``site_id``,
    ``sweeper_id``, ``start`` (call time) and ``end`` (when the sweeper has called every household
    of the wave), minutes since midnight; sorted by start."""
    rows = []
    per_household = scenario.crew.sweep_s_per_household / 60.0
    for c in plan.calls:
        b = scenario.buildings[scenario.building_index[c.building_id]]
        minutes = wave_households(b, c.floor_from, c.floor_to) * per_household
        rows.append(
            {
                "building_id": c.building_id,
                "floors": f"{c.floor_from}-{c.floor_to}",
                "floor_from": c.floor_from,
                "people": c.people,
                "site_id": c.site_id,
                "sweeper_id": c.sweeper_id,
                "start": c.call_time,
                "end": c.call_time + max(1.0, minutes),
            }
        )
    columns = [
        "building_id",
        "floors",
        "floor_from",
        "people",
        "site_id",
        "sweeper_id",
        "start",
        "end",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(["start", "building_id", "floor_from"], ignore_index=True)


def roster_rows(scenario: Scenario, plan: Plan, lang: Lang | None = None) -> pd.DataFrame:
    """The roster for display: ``staff_id``, ``name``, ``role`` (translated), ``post``,
    ``start``, ``end`` (``HH:MM``), ``hours``; sorted by post, role and start."""
    rows = []
    for s in sorted(plan.roster, key=lambda r: (r.post, r.role.value, r.start, r.staff_id)):
        person = scenario.staff[scenario.staff_index[s.staff_id]]
        rows.append(
            {
                "staff_id": s.staff_id,
                "name": person.name,
                "role": text(f"role_{s.role.value}", lang),
                "post": s.post,
                "start": format_hhmm(s.start),
                "end": format_hhmm(s.end),
                "hours": round(s.hours, 2),
            }
        )
    columns = ["staff_id", "name", "role", "post", "start", "end", "hours"]
    return pd.DataFrame(rows, columns=columns)
