"""Comparing plans with common random numbers."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from planner import load_scenario
from planner.compare import compare_plans, format_comparison, kpi_rows
from planner.planfile import read_plan


def test_a_plan_against_itself_has_ratios_of_exactly_one(
    mini_dir: Path, mini_plan_dir: Path
) -> None:
    scenario = load_scenario(mini_dir)
    plan = read_plan(mini_plan_dir, scenario)
    table = compare_plans(scenario, [("a", plan), ("b", plan)], reps=3, seed=5).table
    assert table.loc["a", "finish"] == table.loc["b", "finish"]
    ratios = table.filter(like="_ratio").loc["b"]
    assert (ratios == 1.0).all(), ratios


def test_more_desks_cut_the_wait_and_the_ratio_shows_it(
    mini_dir: Path, mini_plan_dir: Path
) -> None:
    scenario = load_scenario(mini_dir)
    one_desk = read_plan(mini_plan_dir, scenario)
    three_desks = dataclasses.replace(
        one_desk, desks=tuple(dataclasses.replace(d, desks=3) for d in one_desk.desks)
    )
    table = compare_plans(scenario, [("one", one_desk), ("three", three_desks)], reps=3).table
    assert table.loc["three", "wait_p95_min"] < table.loc["one", "wait_p95_min"] / 2
    assert table.loc["three", "wait_p95_min_ratio"] < 0.5
    # Same people, same walks: walking is identical under common random numbers.
    assert table.loc["three", "walking_km_ratio"] == pytest.approx(1.0)
    # Finish ratio is on time taken since the start, not on clock minutes.
    start = scenario.round.start
    expected = (table.loc["three", "finish"] - start) / (table.loc["one", "finish"] - start)
    assert table.loc["three", "finish_ratio"] == pytest.approx(expected)


def test_display_marks_ratios_on_later_plans_only(mini_dir: Path, mini_plan_dir: Path) -> None:
    scenario = load_scenario(mini_dir)
    plan = read_plan(mini_plan_dir, scenario)
    shown = format_comparison(compare_plans(scenario, [("a", plan), ("b", plan)], reps=2), "en")
    assert "×" not in " ".join(shown.loc["a"]) and "(×1.00)" in shown.loc["b", "finish"]
    assert shown.columns[0] == "finish"


def test_duplicate_names_are_refused(mini_dir: Path, mini_plan_dir: Path) -> None:
    scenario = load_scenario(mini_dir)
    plan = read_plan(mini_plan_dir, scenario)
    with pytest.raises(ValueError, match="distinct"):
        compare_plans(scenario, [("a", plan), ("a", plan)])


def test_kpi_rows_show_none_as_a_dash() -> None:
    rows = dict(kpi_rows({"finish": {"mean": None, "p10": 500.0, "p90": None}}, "en"))
    assert rows["finish"] == "— (p10 08:20, p90 —)"
    assert rows["sites over queue capacity"] == "none"


def test_kpi_rows_name_the_worst_site_and_dash_older_kpis() -> None:
    kpis = {
        "wait_p95_worst_site_min": {"mean": 12.04, "p10": 11.66, "p90": 12.31},
        "worst_wait_site": "S002",
    }
    rows = dict(kpi_rows(kpis, "en"))
    assert rows["p95 wait at the worst site (min)"] == "12.0 (p10 11.7, p90 12.3), S002"
    zh = dict(kpi_rows(kpis, "zh"))
    assert zh["等待最长点位的 95% 等待（分钟）"].endswith("，S002")
    # A kpis.json written before the worst site was reported.
    assert dict(kpi_rows({}, "en"))["p95 wait at the worst site (min)"] == "—"
