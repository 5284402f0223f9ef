"""Sweepers over the day (planner.solver.teams): stints that keep every rule of a sweeper's day,
one window per site, and committees that lend sweepers to the one that would finish last."""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from planner.model import Role, Scenario
from planner.parse import load_scenario
from planner.solver.sweeps import Stint
from planner.solver.teams import phase_sweepers, sweepers_per_slot

TOWN = Path(__file__).resolve().parents[1] / "scenarios" / "town"
EFFICIENCY = 0.75


@pytest.fixture(scope="module")
def town() -> Scenario:
    return load_scenario(TOWN)


def _nearest_sites(scenario: Scenario) -> np.ndarray:
    """Each building with anybody to call to its nearest site (a stand-in for the location)."""
    lat = np.array([s.lat for s in scenario.sites])
    lon = np.array([s.lon for s in scenario.sites])
    out = np.full(len(scenario.buildings), -1, dtype=np.int64)
    for b, building in enumerate(scenario.buildings):
        if building.mobile > 0:
            out[b] = int(np.argmin((lat - building.lat) ** 2 + (lon - building.lon) ** 2))
    return out


def _calling_need(scenario: Scenario, site_of: np.ndarray) -> dict[int, float]:
    per_household = scenario.crew.sweep_s_per_household / 60.0 / EFFICIENCY
    need: dict[int, float] = defaultdict(float)
    for b, s in enumerate(site_of):
        if s >= 0:
            need[int(s)] += scenario.buildings[b].households * per_household
    return need


def test_stints_keep_each_sweepers_day_and_give_each_site_one_window(town: Scenario) -> None:
    site_of = _nearest_sites(town)
    home = phase_sweepers(town, site_of, town.staff, EFFICIENCY, 2.0, 1.04)
    people = {p.staff_id: p for p in town.staff}
    earliest = town.round.start - town.flow.response_min
    by_site: dict[int, list[Stint]] = defaultdict(list)
    for sid, stints in home.items():
        person = people[sid]
        assert person.role is Role.SWEEPER
        for a, b in itertools.pairwise(stints):
            assert a.end <= b.start + 1e-6, f"{sid} is at two sites at once"
        assert stints[0].start >= max(person.available_from, earliest) - 1e-6
        assert stints[-1].end <= person.available_to + 1e-6
        assert sum(st.end - st.start for st in stints) <= person.max_hours * 60 + 1e-6
        for st in stints:
            by_site[st.site].append(st)
    need = _calling_need(town, site_of)
    assert set(by_site) == set(need), "a site with people to call has no sweeper"
    gaps = []
    for site, stints in by_site.items():
        # One window: the stints, taken in time order, never leave a gap (desks open once).
        stints.sort(key=lambda st: st.start)
        reach = stints[0].end
        for st in stints[1:]:
            if st.start > reach + 1e-6:
                gaps.append(site)
            reach = max(reach, st.end)
        # And at least its calling's worth of sweeper time.
        assert sum(st.end - st.start for st in stints) >= need[site] - 1e-6
    # Known exception: work left over after a committee's end, when none of its sweepers is
    # free before the site's window closes, comes later (3 sites of 111 here; the desk stage
    # keeps one block per site and the dispatcher calls that work as it can).
    assert len(gaps) <= 3, f"sites with a gap in their sweepers' time: {gaps}"


def test_slots_count_the_part_of_each_slot_a_stint_covers() -> None:
    home = {"A": (Stint(0, 360.0, 397.5),), "B": (Stint(0, 375.0, 390.0), Stint(1, 390.0, 420.0))}
    per_slot = sweepers_per_slot(home, [0, 1], 360, 15, 4)
    assert per_slot[0].tolist() == pytest.approx([1.0, 2.0, 0.5, 0.0])
    assert per_slot[1].tolist() == pytest.approx([0.0, 0.0, 1.0, 1.0])


def test_a_committee_short_of_sweepers_borrows_from_its_neighbours(town: Scenario) -> None:
    site_of = _nearest_sites(town)
    sweepers = [p for p in town.staff if p.role is Role.SWEEPER]
    committee = sweepers[0].committee
    own = [p for p in sweepers if p.committee == committee]
    # All but one of the committee's sweepers stay home.
    gone = {p.staff_id for p in own[1:]}
    short = dataclasses.replace(town, staff=tuple(p for p in town.staff if p.staff_id not in gone))
    home = phase_sweepers(short, site_of, short.staff, EFFICIENCY, 2.0, 1.04)
    committee_of = {p.staff_id: p.committee for p in short.staff}
    sites = {s for s, site in enumerate(short.sites) if site.committee == committee}
    helpers = {
        sid
        for sid, stints in home.items()
        for st in stints
        if st.site in sites and committee_of[sid] != committee
    }
    assert helpers, "nobody came to help the committee left with one sweeper"
    # Without them its one sweeper would call until long after everybody else.
    need = sum(v for s, v in _calling_need(short, site_of).items() if s in sites)
    alone = own[0]
    alone_end = max(alone.available_from, town.round.start) + need
    last = max(st.end for stints in home.values() for st in stints if st.site in sites)
    assert last < min(alone_end, alone.available_to) - 60
    assert not math.isinf(last)
