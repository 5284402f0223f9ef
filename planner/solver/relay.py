"""Calls made as sweepers free up: each sweeper keeps calling while the sites can take people.

:mod:`planner.solver.dispatch` times calls from the desks' side: each site asks for its next wave
when its desks will need it, and a sweeper is found for that minute. Where the sweepers, not the
desks, set the pace, that leaves them walking between sites for every call and waiting in
between (tiny, 2026-11-22: 54% of their time calling, 126 minutes waiting, 50 walking between
sites).

Here the sweepers drive. Whenever one is free, they make the call they can start soonest: the
next floors of the building they are in when its site has room, else the nearest building of a
site that does. A site has room while the people already called would keep its desks busy for
no more than ``budget_min`` minutes past the new wave's arrival (less where that queue would pass
``_QUEUE_SHARE`` of the site's queue capacity); a call that would queue longer waits. So a
sweeper chains a building's floors while the desks keep up, and the desks' pace, not a schedule
made beforehand, times the calls. Every call goes through the same check, so two sweepers
feeding one site cannot overfill it between them.
"""

from __future__ import annotations

import bisect
import dataclasses
import heapq
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from planner.model import Role, Scenario, Staff
from planner.plan import Call, DeskSpell
from planner.solver.sweeps import (
    _FAR_PENALTY_MIN,
    Stint,
    SweepSchedule,
    _earliest_start,
    _fits,
    _Sweeper,
    book_call,
    call_minutes,
    move_penalty,
    pick_sweeper,
    pinned_call_times,
    reserve_sweeper,
    site_penalty,
    split_pinned,
    sweeper_shifts,
    walking_speed,
)
from planner.solver.waves import (
    Descent,
    LiftClock,
    Wave,
    capacity_curve,
    closed_minutes,
    served_by,
    spells_by_site,
    time_when_served,
)

#: Longest share of a site's queue capacity the calls may fill ahead of its desks.
_QUEUE_SHARE = 0.5
#: Steps at most in finding the earliest start at which a wave's site has room (each step moves
#: the start later by the excess queue, at least a minute).
_FIT_TRIES = 30
#: No call more than this before its site's first desk opens (the plan's rule is an hour).
_BEFORE_DESK_MIN = 50.0


@dataclass
class _Load:
    """A site's desks against the people called for it so far (fluid, first come first served).

    Waves whose people arrive before the sweepers' present minute are folded into ``done``: no
    call made from now on can arrive before them. The rest stay ``pending`` (by arrival), since a
    call made now may arrive before a wave called earlier (lift riders come late).
    """

    times: tuple[float, ...]
    served: tuple[float, ...]
    opens: float
    budget_min: float
    committee: str
    before_open_min: float = 0.0  # minutes of waiting for the first desk that do not count
    opens_late: bool = False  # the first desk opens after the round's start
    done: float = -math.inf  # minute the desks would have served every folded wave
    # (arrival, people, pinned): a pinned wave's time is the user's, so no call is held back to
    # keep its queue short; calls arriving after it count its people ahead of them.
    pending: list[tuple[float, float, bool]] = field(default_factory=list)
    queues: list[list[Wave]] = field(default_factory=list)  # per building, in calling order

    def fold(self, now: float) -> None:
        """Fold the waves arriving before ``now`` into ``done``."""
        while self.pending and self.pending[0][0] < now:
            arrival, people, _ = self.pending.pop(0)
            self.done = self._served_after(max(self.done, self.opens, arrival), people)

    def wait(self, arrival: float, people: float) -> float:
        """The longest queue, in minutes, of the wave arriving at ``arrival`` and of the pending
        waves arriving after it, were it booked."""
        done, worst = self.done, -math.inf
        for at, count, pinned in sorted([*self.pending, (arrival, people, False)]):
            begin = max(done, self.opens, at)
            end = self._served_after(begin, count)
            if at >= arrival and not pinned:
                worst = max(worst, self._queue(at, begin, end))
            done = end
        return worst

    def _queue(self, at: float, begin: float, end: float) -> float:
        """Minutes the people of a wave arriving at ``at`` wait before their own service: the
        queue ahead of them (until ``begin``), plus the minutes the desks are closed while they
        wait or are served (until ``end``): without those, a wave arriving as a site's only
        desk closes for half an hour looked as if it waited for nobody. Up to
        ``before_open_min`` of waiting for the site's first desk is not counted."""
        early = min(self.before_open_min, max(0.0, self.opens - at))
        return begin - at + closed_minutes(self.times, self.served, begin, end) - early

    def earliest_call(self, way: Descent, response_min: float) -> float:
        """The earliest minute a wave going down ``way`` may be called for this site.

        No call comes more than ``_BEFORE_DESK_MIN`` before the first desk. At a site whose
        first desk opens after the round's start, also none whose first people (leaving at
        once: the descent less its mean response) would wait longer for it than the budget
        and ``before_open_min`` together, a short wait. The queue check judges a wave by its
        mean arrival, and a tower's lift floors come down over 10-15 minutes: their first
        riders waited 17-20 minutes at sites opening at 07:00 (session 21). Sites open at the
        start need no such rule: nobody may be called before the round's start less the
        response and ``before_open_min``.
        """
        earliest = self.opens - _BEFORE_DESK_MIN
        if self.opens_late:
            lead = max(0.0, way.fixed_min - response_min / 2.0)
            earliest = max(earliest, self.opens - self.before_open_min - self.budget_min - lead)
        return earliest

    def book(self, arrival: float, people: float, pinned: bool = False) -> None:
        bisect.insort(self.pending, (arrival, people, pinned))

    def _served_after(self, begin: float, people: float) -> float:
        start = served_by(self.times, self.served, begin)
        return time_when_served(self.times, self.served, start + people)


