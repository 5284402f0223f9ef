"""Plan validity: every rule of ``docs/formats.md`` ("What makes a plan valid"), recomputed.

:func:`check_plan` is the oracle that every plan-producing component is tested against, so it
shares no code with them: durations, walks, floor coverage and crew counts are all recomputed here
from the scenario and the plan's four tables. It never stops at the first violation; it returns
every one as a :class:`~planner.problems.Problem` whose

- ``file`` is the plan table (``calls.csv``, ``desks.csv``, ``visits.csv``, ``roster.csv``),
- ``row`` is the spreadsheet row of the offending row (tuple position + 2, the order
  :func:`planner.planfile.read_plan` keeps), or ``None`` when the violation is about something
  absent (a building nobody calls, floors never visited, a total that does not add up),
- ``column`` is the rule family: ``coverage``, ``desks``, ``crew``, ``roster``, ``sweep``,
  ``visit`` (the numbered rules 1-6 of the format page),
- ``code`` is a ``chk_*`` message key and ``values`` carry the numbers, including by how much the
  rule is missed.

Shortfalls given in minutes or hours are rounded *up* to 0.1 so that a real violation never reads
"0.0 min too early". Times are compared in seconds with a tolerance of 1e-6 minute: plans use whole
minutes, so a producer must round durations up, and floating-point noise must not fail it.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import pandas as pd

from planner.geo import haversine_m
from planner.messages import Lang, Ref
from planner.model import Building, Role, Scenario, Site, Staff
from planner.plan import SWEEP_POST, Call, DeskSpell, Plan, Shift, Visit
from planner.problems import Problem
from planner.timefmt import format_hhmm

DESKS_FILE = "desks.csv"
CALLS_FILE = "calls.csv"
VISITS_FILE = "visits.csv"
ROSTER_FILE = "roster.csv"

#: Spreadsheet row of tuple position 0 (the header is row 1).
FIRST_ROW = 2

#: Tolerance of every time comparison, in seconds (1e-6 minute).
EPS_S = 60e-6

#: A call must reach a site that has a desk open within this many minutes of the call.
CALL_DESK_WINDOW_MIN = 60

# The rule families, used as the Problem column.
COVERAGE, DESKS, CREW, ROSTER, SWEEP, VISIT = (
    "coverage",
    "desks",
    "crew",
    "roster",
    "sweep",
    "visit",
)

_DESK_ROLES = (Role.SAMPLER, Role.REGISTRAR)


def check_plan(scenario: Scenario, plan: Plan) -> list[Problem]:
    """Every way ``plan`` breaks the validity rules of ``docs/formats.md`` for ``scenario``.

    Parameters
    ----------
    scenario
        The validated scenario the plan was made for.
    plan
        The plan, with its tables in file order (as :func:`planner.planfile.read_plan` returns
        them), so that row numbers point at the right lines.

    Returns
    -------
    list of Problem
        One problem per violation, sorted by file and then row (whole-table problems, whose row is
        ``None``, first); empty for a valid plan.
    """
    town = _Town.of(scenario)
    problems = [
        *_check_coverage(town, plan),
        *_check_desks(town, plan),
        *_check_crews(town, plan),
        *_check_roster(town, plan),
        *_check_sweeps(town, plan),
        *_check_visits(town, plan),
    ]
    # Stable sort: within one row, problems keep the order of the rule families.
    return sorted(problems, key=lambda p: (p.file, p.row or 0))


def violation_table(problems: list[Problem], lang: Lang | None = None) -> pd.DataFrame:
    """The problems as a flat table (one row each) for the CLI and the page.

    Parameters
    ----------
    problems
        What :func:`check_plan` returned.
    lang
        Language of the ``problem`` column; the default language when ``None``.

    Returns
    -------
    pandas.DataFrame
        Columns ``severity``, ``file``, ``row`` (nullable integer), ``column``, ``code`` and
        ``problem``, in the order given.
    """
    columns = ["severity", "file", "row", "column", "code", "problem"]
    frame = pd.DataFrame([p.as_record(lang) for p in problems], columns=columns)
    frame["row"] = frame["row"].astype("Int64")
    return frame


# --- shared helpers -------------------------------------------------------------------------------


@dataclass
class _Town:
    """The scenario indexed by id, with walking times cached per pair of buildings."""

    scenario: Scenario
    buildings: dict[str, Building]
    sites: dict[str, Site]
    staff: dict[str, Staff]
    _walks: dict[tuple[str, str], float] = field(default_factory=dict)

    @classmethod
    def of(cls, scenario: Scenario) -> _Town:
        return cls(
            scenario,
            {b.building_id: b for b in scenario.buildings},
            {s.site_id: s for s in scenario.sites},
            {s.staff_id: s for s in scenario.staff},
        )

    def walk_s(self, a: Building, b: Building) -> float:
        """Seconds to walk between two buildings' doors: straight line x detour / speed."""
        if a.building_id == b.building_id:
            return 0.0
        key = (a.building_id, b.building_id)
        if key not in self._walks:
            metres = float(haversine_m(a.lat, a.lon, b.lat, b.lon))
            self._walks[key] = self.scenario.flow.walk_s(metres)
        return self._walks[key]

    def sweep_s(self, call: Call) -> float | None:
        """Seconds a sweeper needs for ``call``, or ``None`` when its building is unknown.

        The doc's formula, recomputed here rather than imported so that the oracle shares no code
        with the producers: households spread evenly over floors, times seconds per household.
        """
        building = self.buildings.get(call.building_id)
        if building is None:
            return None
        floors = max(0, call.floor_to - call.floor_from + 1)
        households = building.households * floors / max(1, building.floors)
        return households * self.scenario.crew.sweep_s_per_household


