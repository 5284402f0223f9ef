"""Sweepers to sites over the day: each sweeper works one site for a long stretch, then the next.

A sweeper who stays at one site walks only between its buildings, tens of metres; one who goes
wherever the next call is spends much of the morning walking. Each committee's sweepers share
the calling of the sites it runs so that they all finish together (McNaughton's wrap-around
rule, :func:`phase_sweepers`); committees that would finish early lend sweepers to the one that
would finish last. A site's sweepers, stint by stint, bound how fast it can be fed: the desk
allocation caps each site's desks in each slot by them, so desks open where and when sweepers
call (measured on the town: the finish moved from 13:55 to 12:10; see docs/solver.md).
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from planner.geo import haversine_m
from planner.model import Role, Scenario, Staff
from planner.solver.budget import work_blocks
from planner.solver.sweeps import Stint

IntArray = npt.NDArray[np.int64]

#: Minutes of a sweeper's time too short to send them to another site for.
_MIN_PIECE_MIN = 10.0
#: A sweeper whose time before the committee's end is shorter than this is not laid out (one
#: arriving late for half an hour would stretch a site's window into the afternoon); what the
#: others cannot finish by then goes to whoever is free first.
_MIN_DAY_MIN = 45.0
#: Tries at laying a committee's work out before its sweepers' time runs out.
_LAYOUT_ATTEMPTS = 6
#: Minutes added to the time a site's desks need: desks change on whole slots and open only at
#: the round's start, while calls may begin a few minutes before.
_WINDOW_SLACK_MIN = 10.0


def phase_sweepers(
    scenario: Scenario,
    site_of: IntArray,
    staff: Sequence[Staff],
    efficiency: float = 0.8,
    desks_per_sweeper: float = math.inf,
    work_margin: float = 1.0,
) -> dict[str, tuple[Stint, ...]]:
    """Each sweeper's day as stints at sites, so that every committee's calling ends together.

    A committee's sweepers share its calling. Each site of the committee needs sweeper time for
    its households (x sweep_s_per_household, divided by ``efficiency`` for walking and waiting
    on the desks), and at least as long as its desks take to serve the people it sends (service
    minutes x ``work_margin``) at the desks one sweeper feeds (``desks_per_sweeper``, at most the
    site's ``max_desks``). The committee finishes at the earliest minute ``T`` by which its
    sweepers' working time adds up to that work; each sweeper's time up to ``T`` is then laid end
    to end, and the sites, in walking order, take consecutive pieces of it (McNaughton's
    wrap-around rule for preemptive scheduling). Every other sweeper's time is laid backwards, so
    a site that spans two sweepers gets the end of both, or the start of both: one window of time
    per site, with one or two sweepers in it. A sweeper thus stays at one site for a long stretch
    (walking only between its buildings) and moves on once or twice; each site's desks can follow
    its sweepers.

    Sweepers of the town-wide pool (no committee, or one without buildings to call) join the
    committees that would finish last; a committee with no sweepers at all is worked by the
    nearest committee's.

    Returns
    -------
    dict
        Staff id -> stints in time order; sweepers with nothing to do are left out.
    """
    per_household = scenario.crew.sweep_s_per_household / 60.0
    if per_household <= 0:  # calling takes no time: nothing to share
        return {}
    flow = scenario.flow
    calling: dict[tuple[str, int], float] = defaultdict(float)
    serving: dict[tuple[str, int], float] = defaultdict(float)
    for b, s in enumerate(site_of):
        building = scenario.buildings[b]
        if s >= 0 and building.mobile > 0:
            key = (scenario.sites[int(s)].committee, int(s))  # the committee running the site
            calling[key] += building.households * per_household / max(efficiency, 1e-9)
            serving[key] += building.mobile * flow.turnout * flow.service_s / 60.0 * work_margin
    need: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    window: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for (committee, s), minutes in calling.items():
        most = float(scenario.sites[s].max_desks)
        need[committee][s] = max(
            minutes,
            serving[(committee, s)] / max(min(most, desks_per_sweeper), 1e-9) + _WINDOW_SLACK_MIN,
        )
        window[committee][s] = serving[(committee, s)] / max(most, 1e-9) + _WINDOW_SLACK_MIN
    if not need:
        return {}
    opens = {
        s: float(max(site.open_from, scenario.round.start) - scenario.flow.response_min)
        for s, site in enumerate(scenario.sites)
    }
    blocks = {p.staff_id: _working_block(scenario, p) for p in staff if p.role is Role.SWEEPER}
    crews: dict[str, list[Staff]] = defaultdict(list)
    pool: list[Staff] = []
    for person in staff:
        if person.role is not Role.SWEEPER or blocks[person.staff_id] is None:
            continue
        (crews[person.committee] if person.committee in need else pool).append(person)
    centre = _committee_centres(scenario)
    for committee in sorted(c for c in need if not crews.get(c)):
        if pool:
            continue  # the pool will come
        nearest = min(
            (c for c in need if crews.get(c)),
            key=lambda c: (_metres(centre[committee], *centre[c]), c),
            default=None,
        )
        if nearest is not None:  # merge its sites into the nearest staffed committee
            windows = window.pop(committee, {})
            for s, minutes in need.pop(committee).items():
                need[nearest][s] += minutes
                window[nearest][s] += windows.get(s, 0.0)

    def finish(committee: str) -> float:
        spans = [blocks[p.staff_id] for p in crews.get(committee, [])]
        return _finish([b for b in spans if b is not None], sum(need[committee].values()))

    for person in sorted(pool, key=lambda p: (-_length(blocks[p.staff_id]), p.staff_id)):
        latest = max(sorted(need), key=finish)  # the committee that would finish last
        crews[latest].append(person)
    _balance(crews, need, blocks, centre)

    out: dict[str, list[Stint]] = defaultdict(list)
    for committee in sorted(need):
        people = sorted(
            crews.get(committee, []),
            key=lambda p: (blocks[p.staff_id][0], -blocks[p.staff_id][1], p.staff_id),  # type: ignore[index]
        )
        if not people:
            continue
        until, people = _committee_end(people, blocks, sum(need[committee].values()))
        jobs = _closing_first(
            [
                _Job(s, need[committee][s], window[committee][s], opens[s])
                for s in _site_order(scenario, list(need[committee]), centre.get(committee))
            ],
            scenario,
            until,
        )
        # Laying out loses a little time (slivers, stretched windows): push the end back by what
        # did not fit until everything does, then leave the rest to whoever is free first.
        for attempt in range(_LAYOUT_ATTEMPTS):
            trial: dict[str, list[Stint]] = defaultdict(list)
            left = _lay_out(people, blocks, until, jobs, trial)
            if not left or attempt == _LAYOUT_ATTEMPTS - 1:
                break
            until += sum(minutes for _, minutes in left) / len(people)
        for sid, stints in trial.items():
            out[sid].extend(stints)
        for site, minutes in left:
            if minutes >= _MIN_PIECE_MIN:  # a sliver is within the efficiency's slack
                _overflow(site, minutes, people, blocks, out)
    return {sid: tuple(_merge_stints(stints)) for sid, stints in sorted(out.items())}


def _closing_first(jobs: list[_Job], scenario: Scenario, until: float) -> list[_Job]:
    """``jobs`` (in walking order) with the sites that close too early to be laid out last
    moved to the front, in walking order among themselves.

    The last site's window ends near the committee's end ``until`` and may be stretched past it
    (:func:`_place`), so a site that closes less than its window after ``until`` could have its
    people called after it closes: it must come earlier. In walking order alone such a site
    could get its sweepers so late that its people were called after its desks had closed (a
    generated town, seed 4: a two-desk site closing at 12:00 got its sweeper from 08:04 and 57
    people were never sampled).
    """

    def late(job: _Job) -> bool:
        return scenario.sites[job.site].open_to - job.window < until

    return [j for j in jobs if late(j)] + [j for j in jobs if not late(j)]


@dataclass(frozen=True)
class _Job:
    """One site's share of a committee's sweeper time."""

    site: int
    minutes: float  # sweeper time it needs
    window: float  # shortest time its desks need to serve its people
    earliest: float  # no calls before this (the site opens)


@dataclass
class _Piece:
    """What is left of one sweeper's time up to the committee's end, used from the front
    (``forward``) or from the back."""

    person: Staff
    lo: float
    hi: float
    forward: bool
    end: float  # end of the sweeper's whole working interval

    @property
    def room(self) -> float:
        return self.hi - self.lo

    def take(self, minutes: float) -> tuple[float, float]:
        """Use ``minutes`` of it: the interval used."""
        if self.forward:
            self.lo += minutes
            return self.lo - minutes, self.lo
        self.hi -= minutes
        return self.hi, self.hi + minutes


def _lay_out(
    people: Sequence[Staff],
    blocks: dict[str, tuple[int, int] | None],
    until: float,
    jobs: Sequence[_Job],
    out: dict[str, list[Stint]],
) -> list[tuple[int, float]]:
    """McNaughton's rule with every other sweeper's time reversed (see :func:`phase_sweepers`).

    Sites are taken in the order of ``jobs`` (walking order, those closing early first:
    :func:`_closing_first`), except that a site not yet open at the current point of a
    sweeper's time waits for one that is. A site split between two sweepers has them at the
    same time, so its window is its longest piece; the last piece is stretched to the shortest
    window the site's desks need, past ``until`` if the sweeper's day allows.

    Returns
    -------
    list
        (site, minutes) of the work that did not fit before ``until``.
    """
    pieces: list[_Piece] = []
    for person in people:
        block = blocks[person.staff_id]
        assert block is not None
        lo, hi = float(block[0]), min(float(block[1]), until)
        if hi - lo >= _MIN_DAY_MIN:
            pieces.append(_Piece(person, lo, hi, len(pieces) % 2 == 0, float(block[1])))
    waiting = list(jobs)
    left: list[tuple[int, float]] = []
    k = 0
    while waiting:
        while k < len(pieces) and pieces[k].room <= 1e-6:
            k += 1
        if k == len(pieces):
            job = waiting.pop(0)
            left.append((job.site, job.minutes))
            continue
        piece = pieces[k]
        # A site whose desks need a longer window than the time left on this sweeper would
        # have to be stretched over two sweepers (wasting one's time): take one that fits.
        fitting = [
            j
            for j in waiting
            if _opens_in_time(j, piece) and min(j.minutes, j.window) <= piece.room
        ]
        if not fitting and piece.room < _MIN_DAY_MIN:
            piece.take(piece.room)  # left over: the sweeper helps others
            continue
        job = (fitting or [j for j in waiting if _opens_in_time(j, piece)] or waiting)[0]
        waiting.remove(job)
        k, rest = _place(job, pieces, k, out)
        if rest > 1e-6:
            left.append((job.site, rest))
    return left


def _committee_end(
    people: Sequence[Staff], blocks: dict[str, tuple[int, int] | None], minutes: float
) -> tuple[float, list[Staff]]:
    """When ``people`` finish ``minutes`` of work, and who is laid out to do it.

    Only sweepers who come in the first half of the committee's calling and would work at
    least ``_MIN_DAY_MIN`` of it count: one arriving at the end would stretch a site's window
    into the afternoon (the dispatcher still asks them to help).
    """
    usable = [p for p in people if blocks[p.staff_id] is not None]
    until = math.inf
    for _ in range(len(usable) + 1):
        spans = [blocks[p.staff_id] for p in usable]
        until = _finish([b for b in spans if b is not None], minutes)
        first = min(b[0] for b in spans if b is not None) if spans else 0
        keep = [
            p
            for p, b in zip(usable, spans, strict=True)
            if b is not None
            and min(b[1], until) - b[0] >= _MIN_DAY_MIN
            and (not math.isfinite(until) or b[0] <= (first + until) / 2)
        ]
        if len(keep) == len(usable) or not keep:
            break
        usable = keep
    return until, usable


def _balance(
    crews: dict[str, list[Staff]],
    need: Mapping[str, Mapping[int, float]],
    blocks: dict[str, tuple[int, int] | None],
    centre: Mapping[str, tuple[float, float]],
) -> None:
    """Lend sweepers from committees that would finish early to the one that would finish
    last, one at a time, while that brings the last finish forward (nearest lender on ties).

    Committees' sweepers are in proportion to their households, but their buildings, sites and
    volunteers' hours are not: measured on the town, committees' calling would end between 08:34
    and 13:21 (two never) without lending. A committee that never finishes as laid out ranks
    by its end with every sweeper's day counted, then by how far all their days fall short, so
    loans that bring it closer count even when no single one makes it finish (on a generated
    town the lending used to stop there, with committees ending 07:08-13:52 and two never).
    """

    def finish(people: Sequence[Staff], committee: str) -> tuple[float, float, float]:
        # (end, end counting every sweeper's day, minutes all their days fall short by). A
        # committee that never finishes as laid out (:func:`_committee_end` leaves out sweepers
        # who come late) still gets closer with each sweeper lent to it, which the end alone
        # hides; the laid-out end alone is not even monotone in the sweepers lent.
        minutes = sum(need[committee].values())
        end = _committee_end(people, blocks, minutes)[0]
        if math.isfinite(end):
            return end, end, 0.0
        days = [b for b in (blocks[p.staff_id] for p in people) if b is not None]
        return end, _finish(days, minutes), max(0.0, minutes - sum(_length(b) for b in days))

    def better(after: tuple[float, float, float], before: tuple[float, float, float]) -> bool:
        if math.isfinite(before[0]):
            return after[0] < before[0] - 1.0
        if math.isfinite(after[0]) or after[1] < before[1] - 1.0:
            return True
        return not math.isfinite(after[1]) and after[2] < before[2] - 1.0

    ends = {c: finish(crews.get(c, []), c) for c in need}
    for _ in range(sum(len(p) for p in crews.values())):
        worst = max(sorted(ends), key=lambda c: ends[c])
        best: tuple[tuple[float, float, float], float, str, Staff] | None = None
        for donor in sorted(ends):
            people = crews.get(donor, [])
            if donor == worst or len(people) <= 1:
                continue
            tried: set[tuple[int, int] | None] = set()
            for person in people:
                if blocks[person.staff_id] in tried:
                    continue  # the same hours as one already tried
                tried.add(blocks[person.staff_id])
                after = max(
                    finish([*crews.get(worst, []), person], worst),
                    finish([p for p in people if p is not person], donor),
                )
                far = _metres(centre.get(worst), *centre[donor]) if donor in centre else 0.0
                if better(after, ends[worst]) and (best is None or (after, far) < best[:2]):
                    best = (after, far, donor, person)
        if best is None:
            return
        _, _, donor, person = best
        crews[donor].remove(person)
        crews[worst].append(person)
        ends[donor] = finish(crews[donor], donor)
        ends[worst] = finish(crews[worst], worst)


def _overflow(
    site: int,
    minutes: float,
    people: Sequence[Staff],
    blocks: dict[str, tuple[int, int] | None],
    out: dict[str, list[Stint]],
) -> None:
    """Work that did not fit before the committee's end: a sweeper free before the site's
    sweepers leave does it after their last stint (so the site keeps one window), else whoever
    is free first; as far as their day allows (the committee finishes later)."""
    while minutes > 1e-6:
        reach = max(
            (st.end for stints in out.values() for st in stints if st.site == site),
            default=math.inf,
        )
        best: tuple[tuple[bool, float], Staff, float] | None = None
        for person in people:
            block = blocks[person.staff_id]
            assert block is not None
            free = max([float(block[0])] + [s.end for s in out.get(person.staff_id, [])])
            rank = (free > reach + 1e-6, free)
            if block[1] - free > 1e-6 and (best is None or rank < best[0]):
                best = (rank, person, float(block[1]))
        if best is None:  # nobody has time left: the longest day does it anyway
            person = max(people, key=lambda p: (_length(blocks[p.staff_id]), p.staff_id))
            block = blocks[person.staff_id]
            assert block is not None
            out[person.staff_id].append(Stint(site, float(block[0]), float(block[1])))
            return
        (_, free), person, end = best
        take = min(minutes, end - free)
        out[person.staff_id].append(Stint(site, free, free + take))
        minutes -= take


def _opens_in_time(job: _Job, piece: _Piece) -> bool:
    """The site is open when this piece of a sweeper's time would reach it."""
    first = piece.lo if piece.forward else piece.hi - min(job.minutes, piece.room)
    return job.earliest <= first + 1e-6


def _place(
    job: _Job, pieces: list[_Piece], k: int, out: dict[str, list[Stint]]
) -> tuple[int, float]:
    """Lay ``job`` on ``pieces`` from the ``k``-th on: the index of the piece to go on with,
    and the minutes that did not fit."""
    left, longest = job.minutes, 0.0
    while left > 1e-6 and k < len(pieces):
        piece = pieces[k]
        if piece.forward and piece.lo < job.earliest:
            piece.lo = min(job.earliest, piece.hi)  # the sweeper waits for the site to open
        want = left if longest >= job.window or longest == 0.0 else max(left, job.window)
        if piece.forward and want > piece.room and (longest > 0.0 or want > left):
            # The site's desks need a longer window than the committee's end leaves: this
            # sweeper stays on past it (the committee then finishes later, as it must).
            piece.hi = min(piece.end, piece.lo + want)
        take = min(want, piece.room)
        start, end = piece.take(take)
        # A sliver is not worth a walk: the sweeper's time passes on to the next site.
        if take >= _MIN_PIECE_MIN or take >= want - 1e-6:
            out[piece.person.staff_id].append(Stint(job.site, start, end))
            longest = max(longest, take)
        left -= take
        if piece.room <= 1e-6:
            k += 1
    return k, max(0.0, left)


def _working_block(scenario: Scenario, person: Staff) -> tuple[int, int] | None:
    """A sweeper's one front-loaded working interval (no protective-gear breaks), or ``None``.

    Calls may be made a few minutes before the round starts (people leave home at once), so
    the day may begin ``response_min`` early.
    """
    earliest = scenario.round.start - math.ceil(scenario.flow.response_min)
    return next(iter(work_blocks(person, earliest, 0, 0)), None)


def _length(block: tuple[int, int] | None) -> int:
    return 0 if block is None else block[1] - block[0]


def _site_order(
    scenario: Scenario, sites: list[int], centre: tuple[float, float] | None
) -> list[int]:
    """A walking chain through ``sites``: from the one farthest from the committee's centre,
    each next the nearest left (a sweeper moving to the next site walks little)."""
    if centre is None or len(sites) < 2:
        return sorted(sites)
    left = sorted(sites)

    def away(s: int, here: tuple[float, float]) -> float:
        return float(haversine_m(here[0], here[1], scenario.sites[s].lat, scenario.sites[s].lon))

    current = max(left, key=lambda s: (away(s, centre), -s))
    order = [current]
    left.remove(current)
    while left:
        here = (scenario.sites[current].lat, scenario.sites[current].lon)
        current = min(left, key=lambda s: (away(s, here), s))
        order.append(current)
        left.remove(current)
    return order


def _merge_stints(stints: Sequence[Stint]) -> list[Stint]:
    """Stints in time order, touching ones at the same site joined."""
    out: list[Stint] = []
    for stint in sorted(stints, key=lambda s: (s.start, s.end, s.site)):
        if out and out[-1].site == stint.site and stint.start <= out[-1].end + 1e-6:
            out[-1] = Stint(stint.site, out[-1].start, max(out[-1].end, stint.end))
        else:
            out.append(stint)
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
    stints_of: Mapping[str, Sequence[Stint]],
    site_ids: Sequence[int],
    slot_start: int,
    slot_min: int,
    n_slots: int,
) -> npt.NDArray[np.float64]:
    """(sites, slots): sweepers at each site in each slot (a stint covering part of a slot
    counts for that part)."""
    row = {s: k for k, s in enumerate(site_ids)}
    out = np.zeros((len(site_ids), n_slots), dtype=np.float64)
    edges = slot_start + slot_min * np.arange(n_slots + 1, dtype=np.float64)
    for stints in stints_of.values():
        for stint in stints:
            if stint.site not in row:
                continue
            overlap = np.minimum(edges[1:], stint.end) - np.maximum(edges[:-1], stint.start)
            out[row[stint.site]] += np.clip(overlap, 0.0, None) / slot_min
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


