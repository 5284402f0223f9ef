"""The plan used against the day that happened, and what a better plan would have done.

:func:`plan_vs_actual` puts each site's planned arrivals and finish (the plan simulated on the
scenario as it was written) beside what the log shows. :func:`what_if` re-simulates the same day
with the calibrated parameters, for the plan used and for a plan solved anew on the calibrated
scenario, with common random numbers (:func:`planner.compare.compare_plans`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.compare import compare_plans
from planner.model import Scenario
from planner.plan import Plan
from planner.replay.log import SamplingLog
from planner.simulate import simulate


def plan_vs_actual(
    scenario: Scenario, plan: Plan, log: SamplingLog, reps: int = 5, seed: int = 0
) -> pd.DataFrame:
    """Per site: what the plan expected and what the log shows.

    Returns
    -------
    pandas.DataFrame
        ``site_id, called`` (people the plan called there), ``planned_arrivals`` and
        ``planned_last`` (mean over ``reps`` simulated days of people arriving and of the last
        sample's start), ``actual_samples``, ``actual_arrivals`` (rows with an arrival time; NaN
        when the log has none), ``actual_last`` (last sample), ``arrivals_diff``
        (actual samples - planned arrivals) and ``late_min`` (actual_last - planned_last).
        Times in minutes since midnight.
    """
    called: dict[str, int] = defaultdict(int)
    for call in plan.calls:
        called[call.site_id] += call.people
    result = simulate(scenario, plan, reps=reps, seed=seed, keep_people=reps)
    people = result.people
    served = people[people["came"] & np.isfinite(people["start"])]
    planned_last = (
        served.groupby(["rep", "site_id"], observed=True)["start"].max().groupby("site_id").mean()
    )
    planned_arrivals = (
        people[people["came"]].groupby(["rep", "site_id"], observed=True).size()
    ).groupby("site_id").sum() / reps
    frame = log.frame
    site = frame["site_id"].astype(str)
    actual = frame.groupby(site)["sampled"].agg(["size", "max"])
    arrivals = frame["arrived"].notna().groupby(site).sum()
    ids = sorted(set(called) | set(actual.index))
    out = pd.DataFrame({"site_id": ids}).set_index("site_id")
    out["called"] = pd.Series(called).reindex(ids).fillna(0).astype(int)
    out["planned_arrivals"] = planned_arrivals.reindex(ids).fillna(0.0)
    out["planned_last"] = planned_last.reindex(ids)
    out["actual_samples"] = actual["size"].reindex(ids).fillna(0).astype(int)
    out["actual_arrivals"] = (
        arrivals.reindex(ids).fillna(0).astype(float) if log.has("arrived_at") else np.nan
    )
    out["actual_last"] = actual["max"].reindex(ids)
    out["arrivals_diff"] = out["actual_samples"] - out["planned_arrivals"]
    out["late_min"] = out["actual_last"] - out["planned_last"]
    return out.reset_index()


@dataclass(frozen=True)
class WhatIf:
    """KPIs of the day re-simulated with calibrated parameters.

    Attributes
    ----------
    table
        One row per plan (``used``, and ``new`` when a plan was solved) with the columns of
        :data:`planner.compare.METRICS` and their ratios to the plan used, plus a ``change``
        row (new - used) when there are two.
    new_plan
        The plan solved on the calibrated scenario, or ``None``.
    """

    table: pd.DataFrame
    new_plan: Plan | None


def what_if(
    calibrated: Scenario,
    used: Plan | None,
    *,
    solve_time: float | None = 30.0,
    reps: int = 10,
    seed: int = 0,
) -> WhatIf:
    """Re-simulate the day with calibrated parameters, for the plan used and a newly solved one.

    Parameters
    ----------
    calibrated
        The scenario with the fitted ``[flow]`` parameters (:meth:`Calibration.apply`).
    used
        The plan used on the day (``None``: only the new plan).
    solve_time
        Seconds for :func:`planner.solver.solve` on the calibrated scenario; ``None`` skips it.
    reps, seed
        Replications and seed, the same for both plans (common random numbers).
    """
    plans: list[tuple[str, Plan]] = []
    if used is not None:
        plans.append(("used", used))
    new_plan = None
    if solve_time is not None:
        from planner.solver import SolveConfig, solve

        new_plan = solve(calibrated, SolveConfig(time_limit=solve_time, seed=seed)).plan
        plans.append(("new", new_plan))
    if not plans:
        return WhatIf(pd.DataFrame(), None)
    table = compare_plans(calibrated, plans, reps=reps, seed=seed).table
    if len(table) == 2:
        metrics = [c for c in table.columns if not c.endswith("_ratio")]
        change = pd.DataFrame(
            [table.loc["new", metrics] - table.loc["used", metrics]], index=["change"]
        )
        table = pd.concat([table, change])
    table.index.name = "plan"
    return WhatIf(table, new_plan)
