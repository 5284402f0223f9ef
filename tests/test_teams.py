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
from planner.solver.pipeline import _pooled_committees
from planner.solver.sweeps import Stint
from planner.solver.teams import (
    group_feeders,
    phase_sweepers,
    pool_by_committee,
    sweepers_per_slot,
)

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


def _phased_with_helpers(
    scenario: Scenario, site_of: np.ndarray, committee: str, before: float = math.inf
) -> tuple[dict[str, tuple[Stint, ...]], set[int], set[str]]:
    """The sweepers' stints, the committee's sites, and the other committees' sweepers with a
    stint there starting before ``before``."""
    home = phase_sweepers(scenario, site_of, scenario.staff, EFFICIENCY, 2.0, 1.04)
    committee_of = {p.staff_id: p.committee for p in scenario.staff}
    sites = {s for s, site in enumerate(scenario.sites) if site.committee == committee}
    helpers = {
        sid
        for sid, stints in home.items()
        for st in stints
        if st.site in sites and committee_of[sid] != committee and st.start < before
    }
    return home, sites, helpers


def test_a_committee_short_of_sweepers_borrows_from_its_neighbours(town: Scenario) -> None:
    site_of = _nearest_sites(town)
    sweepers = [p for p in town.staff if p.role is Role.SWEEPER]
    committee = sweepers[0].committee
    own = [p for p in sweepers if p.committee == committee]
    # All but one of the committee's sweepers stay home.
    gone = {p.staff_id for p in own[1:]}
    short = dataclasses.replace(town, staff=tuple(p for p in town.staff if p.staff_id not in gone))
    home, sites, helpers = _phased_with_helpers(short, site_of, committee)
    assert helpers, "nobody came to help the committee left with one sweeper"
    # Without them its one sweeper would call until long after everybody else.
    need = sum(v for s, v in _calling_need(short, site_of).items() if s in sites)
    alone = own[0]
    alone_end = max(alone.available_from, town.round.start) + need
    last = max(st.end for stints in home.values() for st in stints if st.site in sites)
    assert last < min(alone_end, alone.available_to) - 60
    assert not math.isinf(last)


def test_close_committees_with_sweepers_to_spare_are_pooled() -> None:
    compound = load_scenario(TOWN.parent / "compound-103")
    used = list(range(len(compound.sites)))
    assert _pooled_committees(compound, used) == sorted({s.committee for s in compound.sites})
    # One site of the first committee 2 km away: its sites are no longer a short walk apart.
    first = compound.sites[0]
    far = dataclasses.replace(first, lat=first.lat + 0.018)
    moved = dataclasses.replace(compound, sites=(far, *compound.sites[1:]))
    assert first.committee not in _pooled_committees(moved, used)
    # Fewer sweepers than sites in the first committee: its sites take turns instead.
    sites = sum(s.committee == first.committee for s in compound.sites)
    theirs = [
        p for p in compound.staff if p.role is Role.SWEEPER and p.committee == first.committee
    ]
    staff = tuple(p for p in compound.staff if p not in theirs[sites - 1 :])
    few = dataclasses.replace(compound, staff=staff)
    pooled = _pooled_committees(few, used)
    assert first.committee not in pooled and len(pooled) == 1


def test_pooled_stints_cover_every_site_of_the_committee_for_the_sweepers_day(
    town: Scenario,
) -> None:
    site_of = _nearest_sites(town)
    home = phase_sweepers(town, site_of, town.staff, EFFICIENCY, 2.0, 1.04)
    used = sorted({int(s) for s in site_of if s >= 0})
    committee = town.sites[used[0]].committee
    pooled = pool_by_committee(town, home, town.staff, used, [committee])
    members = {s for s in used if town.sites[s].committee == committee}
    person = {p.staff_id: p for p in town.staff}
    for sid, stints in home.items():
        theirs = {town.sites[st.site].committee for st in stints}
        widened = {st.site for st in pooled[sid] if st.site in members}
        assert widened == (members if committee in theirs else set())
        # Stints elsewhere are kept as they were.
        assert [st for st in pooled[sid] if st.site not in members] == [
            st for st in stints if town.sites[st.site].committee != committee
        ]
        if theirs == {committee}:  # theirs all day (at least their stints), within their hours
            first, last = min(st.start for st in stints), max(st.end for st in stints)
            for st in pooled[sid]:
                assert person[sid].available_from <= st.start <= first
                assert last <= st.end <= person[sid].available_to
    group_of, feeders = group_feeders(town, pooled, used, [committee], 360, 15, 4)
    assert (group_of >= 0).sum() == len(members)
    workers = sum(1 for stints in pooled.values() if any(st.site in members for st in stints))
    assert feeders.max() <= workers


