"""Sweepers to sites: each site gets sweepers in proportion to the calling its waves need.

A sweeper who stays at one site walks only between its buildings, tens of metres; one who goes
wherever the next call is spends much of the morning walking (measured on the town: as much time
walking as calling). Sweepers of a committee go to the sites its buildings use; the town-wide
pool (no committee) fills what is left. A site's sweepers bound how fast it can be fed: the
desk allocation caps each site's desks by them.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from planner.geo import haversine_m
from planner.model import Role, Scenario, Staff
from planner.solver.budget import work_blocks

IntArray = npt.NDArray[np.int64]


def calling_minutes(scenario: Scenario, site_of: IntArray) -> dict[int, float]:
    """Minutes of calling (households x sweep_s_per_household) each used site needs."""
    per_household = scenario.crew.sweep_s_per_household / 60.0
    out: dict[int, float] = defaultdict(float)
    if per_household <= 0:  # calling takes no time: nothing to balance
        return {}
    for b, s in enumerate(site_of):
        building = scenario.buildings[b]
        if s >= 0 and building.mobile > 0:
            out[int(s)] += building.households * per_household
    return dict(out)


def assign_sweepers(
    scenario: Scenario,
    site_of: IntArray,
    staff: Sequence[Staff],
    efficiency: float = 0.8,
) -> dict[str, tuple[int, ...]]:
    """Sites for each sweeper (by staff id), in proportion to each site's calling work.

    Sweepers are placed one at a time, committee volunteers before the town-wide pool and those
    who can work longest first: each goes to the site with the smallest share of its calling
    covered so far among the sites its committee's buildings use (any site for the pool), the
    nearest on ties. A site still without a sweeper (its committee has more sites than sweepers)
    shares the one of its committee whose sites would finish earliest, assuming ``efficiency`` of
    working time spent calling.

    Known weakness (measured on the town): a site whose only sweeper is an afternoon volunteer
    cannot start before that volunteer comes, and those sites finish last. Placing morning
    sweepers first (and sharing them) fixed that tail but lengthened queues elsewhere; balancing
    on finish times alone did too. Both were tried and measured; neither is used.
    """
    need = calling_minutes(scenario, site_of)
    if not need:
        return {}
    sites_of_committee: dict[str, set[int]] = defaultdict(set)
    for b, s in enumerate(site_of):
        if s >= 0 and scenario.buildings[b].mobile > 0:
            sites_of_committee[scenario.buildings[b].committee].add(int(s))
    start, crew = scenario.round.start, scenario.crew
    blocks = {
        p.staff_id: work_blocks(p, start, crew.max_ppe_h, 0)
        for p in staff
        if p.role is Role.SWEEPER
    }
    sweepers = [p for p in staff if p.role is Role.SWEEPER and blocks[p.staff_id]]
    centre = _committee_centres(scenario)
    given: dict[int, list[tuple[int, int]]] = defaultdict(list)
    out: dict[str, tuple[int, ...]] = {}

    def worked(person: Staff) -> int:
        return sum(b - a for a, b in blocks[person.staff_id])

    def place(person: Staff) -> None:
        options = sorted(sites_of_committee.get(person.committee, set())) or sorted(need)
        here = centre.get(person.committee)
        best = min(
            options,
            key=lambda s, here=here: (  # type: ignore[misc]
                sum(b - a for a, b in given.get(s, [])) / need[s],
                _metres(here, scenario.sites[s].lat, scenario.sites[s].lon),
            ),
        )
        out[person.staff_id] = (best,)
        given[best].extend(blocks[person.staff_id])

    for person in sorted(sweepers, key=lambda p: (p.committee == "", -worked(p), p.staff_id)):
        place(person)
    # A site still without a sweeper shares the least-loaded one of its committee.
    by_committee = {p.staff_id: p.committee for p in sweepers}
    for site in sorted(s for s in need if not given.get(s)):
        committees = {c for c, sites in sites_of_committee.items() if site in sites}
        helpers = [sid for sid in out if by_committee.get(sid) in committees] or [
            sid for sid in out if not by_committee.get(sid)
        ]
        if not helpers:
            continue
        chosen = min(
            helpers,
            key=lambda sid: (
                max(_finish(given[h], need[h] / efficiency) for h in out[sid]),
                len(out[sid]),
                sid,
            ),
        )
        out[chosen] = (*out[chosen], site)
    return out


def _finish(blocks: Sequence[tuple[int, int]], minutes: float) -> float:
    """Minute at which ``blocks`` of working time (possibly overlapping) add up to ``minutes``."""
    if not blocks:
        return float("inf")
    edges = sorted({t for block in blocks for t in block})
    done = 0.0
    for lo, hi in itertools.pairwise(edges):
        workers = sum(1 for a, b in blocks if a <= lo and hi <= b)
        if workers and done + workers * (hi - lo) >= minutes:
            return lo + (minutes - done) / workers
        done += workers * (hi - lo)
    return float("inf")


def sweepers_per_slot(
    scenario: Scenario,
    assignment: dict[str, tuple[int, ...]],
    site_ids: Sequence[int],
    slot_start: int,
    slot_min: int,
    n_slots: int,
) -> npt.NDArray[np.float64]:
    """(sites, slots): sweepers of each site on duty in each slot (a shared one counts 1/n)."""
    row = {s: k for k, s in enumerate(site_ids)}
    out = np.zeros((len(site_ids), n_slots), dtype=np.float64)
    for person in scenario.staff:
        sites = [s for s in assignment.get(person.staff_id, ()) if s in row]
        if not sites:
            continue
        for lo, hi in work_blocks(person, scenario.round.start, scenario.crew.max_ppe_h, 0):
            first = max(0, -(-(lo - slot_start) // slot_min))
            last = min(n_slots, (hi - slot_start) // slot_min)
            if last > first:
                for site in sites:
                    out[row[site], first:last] += 1.0 / len(sites)
    return out


def _metres(here: tuple[float, float] | None, lat: float, lon: float) -> float:
    return float(haversine_m(here[0], here[1], lat, lon)) if here else 0.0


def _committee_centres(scenario: Scenario) -> dict[str, tuple[float, float]]:
    lat: dict[str, list[float]] = defaultdict(list)
    lon: dict[str, list[float]] = defaultdict(list)
    for b in scenario.buildings:
        lat[b.committee].append(b.lat)
        lon[b.committee].append(b.lon)
    return {c: (float(np.mean(lat[c])), float(np.mean(lon[c]))) for c in lat}
