"""The floor-sweep order: which sweeper makes a call, and when (the calls are taken in time order
by :mod:`planner.solver.dispatch`).

Each call goes to the sweeper who can make it earliest (free, walked over, on duty, with hours
left), ranked with penalties: none for the site's own sweepers, ``_SITE_PENALTY_MIN`` for
another sweeper of the building's committee or the town pool, ``_FAR_PENALTY_MIN`` for anyone
else, and ``_MOVE_PENALTY_MIN`` for leaving the building a sweeper is at: walking is lost
calling time. A call is never made before its desired time (people called early only wait
longer); it is made later when no sweeper is free, and the lateness is reported. Each sweeper's
calls become shifts: calls less than ``GAP_MIN`` apart share a shift, so idle time between
distant calls is not counted as work.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from planner.geo import point_distance_m
from planner.model import Building, Role, Scenario, Staff
from planner.plan import SWEEP_POST, Call, Shift
from planner.solver.waves import Wave

#: Calls of one sweeper closer than this share one shift (minutes).
GAP_MIN = 30
#: Minutes of lateness worth saving before a sweeper leaves the building, or the site, they are
#: working on (ranking only; real walking time is counted in full). Small: the walk itself is
#: counted, and a helper from the next site is worth more than a site's own sweeper a few
#: minutes late, whose lateness idles the desks (measured, docs/solver.md "Session 8": 8 / 20
#: -> 2 / 4 moved the town from 12:04 to 11:40, seed 3 12:09 -> 11:52, compound-103 09:35 ->
#: 09:30, tiny 09:35 -> 09:33; 1 / 2 and 0 / 0 were no better on the town).
_MOVE_PENALTY_MIN = 2.0
_SITE_PENALTY_MIN = 2.0
_FAR_PENALTY_MIN = 4.0
#: A sweeper counts as a site's own this long before and after their stint there: calls drift
#: with the desks, and a sweeper finishing one site's last building should still make it.
STINT_SLACK_MIN = 15.0


@dataclass(frozen=True, slots=True)
class Stint:
    """A stretch of a sweeper's day given to one site (minutes; open-ended by default)."""

    site: int
    start: float = -math.inf
    end: float = math.inf

    def covers(self, site: int, minute: float) -> bool:
        """The sweeper belongs to ``site`` at ``minute`` (give or take ``STINT_SLACK_MIN``)."""
        return (
            site == self.site
            and self.start - STINT_SLACK_MIN <= minute < self.end + STINT_SLACK_MIN
        )


def on_stint(home: Mapping[str, Sequence[Stint]], staff_id: str, site: int, minute: float) -> bool:
    """``staff_id`` is one of ``site``'s own sweepers at ``minute`` (:meth:`Stint.covers`)."""
    return any(stint.covers(site, minute) for stint in home.get(staff_id, ()))


@dataclass
class _Sweeper:
    person: Staff
    free_at: float = -math.inf  # minute the current call ends
    lat: float = math.nan
    lon: float = math.nan
    building: int = -1
    site: int = -1
    shifts: list[list[float]] = field(default_factory=list)  # [start, end] pairs
    # Calls at times the user pinned, kept free for: (start, end, building, lat, lon).
    reserved: list[tuple[float, float, int, float, float]] = field(default_factory=list)

    def clashes(self, start: float, duration: float, lat: float, lon: float, speed: float) -> bool:
        """A call here from ``start`` would keep the sweeper from a reserved (pinned) call."""
        for lo, hi, _, r_lat, r_lon in self.reserved:
            walk = point_distance_m(lat, lon, r_lat, r_lon) / speed
            if start < hi and start + duration + walk > lo:
                return True
        return False

    def release(self, building: int, start: float) -> None:
        """Drop the reservation for the pinned call of ``building`` at ``start`` (it is made)."""
        self.reserved = [r for r in self.reserved if (r[2], r[0]) != (building, start)]

    def worked_min(self) -> float:
        return sum(math.ceil(b) - a for a, b in self.shifts)


@dataclass(frozen=True)
class SweepSchedule:
    """Calls with sweepers and times, the sweepers' shifts, and what could not be called."""

    calls: tuple[Call, ...]
    shifts: tuple[Shift, ...]
    lateness_min: tuple[float, ...]  # per call, actual minus desired call time
    uncalled: tuple[Wave, ...]