@dataclass(frozen=True)
class _Option:
    """One call a free sweeper could make next."""

    rank: tuple[float, float, float]
    site: int
    queue: int
    start: int
    walk_min: float
    ready: int  # the start had the site had room


def dispatch_by_sweepers(
    scenario: Scenario,
    site_waves: Mapping[int, list[list[Wave]]],
    ways: Mapping[tuple[int, int], Descent],
    desks: Sequence[DeskSpell],
    staff: Sequence[Staff],
    home: Mapping[str, Sequence[Stint]],
    budget_min: float,
    pinned: Mapping[int, float] | None = None,
    before_open_min: float = 0.0,
    leave_stint_min: float = 0.0,
) -> SweepSchedule:
    """Time every wave and give it to a sweeper, the sweepers calling as fast as the sites allow.

    Parameters
    ----------
    site_waves
        Each site's waves per building (queues in walking order, floors bottom up); a building
        may have two queues (stair floors and lift floors), both counted as the same building.
    ways
        Each wave's descent by ``(building, floor_from)``.
    desks
        The staffed desk spells the calls feed.
    staff, home
        Everybody on the roster (sweepers are taken from it) and each sweeper's stints at sites:
        a sweeper calls for the sites of their stints first, then their committee's other
        sites, and for anybody else only when nothing nearer is left.
    budget_min
        Minutes of desk work a site may have queued when a wave's people arrive.
    pinned
        Building index -> the minute its first wave must be called; its later waves follow
        when the site's desks would have served the one before. These calls are booked against
        their sites before any other (the sweepers fill the room around them), and a sweeper is
        kept free for each.
    before_open_min
        Minutes people may wait for their site's first desk to open on top of ``budget_min``;
        the first calls may be made that much earlier (from the round's start less the
        response time and these minutes, as the sweepers' hours allow). With 0 nobody is
        called to arrive before the desks open.
    leave_stint_min
        Minutes added to the rank of any other site's call while a sweeper's stint at a site is
        on: with 0 a sweeper whose stint moves on keeps calling where they are as long as the
        walk to the new site costs more than the site penalty; with more, they go when their
        stint says (and call elsewhere only when that saves so many minutes).

    Returns
    -------
    SweepSchedule
        Calls with sweepers and times; ``lateness_min`` is each call's wait for room at its site
        after the sweeper could have started it (for a pinned call: its delay past the pinned
        minute); waves nobody could call.
    """
    flow = scenario.flow
    earliest = scenario.round.start - flow.response_min - before_open_min
    pinned = dict(pinned or {})
    spells_of = spells_by_site(desks)
    loads: dict[int, _Load] = {}
    rates: dict[int, float] = {}
    fixed: dict[int, list[Wave]] = {}
    for s, buildings in site_waves.items():
        site = scenario.sites[s]
        spells = spells_of.get(site.site_id) or [
            # No desks planned yet: pace the calls as if one desk ran all day (desks are then
            # extended to the people called).
            DeskSpell(site.site_id, max(site.open_from, scenario.round.start), site.open_to, 1)
        ]
        times, served = capacity_curve(spells, flow.service_s)
        rate = max(d.desks for d in spells) * 60.0 / flow.service_s
        rates[s] = rate
        queues, fixed[s] = split_pinned(buildings, pinned)
        loads[s] = _Load(
            times,
            served,
            float(spells[0].start),
            min(budget_min, _QUEUE_SHARE * site.queue_capacity / rate),
            site.committee,
            before_open_min,
            spells[0].start > scenario.round.start,
            queues=queues,
        )
    sweepers = [_Sweeper(p) for p in staff if p.role is Role.SWEEPER]
    speed = walking_speed(scenario)
    lifts = LiftClock(flow)
    seq: dict[str, int] = {}
    calls: list[Call] = []
    waited: list[float] = []
    pins = sorted(
        pinned_call_times(fixed, rates, pinned),
        key=lambda pin: (pin[0], pin[1].building, pin[1].floor_from),
    )
    booked: list[tuple[float, float, bool]] = []  # each pinned wave's entry in its load
    for wanted, wave in pins:
        reserve_sweeper(sweepers, wave, wanted, scenario, home)
        arrival = lifts.arrival(wave.building, wanted, ways[(wave.building, wave.floor_from)], True)
        booked.append((arrival, wave.people * flow.turnout, True))
        loads[wave.site].book(*booked[-1])
    uncalled: list[Wave] = []
    # Sweepers are (minute, index); pinned calls (minute, -1 - index) come first at a minute.
    heap = [(max(float(s.person.available_from), earliest), k) for k, s in enumerate(sweepers)]
    heap += [(wanted, -1 - j) for j, (wanted, _) in enumerate(pins)]
    heapq.heapify(heap)
    relaxed = False  # once the budget has held back calls past every sweeper's day
    while True:
        if not heap:
            if relaxed or not any(load.queues for load in loads.values()):
                break
            relaxed = True
            heap = [(max(s.free_at, earliest), k) for k, s in enumerate(sweepers)]
            heapq.heapify(heap)
            continue
        now, k = heapq.heappop(heap)
        for load in loads.values():
            load.fold(now)
        if k < 0:
            wanted, wave = pins[-1 - k]
            call = _make_pinned(
                scenario, sweepers, wanted, wave, loads[wave.site], booked[-1 - k], home, speed, seq
            )
            if call is None:
                uncalled.append(_at(wave, wanted))
            else:
                calls.append(call)
                waited.append(float(call.call_time) - wanted)
            continue
        sweeper = sweepers[k]
        best = _best_option(
            scenario, sweeper, now, loads, ways, lifts, home, speed, relaxed, leave_stint_min
        )
        if best is None:
            later = [hi for lo, hi, *_ in sweeper.reserved if hi > now]
            if later:  # kept free for a pinned call: free again after it
                heapq.heappush(heap, (min(later), k))
            continue  # nothing this sweeper can still call: their day is over
        leave = best.start - best.walk_min
        if leave > now + 1e-9:
            # The site has no room yet: think again when the sweeper would have to set out
            # (another sweeper's call may change the picture meanwhile).
            heapq.heappush(heap, (leave, k))
            continue
        load = loads[best.site]
        wave = load.queues[best.queue].pop(0)
        if not load.queues[best.queue]:
            load.queues.pop(best.queue)
        duration = call_minutes(scenario, wave)
        arrival = lifts.arrival(
            wave.building, best.start, ways[(wave.building, wave.floor_from)], True
        )
        load.book(arrival, wave.people * flow.turnout)
        waited.append(float(best.start - best.ready))
        calls.append(
            book_call(scenario, sweeper, _at(wave, float(best.start)), best.start, duration, seq)
        )
        heapq.heappush(heap, (sweeper.free_at, k))
    uncalled += [w for load in loads.values() for q in load.queues for w in q]
    return SweepSchedule(tuple(calls), sweeper_shifts(sweepers), tuple(waited), tuple(uncalled))