def _problem(file: str, index: int | None, family: str, code: str, **values: object) -> Problem:
    """A problem at tuple position ``index`` (``None``: not about one row)."""
    row = None if index is None else index + FIRST_ROW
    return Problem(file, row, family, code, dict(values))


def _row(index: int) -> int:
    return index + FIRST_ROW


def _hhmm(minutes: int) -> str:
    return format_hhmm(minutes)


def _clock(seconds: float) -> str:
    """``HH:MM.m``: a time with tenths of a minute (sweep ends are not whole minutes)."""
    tenths = round(seconds / 6.0)
    hours, rest = divmod(tenths, 600)
    return f"{hours:02d}:{rest / 10:04.1f}"


def _up(amount: float) -> float:
    """``amount`` rounded up to 0.1, so that any real shortfall shows as at least 0.1."""
    # round() first: 3.5 must stay 3.5 despite 3.5000000001 from float arithmetic.
    return math.ceil(round(amount * 10, 6)) / 10


def _role(role: Role) -> Ref:
    return Ref(f"role_{role.value}")


def _ranges(numbers: Iterable[int]) -> str:
    """``1, 4-6``: sorted numbers as runs."""
    runs: list[list[int]] = []
    for n in sorted(numbers):
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)


def _outside(start: int, end: int, lo: int, hi: int) -> int:
    """Minutes of [start, end) that fall outside [lo, hi)."""
    return (end - start) - max(0, min(end, hi) - max(start, lo))


def _overlaps(
    items: Sequence[tuple[int, int, int]],
) -> list[tuple[int, int, int]]:
    """Overlaps among intervals ``(start, end, index)``: ``(later, earlier, minutes)`` triples.

    Each interval is compared with the one reaching furthest among those that start before it,
    so a chain of overlaps reports every later interval once.
    """
    found: list[tuple[int, int, int]] = []
    reach: tuple[int, int] | None = None  # (end, index) of the furthest-reaching so far
    for start, end, index in sorted(items):
        if reach is not None and start < reach[0]:
            found.append((index, reach[1], min(end, reach[0]) - start))
        if reach is None or end > reach[0]:
            reach = (end, index)
    return found


def _unknown(file: str, index: int, family: str, kind: str, value: str) -> Problem:
    """A row naming a building, site or staff member (``kind``: ``ref_...``) that does not exist."""
    return _problem(file, index, family, "chk_unknown_ref", kind=Ref(kind), value=value)


def _floor_problem(
    building: Building, lo: int, hi: int, file: str, index: int, family: str
) -> Problem | None:
    """Floors ``lo``..``hi`` reversed or outside the building, else ``None``."""
    if lo > hi:
        return _problem(file, index, family, "chk_floors_reversed", floor_from=lo, floor_to=hi)
    by = max(1 - lo, hi - building.floors)
    if by > 0:
        return _problem(
            file,
            index,
            family,
            "chk_floors_outside",
            building=building.building_id,
            floors=f"{lo}-{hi}",
            top=building.floors,
            by=by,
        )
    return None


def _located(
    town: _Town,
    building_id: str,
    lo: int,
    hi: int,
    file: str,
    index: int,
    family: str,
    out: list[Problem],
) -> Building | None:
    """The row's building, or ``None`` after reporting it unknown; bad floors are reported too
    (the building is still returned: the row's other rules can be checked)."""
    building = town.buildings.get(building_id)
    if building is None:
        out.append(_unknown(file, index, family, "ref_building", building_id))
        return None
    bad_floors = _floor_problem(building, lo, hi, file, index, family)
    if bad_floors is not None:
        out.append(bad_floors)
    return building


# --- 1. coverage ----------------------------------------------------------------------------------