def pool_by_committee(
    scenario: Scenario,
    home: Mapping[str, Sequence[Stint]],
    staff: Sequence[Staff],
    used: Sequence[int],
    pooled: Sequence[str],
) -> dict[str, tuple[Stint, ...]]:
    """Stints at a ``pooled`` committee's site widened to all its used sites.

    A committee whose sites are a few minutes' walk apart needs no site windows: each of its
    sweepers calls for whichever of its sites needs people next. A sweeper working for only that
    committee is its for the whole working day; one lent between committees keeps the span of
    their stints there. Other stints are kept as they are.
    """
    members: dict[str, list[int]] = defaultdict(list)
    for s in used:
        members[scenario.sites[s].committee].append(s)
    person_of = {p.staff_id: p for p in staff}
    out: dict[str, tuple[Stint, ...]] = {}
    for sid, stints in home.items():
        spans = _committee_spans(scenario, stints)
        block = _working_block(scenario, person_of[sid])
        if len(spans) == 1 and block is not None:  # one committee all day
            spans = {c: (float(block[0]), float(block[1])) for c in spans}
        kept = [st for st in stints if scenario.sites[st.site].committee not in pooled]
        widened = [
            Stint(s, lo, hi)
            for c, (lo, hi) in sorted(spans.items())
            if c in pooled
            for s in members.get(c, [])
        ]
        out[sid] = tuple(_merge_stints([*kept, *widened]))
    return out


