"""Replay of sampling logs: a synthetic log made from a known plan gives back the truth.

The truth is simulated with flow parameters that differ from the scenario's (so a replay that
just echoed the scenario would fail), then replayed against the scenario as written.
Tolerances are the ones stated in docs/replay.md.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planner.model import Scenario
from planner.parse import load_scenario
from planner.plan import Plan
from planner.planfile import read_plan
from planner.replay.calibrate import calibrate
from planner.replay.log import Salt, read_log
from planner.replay.reconstruct import reconstruct
from planner.replay.synth import POOL, log_from_people, write_log
from planner.replay.whatif import plan_vs_actual, what_if
from planner.simulate import SimResult, simulate

REPO = Path(__file__).resolve().parent.parent

#: The flow of the "real" day: not the scenario's defaults (25 s, 0.35, 0.97, 5 min).
TRUE_FLOW = {"service_s": 22.0, "service_cv": 0.5, "turnout": 0.9, "response_min": 8.0}


@dataclasses.dataclass(frozen=True)
class Day:
    scenario: Scenario  # as written (default flow)
    truth: Scenario  # with TRUE_FLOW
    plan: Plan
    sim: SimResult
    log_path: Path


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> Day:
    scenario = load_scenario(REPO / "scenarios" / "compound-103")
    # A plan the solver made (bundled, so this tests the replay, not today's solver).
    plan = read_plan(REPO / "data" / "replay-tiny" / "compound-103-plan", scenario)
    truth = dataclasses.replace(scenario, flow=dataclasses.replace(scenario.flow, **TRUE_FLOW))
    sim = simulate(truth, plan, reps=1, seed=11)
    path = tmp_path_factory.mktemp("day") / "log.csv"
    write_log(log_from_people(truth, sim.people), str(path))
    return Day(scenario, truth, plan, sim, path)


def test_simulated_desks_never_serve_two_people_at_once(day: Day) -> None:
    people = day.sim.people
    served = people[people["came"] & np.isfinite(people["start"])]
    assert (served["desk"] >= 0).all()
    assert (people.loc[~people["came"], "desk"] == -1).all()
    for _, g in served.groupby(["site_id", "desk"], observed=True):
        g = g.sort_values("start")
        # The next service at a desk starts no earlier than the previous one ends.
        assert (g["start"].to_numpy()[1:] >= g["end"].to_numpy()[:-1] - 1e-9).all()
    # More than one desk is used where the plan opens several.
    assert served.groupby("site_id", observed=True)["desk"].nunique().max() > 1


def test_replay_recovers_service_turnout_and_throughput(day: Day) -> None:
    people = day.sim.people
    assert day.sim.kpis["unserved"]["mean"] == 0  # everybody who came was sampled
    log = read_log(day.log_path, day.scenario, salt=Salt.resolve("t"))
    assert log.problems == () and log.skipped == 0
    recon = reconstruct(day.scenario, log)
    cal = calibrate(day.scenario, log, recon, day.plan)
    # Stated tolerances (docs/replay.md).
    assert cal.service_s.value == pytest.approx(TRUE_FLOW["service_s"], rel=0.05)
    assert abs(cal.service_cv.value - TRUE_FLOW["service_cv"]) <= 0.1
    assert abs(cal.turnout.value - TRUE_FLOW["turnout"]) <= 0.02
    assert cal.response_min.value == pytest.approx(TRUE_FLOW["response_min"], rel=0.2)
    # Turnout is people sampled over people called, exactly.
    called = sum(c.people for c in day.plan.calls)
    assert cal.turnout.value == pytest.approx(int(people["came"].sum()) / called)
    # Per-site and per-desk throughput: exact counts.
    served = people[people["came"]]
    truth_sites = served.groupby("site_id", observed=True).size()
    got = recon.sites.set_index("site_id")["samples"]
    assert got.to_dict() == {str(k): int(v) for k, v in truth_sites.items()}
    truth_desks = served.groupby(["site_id", "desk"], observed=True).size()
    got_desks = recon.desks.set_index(["site_id", "desk"])["samples"]
    assert sorted(got_desks.tolist()) == sorted(truth_desks.tolist())
    # The patch carries the fitted values.
    patch = cal.toml_patch()
    assert patch.startswith("[flow]\n") and f"service_s = {round(cal.service_s.value, 1)}" in patch
    assert cal.apply(day.scenario).flow.turnout == round(cal.turnout.value, 3)


def test_busy_gaps_are_true_service_times(day: Day) -> None:
    # Where the replay keeps a gap as a service time, it is the service time of the person who
    # started it (to the second the log rounds to); a replay keeping idle gaps would fail here.
    people = day.sim.people
    served = people[people["came"]]
    label = served["site_id"].astype(str) + "-D" + (served["desk"].astype(int) + 1).astype(str)
    second = np.round(served["start"].to_numpy() * 60).astype(np.int64)
    truth = dict(
        zip(zip(label, second, strict=True), (served["end"] - served["start"]) * 60, strict=True)
    )
    log = read_log(day.log_path, day.scenario, salt=Salt.resolve("t"))
    gaps = reconstruct(day.scenario, log).gaps
    busy = gaps[gaps["busy"]]
    assert len(busy) > 1000
    keys = zip(
        busy["desk"], np.round(busy["sampled"].to_numpy() * 60).astype(np.int64), strict=True
    )
    error = np.abs(busy["gap_s"].to_numpy() - np.array([truth[k] for k in keys]))
    assert (error <= 1.01).mean() >= 0.99
    idle = gaps[~gaps["busy"]]
    assert idle["gap_s"].mean() > busy["gap_s"].mean()


def test_tubes_pool_ten_by_desk(day: Day) -> None:
    log = read_log(day.log_path, day.scenario, salt=Salt.resolve("t"))
    recon = reconstruct(day.scenario, log)
    desks = recon.desks.set_index(["site_id", "desk"])["samples"]
    # Each desk fills tubes of ten in order: one partial tube per desk whose count is not a
    # multiple of ten.
    partial = (desks % POOL != 0).groupby(level="site_id").sum()
    got = recon.sites.set_index("site_id")["tubes_not_full"]
    assert got.to_dict() == partial.to_dict()
    assert recon.tubes["people"].max() == POOL
    assert int(recon.tubes["people"].sum()) == len(log.frame)


def test_committee_board_counts_by_building(day: Day) -> None:
    log = read_log(day.log_path, day.scenario, salt=Salt.resolve("t"))
    recon = reconstruct(day.scenario, log)
    people = day.sim.people
    came = people[people["came"]]
    committee = {b.building_id: b.committee for b in day.scenario.buildings}
    truth = came["building_id"].astype(str).map(committee).value_counts()
    got = recon.committees.set_index("committee")["sampled"]
    assert got.to_dict() == truth.to_dict()
    b = recon.buildings.set_index("building_id")
    one = day.scenario.buildings[0].building_id
    mine = came[came["building_id"] == one]
    assert b.loc[one, "sampled"] == len(mine)
    assert b.loc[one, "last"] == pytest.approx(mine["start"].max(), abs=1 / 60)


def test_plan_vs_actual_counts_the_log(day: Day) -> None:
    log = read_log(day.log_path, day.scenario, salt=Salt.resolve("t"))
    versus = plan_vs_actual(day.scenario, day.plan, log, reps=2).set_index("site_id")
    counts = log.frame.groupby(log.frame["site_id"].astype(str)).size()
    assert versus["actual_samples"].to_dict() == counts.to_dict()
    called = pd.Series([c.people for c in day.plan.calls], [c.site_id for c in day.plan.calls])
    assert versus["called"].to_dict() == called.groupby(level=0).sum().to_dict()
    # The truth is slower to come down (8 min response, 90% turnout): fewer samples than the
    # plan's simulation on the scenario as written expected.
    assert (versus["arrivals_diff"] < 0).sum() >= len(versus) - 1


def test_what_if_uses_calibrated_parameters(day: Day) -> None:
    log = read_log(day.log_path, day.scenario, salt=Salt.resolve("t"))
    cal = calibrate(day.scenario, log, reconstruct(day.scenario, log), day.plan)
    calibrated = cal.apply(day.scenario)
    result = what_if(calibrated, day.plan, solve_time=None, reps=2, seed=0)
    assert list(result.table.index) == ["used"]
    direct = simulate(calibrated, day.plan, reps=2, seed=0, keep_people=0).kpis
    assert result.table.loc["used", "peak_queue"] == pytest.approx(direct["peak_queue"]["mean"])
    written = simulate(day.scenario, day.plan, reps=2, seed=0, keep_people=0).kpis
    assert result.table.loc["used", "peak_queue"] != pytest.approx(written["peak_queue"]["mean"])