def _check_coverage(town: _Town, plan: Plan) -> list[Problem]:
    """Rule 1: every resident is called or visited exactly once, the right way.

    Locked buildings have no calls and door visits covering every floor once; other buildings
    have visits for exactly their immobile residents and calls covering every floor once, all to
    one site, for everybody else.
    """
    out: list[Problem] = []
    calls_of: dict[str, list[int]] = defaultdict(list)
    for k, call in enumerate(plan.calls):
        building = _located(
            town, call.building_id, call.floor_from, call.floor_to, CALLS_FILE, k, COVERAGE, out
        )
        if building is None:
            continue
        calls_of[call.building_id].append(k)
    # Unknown buildings and bad floors of visits are rule 6's (visit) to report.
    visits_of: dict[str, list[int]] = defaultdict(list)
    for k, visit in enumerate(plan.visits):
        if visit.building_id in town.buildings:
            visits_of[visit.building_id].append(k)

    for building in town.scenario.buildings:
        bid = building.building_id
        calls = calls_of.get(bid, [])
        visits = visits_of.get(bid, [])
        if building.locked:
            out.extend(
                _problem(
                    CALLS_FILE,
                    k,
                    COVERAGE,
                    "chk_call_locked",
                    building=bid,
                    people=plan.calls[k].people,
                )
                for k in calls
            )
            out.extend(_door_people(building, visits, plan.visits, building.residents))
            if visits and building.residents > 0:
                spans = [(plan.visits[k].floor_from, plan.visits[k].floor_to, k) for k in visits]
                out.extend(
                    _floor_cover(
                        building,
                        spans,
                        VISITS_FILE,
                        "chk_floors_visited_twice",
                        "chk_floors_not_visited",
                    )
                )
            continue
        out.extend(_door_people(building, visits, plan.visits, building.immobile))
        mobile = building.residents - building.immobile
        if not calls:
            if mobile > 0:
                out.append(
                    _problem(
                        CALLS_FILE, None, COVERAGE, "chk_no_calls", building=bid, people=mobile
                    )
                )
            continue
        if mobile > 0:
            spans = [(plan.calls[k].floor_from, plan.calls[k].floor_to, k) for k in calls]
            out.extend(
                _floor_cover(
                    building, spans, CALLS_FILE, "chk_floors_called_twice", "chk_floors_not_called"
                )
            )
        have = sum(plan.calls[k].people for k in calls)
        if have != mobile:
            out.append(
                _problem(
                    CALLS_FILE,
                    None,
                    COVERAGE,
                    "chk_call_people",
                    building=bid,
                    have=have,
                    need=mobile,
                    residents=building.residents,
                    immobile=building.immobile,
                    diff=have - mobile,
                )
            )
        first = calls[0]
        first_site = plan.calls[first].site_id
        out.extend(
            _problem(
                CALLS_FILE,
                k,
                COVERAGE,
                "chk_wave_other_site",
                building=bid,
                site=plan.calls[k].site_id,
                first_site=first_site,
                first_row=_row(first),
            )
            for k in calls[1:]
            if plan.calls[k].site_id != first_site
        )
    return out


def _door_people(
    building: Building, indices: list[int], visits: Sequence[Visit], need: int
) -> list[Problem]:
    """Visits of ``building`` must sample exactly ``need`` people (all if locked, else immobile)."""
    bid = building.building_id
    if not indices:
        if need > 0:
            return [
                _problem(VISITS_FILE, None, COVERAGE, "chk_no_visits", building=bid, people=need)
            ]
        return []
    have = sum(visits[k].people for k in indices)
    if have == need:
        return []
    code = "chk_visit_people_locked" if building.locked else "chk_visit_people_immobile"
    return [
        _problem(
            VISITS_FILE, None, COVERAGE, code, building=bid, have=have, need=need, diff=have - need
        )
    ]


def _floor_cover(
    building: Building,
    spans: list[tuple[int, int, int]],
    file: str,
    twice_code: str,
    missed_code: str,
) -> list[Problem]:
    """Floors 1..``floors`` covered exactly once by ``spans`` ``(floor_from, floor_to, index)``.

    A span that repeats floors is reported at its own row (naming the row that had them first);
    floors nobody covers are reported once for the building, without a row.
    """
    out: list[Problem] = []
    owner: dict[int, int] = {}
    for lo, hi, k in sorted(spans, key=lambda s: s[2]):
        # Floors outside the building are reported by _floor_problem; here they are ignored.
        floors = range(max(1, lo), min(building.floors, hi) + 1)
        again = [f for f in floors if f in owner]
        if again:
            out.append(
                _problem(
                    file,
                    k,
                    COVERAGE,
                    twice_code,
                    building=building.building_id,
                    floors=_ranges(again),
                    count=len(again),
                    other=_row(owner[again[0]]),
                )
            )
        for f in floors:
            owner.setdefault(f, k)
    missed = [f for f in range(1, building.floors + 1) if f not in owner]
    if missed:
        out.append(
            _problem(
                file,
                None,
                COVERAGE,
                missed_code,
                building=building.building_id,
                floors=_ranges(missed),
                count=len(missed),
            )
        )
    return out