def test_a_committee_whose_sweepers_mostly_come_late_is_lent_enough_morning_sweepers(
    town: Scenario,
) -> None:
    # As in a generated town (seed 2): one sweeper from 05:30, the others only from 10:00. Laid
    # out, such a committee never finishes (the late ones are left out), and no single loan
    # changes that: the lending once stopped there, leaving its calling until the afternoon.
    site_of = _nearest_sites(town)
    sweepers = [p for p in town.staff if p.role is Role.SWEEPER]
    need_of: dict[str, float] = defaultdict(float)
    for s, minutes in _calling_need(town, site_of).items():
        need_of[town.sites[s].committee] += minutes
    committee = max(sorted(need_of), key=need_of.__getitem__)
    own = [p for p in sweepers if p.committee == committee]
    # A 4-hour morning and three afternoon sweepers: more than the morning one and any single
    # helper can call by themselves.
    assert need_of[committee] > 240 + 480
    changed = {
        p.staff_id: dataclasses.replace(p, available_from=600, available_to=840, max_hours=4.0)
        for p in own[1:]
    }
    changed[own[0].staff_id] = dataclasses.replace(
        own[0], available_from=330, available_to=600, max_hours=4.0
    )
    staff = tuple(changed.get(p.staff_id, p) for p in town.staff)
    short = dataclasses.replace(town, staff=staff)
    home, sites, morning_helpers = _phased_with_helpers(short, site_of, committee, before=600)
    assert len(morning_helpers) >= 2
    # Its calling ends with the other committees' (whose last stints end by about 11:00).
    ends: dict[bool, float] = defaultdict(float)
    for stints in home.values():
        for st in stints:
            mine = st.site in sites
            ends[mine] = max(ends[mine], st.end)
    assert ends[True] <= ends[False] + 30


def test_a_site_closing_early_gets_its_sweepers_before_it_closes(town: Scenario) -> None:
    # In walking order a site may be laid out last, its window ending at the committee's end;
    # one that closes before then must get its sweepers earlier.
    site_of = _nearest_sites(town)
    home = phase_sweepers(town, site_of, town.staff, EFFICIENCY, 2.0, 1.04)
    last_stint: dict[int, float] = defaultdict(float)
    for stints in home.values():
        for st in stints:
            last_stint[st.site] = max(last_stint[st.site], st.end)
    # Close, at 10:00, every site whose stints run latest of its committee's: the sites laid
    # out last.
    latest: dict[str, int] = {}
    for s, end in last_stint.items():
        committee = town.sites[s].committee
        if committee not in latest or end > last_stint[latest[committee]]:
            latest[committee] = s
    closing = {s for s in latest.values() if last_stint[s] > 600}
    assert len(closing) >= 5
    sites = tuple(
        dataclasses.replace(site, open_to=600) if s in closing else site
        for s, site in enumerate(town.sites)
    )
    early = dataclasses.replace(town, sites=sites)
    home = phase_sweepers(early, site_of, early.staff, EFFICIENCY, 2.0, 1.04)
    stints = [st for stints in home.values() for st in stints if st.site in closing]
    before = sum(min(st.end, 600) - st.start for st in stints if st.start < 600)
    total = sum(st.end - st.start for st in stints)
    # Work that fits nobody's layout still goes to whoever is free first, late in the day; laid
    # out in walking order only 72% of these sites' sweeper time came before they closed.
    assert before >= 0.8 * total