def walking_speed(scenario: Scenario) -> float:
    """Straight-line metres a sweeper covers per minute of walking."""
    return scenario.flow.walk_m_per_s * 60.0 / scenario.flow.detour


def call_minutes(scenario: Scenario, wave: Wave) -> float:
    """Minutes a sweeper spends calling ``wave`` (at least a moment, so a shift covers it)."""
    return max(wave.households * scenario.crew.sweep_s_per_household / 60.0, 0.01)


def pick_sweeper(
    sweepers: Sequence[_Sweeper],
    wave: Wave,
    building: Building,
    home: Mapping[str, Sequence[Stint]],
    speed: float,
    duration: float,
    on_time: bool = False,
) -> tuple[_Sweeper, int] | None:
    """The sweeper to make ``wave``'s call, not before ``wave.target``, and the start minute.

    Ranked by start plus penalties (module docstring), or, with ``on_time`` (a time the user
    pinned), by start first and penalties only between equal starts; ``None`` when nobody can
    make it.
    """
    best: tuple[tuple[float, float], _Sweeper, int] | None = None
    for sweeper in sweepers:
        person = sweeper.person
        start = _earliest_start(sweeper, building.lat, building.lon, wave, speed)
        if start is None or not _fits(sweeper, start, duration):
            continue
        if not on_time and sweeper.clashes(start, duration, building.lat, building.lon, speed):
            continue
        # Walking is in ``start`` already.
        penalty = site_penalty(home, person, wave.site, building.committee, start)
        penalty += move_penalty(sweeper, wave.building)
        rank = (
            (float(start), penalty)
            if on_time
            else (float(start) + penalty, 0 if sweeper.building == wave.building else 1)
        )
        if best is None or rank < best[0]:
            best = (rank, sweeper, start)
    return None if best is None else (best[1], best[2])


def site_penalty(
    home: Mapping[str, Sequence[Stint]], person: Staff, site: int, committee: str, minute: float
) -> float:
    """Ranking penalty of ``person`` calling for ``site`` (of ``committee``) at ``minute``: none
    for the site's own sweepers; a neighbour of the same committee (or the pool) helps when that
    saves more than ``_SITE_PENALTY_MIN``, anyone else past ``_FAR_PENALTY_MIN``."""
    if on_stint(home, person.staff_id, site, minute):
        return 0.0
    return _SITE_PENALTY_MIN if person.committee in ("", committee) else _FAR_PENALTY_MIN


def move_penalty(sweeper: _Sweeper, building: int) -> float:
    """Ranking penalty of ``sweeper`` leaving the building they are at for ``building``."""
    moves = sweeper.free_at > -math.inf and sweeper.building != building
    return _MOVE_PENALTY_MIN if moves else 0.0


def book_call(
    scenario: Scenario,
    sweeper: _Sweeper,
    wave: Wave,
    start: int,
    duration: float,
    seq: dict[str, int],
) -> Call:
    """Book ``sweeper`` for ``wave`` at ``start`` and return the call (``seq`` is updated)."""
    building = scenario.buildings[wave.building]
    _book(sweeper, start, duration, building.lat, building.lon, wave.building)
    sweeper.site = wave.site
    sid = sweeper.person.staff_id
    seq[sid] = seq.get(sid, 0) + 1
    return Call(
        building_id=building.building_id,
        floor_from=wave.floor_from,
        floor_to=wave.floor_to,
        people=wave.people,
        site_id=scenario.sites[wave.site].site_id,
        call_time=start,
        sweeper_id=sid,
        seq=seq[sid] - 1,
    )


def sweeper_shifts(sweepers: Sequence[_Sweeper]) -> tuple[Shift, ...]:
    """Each sweeper's calls as shifts (calls less than ``GAP_MIN`` apart share one)."""
    return tuple(
        # At least a minute: a call that takes no time still needs its sweeper on duty.
        Shift(s.person.staff_id, Role.SWEEPER, SWEEP_POST, int(a), max(int(a) + 1, math.ceil(b)))
        for s in sweepers
        for a, b in s.shifts
    )