# --- 2. desks -------------------------------------------------------------------------------------


def _check_desks(town: _Town, plan: Plan) -> list[Problem]:
    """Rule 2: desk spells are well formed, within bounds and opening hours, and do not overlap;
    every call goes to a site with a desk open within the hour after the call."""
    out: list[Problem] = []
    spells_of: dict[str, list[int]] = defaultdict(list)
    for k, spell in enumerate(plan.desks):
        site = town.sites.get(spell.site_id)
        if site is None:
            out.append(_unknown(DESKS_FILE, k, DESKS, "ref_site", spell.site_id))
            continue
        out.extend(_spell_problems(site, spell, k))
        if spell.start < spell.end:
            spells_of[spell.site_id].append(k)
    for indices in spells_of.values():
        items = [(plan.desks[k].start, plan.desks[k].end, k) for k in indices]
        for later, earlier, minutes in _overlaps(items):
            spell, other = plan.desks[later], plan.desks[earlier]
            out.append(
                _problem(
                    DESKS_FILE,
                    later,
                    DESKS,
                    "chk_spells_overlap",
                    site=spell.site_id,
                    start=_hhmm(spell.start),
                    end=_hhmm(spell.end),
                    other=_row(earlier),
                    other_start=_hhmm(other.start),
                    other_end=_hhmm(other.end),
                    minutes=minutes,
                )
            )
    # Open intervals per site: spells with at least one desk.
    open_at: dict[str, list[tuple[int, int]]] = {
        site_id: sorted(
            (plan.desks[k].start, plan.desks[k].end) for k in indices if plan.desks[k].desks > 0
        )
        for site_id, indices in spells_of.items()
    }
    for k, call in enumerate(plan.calls):
        if call.site_id not in town.sites:
            out.append(_unknown(CALLS_FILE, k, DESKS, "ref_site", call.site_id))
            continue
        problem = _call_desk(call, open_at.get(call.site_id, []), k)
        if problem is not None:
            out.append(problem)
    return out


def _spell_problems(site: Site, spell: DeskSpell, k: int) -> list[Problem]:
    out: list[Problem] = []
    where = {"site": site.site_id, "start": _hhmm(spell.start), "end": _hhmm(spell.end)}
    if spell.start >= spell.end:
        out.append(_problem(DESKS_FILE, k, DESKS, "chk_spell_empty", **where))
    if spell.desks > site.max_desks:
        out.append(
            _problem(
                DESKS_FILE,
                k,
                DESKS,
                "chk_desks_over_max",
                site=site.site_id,
                desks=spell.desks,
                max_desks=site.max_desks,
                over=spell.desks - site.max_desks,
            )
        )
    if spell.start < spell.end:
        outside = _outside(spell.start, spell.end, site.open_from, site.open_to)
        if outside > 0:
            out.append(
                _problem(
                    DESKS_FILE,
                    k,
                    DESKS,
                    "chk_spell_outside_open",
                    **where,
                    outside=outside,
                    open_from=_hhmm(site.open_from),
                    open_to=_hhmm(site.open_to),
                )
            )
    return out


def _call_desk(call: Call, open_at: list[tuple[int, int]], k: int) -> Problem | None:
    """A desk open at some minute of [call_time, call_time + 60), else how far the nearest is."""
    t = call.call_time
    hour_end = t + CALL_DESK_WINDOW_MIN
    if any(start < hour_end and end > t for start, end in open_at):
        return None
    where = {"site": call.site_id, "call": _hhmm(t)}
    later = [start for start, _ in open_at if start >= hour_end]
    earlier = [end for _, end in open_at if end <= t]
    if not later and not earlier:
        return _problem(CALLS_FILE, k, DESKS, "chk_call_no_desk_never", **where)
    gap_after = min(later) - hour_end if later else math.inf
    gap_before = t - max(earlier) if earlier else math.inf
    if gap_after <= gap_before:
        return _problem(
            CALLS_FILE,
            k,
            DESKS,
            "chk_call_desk_late",
            **where,
            hour_end=_hhmm(hour_end),
            opens=_hhmm(min(later)),
            by=int(gap_after),
        )
    return _problem(
        CALLS_FILE,
        k,
        DESKS,
        "chk_call_desk_closed",
        **where,
        hour_end=_hhmm(hour_end),
        closed=_hhmm(max(earlier)),
        by=int(gap_before),
    )