def group_feeders(
    scenario: Scenario,
    home: Mapping[str, Sequence[Stint]],
    used: Sequence[int],
    pooled: Sequence[str],
    slot_start: int,
    slot_min: int,
    n_slots: int,
) -> tuple[IntArray, npt.NDArray[np.float64]]:
    """Each used site's pooled committee (index into ``pooled``, -1 if not pooled), and
    (len(pooled), slots) sweepers working for each: once per committee however many of its
    sites their stints cover."""
    index = {c: g for g, c in enumerate(pooled)}
    group_of = np.array([index.get(scenario.sites[s].committee, -1) for s in used], np.int64)
    spans = {
        sid: [
            Stint(index[c], lo, hi)
            for c, (lo, hi) in _committee_spans(scenario, stints).items()
            if c in index
        ]
        for sid, stints in home.items()
    }
    feeders = sweepers_per_slot(spans, range(len(pooled)), slot_start, slot_min, n_slots)
    return group_of, feeders


def _committee_spans(scenario: Scenario, stints: Sequence[Stint]) -> dict[str, tuple[float, float]]:
    """Committee of the sites in ``stints`` -> (first start, last end) of those stints."""
    spans: dict[str, tuple[float, float]] = {}
    for st in stints:
        c = scenario.sites[st.site].committee
        lo, hi = spans.get(c, (math.inf, -math.inf))
        spans[c] = (min(lo, st.start), max(hi, st.end))
    return spans