def _make_pinned(
    scenario: Scenario,
    sweepers: Sequence[_Sweeper],
    wanted: float,
    wave: Wave,
    load: _Load,
    booked: tuple[float, float, bool],
    home: Mapping[str, Sequence[Stint]],
    speed: float,
    seq: dict[str, int],
) -> Call | None:
    """Make the pinned call of ``wave`` at ``wanted`` (or as soon after as a sweeper can), its
    people already ``booked`` at the site; ``None`` when nobody can make it."""
    building = scenario.buildings[wave.building]
    duration = call_minutes(scenario, wave)
    timed = _at(wave, wanted)
    best = pick_sweeper(sweepers, timed, building, home, speed, duration, on_time=True)
    for other in sweepers:
        other.release(wave.building, wanted)
    late = float(best[1]) - wanted if best is not None else math.inf
    if late > 0 and booked in load.pending:
        # The people come later than booked (or never): the site's room is theirs no longer.
        load.pending.remove(booked)
        if best is not None:
            load.book(booked[0] + late, booked[1], True)
    if best is None:
        return None
    sweeper, start = best
    return book_call(scenario, sweeper, timed, start, duration, seq)


def _best_option(
    scenario: Scenario,
    sweeper: _Sweeper,
    now: float,
    loads: Mapping[int, _Load],
    ways: Mapping[tuple[int, int], Descent],
    lifts: LiftClock,
    home: Mapping[str, Sequence[Stint]],
    speed: float,
    relaxed: bool,
    leave_stint_min: float = 0.0,
) -> _Option | None:
    """The call ``sweeper`` should make next, looking from ``now``: the soonest start plus the
    penalties of :func:`planner.solver.sweeps.pick_sweeper` (and ``leave_stint_min`` for a site
    other than that of the sweeper's stint on at ``now``); of equal ones the site with the
    least queue, then the building with most lift rides left. The sites of the sweeper's stints
    and committee come first; anybody's only when those have nothing left (or ``relaxed``)."""
    person = sweeper.person
    near: list[tuple[int, float]] = []
    far: list[tuple[int, float]] = []
    stints = home.get(person.staff_id, ()) if leave_stint_min > 0 else ()
    on_now = {st.site for st in stints if st.start <= now < st.end}
    for s, load in loads.items():
        if load.queues:
            penalty = site_penalty(home, person, s, load.committee, now)
            if penalty > 0 and on_now and s not in on_now:
                penalty += leave_stint_min
            (far if penalty >= _FAR_PENALTY_MIN else near).append((s, penalty))
    # No option starts before ``now``, the sweeper is free and on duty, or before its site's
    # calls may begin, and penalties only add: options are tried in the order of that floor
    # and the search stops at the first floor past the best rank so far. Equal ranks go to the
    # first option in site and queue order, as in a plain scan (on the town about 40 options a
    # decision, most of them behind a site that has no room).
    on_duty = max(now, float(person.available_from), sweeper.free_at)
    for tier in (near, far) if not relaxed else (near + far,):
        floors: list[tuple[float, int, int, int, float]] = []
        for order, (s, penalty) in enumerate(tier):
            load = loads[s]
            ready = math.ceil(max(on_duty, load.opens - _BEFORE_DESK_MIN) - 1e-9) + penalty
            for q, waves in enumerate(load.queues):
                floor = ready + move_penalty(sweeper, waves[0].building)
                floors.append((floor, order, q, s, penalty))
        floors.sort()
        best: _Option | None = None
        best_at = (0, 0)
        for floor, order, q, s, penalty in floors:
            if best is not None and floor > best.rank[0]:
                break
            load = loads[s]
            option = _option(
                scenario,
                sweeper,
                now,
                s,
                q,
                load.queues[q],
                load,
                ways,
                lifts,
                speed,
                penalty,
                relaxed,
            )
            if option is not None and (
                best is None or (option.rank, order, q) < (best.rank, *best_at)
            ):
                best, best_at = option, (order, q)
        if best is not None:
            return best
    return None