# --- 3. crews -------------------------------------------------------------------------------------


@dataclass
class _Gap:
    """A stretch [start, end) over which one requirement is missed by the same numbers."""

    key: tuple[int, ...]
    start: int
    end: int


def _merge(gaps: list[_Gap], key: tuple[int, ...], start: int, end: int) -> None:
    """Extend the last gap when contiguous with the same numbers, else start a new one."""
    if gaps and gaps[-1].key == key and gaps[-1].end == start:
        gaps[-1].end = end
    else:
        gaps.append(_Gap(key, start, end))


def _segments(
    intervals: Sequence[tuple[int, int, object]],
) -> Iterable[tuple[int, int, list[object]]]:
    """The pieces [a, b) between consecutive breakpoints, with the payloads active on each.

    A sweep over the sorted breakpoints (not minute by minute): cost grows with the number of
    intervals, not with the length of the day.
    """
    points = sorted({t for start, end, _ in intervals for t in (start, end)})
    starts: dict[int, list[int]] = defaultdict(list)
    ends: dict[int, list[int]] = defaultdict(list)
    for i, (start, end, _) in enumerate(intervals):
        if start < end:
            starts[start].append(i)
            ends[end].append(i)
    active: set[int] = set()
    for a, b in pairwise(points):
        active.difference_update(ends.get(a, ()))
        active.update(starts.get(a, ()))
        yield a, b, [intervals[i][2] for i in sorted(active)]


def _check_crews(town: _Town, plan: Plan) -> list[Problem]:
    """Rule 3: enough samplers, registrars and marshals on every open site at every minute, and
    enough samplers and registrars on a door team's post during each of its visits."""
    crew = town.scenario.crew
    out: list[Problem] = []
    shifts_at: dict[str, list[Shift]] = defaultdict(list)
    for shift in plan.roster:
        if shift.start < shift.end:
            shifts_at[shift.post].append(shift)

    spells_of: dict[str, list[int]] = defaultdict(list)
    for k, spell in enumerate(plan.desks):
        if spell.site_id in town.sites and spell.start < spell.end:
            spells_of[spell.site_id].append(k)
    for site_id, indices in spells_of.items():
        intervals: list[tuple[int, int, object]] = [
            (plan.desks[k].start, plan.desks[k].end, k) for k in indices
        ]
        intervals += [(s.start, s.end, s) for s in shifts_at.get(site_id, [])]
        gaps: dict[Role, list[_Gap]] = {r: [] for r in (*_DESK_ROLES, Role.MARSHAL)}
        for a, b, payloads in _segments(intervals):
            spell_rows = [p for p in payloads if isinstance(p, int)]
            desks = sum(plan.desks[k].desks for k in spell_rows)
            if desks <= 0:
                continue
            have = _heads([p for p in payloads if isinstance(p, Shift)])
            need = {
                Role.SAMPLER: desks * crew.desk_samplers,
                Role.REGISTRAR: desks * crew.desk_registrars,
                Role.MARSHAL: crew.marshals_per_site,
            }
            for role, needed in need.items():
                if have[role] < needed:
                    # Keyed by the spell too, so each violation points at one desks.csv row.
                    _merge(gaps[role], (spell_rows[0], desks, needed, have[role]), a, b)
        codes = {
            Role.SAMPLER: "chk_samplers_short",
            Role.REGISTRAR: "chk_registrars_short",
            Role.MARSHAL: "chk_marshals_short",
        }
        for role, role_gaps in gaps.items():
            for gap in role_gaps:
                k, desks, needed, had = gap.key
                out.append(
                    _problem(
                        DESKS_FILE,
                        k,
                        CREW,
                        codes[role],
                        site=site_id,
                        start=_hhmm(gap.start),
                        end=_hhmm(gap.end),
                        desks=desks,
                        need=needed,
                        have=had,
                        short=needed - had,
                    )
                )
    out.extend(_door_crews(town, plan, shifts_at))
    return out


def _heads(shifts: Iterable[Shift]) -> Counter[Role]:
    """Distinct people per role: one person's overlapping shifts must not count twice."""
    people = {(s.role, s.staff_id) for s in shifts}
    return Counter(role for role, _ in people)


