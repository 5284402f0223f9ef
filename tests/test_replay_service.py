"""Service time from logs with some or no arrival times (bundled synthetic round: 25 s, CV 0.35)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from planner.model import Scenario
from planner.parse import load_scenario
from planner.plan import Plan
from planner.planfile import read_plan
from planner.replay.calibrate import Calibration, calibrate
from planner.replay.log import Salt, read_log
from planner.replay.reconstruct import reconstruct

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "data" / "replay-tiny"


@pytest.fixture(scope="module")
def tiny() -> tuple[Scenario, Plan, pd.DataFrame]:
    scenario = load_scenario(REPO / "scenarios" / "tiny")
    raw = pd.read_csv(DEMO / "log.csv", dtype=str, keep_default_na=False)
    return scenario, read_plan(DEMO / "plan", scenario), raw


def fit(scenario: Scenario, plan: Plan, frame: pd.DataFrame) -> Calibration:
    data = frame.to_csv(index=False).encode("utf-8")
    log = read_log(data, scenario, salt=Salt.resolve("s"), name="log.csv")
    return calibrate(scenario, log, reconstruct(scenario, log), plan)


def test_one_blank_arrival_keeps_the_busy_estimator(tiny: tuple) -> None:
    scenario, plan, raw = tiny
    full = fit(scenario, plan, raw)
    blank = raw.copy()
    blank.loc[100, "到达时间"] = ""
    one = fit(scenario, plan, blank)
    assert one.service_s.method == full.service_s.method == "cal_service_busy"
    # Stated tolerances (docs/replay.md): within 5% and 0.1 of the truth.
    assert one.service_s.value == pytest.approx(25.0, rel=0.05)
    assert abs(one.service_cv.value - 0.35) <= 0.1
    # Only the gaps next to the blank arrival are lost.
    assert full.service_s.n - 3 <= one.service_s.n <= full.service_s.n


def test_without_arrivals_the_service_bound_is_reported_not_applied(tiny: tuple) -> None:
    scenario, plan, raw = tiny
    cal = fit(scenario, plan, raw.drop(columns=["到达时间"]))
    assert cal.service_s.method == "cal_service_all"
    # An upper bound: idle time between people is in it.
    assert cal.service_s.value > 25.0 * 1.05
    table = cal.table(scenario).set_index("parameter")
    assert table.loc["service_s", "fitted"] == cal.service_s.value
    patch = cal.toml_patch("en")
    keys = [line.split(" = ")[0] for line in patch.splitlines() if " = " in line]
    assert "service_s" not in keys and "service_cv" not in keys and "turnout" in keys
    assert "# service_s" in patch and "upper bound" in patch
    applied = cal.apply(scenario).flow
    assert applied.service_s == scenario.flow.service_s
    assert applied.service_cv == scenario.flow.service_cv
    assert applied.turnout == round(cal.turnout.value, 3)


def test_turnout_counts_people_once_and_keeps_rows_without_a_building(tiny: tuple) -> None:
    scenario, plan, raw = tiny
    full = fit(scenario, plan, raw).turnout
    # A re-test of ten people (same ID, sampled again) and ten rows with the building left blank.
    again = raw.iloc[200:210].copy()
    again["采样时间"] = again["采样时间"].str.replace(r" 0?\d:", " 11:", regex=True)
    retest = pd.concat([raw, again], ignore_index=True)
    got = fit(scenario, plan, retest).turnout
    assert got.value == full.value and got.n == full.n
    blank = raw.copy()
    blank.loc[300:309, "楼栋"] = ""
    got = fit(scenario, plan, blank).turnout
    assert got.value == full.value and got.n == full.n
