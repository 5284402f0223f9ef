"""Plans side by side: simulated with common random numbers, tabulated with ratios to the first.

Every plan is simulated with the same seed and replications, and the simulator ties its random
draws to people, not to events: differences between plans come from the plans, not from luck.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from planner.messages import Lang, text
from planner.model import Scenario
from planner.plan import Plan
from planner.simulate import simulate
from planner.timefmt import format_hhmm

#: Compared metrics: (column, kpi key, statistic over replications; None for deterministic).
METRICS: tuple[tuple[str, str, str | None], ...] = (
    ("finish", "finish", "mean"),
    ("done_by_deadline", "done_by_deadline", "mean"),
    ("peak_queue", "peak_queue", "mean"),
    ("wait_p95_min", "wait_p95_min", "mean"),
    ("wait_p95_worst_site_min", "wait_p95_worst_site_min", "mean"),
    ("walking_km", "walking_person_m", "mean"),
    ("staff_hours", "staff_hours", None),
)


@dataclass(frozen=True)
class Comparison:
    """Simulated KPIs of several plans.

    Attributes
    ----------
    table
        One row per plan (index: plan name) with the columns of :data:`METRICS`, then one
        ``<metric>_ratio`` column per metric: the value over the first plan's value.
    kpis
        The full KPI dict of each plan, by name, as :func:`planner.simulate.simulate` reports it.
    """

    table: pd.DataFrame
    kpis: dict[str, dict[str, Any]]


def compare_plans(
    scenario: Scenario, plans: Sequence[tuple[str, Plan]], reps: int = 10, seed: int = 0
) -> Comparison:
    """Simulate each named plan with common random numbers and tabulate the KPIs.

    Parameters
    ----------
    plans
        ``(name, plan)`` pairs; names must be distinct. The first is the reference of the ratios.
    reps, seed
        Replications and seed, the same for every plan.
    """
    names = [name for name, _ in plans]
    if len(set(names)) != len(names):
        raise ValueError(f"plan names must be distinct: {names}")
    all_kpis = {
        name: simulate(scenario, plan, reps=reps, seed=seed, keep_people=0).kpis
        for name, plan in plans
    }
    rows = {name: metric_values(kpis) for name, kpis in all_kpis.items()}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "plan"
    if len(table):
        first = table.iloc[0]
        for column, _, _ in METRICS:
            base = first[column]
            ratio = table[column] / base if base not in (0, None) else float("nan")
            if column == "finish":
                # Finish is a clock time: compare the time taken from the round's start.
                start = scenario.round.start
                ratio = (table[column] - start) / (base - start) if base != start else ratio
            table[f"{column}_ratio"] = ratio
    return Comparison(table=table, kpis=all_kpis)


def metric_values(kpis: dict[str, Any]) -> dict[str, float]:
    """The compared metrics of one simulated KPI dict (NaN where the simulator gave None)."""
    values: dict[str, float] = {}
    for column, key, stat in METRICS:
        raw = kpis.get(key)
        number = _num(raw.get(stat) if isinstance(raw, dict) and stat else raw)
        values[column] = number / 1000.0 if column == "walking_km" else number
    return values


def format_comparison(comparison: Comparison, lang: Lang | None = None) -> pd.DataFrame:
    """The comparison as display strings with translated headers (for the CLI and the page)."""
    out = pd.DataFrame(index=comparison.table.index)
    for column, _, _ in METRICS:
        values = comparison.table[column]
        ratios = comparison.table[f"{column}_ratio"]
        shown = [
            f"{_fmt(column, v)} (×{r:.2f})" if k and pd.notna(r) else _fmt(column, v)
            for k, (v, r) in enumerate(zip(values, ratios, strict=True))
        ]
        out[text(f"kpi_{column}", lang)] = shown
    out.index.name = text("kpi_plan", lang)
    return out


def _fmt(column: str, value: float) -> str:
    if pd.isna(value):
        return "—"
    if column == "finish":
        return format_hhmm(value)
    if column == "done_by_deadline":
        return f"{value:.1%}"
    if column in ("peak_queue",):
        return f"{value:.0f}"
    return f"{value:,.1f}"


def kpi_rows(kpis: dict[str, Any], lang: Lang | None = None) -> list[tuple[str, str]]:
    """(label, value) rows of one simulated KPI dict, for the CLI and the page."""

    def stat(column: str, key: str, scale: float = 1.0) -> str:
        raw = kpis.get(key) or {}
        shown = {k: _fmt(column, _num(raw.get(k)) * scale) for k in ("mean", "p10", "p90")}
        return text("kpi_stat", lang, **shown)

    bound = kpis.get("lower_bound")
    over = kpis.get("sites_over_capacity") or []
    unserved = _num((kpis.get("unserved") or {}).get("mean"))
    return [
        (text("kpi_finish", lang), stat("finish", "finish")),
        (text("kpi_lower_bound", lang), "—" if bound is None else format_hhmm(bound)),
        (text("kpi_done_by_deadline", lang), stat("done_by_deadline", "done_by_deadline")),
        (text("kpi_peak_queue", lang), stat("peak_queue", "peak_queue")),
        (text("kpi_wait_p95_min", lang), stat("wait_p95_min", "wait_p95_min")),
        (text("kpi_wait_p95_worst_site_min", lang), _worst_site(kpis, lang, stat)),
        (text("kpi_walking_km", lang), stat("walking_km", "walking_person_m", 1 / 1000)),
        (text("kpi_staff_hours", lang), _fmt("staff_hours", _num(kpis.get("staff_hours")))),
        (text("kpi_unserved", lang), _fmt("unserved", unserved)),
        (text("kpi_over_capacity", lang), ", ".join(over) if over else text("kpi_none", lang)),
    ]


def _worst_site(kpis: dict[str, Any], lang: Lang | None, stat: Callable[[str, str], str]) -> str:
    """The worst site's p95 wait over replications, and which site has the longest on average
    (KPI dicts written before the worst site was reported show a dash)."""
    if kpis.get("wait_p95_worst_site_min") is None:
        return "—"
    shown = stat("wait_p95_worst_site_min", "wait_p95_worst_site_min")
    site = kpis.get("worst_wait_site")
    return shown if not site else text("kpi_worst_site", lang, stat=shown, site=site)


def _num(value: object) -> float:
    """A KPI value as a float; ``None`` (the simulator's "infinite/unknown") becomes NaN."""
    return float("nan") if value is None else float(value)  # type: ignore[arg-type]
