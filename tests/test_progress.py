"""The progress board: a synthetic log cut at a time, against the plan's simulation."""

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
from planner.replay.log import LogError, Salt, read_log
from planner.replay.progress import Board, expected_curves, progress_board
from planner.replay.synth import log_from_people, write_log
from planner.simulate import simulate

REPO = Path(__file__).resolve().parent.parent
NOW = 8 * 60 + 30


@dataclasses.dataclass(frozen=True)
class Round:
    scenario: Scenario
    plan: Plan
    log: pd.DataFrame


@pytest.fixture(scope="module")
def round_() -> Round:
    scenario = load_scenario(REPO / "scenarios" / "tiny")
    plan = read_plan(REPO / "data" / "replay-tiny" / "plan", scenario)
    people = simulate(scenario, plan, reps=1, seed=7).people
    return Round(scenario, plan, log_from_people(scenario, people))


def board_of(r: Round, frame: pd.DataFrame, folder: Path, now: float = NOW) -> Board:
    path = folder / "so_far.parquet"
    write_log(frame, str(path))
    log = read_log(path, r.scenario, salt=Salt.resolve("x"))
    return progress_board(r.scenario, r.plan, log, now, reps=4, seed=0)


def minutes(stamps: pd.Series) -> np.ndarray:
    return (stamps.dt.hour * 60 + stamps.dt.minute + stamps.dt.second / 60).to_numpy()


def test_board_counts_done_expected_and_remaining(round_: Round, tmp_path: Path) -> None:
    # The log as uploaded during the round: only what was sampled by now.
    so_far = round_.log[minutes(round_.log["sampled_at"]) <= NOW]
    board = board_of(round_, so_far, tmp_path)
    sites = board.sites.set_index("site_id")
    counts = so_far["site_id"].value_counts()
    assert sites["done"].to_dict() == counts.reindex(sites.index, fill_value=0).to_dict()
    assert sites["done"].sum() == len(so_far) > 0
    total = pd.Series({c.site_id: 0 for c in round_.plan.calls})
    for call in round_.plan.calls:
        total[call.site_id] += call.people
    assert sites["total"].to_dict() == total.to_dict()
    assert (sites["remaining"] == sites["total"] - sites["done"]).all()
    # Expected by now: the plan simulated (4 replications, seed 0), people started by now.
    people = simulate(round_.scenario, round_.plan, reps=4, seed=0).people
    started = people[people["came"] & (people["start"] <= NOW)]
    expected = started.groupby("site_id", observed=True).size().reindex(sites.index) / 4
    expected = expected.fillna(0.0)
    assert sites["expected"].to_dict() == pytest.approx(
        {str(k): float(v) for k, v in expected.items()}
    )
    assert (sites["slip"] == sites["done"] - sites["expected"]).all()
    # The day went as planned: nothing is flagged, and nobody is far behind.
    assert not sites["flag"].any()
    assert sites["behind_min"].max() < 10
    committees = board.committees.set_index("committee")
    assert committees["done"].sum() == len(so_far)
    assert committees["total"].sum() == sum(c.people for c in round_.plan.calls)


def test_a_slow_site_is_flagged(round_: Round, tmp_path: Path) -> None:
    # One site got stuck at 07:30 for an hour: everything it sampled after that came 60 min later.
    log = round_.log.copy()
    slow = log["site_id"].value_counts().index[0]
    late = (log["site_id"] == slow) & (minutes(log["sampled_at"]) > 450)
    log.loc[late, "sampled_at"] += pd.Timedelta(minutes=60)
    log.loc[late, "arrived_at"] += pd.Timedelta(minutes=60)
    so_far = log[minutes(log["sampled_at"]) <= NOW]
    board = board_of(round_, so_far, tmp_path)
    sites = board.sites.set_index("site_id")
    assert list(board.flagged["site_id"]) == [slow]
    assert sites.loc[slow, "slip"] < 0
    # It stopped at 07:30 and the plan passed that count some time after: behind by about
    # (now - 07:30) minus the time the plan took to reach the same count.
    assert 15 <= sites.loc[slow, "behind_min"] <= 60
    assert sites.loc[slow, "done"] == int(((round_.log["site_id"] == slow) & ~late).sum())


def test_curves_can_be_reused_for_another_time(round_: Round, tmp_path: Path) -> None:
    path = tmp_path / "log.parquet"
    write_log(round_.log, str(path))
    log = read_log(path, round_.scenario, salt=Salt.resolve("x"))
    curves = expected_curves(round_.scenario, round_.plan, reps=2, seed=3)
    early = progress_board(round_.scenario, round_.plan, log, 7 * 60, curves=curves)
    later = progress_board(round_.scenario, round_.plan, log, 9 * 60, curves=curves)
    assert (later.sites["done"] >= early.sites["done"]).all()
    assert later.sites["expected"].sum() > early.sites["expected"].sum()
    direct = progress_board(round_.scenario, round_.plan, log, 9 * 60, reps=2, seed=3)
    pd.testing.assert_frame_equal(direct.sites, later.sites)


def test_before_the_first_sample_the_board_is_all_behind(round_: Round, tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("采样点,采样时间,楼栋\n", encoding="utf-8")
    log = read_log(path, round_.scenario, allow_empty=True)
    assert log.rows == 0 and log.frame.empty
    board = progress_board(round_.scenario, round_.plan, log, NOW, reps=4, seed=0)
    sites = board.sites.set_index("site_id")
    assert (sites["done"] == 0).all() and (sites["remaining"] == sites["total"]).all()
    assert (sites["slip"] == -sites["expected"]).all()
    # Every site the plan had started by now is flagged; one it had not started is not.
    started = sites["expected"] > 0
    assert started.any()
    assert (sites.loc[started, "flag"]).all() and not sites.loc[~started, "flag"].any()
    with pytest.raises(LogError):
        read_log(path, round_.scenario)