def _door_crews(town: _Town, plan: Plan, shifts_at: dict[str, list[Shift]]) -> list[Problem]:
    crew = town.scenario.crew
    need = {Role.SAMPLER: crew.door_samplers, Role.REGISTRAR: crew.door_registrars}
    codes = {Role.SAMPLER: "chk_door_samplers_short", Role.REGISTRAR: "chk_door_registrars_short"}
    out: list[Problem] = []
    for k, visit in enumerate(plan.visits):
        if visit.start >= visit.end:
            continue
        intervals: list[tuple[int, int, object]] = [(visit.start, visit.end, None)]
        intervals += [
            (max(s.start, visit.start), min(s.end, visit.end), s)
            for s in shifts_at.get(visit.team_id, [])
            if s.start < visit.end and s.end > visit.start
        ]
        gaps: dict[Role, list[_Gap]] = {role: [] for role in need}
        for a, b, payloads in _segments(intervals):
            if None not in payloads:
                continue
            have = _heads(p for p in payloads if isinstance(p, Shift))
            for role, needed in need.items():
                if have[role] < needed:
                    _merge(gaps[role], (needed, have[role]), a, b)
        for role, role_gaps in gaps.items():
            for gap in role_gaps:
                needed, had = gap.key
                out.append(
                    _problem(
                        VISITS_FILE,
                        k,
                        CREW,
                        codes[role],
                        team=visit.team_id,
                        seq=visit.seq,
                        start=_hhmm(gap.start),
                        end=_hhmm(gap.end),
                        need=needed,
                        have=had,
                        short=needed - had,
                    )
                )
    return out


# --- 4. roster ------------------------------------------------------------------------------------


def _check_roster(town: _Town, plan: Plan) -> list[Problem]:
    """Rule 4: roles, posts, availability, overlaps, ``max_hours`` and samplers' PPE stints."""
    out: list[Problem] = []
    teams = {v.team_id for v in plan.visits}
    shifts_of: dict[str, list[int]] = defaultdict(list)
    for k, shift in enumerate(plan.roster):
        staff = town.staff.get(shift.staff_id)
        if staff is None:
            out.append(_unknown(ROSTER_FILE, k, ROSTER, "ref_staff", shift.staff_id))
            continue
        out.extend(_shift_problems(town, staff, shift, k, teams))
        if shift.start < shift.end:
            shifts_of[shift.staff_id].append(k)
    for staff_id, indices in shifts_of.items():
        out.extend(_person_problems(town, town.staff[staff_id], plan.roster, indices))
    return out


def _shift_problems(
    town: _Town, staff: Staff, shift: Shift, k: int, teams: set[str]
) -> list[Problem]:
    out: list[Problem] = []
    who = staff.staff_id
    if staff.role != shift.role:
        out.append(
            _problem(
                ROSTER_FILE,
                k,
                ROSTER,
                "chk_role_mismatch",
                staff=who,
                listed=_role(staff.role),
                rostered=_role(shift.role),
            )
        )
    if shift.role is Role.SWEEPER:
        if shift.post != SWEEP_POST:
            out.append(
                _problem(ROSTER_FILE, k, ROSTER, "chk_post_sweeper", staff=who, post=shift.post)
            )
    elif shift.role is Role.MARSHAL:
        if shift.post not in town.sites:
            out.append(
                _problem(ROSTER_FILE, k, ROSTER, "chk_post_marshal", staff=who, post=shift.post)
            )
    elif shift.post not in town.sites and shift.post not in teams:
        out.append(
            _problem(
                ROSTER_FILE,
                k,
                ROSTER,
                "chk_post_desk",
                staff=who,
                role=_role(shift.role),
                post=shift.post,
            )
        )
    where = {"staff": who, "start": _hhmm(shift.start), "end": _hhmm(shift.end)}
    if shift.start >= shift.end:
        out.append(_problem(ROSTER_FILE, k, ROSTER, "chk_shift_empty", **where))
        return out
    outside = _outside(shift.start, shift.end, staff.available_from, staff.available_to)
    if outside > 0:
        out.append(
            _problem(
                ROSTER_FILE,
                k,
                ROSTER,
                "chk_shift_unavailable",
                **where,
                outside=outside,
                available_from=_hhmm(staff.available_from),
                available_to=_hhmm(staff.available_to),
            )
        )
    return out


