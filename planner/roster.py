"""Who works where and when: a greedy roster builder for desks, marshals, door teams and sweeps.

Plain data in, plain data out. :func:`build_roster` takes the work to staff (desk spells, door-team
intervals, sweeper routes) and returns the shifts that staff it, plus what could not be staffed.
:func:`staffed_desks` turns a roster back into the desks it can actually run, and
:func:`desk_capacity` estimates how many desks each site can run on a given staff before any
rostering (the "as many desks as staff allow" of a command post).

The rules a roster must keep are those of ``docs/formats.md`` ("What makes a plan valid", items 3
and 4): shifts lie within each person's availability, one person's shifts do not overlap and add up
to at most ``max_hours``, and a sampler's stints (shifts less than ``ppe_break_min`` apart count as
one) last at most ``max_ppe_h``. Every shift :func:`build_roster` returns keeps them; demand it
cannot meet is reported in :attr:`RosterResult.unfilled`, never papered over.

How the greedy works, and its limits, is described on :func:`build_roster`.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from planner.model import Role, Scenario, Site, Staff
from planner.plan import SWEEP_POST, DeskSpell, Shift, append_spell

#: A desk demand has exactly the meaning of a plan's desk spell: ``desks`` desks open at
#: ``site_id`` during [start, end).
DeskNeed = DeskSpell

# Golden-ratio step: spreads the first-stint offsets of sampler tracks evenly whatever their count.
_GOLDEN = 0.6180339887498949
# Shortest first stint of a long sampler track, as a share of max_ppe_h. With a narrow spread
# (say a half) too many reliefs fall within one break's length and desks close meanwhile; a
# quarter keeps a compound-103 roster (51 samplers, 8 h desks, 4 h stints) free of dips.
_FIRST_STINT_MIN = 0.25

# Request priorities: lower goes first among requests starting at the same minute. Door teams and
# sweeps come before desks because their work cannot shrink; a desk that cannot be staffed only
# means fewer desks.
_PRIORITY_TEAM = 0
_PRIORITY_SWEEP = 0
_PRIORITY_DESK = 1


@dataclass(frozen=True, slots=True)
class TeamNeed:
    """A door team that must be staffed during [start, end).

    ``committee`` (optional) is the committee whose volunteers the team prefers; empty means any.
    """

    team_id: str
    start: int
    end: int
    committee: str = ""


@dataclass(frozen=True, slots=True)
class SweepNeed:
    """One sweeper busy during [start, end) (one planned sweeper route or part of one).

    ``committee`` (optional) is preferred when the builder picks the sweeper itself.
    """

    start: int
    end: int
    committee: str = ""


class Unfilled(NamedTuple):
    """Demand not met: ``missing`` people of ``role`` short at ``post`` during [start, end)."""

    post: str
    role: Role
    start: int
    end: int
    missing: int


@dataclass(frozen=True)
class RosterResult:
    """What :func:`build_roster` made.

    Attributes
    ----------
    shifts
        Every shift, sorted by (post, role, start, staff id); they keep all roster rules.
    unfilled
        Demand left unmet, as maximal intervals of constant shortfall per (post, role), sorted.
    sweepers
        For each sweep need, in input order, the sweeper who covers it (``""`` if nobody could).
    """

    shifts: tuple[Shift, ...]
    unfilled: tuple[Unfilled, ...]
    sweepers: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        """True when every need was staffed."""
        return not self.unfilled


@dataclass(frozen=True, slots=True)
class _Rules:
    """Roster limits in whole minutes (``ppe_len`` = 0 for roles without protective gear)."""

    ppe_len: int
    ppe_break: int


@dataclass
class _Person:
    """A person being rostered: their fixed data and the shifts given so far (sorted by start)."""

    staff: Staff
    order: int
    limit: int
    # (start, end, post), sorted by start; never overlapping.
    shifts: list[tuple[int, int, str]] = field(default_factory=list)
    used: int = 0


@dataclass(order=True)
class _Request:
    """One person needed at ``post`` from ``start`` until ``end`` (filled piece by piece)."""

    start: int
    priority: int
    serial: int
    end: int = field(compare=False)
    post: str = field(compare=False)
    committee: str = field(compare=False)
    # Longest first piece (samplers: a staggered first stint, see _first_stint_caps).
    first_cap: int = field(compare=False, default=0)
    # Sweep routes are one person's work: filled whole or not at all.
    whole: bool = field(compare=False, default=False)
    # Index of the sweep need this request stands for (-1 otherwise).
    sweep_index: int = field(compare=False, default=-1)


def build_roster(
    scenario: Scenario,
    desks: Sequence[DeskSpell] = (),
    teams: Sequence[TeamNeed] = (),
    sweeps: Sequence[tuple[str, SweepNeed]] = (),
    *,
    marshals: bool = True,
    staff: Sequence[Staff] | None = None,
    fixed: Sequence[Shift] = (),
) -> RosterResult:
    """Assign people to the desks, door teams and sweeper routes given.

    Parameters
    ----------
    scenario
        Supplies the crew rules (``scenario.crew``), the sites' committees and, unless ``staff`` is
        given, the people.
    desks
        Desk spells to staff (spells of one site are added up where they overlap). Every open desk
        minute needs ``desk_samplers`` samplers and ``desk_registrars`` registrars at the site.
    teams
        Door teams: each needs ``door_samplers`` samplers and ``door_registrars`` registrars on
        its post during its whole interval.
    sweeps
        ``(sweeper_id, need)`` pairs: the named sweeper must be on a ``sweep`` shift during the
        need, or, with an empty id, the builder picks one sweeper who can cover all of it.
    marshals
        Staff ``marshals_per_site`` marshals at a site during every minute it has a desk open.
    staff
        People to draw from (default: all of ``scenario.staff``).
    fixed
        Shifts decided beforehand (e.g. door teams rostered first): the people are busy then,
        their hours and stints count, and the shifts are part of the result. They must keep the
        roster rules themselves; they are not checked.

    Returns
    -------
    RosterResult
        Shifts that keep every roster rule (given ``fixed`` ones that do), and the demand that
        could not be met.

    Raises
    ------
    ValueError
        When a fixed shift names somebody not in ``staff`` or with another role.

    Notes
    -----
    Each role is rostered on its own (a person has one role). Demand is cut into *tracks*: track
    ``k`` of a post is the time its ``k``-th person is needed. Track pieces are filled in time
    order (door teams and sweeps before desks at the same minute, lower tracks first). For a piece
    starting at minute ``a``, every free person is asked how far past ``a`` they could work
    (availability, no overlap, ``max_hours``, and for samplers the stint limit, counting shifts
    up to ``ppe_break_min`` apart as one stint, the stricter reading of the format's "less than").
    The pick prefers, in order: the post's own
    committee or the town-wide pool; somebody who covers the whole piece (a sampler's piece is at
    most one stint); among those, the one whose availability, then remaining hours, end soonest;
    otherwise the one who covers the longest part. The rest of the track becomes a new piece, so
    a desk open 06:00-14:00 gets two or more samplers in sequence and a sampler may come back
    after a break. Minutes nobody can cover are reported and the track resumes at the next minute
    somebody could.

    Samplers' first stints on long tracks are staggered (between a quarter and a whole
    ``max_ppe_h``): if every desk opening at 06:00 needed relief at 10:00, the samplers relieved
    first could not come back before 10:30 and desks would close meanwhile. Staggering spreads the
    reliefs so that samplers back from their break relieve the later ones.

    Limits: greedy, no backtracking: a choice early in the day is never revised, so the roster may
    leave minutes unfilled that a clever one would staff; it never breaks a rule to fill them.
    Runtime grows with requests x people of the role (a town of ~300 samplers: well under a
    second).
    """
    people = list(scenario.staff if staff is None else staff)
    crew = scenario.crew
    site_committee = {s.site_id: s.committee for s in scenario.sites}
    requests = _desk_requests(desks, crew.desk_samplers, crew.desk_registrars, site_committee)
    if marshals:
        requests[Role.MARSHAL] = _marshal_requests(desks, crew.marshals_per_site, site_committee)
    for role, per_team in (
        (Role.SAMPLER, crew.door_samplers),
        (Role.REGISTRAR, crew.door_registrars),
    ):
        requests.setdefault(role, []).extend(_team_requests(teams, per_team))
    named, unnamed = _split_sweeps(sweeps)
    requests.setdefault(Role.SWEEPER, []).extend(unnamed)

    shifts: list[Shift] = []
    missing: list[tuple[str, Role, int, int]] = []
    chosen = [""] * len(sweeps)
    pools = _pools(people, fixed)
    for role in Role:
        pool = pools[role]
        rules = _rules(scenario, role)
        if role == Role.SWEEPER:
            _place_named_sweeps(pool, named, rules, chosen, missing)
        role_requests = requests.get(role, [])
        if role == Role.SAMPLER:
            _stagger_first_stints(role_requests, rules)
        _fill(pool, role, role_requests, rules, chosen, missing)
        shifts.extend(_shifts_of(pool, role))
    shifts.sort(key=lambda s: (s.post, s.role.value, s.start, s.staff_id))
    return RosterResult(tuple(shifts), _aggregate_missing(missing), tuple(chosen))


def staffed_desks(
    scenario: Scenario, desks: Sequence[DeskSpell], shifts: Iterable[Shift]
) -> tuple[DeskSpell, ...]:
    """The desks of ``desks`` that ``shifts`` actually staff, minute by minute.

    At each minute a site runs ``min(wanted, samplers // desk_samplers, registrars //
    desk_registrars)`` desks, and none while it has fewer than ``marshals_per_site`` marshals.
    Returns maximal spells of constant positive desks, sorted by site and start. The result is
    always covered by ``shifts`` (check rule 3) as long as nobody's shifts overlap each other
    (rule 4), since each shift is counted as one person.
    """
    crew = scenario.crew
    wanted = post_levels((d.site_id, d.start, d.end, d.desks) for d in desks)
    crews: dict[tuple[str, Role], list[tuple[int, int, int]]] = {}
    for role in (Role.SAMPLER, Role.REGISTRAR, Role.MARSHAL):
        levels = post_levels((s.post, s.start, s.end, 1) for s in shifts if s.role == role)
        for site_id, steps in levels.items():
            crews[(site_id, role)] = steps
    out: list[DeskSpell] = []
    for site_id, steps in sorted(wanted.items()):
        limits = [
            (crews.get((site_id, Role.SAMPLER), []), crew.desk_samplers),
            (crews.get((site_id, Role.REGISTRAR), []), crew.desk_registrars),
        ]
        marshal_steps = crews.get((site_id, Role.MARSHAL), [])
        cuts = sorted(
            {
                t
                for s in (steps, marshal_steps, *(x for x, _ in limits))
                for a, b, _ in s
                for t in (a, b)
            }
        )
        for a, b in itertools.pairwise(cuts):
            n = level_at(steps, a)
            for crew_steps, per_desk in limits:
                if per_desk > 0:
                    n = min(n, level_at(crew_steps, a) // per_desk)
            if level_at(marshal_steps, a) < crew.marshals_per_site:
                n = 0
            if n > 0:
                append_spell(out, DeskSpell(site_id, a, b, n))
    return tuple(out)


def desk_capacity(
    scenario: Scenario,
    sites: Sequence[Site] | None = None,
    *,
    reserved: Mapping[Role, float] | None = None,
    staff: Sequence[Staff] | None = None,
    window: tuple[int, int] | None = None,
) -> dict[str, int]:
    """How many desks each site can run all its opening hours on the staff's working time.

    Parameters
    ----------
    scenario
        Crew rules, round window, and (by default) sites and staff.
    sites
        Candidate sites in priority order (default: the scenario's, in file order). Each desk of
        a site is open from ``max(open_from, window start)`` to ``open_to``.
    reserved
        Minutes of each role already promised elsewhere (e.g. door teams), taken off the budget.
    staff
        People to count (default: ``scenario.staff``).
    window
        The working day (default: round start to deadline); time outside it is not counted.

    Returns
    -------
    dict
        Desks per site id, between 0 and ``max_desks``.

    Notes
    -----
    A budget, not a roster: each role's budget is the minutes its people can work within the
    window (for samplers, less the ``ppe_break_min`` breaks their stint limit forces). A desk open
    longer than one stint also costs, per stint, a break's worth of sampler time: whoever relieves
    a sampler has to come off a break, so relief keeps people idle. Desks are
    dealt out one round at a time (first desk of every site, then second desks, ...) in site order,
    a desk taken only if every role's remaining budget pays for all its minutes; a site's first desk
    also needs ``marshals_per_site`` marshals for its hours. The budget ignores *when* people work,
    so :func:`build_roster` may still find minutes it cannot staff (e.g. afternoons with fewer
    volunteers); :func:`staffed_desks` then steps those desks down.
    """
    crew = scenario.crew
    sites = list(scenario.sites if sites is None else sites)
    people = scenario.staff if staff is None else staff
    lo, hi = window or (scenario.round.start, scenario.round.deadline)
    budget = {role: 0.0 for role in (Role.SAMPLER, Role.REGISTRAR, Role.MARSHAL)}
    for person in people:
        if person.role in budget:
            budget[person.role] += _usable_minutes(person, _rules(scenario, person.role), lo, hi)
    for role, minutes in (reserved or {}).items():
        if role in budget:
            budget[role] -= minutes
    rules = _rules(scenario, Role.SAMPLER)
    counts = {s.site_id: 0 for s in sites}
    for layer in range(max((s.max_desks for s in sites), default=0)):
        for site in sites:
            if counts[site.site_id] != layer or site.max_desks <= layer:
                continue
            length = max(0, site.open_to - max(site.open_from, lo))
            cost = {
                Role.SAMPLER: crew.desk_samplers * _sampler_minutes(length, rules),
                Role.REGISTRAR: crew.desk_registrars * length,
                Role.MARSHAL: crew.marshals_per_site * length if layer == 0 else 0,
            }
            if length > 0 and all(budget[r] >= c for r, c in cost.items()):
                for role, c in cost.items():
                    budget[role] -= c
                counts[site.site_id] += 1
    return counts


# --- demand -----------------------------------------------------------------------------------


def _desk_requests(
    desks: Sequence[DeskSpell],
    samplers: int,
    registrars: int,
    committees: Mapping[str, str],
) -> dict[Role, list[_Request]]:
    """One request per track of desk crew: ``desks x per-desk`` people of each role per site."""
    out: dict[Role, list[_Request]] = {}
    levels = post_levels((d.site_id, d.start, d.end, d.desks) for d in desks)
    for role, per_desk in ((Role.SAMPLER, samplers), (Role.REGISTRAR, registrars)):
        requests: list[_Request] = []
        for site_id, steps in sorted(levels.items()):
            scaled = [(a, b, n * per_desk) for a, b, n in steps]
            for track, (a, b) in _tracks(scaled):
                # Lower tracks first: the first desk of every site before second desks.
                requests.append(
                    _Request(
                        a,
                        _PRIORITY_DESK + track // max(1, per_desk),
                        0,
                        b,
                        site_id,
                        committees.get(site_id, ""),
                    )
                )
        out[role] = requests
    return out


def _marshal_requests(
    desks: Sequence[DeskSpell], per_site: int, committees: Mapping[str, str]
) -> list[_Request]:
    """``per_site`` marshal tracks over every stretch a site has any desk open."""
    out: list[_Request] = []
    levels = post_levels((d.site_id, d.start, d.end, d.desks) for d in desks)
    for site_id, steps in sorted(levels.items()):
        opened = [(a, b, per_site) for a, b, n in steps if n > 0]
        for track, (a, b) in _tracks(opened):
            out.append(
                _Request(a, _PRIORITY_DESK + track, 0, b, site_id, committees.get(site_id, ""))
            )
    return out


def _team_requests(teams: Sequence[TeamNeed], per_team: int) -> list[_Request]:
    """``per_team`` tracks over each team's interval."""
    return [
        _Request(t.start, _PRIORITY_TEAM, 0, t.end, t.team_id, t.committee)
        for t in teams
        if t.end > t.start
        for _ in range(per_team)
    ]


def _split_sweeps(
    sweeps: Sequence[tuple[str, SweepNeed]],
) -> tuple[list[tuple[int, str, SweepNeed]], list[_Request]]:
    """Named sweeps (placed as given) and unnamed ones (requests the greedy fills whole)."""
    named: list[tuple[int, str, SweepNeed]] = []
    unnamed: list[_Request] = []
    for index, (sweeper_id, need) in enumerate(sweeps):
        if need.end <= need.start:
            continue
        if sweeper_id:
            named.append((index, sweeper_id, need))
        else:
            unnamed.append(
                _Request(
                    need.start,
                    _PRIORITY_SWEEP,
                    0,
                    need.end,
                    SWEEP_POST,
                    need.committee,
                    whole=True,
                    sweep_index=index,
                )
            )
    return named, unnamed


def _stagger_first_stints(requests: list[_Request], rules: _Rules) -> None:
    """Shorten the first stint of long sampler tracks by a spread offset (see build_roster)."""
    if rules.ppe_len <= 0:
        return
    long_tracks = sorted(
        (r for r in requests if r.end - r.start > rules.ppe_len and r.priority >= _PRIORITY_DESK),
        key=lambda r: (r.start, r.priority, r.post),
    )
    for k, request in enumerate(long_tracks):
        offset = int(((k * _GOLDEN) % 1.0) * rules.ppe_len * (1 - _FIRST_STINT_MIN))
        request.first_cap = rules.ppe_len - offset


# --- the greedy -------------------------------------------------------------------------------


def _fill(
    pool: list[_Person],
    role: Role,
    requests: list[_Request],
    rules: _Rules,
    chosen: list[str],
    missing: list[tuple[str, Role, int, int]],
) -> None:
    """Fill ``requests`` of one role from ``pool`` in time order (see build_roster)."""
    heap: list[_Request] = []
    for serial, request in enumerate(requests):
        request.serial = serial
        heapq.heappush(heap, request)
    while heap:
        request = heapq.heappop(heap)
        a, b = request.start, request.end
        want = b
        if rules.ppe_len > 0 and not request.whole:
            want = min(b, a + (request.first_cap or rules.ppe_len))
        best = _pick(pool, request, want, rules, full_only=request.whole)
        if request.whole:
            if best is not None:
                _assign(best, request.post, a, b)
                chosen[request.sweep_index] = best.staff.staff_id
            else:
                missing.append((request.post, role, a, b))
            continue
        if best is None:
            resume = _next_start(pool, a, b, rules)
            missing.append((request.post, role, a, resume))
            y = resume
        else:
            y = _reach(best, a, want, rules)
            _assign(best, request.post, a, y)
        if y < b:
            request.start, request.first_cap = y, 0
            heapq.heappush(heap, request)


def _pick(
    pool: list[_Person], request: _Request, want: int, rules: _Rules, *, full_only: bool = False
) -> _Person | None:
    """The preferred person who can start at the request's minute, or None (see build_roster).

    With ``full_only``, only people who can work until ``want`` are considered.
    """
    a = request.start
    best: _Person | None = None
    best_key: tuple[int, ...] | None = None
    for person in pool:
        y = _reach(person, a, want, rules)
        if y <= a:
            continue
        full = y >= want
        if full_only and not full:
            continue
        own = person.staff.committee in ("", request.committee) or not request.committee
        key = (
            0 if own else 1,
            0 if full else 1,
            0 if full else -y,
            person.staff.available_to,
            person.limit - person.used,
            person.order,
        )
        if best_key is None or key < best_key:
            best, best_key = person, key
    return best


def _reach(person: _Person, a: int, want: int, rules: _Rules) -> int:
    """The latest minute ``y <= want`` such that ``person`` can work [a, y) on top of their shifts.

    Returns ``a`` when they cannot start at ``a`` at all.
    """
    staff = person.staff
    if a < staff.available_from or a >= staff.available_to or person.used >= person.limit:
        return a
    y = min(want, staff.available_to, a + person.limit - person.used)
    for start, end, _ in person.shifts:
        if start <= a < end:
            return a
        if start > a:
            y = min(y, start)
            break
    if rules.ppe_len > 0 and y > a and person.shifts:
        y = _ppe_reach(person.shifts, a, y, rules)
    return max(y, a)


def _ppe_reach(busy: Sequence[tuple[int, int, str]], a: int, y: int, rules: _Rules) -> int:
    """Cut ``y`` so that the stint holding [a, y) lasts at most the PPE limit.

    Shifts less than ``ppe_break`` apart belong to one stint, both before ``a`` and after ``y``.
    """
    stint_start = a
    for start, end, _ in reversed([s for s in busy if s[1] <= a]):
        if stint_start - end < rules.ppe_break:
            stint_start = start
        else:
            break
    y = min(y, stint_start + rules.ppe_len)
    later = [s for s in busy if s[0] >= y]
    if later and later[0][0] - y < rules.ppe_break:
        stint_end = later[0][1]
        for start, end, _ in later[1:]:
            if start - stint_end < rules.ppe_break:
                stint_end = end
            else:
                break
        if stint_end - stint_start > rules.ppe_len:
            # Stop early enough that the next shift starts a new stint.
            y = min(y, later[0][0] - rules.ppe_break)
    return y


def _next_start(pool: list[_Person], a: int, b: int, rules: _Rules) -> int:
    """The first minute after ``a`` (at most ``b``) at which somebody's situation changes."""
    times = [b]
    for person in pool:
        if person.used >= person.limit:
            continue
        times.append(person.staff.available_from)
        for _, end, _ in person.shifts:
            times.append(end)
            times.append(end + rules.ppe_break)
    return min(t for t in times if t > a)


def _assign(person: _Person, post: str, a: int, y: int) -> None:
    """Give ``person`` [a, y) at ``post``, extending a shift at the same post that ends at ``a``."""
    person.used += y - a
    for k, (start, end, where) in enumerate(person.shifts):
        if end == a and where == post:
            person.shifts[k] = (start, y, post)
            return
    person.shifts.append((a, y, post))
    person.shifts.sort()


def _place_named_sweeps(
    pool: list[_Person],
    named: list[tuple[int, str, SweepNeed]],
    rules: _Rules,
    chosen: list[str],
    missing: list[tuple[str, Role, int, int]],
) -> None:
    """Put each named sweeper on their route, or report it when their availability forbids."""
    by_id = {p.staff.staff_id: p for p in pool}
    for index, sweeper_id, need in sorted(named, key=lambda x: (x[2].start, x[0])):
        person = by_id.get(sweeper_id)
        if person is not None and _reach(person, need.start, need.end, rules) >= need.end:
            _assign(person, SWEEP_POST, need.start, need.end)
            chosen[index] = sweeper_id
        else:
            missing.append((SWEEP_POST, Role.SWEEPER, need.start, need.end))


def _pools(people: Sequence[Staff], fixed: Sequence[Shift]) -> dict[Role, list[_Person]]:
    """People per role, in ``people`` order, already holding their fixed shifts."""
    pools: dict[Role, list[_Person]] = {role: [] for role in Role}
    by_id: dict[str, _Person] = {}
    for k, p in enumerate(people):
        person = _Person(p, k, _minutes_floor(p.max_hours * 60))
        pools[p.role].append(person)
        by_id[p.staff_id] = person
    for shift in sorted(fixed, key=lambda s: (s.staff_id, s.start)):
        holder = by_id.get(shift.staff_id)
        if holder is None or holder.staff.role != shift.role:
            raise ValueError(f"fixed shift for unknown {shift.role.value} {shift.staff_id!r}")
        _assign(holder, shift.post, shift.start, shift.end)
    return pools


def _shifts_of(pool: list[_Person], role: Role) -> list[Shift]:
    return [
        Shift(p.staff.staff_id, role, post, start, end)
        for p in pool
        for start, end, post in p.shifts
    ]


# --- small helpers ----------------------------------------------------------------------------


def _rules(scenario: Scenario, role: Role) -> _Rules:
    """Whole-minute limits: stints are rounded down, breaks up, so a roster is never too tight.

    ``ppe_break`` is the least gap that *separates* two stints. The format says shifts "less than
    ``ppe_break_min`` apart" form one stint; a gap of exactly ``ppe_break_min`` could be read
    either way, so the roster always leaves strictly more.
    """
    crew = scenario.crew
    if role != Role.SAMPLER:
        return _Rules(0, 0)
    return _Rules(_minutes_floor(crew.max_ppe_h * 60), math.floor(crew.ppe_break_min + 1e-9) + 1)


def _minutes_floor(value: float) -> int:
    # 7.5 h * 60 is exactly 450; the tolerance only absorbs float noise like 449.99999999.
    return max(0, math.floor(value + 1e-9))


def _sampler_minutes(length: int, rules: _Rules) -> float:
    """Sampler time one desk open ``length`` minutes uses: its minutes plus relief breaks."""
    if rules.ppe_len <= 0 or length <= rules.ppe_len:
        return float(length)
    return length * (1 + rules.ppe_break / rules.ppe_len)


def _usable_minutes(person: Staff, rules: _Rules, lo: int, hi: int) -> float:
    """Minutes ``person`` can work within [lo, hi): availability, max_hours, forced PPE breaks."""
    span = max(0, min(person.available_to, hi) - max(person.available_from, lo))
    if rules.ppe_len > 0:
        span -= rules.ppe_break * (span // (rules.ppe_len + rules.ppe_break))
    return float(min(span, _minutes_floor(person.max_hours * 60)))


def post_levels(
    items: Iterable[tuple[str, int, int, int]],
) -> dict[str, list[tuple[int, int, int]]]:
    """Per post, the sum of weighted intervals as maximal constant steps (start, end, level>0).

    ``items`` are ``(post, start, end, weight)``; a negative weight takes an interval off (the
    sum must not go below 0)."""
    events: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for post, start, end, weight in items:
        if end > start and weight:
            events[post][start] += weight
            events[post][end] -= weight
    return {post: _steps(changes) for post, changes in events.items()}


def _steps(changes: Mapping[int, int]) -> list[tuple[int, int, int]]:
    times = sorted(changes)
    out: list[tuple[int, int, int]] = []
    level = 0
    for t0, t1 in itertools.pairwise(times):
        level += changes[t0]
        if level <= 0:
            continue
        if out and out[-1][1] == t0 and out[-1][2] == level:
            out[-1] = (out[-1][0], t1, level)
        else:
            out.append((t0, t1, level))
    return out


def _tracks(steps: Sequence[tuple[int, int, int]]) -> list[tuple[int, tuple[int, int]]]:
    """(k, interval) for the maximal intervals where a step function exceeds k."""
    out: list[tuple[int, tuple[int, int]]] = []
    for k in range(max((n for _, _, n in steps), default=0)):
        current: list[int] | None = None
        for a, b, n in steps:
            if n > k and current is not None and current[1] == a:
                current[1] = b
            elif n > k:
                if current is not None:
                    out.append((k, (current[0], current[1])))
                current = [a, b]
        if current is not None:
            out.append((k, (current[0], current[1])))
    return out


def level_at(steps: Sequence[tuple[int, int, int]], minute: int) -> int:
    """The level of :func:`post_levels`' ``steps`` at ``minute`` (0 outside every step)."""
    for a, b, n in steps:
        if a <= minute < b:
            return n
    return 0


def _aggregate_missing(missing: list[tuple[str, Role, int, int]]) -> tuple[Unfilled, ...]:
    """Single-person gaps summed into maximal intervals of constant shortfall per (post, role)."""
    by_key: dict[tuple[str, Role], list[tuple[int, int, int]]] = defaultdict(list)
    for post, role, a, b in missing:
        if b > a:
            by_key[(post, role)].append((a, b, 1))
    out: list[Unfilled] = []
    for (post, role), items in sorted(by_key.items(), key=lambda kv: (kv[0][0], kv[0][1].value)):
        levels = post_levels((post, a, b, n) for a, b, n in items)[post]
        out.extend(Unfilled(post, role, a, b, n) for a, b, n in levels)
    return tuple(out)