def _earliest_start(
    sweeper: _Sweeper, lat: float, lon: float, wave: Wave, speed: float
) -> int | None:
    """Whole minute at which this sweeper could start the call, or None if never on duty."""
    person = sweeper.person
    ready = max(wave.target, float(person.available_from))
    if sweeper.free_at > -math.inf:
        walk = (
            0.0
            if sweeper.building == wave.building
            else point_distance_m(sweeper.lat, sweeper.lon, lat, lon) / speed
        )
        ready = max(ready, sweeper.free_at + walk)
    start = math.ceil(ready - 1e-9)
    return start if start < person.available_to else None


def _fits(sweeper: _Sweeper, start: int, duration: float) -> bool:
    """The call ends within availability and keeps total shift time within max_hours."""
    person = sweeper.person
    end = start + duration
    if math.ceil(end) > person.available_to:
        return False
    worked = sweeper.worked_min()
    if sweeper.shifts and start - sweeper.shifts[-1][1] < GAP_MIN:
        added = math.ceil(end) - math.ceil(sweeper.shifts[-1][1])
    else:
        added = math.ceil(end) - start
    return worked + added <= person.max_hours * 60 + 1e-9


def _book(sweeper: _Sweeper, start: int, duration: float, lat: float, lon: float, b: int) -> None:
    end = start + duration
    if sweeper.shifts and start - sweeper.shifts[-1][1] < GAP_MIN:
        sweeper.shifts[-1][1] = end
    else:
        sweeper.shifts.append([float(start), end])
    sweeper.free_at, sweeper.lat, sweeper.lon, sweeper.building = end, lat, lon, b


def reserve_sweeper(
    sweepers: Sequence[_Sweeper],
    wave: Wave,
    minute: float,
    scenario: Scenario,
    home: Mapping[str, Sequence[Stint]],
) -> None:
    """Keep a sweeper free for a pinned call: one on duty then with no reservation clashing,
    the site's own first. Without it, calls booked earlier could leave nobody free on time."""
    building = scenario.buildings[wave.building]
    duration = call_minutes(scenario, wave)
    free = [
        s
        for s in sweepers
        if s.person.available_from <= minute
        and minute + duration <= s.person.available_to
        and not s.clashes(minute, duration, building.lat, building.lon, math.inf)
    ]
    if free:
        chosen = min(
            free,
            key=lambda s: (
                not on_stint(home, s.person.staff_id, wave.site, minute),
                s.person.committee != building.committee,
                s.person.staff_id,
            ),
        )
        chosen.reserved.append(
            (minute, minute + duration, wave.building, building.lat, building.lon)
        )


def split_pinned(
    buildings: Sequence[Sequence[Wave]], pinned: Mapping[int, float]
) -> tuple[list[list[Wave]], list[Wave]]:
    """A site's building queues without the pinned buildings', and the pinned buildings' waves
    (queue by queue, in calling order) for :func:`pinned_call_times`."""
    free = [list(q) for q in buildings if q and q[0].building not in pinned]
    fixed = [w for q in buildings if q and q[0].building in pinned for w in q]
    return free, fixed


def pinned_call_times(
    fixed: Mapping[int, Sequence[Wave]], rate: Mapping[int, float], pinned: Mapping[int, float]
) -> list[tuple[float, Wave]]:
    """Pinned buildings' waves with their call minutes.

    ``fixed`` gives each site's waves of pinned buildings (per building in calling order),
    ``rate`` the people a minute the site's largest desk count serves, and ``pinned`` each
    pinned building's first call minute. The first wave is called at the pinned minute, each
    next one when the site's desks would have served the one before (at that rate).
    """
    out: list[tuple[float, Wave]] = []
    for s, waves_here in fixed.items():
        by_building: dict[int, list[Wave]] = {}
        for wave in waves_here:
            by_building.setdefault(wave.building, []).append(wave)
        for b, waves in by_building.items():
            t = float(pinned[b])
            for wave in waves:
                out.append((t, wave))
                t += wave.people / max(rate[s], 1e-9)
    return out


def late_summary(schedule: SweepSchedule) -> dict[str, float]:
    """Mean, p95 and max lateness of calls, in minutes (0 when nothing was called)."""
    late = np.array(schedule.lateness_min or [0.0])
    return {
        "mean": float(late.mean()),
        "p95": float(np.percentile(late, 95)),
        "max": float(late.max()),
    }
