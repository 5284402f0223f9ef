"""Calling waves: which floors are called together, and when each wave should be called.

Field practice (Shanghai, April 2022) calls about ten floors or twenty households at a time:
calling a whole tower jams the lift and the queue, calling one household at a time leaves desks
idle. A building is cut into consecutive floor groups of at most ``wave_floors`` floors and about
``wave_households`` households.

Timing is a fluid match of each site's expected arrivals to its service capacity: the desks of a
site serve ``desks x 60 / service_s`` people a minute, so its cumulative capacity is a piecewise
linear curve. Waves are taken in the site's order and each is called so that its people arrive,
on average, when the desks have just served everybody called before them, less a small buffer
(``queue_buffer_min`` minutes of work) that keeps desks from idling between waves.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from planner.model import Building, FlowParams, Scenario
from planner.plan import DeskSpell, split_evenly


@dataclass(frozen=True, slots=True)
class Wave:
    """One calling wave of one building, before a sweeper is chosen."""

    building: int  # index in scenario.buildings
    floor_from: int
    floor_to: int
    people: int
    households: float
    site: int  # index in scenario.sites
    target: float  # desired call minute


def building_waves(
    building: Building, wave_floors: int, wave_households: int, lift_from: int = 0
) -> list[tuple[int, int, int]]:
    """Floor groups ``(floor_from, floor_to, people)`` of a building's mobile residents.

    Groups cover floors 1..floors once, bottom up; residents are spread evenly over floors (the
    simulator and the checker assume the same). A building with nobody to call has no groups.
    With ``lift_from`` (the first floor that takes the lift) and a lift in the building, no
    group mixes stair floors and lift floors, so the two can be called as separate queues.
    """
    if building.mobile <= 0:
        return []
    floors = building.floors
    per_floor = building.households / floors if floors else 0.0
    by_households = int(wave_households / per_floor) if per_floor > 0 else floors
    size = max(1, min(wave_floors, by_households, floors))
    people = split_evenly(building.mobile, floors)
    split = building.lift and 1 < lift_from <= floors
    parts = [(1, lift_from - 1), (lift_from, floors)] if split else [(1, floors)]
    out: list[tuple[int, int, int]] = []
    for bottom, top in parts:
        span = top - bottom + 1
        first = bottom
        for count in split_evenly(span, math.ceil(span / size)):
            last = first + count - 1
            out.append((first, last, sum(people[first - 1 : last])))
            first = last + 1
    return out


@dataclass(frozen=True, slots=True)
class Descent:
    """How a wave's people get down: fixed minutes, and lift rides that queue per building."""

    fixed_min: float  # mean response + stairs (walkers' share) + walk to the site
    rides: int  # lift rides the wave needs (0 without a lift)
    lift_share: float  # share of the wave's people who ride


def descent(
    building: Building,
    floor_from: int,
    floor_to: int,
    people: int,
    flow: FlowParams,
    walk_min: float,
) -> Descent:
    """The wave's way down and over to the site (the simulator's flow, in means)."""
    floors = np.arange(floor_from, floor_to + 1)
    by_lift = building.lift & (floors >= flow.lift_from_floor)
    share = float(np.mean(by_lift))
    stairs = float(np.mean(np.where(by_lift, 0.0, (floors - 1) * flow.stairs_s_per_floor))) / 60.0
    riders = people * flow.turnout * share
    rides = math.ceil(riders / flow.lift_people) if riders > 0 else 0
    # ``stairs`` is already averaged over all floors with riders counted as 0: the walkers' share.
    fixed = flow.response_min / 2.0 + stairs + walk_min
    return Descent(fixed, rides, share)


class LiftClock:
    """When each building's lift is next free, as waves are called (minutes)."""

    def __init__(self, flow: FlowParams) -> None:
        self.ride_min = flow.lift_s / 60.0
        self.response_min = flow.response_min
        self.free: dict[int, float] = {}

    def arrival(self, building: int, call: float, way: Descent, book: bool) -> float:
        """Mean arrival of a wave called at ``call``; ``book`` reserves the lift for it."""
        if way.rides == 0:
            return call + way.fixed_min
        ready = call + self.response_min / 2.0
        start = max(ready, self.free.get(building, -math.inf))
        if book:
            self.free[building] = start + way.rides * self.ride_min
        # Riders wait for their place in the lift queue, half the wave's rides on average.
        lift = (start - ready) + (way.rides + 1) / 2.0 * self.ride_min
        return call + way.fixed_min + way.lift_share * lift


def spells_by_site(desks: Sequence[DeskSpell]) -> dict[str, list[DeskSpell]]:
    """Each site's desk spells, by start."""
    out: dict[str, list[DeskSpell]] = {}
    for spell in sorted(desks, key=lambda d: d.start):
        out.setdefault(spell.site_id, []).append(spell)
    return out


