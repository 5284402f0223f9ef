"""The questions put to the location stage (planner.solver.siting), on the real location model."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from planner import load_scenario
from planner.location import solve_location
from planner.model import Scenario
from planner.solver.siting import Siting, desk_share, locate, open_desks, site_capacity

SLOT = 15
START = 360


def test_desk_share_by_hand() -> None:
    crews = np.array([4, 4, 2, 2, 8, 8], dtype=np.int64)
    desks = np.array([8, 8, 8, 8, 8, 8], dtype=np.int64)
    # 4 + 4 + 2 + 2 + 8 + 8 crews man 28 of 48 desks; no slot lends its spare crews to another.
    assert desk_share(crews, desks) == pytest.approx(28 / 48)
    assert desk_share(crews, np.array([4, 4, 2, 2, 4, 4])) == 1.0
    assert desk_share(crews, np.zeros(6, dtype=np.int64)) == 1.0


def test_open_desks_count_each_site_in_its_own_hours(
    scenario_writer: Callable[..., Path], mini_tables: dict
) -> None:
    # S1 (3 desks) opens at 06:00, S2 (2 desks) at 06:30: 15-minute slots from 06:00.
    scenario = load_scenario(scenario_writer(tables=mini_tables))
    both = np.array([True, True])
    assert open_desks(scenario, both, SLOT, 4).tolist() == [3, 3, 5, 5]
    assert open_desks(scenario, np.array([False, True]), SLOT, 4).tolist() == [0, 0, 2, 2]
    # Four crews a slot man all 3 desks, then 4 of 5: 14 of 16.
    share = desk_share(np.full(4, 4, dtype=np.int64), open_desks(scenario, both, SLOT, 4))
    assert share == pytest.approx(14 / 16)


@pytest.fixture
def two_sites(scenario_writer: Callable[..., Path], mini_tables: dict) -> Scenario:
    # Two sites of four desks open all morning, so only the crews set what each can serve.
    for site in mini_tables["sites"]:
        site.update(max_desks=4, open_from="06:00", open_to="09:00")
    return load_scenario(scenario_writer(tables=mini_tables))


def _search(demand: np.ndarray, cost: np.ndarray, open_cost: float = 0.0) -> Callable[..., object]:
    def search(capacity: np.ndarray, allowed: np.ndarray, most: int | None) -> object:
        return solve_location(
            demand,
            capacity,
            np.full(cost.shape[0], open_cost),
            cost,
            max_open=most,
            allowed=allowed,
            time_limit=2.0,
            deterministic=True,
        )

    return search


def _locate(
    scenario: Scenario,
    crews: int,
    capacity: list[float],
    stopped: Callable[[], bool] | None = None,
) -> Siting:
    # Six buildings of 100 people, every one of them nearer S1.
    demand = np.full(6, 100.0)
    cost = np.vstack([np.full(6, 100.0), np.full(6, 300.0)])
    allowed = np.ones((2, 6), dtype=bool)
    return locate(
        scenario,
        _search(demand, cost),  # type: ignore[arg-type]
        capacity=np.array(capacity),
        capacity_day=np.array([600.0, 600.0]),
        allowed=allowed,
        allowed_day=allowed,
        most_sites=None,
        crews=np.full(12, crews, dtype=np.int64),
        slot_min=SLOT,
        target=480,
        stopped=stopped,
    )


def _loads(siting: Siting) -> list[float]:
    return np.bincount(siting.location.assign, weights=np.full(6, 100.0), minlength=2).tolist()


def test_sites_are_loaded_at_the_desk_share_the_crews_can_man(two_sites: Scenario) -> None:
    # At their most desks the sites take 500 people each, and walking puts 500 at S1. Six crews
    # man 6 of the 8 desks: at that share each site holds 375, so S1 keeps three buildings.
    siting = _locate(two_sites, crews=6, capacity=[500.0, 500.0])
    assert siting.passes == "shared"
    assert siting.desk_share == pytest.approx(0.75)
    assert _loads(siting) == [300.0, 300.0]


def test_the_first_pass_stands_when_the_share_cannot_hold_everybody(two_sites: Scenario) -> None:
    # Four crews for 8 desks: 250 a site cannot hold 600 people, so the walking-first plan stays.
    siting = _locate(two_sites, crews=4, capacity=[500.0, 500.0])
    assert siting.passes == "target"
    assert _loads(siting) == [500.0, 100.0]
    # Five crews (0.625) would hold everybody at 312 a site, but with so few crews for the
    # desks the desk stage moves them to the people: one pass.
    assert _locate(two_sites, crews=5, capacity=[500.0, 500.0]).passes == "target"
    # Crews for every desk: one pass.
    assert _locate(two_sites, crews=8, capacity=[500.0, 500.0]).passes == "target"


def test_a_target_out_of_reach_falls_back_to_the_whole_day(two_sites: Scenario) -> None:
    siting = _locate(two_sites, crews=8, capacity=[200.0, 200.0])
    assert siting.passes == "day"
    assert sorted(_loads(siting)) == [0.0, 600.0]  # the day's capacity: all at S1, the nearest


def test_site_capacity_counts_whole_slots_until_the_target(two_sites: Scenario) -> None:
    # 30 s a swab: a desk serves 2 people a minute; four desks from 06:00 to 08:00.
    assert site_capacity(two_sites, 480, SLOT).tolist() == [960.0, 960.0]
    assert site_capacity(two_sites, None, SLOT).tolist() == [1440.0, 1440.0]


def test_the_share_pass_keeps_to_the_sites_it_was_sized_for(
    scenario_writer: Callable[..., Path], mini_tables: dict
) -> None:
    # Three sites of four desks, 350 people each at their most; opening one costs something, so
    # the first pass opens two for the 600 people (300 each). Six crews man 6 of those 8 desks
    # (0.75): 262 a site holds two buildings, so two sites cannot take everybody. Opening the
    # third would leave the crews 6 of 12 desks, not the share the pass was sized with: the
    # first plan stands.
    third = {**mini_tables["sites"][1], "site_id": "S3", "lat": 31.2170}
    mini_tables["sites"].append(third)
    for site in mini_tables["sites"]:
        site.update(max_desks=4, open_from="06:00", open_to="09:00")
    scenario = load_scenario(scenario_writer(tables=mini_tables))
    demand = np.full(6, 100.0)
    cost = np.vstack([np.full(6, 100.0), np.full(6, 200.0), np.full(6, 300.0)])
    allowed = np.ones((3, 6), dtype=bool)
    siting = locate(
        scenario,
        _search(demand, cost, open_cost=1000.0),  # type: ignore[arg-type]
        capacity=np.full(3, 350.0),
        capacity_day=np.full(3, 600.0),
        allowed=allowed,
        allowed_day=allowed,
        most_sites=None,
        crews=np.full(12, 6, dtype=np.int64),
        slot_min=SLOT,
        target=480,
    )
    assert siting.desk_share == pytest.approx(0.75)
    assert siting.passes == "target"
    assert siting.location.open.tolist() == [True, True, False]


def test_a_stop_request_skips_the_share_pass(two_sites: Scenario) -> None:
    siting = _locate(two_sites, crews=6, capacity=[500.0, 500.0], stopped=lambda: True)
    assert siting.passes == "target"
    assert _loads(siting) == [500.0, 100.0]