def _person_problems(
    town: _Town, staff: Staff, roster: Sequence[Shift], indices: list[int]
) -> list[Problem]:
    """One person's shifts together: no overlap, ``max_hours``, and (samplers) PPE stints."""
    out: list[Problem] = []
    who = staff.staff_id
    for later, earlier, minutes in _overlaps(
        [(roster[k].start, roster[k].end, k) for k in indices]
    ):
        shift, other = roster[later], roster[earlier]
        out.append(
            _problem(
                ROSTER_FILE,
                later,
                ROSTER,
                "chk_shift_overlap",
                staff=who,
                start=_hhmm(shift.start),
                end=_hhmm(shift.end),
                other=_row(earlier),
                other_start=_hhmm(other.start),
                other_end=_hhmm(other.end),
                minutes=minutes,
            )
        )
    in_order = sorted(indices, key=lambda k: (roster[k].start, roster[k].end, k))
    total = sum(roster[k].end - roster[k].start for k in in_order)
    limit = staff.max_hours * 60
    if total > limit + 1e-6:
        # Point at the shift that takes the person over the limit.
        running, culprit = 0, in_order[-1]
        for k in in_order:
            running += roster[k].end - roster[k].start
            if running > limit + 1e-6:
                culprit = k
                break
        out.append(
            _problem(
                ROSTER_FILE,
                culprit,
                ROSTER,
                "chk_max_hours",
                staff=who,
                hours=total / 60,
                over=_up((total - limit) / 60),
                max_hours=staff.max_hours,
            )
        )
    sampling = [k for k in in_order if roster[k].role is Role.SAMPLER]
    out.extend(_ppe_problems(town, who, roster, sampling))
    return out


def _ppe_problems(
    town: _Town, who: str, roster: Sequence[Shift], in_order: list[int]
) -> list[Problem]:
    """Sampler shifts less than ``ppe_break_min`` apart form one stint of at most ``max_ppe_h``."""
    crew = town.scenario.crew
    limit = crew.max_ppe_h * 60
    stints: list[list[int]] = []
    stint_end = 0
    for k in in_order:
        shift = roster[k]
        if stints and shift.start - stint_end < crew.ppe_break_min:
            stints[-1].append(k)
            stint_end = max(stint_end, shift.end)
        else:
            stints.append([k])
            stint_end = shift.end
    out: list[Problem] = []
    for stint in stints:
        start = roster[stint[0]].start
        end = max(roster[k].end for k in stint)
        if end - start <= limit + 1e-6:
            continue
        # Point at the first shift whose end takes the stint over the limit.
        culprit = next(k for k in stint if roster[k].end - start > limit + 1e-6)
        out.append(
            _problem(
                ROSTER_FILE,
                culprit,
                ROSTER,
                "chk_ppe_stint",
                staff=who,
                start=_hhmm(start),
                end=_hhmm(end),
                hours=(end - start) / 60,
                over=_up((end - start - limit) / 60),
                max_ppe_h=crew.max_ppe_h,
            )
        )
    return out


# --- 5. sweeps ------------------------------------------------------------------------------------


def _check_sweeps(town: _Town, plan: Plan) -> list[Problem]:
    """Rule 5: each call's sweeper is a sweeper on a ``sweep`` shift for the whole call; one
    sweeper's ``seq`` numbers are distinct and leave time to finish, then walk, between calls."""
    out: list[Problem] = []
    on_sweep: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for shift in plan.roster:
        if shift.post == SWEEP_POST and shift.start < shift.end:
            on_sweep[shift.staff_id].append((shift.start * 60, shift.end * 60))
    covered = {who: _union(spans) for who, spans in on_sweep.items()}
    durations = [town.sweep_s(call) for call in plan.calls]
    calls_of: dict[str, list[int]] = defaultdict(list)
    for k, call in enumerate(plan.calls):
        who = call.sweeper_id
        staff = town.staff.get(who)
        if staff is None:
            out.append(_unknown(CALLS_FILE, k, SWEEP, "ref_staff", who))
            continue
        if staff.role is not Role.SWEEPER:
            out.append(
                _problem(CALLS_FILE, k, SWEEP, "chk_not_sweeper", staff=who, role=_role(staff.role))
            )
        calls_of[who].append(k)
        duration = durations[k]
        if duration is None:
            continue
        start = call.call_time * 60
        end = start + duration
        off = (end - start) - _covered(covered.get(who, []), start, end)
        inside = any(a <= start < b for a, b in covered.get(who, []))
        if off > EPS_S or not inside:
            out.append(
                _problem(
                    CALLS_FILE,
                    k,
                    SWEEP,
                    "chk_sweep_off_shift",
                    staff=who,
                    start=_hhmm(call.call_time),
                    end=_clock(end),
                    minutes=duration / 60,
                    off=_up(off / 60),
                )
            )
    for who, indices in calls_of.items():
        out.extend(_sweep_chain(town, plan.calls, durations, who, indices))
    return out