def capacity_curve(
    spells: Sequence[DeskSpell], service_s: float
) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Breakpoints (minutes, cumulative people served) of a site's service capacity.

    Plain tuples: the dispatchers look single points up on them hundreds of thousands of times
    on the town, where ``np.interp`` on one number costs several times a bisection.
    """
    times: list[float] = []
    served: list[float] = []
    total = 0.0
    for spell in sorted(spells, key=lambda s: s.start):
        if (times and spell.start > times[-1]) or not times:
            times.append(float(spell.start))
            served.append(total)
        total += spell.desks * (spell.end - spell.start) * 60.0 / service_s
        times.append(float(spell.end))
        served.append(total)
    return tuple(times), tuple(served)


def time_when_served(times: Sequence[float], served: Sequence[float], people: float) -> float:
    """Minute at which cumulative capacity reaches ``people`` (extrapolated past the last desk)."""
    if not times:
        return math.inf
    if people <= served[0]:
        return float(times[0])
    if people >= served[-1]:
        # Beyond the planned desks: continue at the last spell's rate so late waves still spread.
        rate = _last_rate(times, served)
        return float(times[-1] + (people - served[-1]) / rate) if rate > 0 else float(times[-1])
    return _interp(people, served, times)


def served_by(times: Sequence[float], served: Sequence[float], minute: float) -> float:
    """People the capacity can serve by ``minute`` (the inverse of :func:`time_when_served`,
    going on at the last spell's rate after the last spell, as desks are extended until the
    queue clears)."""
    if not times:
        return 0.0
    if minute <= times[-1]:
        return _interp(minute, times, served)
    return float(served[-1] + _last_rate(times, served) * (minute - times[-1]))


def closed_minutes(
    times: Sequence[float], served: Sequence[float], begin: float, end: float
) -> float:
    """Minutes within [``begin``, ``end``) during which a site's desks are all closed.

    Desks may close for a while and open again (a site whose crew works elsewhere for a slot):
    people who arrive in the gap, or whose service runs into it, wait for it to pass on top of
    the queue ahead of them. Beyond the last spell the desks count as open (as in
    :func:`served_by`, which goes on at the last spell's rate).
    """
    if not times or end <= begin:
        return 0.0
    if begin < times[0]:
        # Before the first desk opens; callers start service no earlier than that.
        closed = min(end, times[0]) - begin
        begin = float(times[0])
    else:
        closed = 0.0
    j = max(0, bisect.bisect_right(times, begin) - 1)
    while j + 1 < len(times) and times[j] < end:
        if served[j + 1] <= served[j]:  # a gap between two spells
            closed += max(0.0, min(end, times[j + 1]) - max(begin, times[j]))
        j += 1
    return closed


def _interp(x: float, xp: Sequence[float], fp: Sequence[float]) -> float:
    """``np.interp(x, xp, fp)`` for one point, with the same arithmetic (so the same result to
    the last bit): constant beyond the ends, a breakpoint's own value on it."""
    if x < xp[0]:
        return float(fp[0])
    if x >= xp[-1]:
        return float(fp[-1])
    j = bisect.bisect_right(xp, x) - 1  # xp[j] <= x < xp[j + 1]
    if xp[j] == x:
        return float(fp[j])
    slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j])
    return float(slope * (x - xp[j]) + fp[j])


def _last_rate(times: Sequence[float], served: Sequence[float]) -> float:
    """People a minute during the last spell of a capacity curve (0 with a single point)."""
    if len(times) < 2:
        return 0.0
    return float((served[-1] - served[-2]) / max(1e-9, times[-1] - times[-2]))


def expected_arrivals(
    calls: Sequence[tuple[int, int, float, int, str]],
    ways: Mapping[tuple[int, int], Descent],
    flow: FlowParams,
) -> dict[str, list[tuple[float, float]]]:
    """Mean arrival and expected people per site for calls ``(building, floor_from, minute,
    people, site_id)``, with each building's lift queue taken in call order."""
    lifts = LiftClock(flow)
    out: dict[str, list[tuple[float, float]]] = {}
    for b, floor_from, minute, people, site_id in sorted(calls, key=lambda c: (c[2], c[0], c[1])):
        arrival = lifts.arrival(b, minute, ways[(b, floor_from)], book=True)
        out.setdefault(site_id, []).append((arrival, people * flow.turnout))
    return out


def order_buildings(indices: Sequence[int], scenario: Scenario, site: int) -> list[int]:
    """A walking order for a site's buildings: nearest to the site first, then nearest next.

    Sweepers call the buildings of a site in this order, so consecutive calls are close.
    """
    if not indices:
        return []
    lat = np.array([scenario.buildings[b].lat for b in indices])
    lon = np.array([scenario.buildings[b].lon for b in indices]) * math.cos(
        math.radians(lat.mean())
    )
    here = np.array(
        [scenario.sites[site].lat, scenario.sites[site].lon * math.cos(math.radians(lat.mean()))]
    )
    left = list(range(len(indices)))
    order: list[int] = []
    while left:
        d = (lat[left] - here[0]) ** 2 + (lon[left] - here[1]) ** 2
        pick = left.pop(int(np.argmin(d)))
        order.append(indices[pick])
        here = np.array([lat[pick], lon[pick]])
    return order


def clearing_time(
    arrivals: Sequence[tuple[float, float]], spells: Sequence[DeskSpell], service_s: float
) -> float:
    """Minute the site's expected queue is empty for good, minute by minute (fluid).

    ``arrivals`` are ``(minute, expected people)``; desks serve ``desks x 60 / service_s`` people a
    minute while open. After the last spell the site is taken to keep its last desk count, so the
    result says how long the desks must stay open. ``-inf`` when nobody is expected.
    """
    if not arrivals:
        return -math.inf
    ordered = sorted(arrivals)
    first = math.floor(min(ordered[0][0], min((s.start for s in spells), default=ordered[0][0])))
    last_desks = max(1, sorted(spells, key=lambda s: s.end)[-1].desks) if spells else 1
    per_min = 60.0 / service_s
    queue, k, t = 0.0, 0, first
    total = sum(p for _, p in ordered)
    served = 0.0
    while served < total - 1e-6:
        while k < len(ordered) and ordered[k][0] < t + 1:
            queue += ordered[k][1]
            k += 1
        desks = sum(s.desks for s in spells if s.start <= t < s.end)
        if not spells or t >= max(s.end for s in spells):
            desks = last_desks
        done = min(queue, desks * per_min)
        queue -= done
        served += done
        t += 1
        if t - first > 48 * 60:  # a day and more: the site never clears
            return math.inf
    return float(t)