def _option(
    scenario: Scenario,
    sweeper: _Sweeper,
    now: float,
    s: int,
    q: int,
    waves: list[Wave],
    load: _Load,
    ways: Mapping[tuple[int, int], Descent],
    lifts: LiftClock,
    speed: float,
    penalty: float,
    relaxed: bool,
) -> _Option | None:
    wave = waves[0]
    lat, lon = _where(scenario, wave)
    way = ways[(wave.building, wave.floor_from)]
    earliest = max(now, load.earliest_call(way, scenario.flow.response_min))
    ready = _earliest_start(sweeper, lat, lon, _at(wave, earliest), speed)
    if ready is None:
        return None
    start = ready
    walk = 0.0
    if sweeper.free_at > -math.inf and sweeper.building != wave.building:
        walk = start - max(earliest, sweeper.free_at)
        walk = max(0.0, min(walk, start - now))
    arrival = lifts.arrival(wave.building, start, way, book=False)
    people = wave.people * scenario.flow.turnout
    queued = load.wait(arrival, people)
    # Later by the excess until the queue fits: the worst queue may be that of a wave called
    # earlier and still on its way (lift riders), which a later start does not shorten at once.
    # A start that only looks soon would keep the sweeper waiting for it, re-thinking every
    # minute or two, rather than calling at a site with room now.
    for _ in range(_FIT_TRIES):
        if relaxed or queued <= load.budget_min:
            break
        start = math.ceil(start + max(1.0, queued - load.budget_min) - 1e-9)
        queued = load.wait(lifts.arrival(wave.building, start, way, book=False), people)
    duration = call_minutes(scenario, wave)
    if (
        start >= sweeper.person.available_to
        or not _fits(sweeper, start, duration)
        or sweeper.clashes(start, duration, lat, lon, speed)  # kept free for a pinned call
    ):
        return None
    penalty += move_penalty(sweeper, wave.building)
    lift_left = sum(ways[(w.building, w.floor_from)].rides for w in waves)
    rank = (start + penalty, round(queued, 1), -float(lift_left))
    return _Option(rank, s, q, start, walk, ready)


def _where(scenario: Scenario, wave: Wave) -> tuple[float, float]:
    building = scenario.buildings[wave.building]
    return building.lat, building.lon


def _at(wave: Wave, minute: float) -> Wave:
    return dataclasses.replace(wave, target=minute)
