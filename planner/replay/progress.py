"""The progress board (seed 003's dashboard): during a round, done against the plan.

:func:`progress_board` takes the sampling log so far and a time ``now`` and says, per site and per
committee, how many people were sampled (done), how many the plan expected by ``now``, how many
are still to sample, and where the plan is slipping. "Expected by now" is the plan simulated on
the scenario: the mean, over replications, of people whose sample started by ``now``; "minutes
behind" is how long before ``now`` the simulated plan had already reached today's count.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.model import Scenario
from planner.plan import Plan
from planner.replay.log import SamplingLog
from planner.simulate import simulate

#: Board columns, per site (``site_id``, ``committee``) and per committee (``committee``).
BOARD_COLUMNS: tuple[str, ...] = (
    "total",
    "done",
    "expected",
    "remaining",
    "slip",
    "behind_min",
    "flag",
)


@dataclass(frozen=True)
class Board:
    """Where the round stands at ``now``.

    Attributes
    ----------
    now
        Minutes since midnight.
    sites
        Per site the plan uses or the log names: ``site_id, name, committee`` and
        :data:`BOARD_COLUMNS`: ``total`` (people the plan called there), ``done`` (log rows
        sampled by ``now``), ``expected`` (the simulated plan's mean sampled by ``now``),
        ``remaining`` (``total - done``, at least 0), ``slip`` (``done - expected``: negative is
        behind), ``behind_min`` (minutes since the simulated plan reached ``done``; 0 when
        ahead) and ``flag`` (slipping: behind by at least ``slip_min`` minutes and
        ``slip_share`` of the expected).
    committees
        The same per committee, counted by the building's committee when the log names
        buildings, else by the site's committee.
    """

    now: float
    sites: pd.DataFrame
    committees: pd.DataFrame

    @property
    def flagged(self) -> pd.DataFrame:
        """The sites where the plan is slipping."""
        return self.sites[self.sites["flag"]]


def expected_curves(scenario: Scenario, plan: Plan, reps: int = 5, seed: int = 0) -> pd.DataFrame:
    """The plan's simulated samples: one row per person served per replication.

    Columns ``rep, site_id, committee`` (of the building) ``site_committee`` and ``start``;
    :func:`progress_board` accepts it to avoid simulating again for each ``now``.
    """
    people = simulate(scenario, plan, reps=reps, seed=seed, keep_people=reps).people
    served = people[people["came"] & np.isfinite(people["start"])]
    committee = {b.building_id: b.committee for b in scenario.buildings}
    site_committee = {s.site_id: s.committee for s in scenario.sites}
    return pd.DataFrame(
        {
            "rep": served["rep"].to_numpy(),
            "site_id": served["site_id"].astype(str).to_numpy(),
            "committee": served["building_id"].astype(str).map(committee).to_numpy(),
            "site_committee": served["site_id"].astype(str).map(site_committee).to_numpy(),
            "start": served["start"].to_numpy(),
        }
    )


def progress_board(
    scenario: Scenario,
    plan: Plan,
    log: SamplingLog,
    now: float,
    *,
    curves: pd.DataFrame | None = None,
    reps: int = 5,
    seed: int = 0,
    slip_min: float = 15.0,
    slip_share: float = 0.1,
) -> Board:
    """Done, expected, remaining and slip per site and committee at minute ``now``.

    Parameters
    ----------
    scenario, plan
        The round and the plan being carried out.
    log
        The sampling log so far (rows after ``now`` are ignored).
    now
        Minutes since midnight of the round's day.
    curves
        :func:`expected_curves` of the plan, if already computed (else simulated here).
    reps, seed
        Replications and seed of that simulation.
    slip_min, slip_share
        A row is flagged when it is at least ``slip_min`` minutes behind *and* short of the
        expected count by at least ``slip_share`` of it (both, so that a few people or a few
        minutes do not raise alarms).
    """
    if curves is None:
        curves = expected_curves(scenario, plan, reps=reps, seed=seed)
    n_reps = max(1, int(curves["rep"].nunique())) if len(curves) else 1
    frame = log.frame[log.frame["sampled"] <= now]

    site_total: dict[str, int] = defaultdict(int)
    committee_total: dict[str, int] = defaultdict(int)
    committee_of_building = {b.building_id: b.committee for b in scenario.buildings}
    site_meta = {s.site_id: (s.name, s.committee) for s in scenario.sites}
    by_building = log.has("building_id")
    for call in plan.calls:
        site_total[call.site_id] += call.people
        key = committee_of_building[call.building_id] if by_building else site_meta[call.site_id][1]
        committee_total[key] += call.people

    site_done = frame.groupby(frame["site_id"].astype(str)).size()
    sites = _rows(
        ids=sorted(set(site_total) | set(site_done.index)),
        total=site_total,
        done=site_done,
        times=_sorted_starts(curves, "site_id"),
        n_reps=n_reps,
        now=now,
        slip_min=slip_min,
        slip_share=slip_share,
    )
    sites.insert(0, "site_id", sites.index)
    sites.insert(1, "name", [site_meta.get(s, (s, ""))[0] for s in sites.index])
    sites.insert(2, "committee", [site_meta.get(s, ("", ""))[1] for s in sites.index])

    if by_building:
        who = frame["building_id"].map(committee_of_building).fillna("")
        curve_key = "committee"
    else:
        who = frame["site_id"].astype(str).map({k: v[1] for k, v in site_meta.items()})
        curve_key = "site_committee"
    committee_done = frame.groupby(who).size()
    committee_done = committee_done[committee_done.index != ""]
    order = [c for c in scenario.committees if c in committee_total or c in committee_done.index]
    committees = _rows(
        ids=order,
        total=committee_total,
        done=committee_done,
        times=_sorted_starts(curves, curve_key),
        n_reps=n_reps,
        now=now,
        slip_min=slip_min,
        slip_share=slip_share,
    )
    committees.insert(0, "committee", committees.index)
    return Board(
        now=float(now),
        sites=sites.reset_index(drop=True),
        committees=committees.reset_index(drop=True),
    )


def _sorted_starts(curves: pd.DataFrame, key: str) -> dict[str, np.ndarray]:
    return {str(k): np.sort(g.to_numpy()) for k, g in curves.groupby(key)["start"]}


def _rows(
    *,
    ids: list[str],
    total: dict[str, int],
    done: pd.Series,
    times: dict[str, np.ndarray],
    n_reps: int,
    now: float,
    slip_min: float,
    slip_share: float,
) -> pd.DataFrame:
    rows = []
    for key in ids:
        starts = times.get(key, np.empty(0))
        d = int(done.get(key, 0))
        expected = float(np.searchsorted(starts, now, side="right")) / n_reps
        behind = 0.0
        if d < expected:
            # The simulated plan reached d samples when its (d x reps)-th start happened.
            k = math.ceil(d * n_reps)
            reached = float(starts[k - 1]) if k >= 1 else float(starts[0]) if starts.size else now
            behind = max(0.0, now - reached)
        slip = d - expected
        rows.append(
            {
                "total": int(total.get(key, 0)),
                "done": d,
                "expected": expected,
                "remaining": max(0, int(total.get(key, 0)) - d),
                "slip": slip,
                "behind_min": behind,
                "flag": bool(behind >= slip_min and -slip >= slip_share * expected),
            }
        )
    return pd.DataFrame(rows, index=pd.Index(ids), columns=list(BOARD_COLUMNS))
