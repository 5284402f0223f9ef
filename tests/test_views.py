"""Plain-data views behind the page: queue bands, desk steps, map layers, timeline, deltas."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from planner import views
from planner.edits import CloseSite, apply_edits
from planner.model import Scenario
from planner.plan import DeskSpell, Plan


def test_queue_bands_count_missing_replications_as_empty_queues() -> None:
    queue = pd.DataFrame(
        {
            "rep": [0, 1, 2, 3, 0],
            "site_id": pd.Categorical(["A", "A", "A", "A", "B"]),
            "minute": [10, 10, 10, 10, 11],
            "queue": [4, 8, 12, 16, 5],
        }
    )
    bands = views.queue_bands(queue, reps=5).set_index(["site_id", "minute"])
    a = bands.loc[("A", 10)]
    assert a["mean"] == pytest.approx(8.0)  # (4 + 8 + 12 + 16 + 0) / 5
    assert a["p10"] == pytest.approx(1.6) and a["p90"] == pytest.approx(14.4)
    b = bands.loc[("B", 11)]
    assert b["mean"] == pytest.approx(1.0) and b["p10"] == 0.0


def test_desk_series_steps_through_gaps_and_overlaps() -> None:
    plan = Plan(
        desks=(
            DeskSpell("A", 360, 420, 2),
            DeskSpell("A", 480, 540, 3),
            DeskSpell("A", 500, 520, 1),  # overlapping (invalid) spells add up
            DeskSpell("B", 360, 400, 1),
        ),
        calls=(),
        visits=(),
        roster=(),
    )
    series = views.desk_series(plan, "A")
    assert list(series.itertuples(index=False, name=None)) == [
        (360, 2),
        (420, 0),
        (480, 3),
        (500, 4),
        (520, 3),
        (540, 0),
    ]
    assert views.peak_desks(plan) == {"A": 4, "B": 1}


def test_map_layers_have_every_building_and_site(tiny: Scenario, tiny_plan: Plan) -> None:
    shut = tiny_plan.desks[0].site_id
    edited = apply_edits(tiny, tiny_plan, [CloseSite(shut)])
    layers = views.map_layers(tiny, edited)
    b, s, r = layers["buildings"], layers["sites"], layers["routes"]
    assert list(b["building_id"]) == [x.building_id for x in tiny.buildings]
    site_of = edited.site_of_building()
    assert dict(zip(b["building_id"], b["site_id"], strict=True)) == {
        x.building_id: site_of.get(x.building_id, "") for x in tiny.buildings
    }
    assert len(s) == len(tiny.sites)
    closed = s.set_index("site_id").loc[shut]
    assert closed["desks"] == 0 and not closed["open"]
    assert len(r) == len(tiny_plan.visits)
    for _, team in r.groupby("team_id"):
        assert list(team["seq"]) == sorted(team["seq"])


def test_timeline_rows_last_as_long_as_the_sweep(tiny: Scenario, tiny_plan: Plan) -> None:
    rows = views.timeline_rows(tiny, tiny_plan)
    assert len(rows) == len(tiny_plan.calls)
    assert list(rows["start"]) == sorted(rows["start"])
    first = rows.iloc[0]
    building = tiny.buildings[tiny.building_index[first["building_id"]]]
    lo, hi = (int(x) for x in first["floors"].split("-"))
    households = building.households * (hi - lo + 1) / building.floors
    minutes = households * tiny.crew.sweep_s_per_household / 60
    assert first["end"] - first["start"] == pytest.approx(max(1.0, minutes))


def test_evaluations_share_random_numbers_so_deltas_are_the_plans(
    tiny: Scenario, tiny_plan: Plan
) -> None:
    one = views.evaluate(tiny, tiny_plan)
    two = views.evaluate(tiny, tiny_plan)
    assert one.values == two.values or all(
        (math.isnan(a) and math.isnan(b)) or a == b
        for a, b in zip(one.values.values(), two.values.values(), strict=True)
    )
    deltas = views.kpi_deltas(one.values, two.values)
    assert all(v == 0 or math.isnan(v) for v in deltas.values())
    # Closing the busiest site sends its people elsewhere: longer walks, new queues.
    busiest = one.sites.sort_values("arrivals").iloc[-1]["site_id"]
    after = views.evaluate(tiny, apply_edits(tiny, tiny_plan, [CloseSite(busiest)]))
    assert busiest not in set(after.sites["site_id"])
    assert views.kpi_deltas(one.values, after.values)["walking_km"] > 0
    assert set(views.newly_over(one, after)) == set(after.over_capacity) - set(one.over_capacity)
    # Its people arrive at the other sites instead.
    before_arrivals = one.sites.set_index("site_id")["arrivals"]
    after_arrivals = after.sites.set_index("site_id")["arrivals"]
    assert after_arrivals.sum() == pytest.approx(before_arrivals.sum())
    others = [s for s in after_arrivals.index if s != busiest]
    assert (after_arrivals[others] >= before_arrivals.reindex(others).fillna(0)).all()


def test_formatting_of_cards() -> None:
    assert views.format_value("finish", 9 * 60 + 29.7) == "09:29"
    assert views.format_value("done_by_deadline", 0.9715) == "97.2%"
    assert views.format_value("peak_queue", math.nan) == "—"
    assert views.format_delta("finish", 12.0, "en") == "+12 min"
    assert views.format_delta("finish", 0.0, "en") is None
    assert views.format_delta("done_by_deadline", -0.035, "en") == "-3.5 pp"
    assert views.format_delta("done_by_deadline", -0.035, "zh") == "-3.5 个百分点"


def test_a_plan_with_nobody_at_any_site_still_evaluates(tiny: Scenario) -> None:
    empty = Plan(desks=(), calls=(), visits=(), roster=())
    ev = views.evaluate(tiny, empty)
    assert ev.sites.empty and ev.queue.empty
    assert ev.values["done_by_deadline"] == 0.0 and ev.values["staff_hours"] == 0.0
    assert {p.code for p in ev.problems} >= {"chk_no_calls"}
    assert views.timeline_rows(tiny, empty).empty and views.roster_rows(tiny, empty).empty
    assert (views.map_layers(tiny, empty)["buildings"]["site_id"] == "").all()