def _union(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping or touching intervals merged: back-to-back sweep shifts cover a call jointly."""
    merged: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _covered(spans: list[tuple[int, int]], start: float, end: float) -> float:
    """Length of [start, end) inside the disjoint ``spans``."""
    return sum(max(0.0, min(end, b) - max(start, a)) for a, b in spans)


def _sweep_chain(
    town: _Town,
    calls: Sequence[Call],
    durations: list[float | None],
    who: str,
    indices: list[int],
) -> list[Problem]:
    in_order, repeats = _seq_order(calls, indices)
    out = [
        _problem(CALLS_FILE, k, SWEEP, "chk_call_seq_repeat", staff=who, seq=seq, other=_row(first))
        for k, seq, first in repeats
    ]
    for prev, k in pairwise(in_order):
        before = town.buildings.get(calls[prev].building_id)
        here = town.buildings.get(calls[k].building_id)
        prev_duration = durations[prev]
        if before is None or here is None or prev_duration is None:
            continue
        prev_end = calls[prev].call_time * 60 + prev_duration
        walk = town.walk_s(before, here)
        early = prev_end + walk - calls[k].call_time * 60
        if early > EPS_S:
            out.append(
                _problem(
                    CALLS_FILE,
                    k,
                    SWEEP,
                    "chk_call_too_early",
                    staff=who,
                    seq=calls[k].seq,
                    at=_hhmm(calls[k].call_time),
                    early=_up(early / 60),
                    prev_end=_clock(prev_end),
                    walk=walk / 60,
                )
            )
    return out


# --- 6. visits ------------------------------------------------------------------------------------


def _visit_need_s(town: _Town, building: Building, visit: Visit) -> tuple[float, float, bool]:
    """Seconds a visit needs, the climb part of it, and whether the climb is a lift ride."""
    flow, crew = town.scenario.flow, town.scenario.crew
    by_lift = building.lift and visit.floor_to >= flow.lift_from_floor
    climb = flow.lift_s if by_lift else 2 * max(0, visit.floor_to - 1) * flow.stairs_s_per_floor
    return visit.people * crew.door_s_per_person + climb, climb, by_lift


def _check_visits(town: _Town, plan: Plan) -> list[Problem]:
    """Rule 6: floors lie within the building; each visit lasts long enough and, in ``seq``
    order, starts after the previous visit's end plus the walk between the buildings."""
    door_s = town.scenario.crew.door_s_per_person
    out: list[Problem] = []
    visits_of: dict[str, list[int]] = defaultdict(list)
    for k, visit in enumerate(plan.visits):
        visits_of[visit.team_id].append(k)
        building = _located(
            town, visit.building_id, visit.floor_from, visit.floor_to, VISITS_FILE, k, VISIT, out
        )
        if building is None:
            continue
        need, climb, by_lift = _visit_need_s(town, building, visit)
        lasts = (visit.end - visit.start) * 60
        if lasts < need - EPS_S:
            out.append(
                _problem(
                    VISITS_FILE,
                    k,
                    VISIT,
                    "chk_visit_too_short",
                    team=visit.team_id,
                    seq=visit.seq,
                    lasts=lasts / 60,
                    needs=need / 60,
                    people=visit.people,
                    door_s=door_s,
                    climb_s=climb,
                    climb_how=Ref("chk_climb_lift" if by_lift else "chk_climb_stairs"),
                    short=_up((need - lasts) / 60),
                )
            )
    for team, indices in visits_of.items():
        out.extend(_visit_chain(town, plan.visits, team, indices))
    return out


def _seq_order(
    items: Sequence[Call] | Sequence[Visit], indices: list[int]
) -> tuple[list[int], list[tuple[int, int, int]]]:
    """Rows of one sweeper's calls or one team's visits in ``seq`` order (file order on ties),
    and each repeated ``seq`` as ``(row, seq, row that had it first)``."""
    in_order = sorted(indices, key=lambda k: (items[k].seq, k))
    first_with: dict[int, int] = {}
    repeats: list[tuple[int, int, int]] = []
    for k in in_order:
        seq = items[k].seq
        if seq in first_with:
            repeats.append((k, seq, first_with[seq]))
        else:
            first_with[seq] = k
    return in_order, repeats


def _visit_chain(
    town: _Town, visits: Sequence[Visit], team: str, indices: list[int]
) -> list[Problem]:
    in_order, repeats = _seq_order(visits, indices)
    out = [
        _problem(
            VISITS_FILE, k, VISIT, "chk_visit_seq_repeat", team=team, seq=seq, other=_row(first)
        )
        for k, seq, first in repeats
    ]
    for prev, k in pairwise(in_order):
        before = town.buildings.get(visits[prev].building_id)
        here = town.buildings.get(visits[k].building_id)
        if before is None or here is None:
            continue
        walk = town.walk_s(before, here)
        early = visits[prev].end * 60 + walk - visits[k].start * 60
        if early > EPS_S:
            out.append(
                _problem(
                    VISITS_FILE,
                    k,
                    VISIT,
                    "chk_visit_too_early",
                    team=team,
                    seq=visits[k].seq,
                    at=_hhmm(visits[k].start),
                    early=_up(early / 60),
                    prev_end=_hhmm(visits[prev].end),
                    walk=walk / 60,
                )
            )
    return out
