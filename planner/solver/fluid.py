"""The fluid floor of a site assignment: the earliest finish a linear programme allows.

The finish lower bound (:mod:`planner.capacity`) pools every resource over the town. A plan has
already committed to more: which site each building goes to, when its door teams are out, and
whose sweepers may call which buildings (each residential committee owns its sweepers). The
fluid floor keeps those commitments and relaxes the rest, in time slots:

- desks are fractional, at most ``max_desks`` while the site is open, and together at most the
  desk crews the staff list leaves after the door teams, everybody working as early as they can
  (:func:`~planner.solver.budget.crews_per_slot`, the profile the desk stage plans against);
- people are called in any fraction, arrive a fixed number of slots later (the response delay
  and the walk, rounded down: earlier is a relaxation) and are served first come first served;
  a site's queue never holds more than its ``queue_capacity``;
- calling takes ``sweep_s_per_household`` per household of the sweepers' minutes (counted from
  each sweeper's arrival, ``max_hours`` front-loaded), divided by a calling ``efficiency``
  (1: no walking, no waiting), per committee, or pooled over the town;
- a tower's lift riders come down no faster than its lift carries them.

The earliest slot end by which everybody can be served is found by bisection over
feasibility LPs (GLOP). Measured against a plan's simulated finish it says how much of the
gap to the bound is the plan's structure (assignment, door routes, committees) and how much
its calling and desks. The same LP, solved for a given end with the least queueing
(:func:`fluid_schedule`), gives a schedule of desks and calls; the solve's fourth calling
variant runs its desks (:func:`schedule_near_floor`). No OR-Tools object leaves this module.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from ortools.linear_solver import pywraplp

from planner.geo import point_distance_m
from planner.model import Role, Scenario
from planner.plan import Plan, split_evenly, wave_households
from planner.solver.budget import crews_per_slot, work_blocks

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Sweepers with no committee (the town-wide pool) may call any committee's buildings.
POOL = ""


@dataclass(frozen=True)
class FluidProblem:
    """A fluid screening day on a slot grid (plain arrays; see the module docstring).

    Attributes
    ----------
    slot_start, slot_min
        Minute at which slot 0 starts, and the slots' length.
    service_s
        Seconds of desk time per person.
    max_desks
        (sites, slots): most desks each site can run in each slot (0 while closed).
    crews
        (slots,): desk crews available in each slot.
    queue_cap
        (sites,): most people waiting at each site at any slot end.
    unit_site, unit_people, unit_lag, unit_call_s, unit_group, unit_lift
        One row per group of people called alike: their site, how many, slots from call to
        arrival, seconds of calling per person, whose sweepers call them (index into
        ``group_minutes``), and the tower whose lift they ride (index into ``lift_per_slot``,
        or -1).
    group_minutes
        (groups, slots): sweeper-minutes each committee has in each slot.
    pool_minutes
        (slots,): sweeper-minutes of the town-wide pool, which any group may use.
    lift_per_slot
        (towers,): people each tower's lift brings down per slot.
    """

    slot_start: int
    slot_min: int
    service_s: float
    max_desks: FloatArray
    crews: FloatArray
    queue_cap: FloatArray
    unit_site: IntArray
    unit_people: FloatArray
    unit_lag: IntArray
    unit_call_s: FloatArray
    unit_group: IntArray
    unit_lift: IntArray
    group_minutes: FloatArray
    pool_minutes: FloatArray
    lift_per_slot: FloatArray

    @property
    def n_slots(self) -> int:
        """Slots on the grid."""
        return int(self.crews.size)


@dataclass(frozen=True)
class FluidFloor:
    """The answer of :func:`fluid_floor`.

    Attributes
    ----------
    finish
        Earliest slot end (minute) by which everybody can be served; ``None`` when even the
        grid's last slot is too early.
    lps
        Feasibility LPs solved (bisection steps).
    """

    finish: int | None
    lps: int


class OutOfTime(Exception):
    """An LP of :func:`fluid_schedule` could not finish by its deadline."""


@dataclass(frozen=True)
class FluidSchedule:
    """One solution of the fluid day (see :func:`fluid_schedule`).

    Attributes
    ----------
    desks
        (sites, slots): fractional desks each site runs.
    calls
        (units, slots): people of each unit called in each slot.
    queue
        (sites, slots): people still waiting at each slot's end.
    """

    desks: FloatArray
    calls: FloatArray
    queue: FloatArray


def feasible(problem: FluidProblem, end_slot: int, efficiency: float = 1.0) -> bool:
    """Whether everybody can be served within the first ``end_slot`` slots.

    ``efficiency`` is the share of the sweepers' minutes spent calling.
    """
    return _solve_day(problem, end_slot, efficiency, "desks", None) is not None


def fluid_schedule(
    problem: FluidProblem,
    end_slot: int,
    efficiency: float = 1.0,
    objective: str = "queue",
    deadline: float | None = None,
) -> FluidSchedule | None:
    """A fluid day serving everybody within the first ``end_slot`` slots, or ``None``.

    ``objective`` is what the LP minimises among feasible days: ``"desks"`` (desk-slots) or
    ``"queue"`` (people waiting at slot ends, summed: the fluid measure of waits; desk-slots
    break ties). With a ``deadline`` (a :func:`time.perf_counter` value), an LP that cannot
    finish by then raises :class:`OutOfTime` instead of answering.
    """
    p = problem
    n_sites = p.max_desks.shape[0]
    solved = _solve_day(problem, end_slot, efficiency, objective, deadline)
    if solved is None:
        return None
    if end_slot <= 0:  # nobody to serve: an empty day
        empty = np.zeros((n_sites, 0))
        return FluidSchedule(empty, np.zeros((p.unit_people.size, 0)), empty)
    _, desks_at, unit_calls, queues = solved
    desks = np.array(
        [[desks_at[t][s].solution_value() for t in range(end_slot)] for s in range(n_sites)]
    )
    calls_out = np.zeros((p.unit_people.size, end_slot))
    for u, calls in unit_calls.items():
        calls_out[u, : len(calls)] = [c.solution_value() for c in calls]
    queue_out = np.array([[q.solution_value() for q in row] for row in queues])
    return FluidSchedule(desks, calls_out, queue_out)


#: An optimal LP and its variables: desks per slot (by site), calls per unit (by slot), queues
#: per site (by slot). Read only by :func:`fluid_schedule`; the bisection needs only feasibility.
_Solved = tuple[
    pywraplp.Solver | None,
    list[list[pywraplp.Variable]],
    dict[int, list[pywraplp.Variable]],
    list[list[pywraplp.Variable]],
]


def _solve_day(
    problem: FluidProblem,
    end_slot: int,
    efficiency: float,
    objective: str,
    deadline: float | None,
) -> _Solved | None:
    """The LP of :func:`fluid_schedule`, solved; ``None`` when infeasible (or ``end_slot``
    is not positive while somebody is to be served). May raise :class:`OutOfTime`."""
    p = problem
    n_sites = p.max_desks.shape[0]
    if end_slot <= 0:
        return None if p.unit_people.sum() > 0 else (None, [], {}, [])
    solver = pywraplp.Solver.CreateSolver("GLOP")
    per_desk = p.slot_min * 60.0 / p.service_s
    arrivals: list[list[pywraplp.LinearExpr | float]] = [[0.0] * end_slot for _ in range(n_sites)]
    calling: dict[tuple[int, int], list[pywraplp.LinearExpr]] = defaultdict(list)
    riding: dict[tuple[int, int], list[pywraplp.Variable]] = defaultdict(list)
    unit_calls: dict[int, list[pywraplp.Variable]] = {}
    for u in range(p.unit_people.size):
        if p.unit_people[u] <= 0:
            continue
        lag, site = int(p.unit_lag[u]), int(p.unit_site[u])
        calls = [solver.NumVar(0.0, solver.infinity(), "") for _ in range(max(0, end_slot - lag))]
        if not calls:
            return None  # called at slot 0 they would still arrive too late
        unit_calls[u] = calls
        solver.Add(solver.Sum(calls) == float(p.unit_people[u]))
        for t, c in enumerate(calls):
            arrivals[site][t + lag] = arrivals[site][t + lag] + c
            calling[int(p.unit_group[u]), t].append(c * float(p.unit_call_s[u]))
            if p.unit_lift[u] >= 0:
                riding[int(p.unit_lift[u]), t].append(c)
    desks_at: list[list[pywraplp.Variable]] = [[] for _ in range(end_slot)]
    queues: list[list[pywraplp.Variable]] = [[] for _ in range(n_sites)]
    for s in range(n_sites):
        # The queue at each slot's end, as its own variable: a running sum would make the
        # LP's rows grow with the slots (quadratic in size).
        queue: pywraplp.Variable | float = 0.0
        for t in range(end_slot):
            d = solver.NumVar(0.0, float(p.max_desks[s, t]), "")
            desks_at[t].append(d)
            cap = float(p.queue_cap[s]) if t < end_slot - 1 else 0.0  # all served by the end
            after = solver.NumVar(0.0, cap, "")
            queues[s].append(after)
            # Served in the slot: what was waiting or came, less what still waits, within
            # what the desks can do.
            solver.Add(queue + arrivals[s][t] - after <= per_desk * d)
            solver.Add(queue + arrivals[s][t] - after >= 0)
            queue = after
    for t in range(end_slot):
        solver.Add(solver.Sum(desks_at[t]) <= float(p.crews[t]))
    # Each group calls with its own sweepers plus what it borrows from the town-wide pool.
    borrowed: dict[int, list[pywraplp.Variable]] = defaultdict(list)
    for (g, t), terms in calling.items():
        loan = solver.NumVar(0.0, solver.infinity(), "")
        borrowed[t].append(loan)
        solver.Add(solver.Sum(terms) <= efficiency * 60.0 * (p.group_minutes[g, t] + loan))
    for t, loans in borrowed.items():
        solver.Add(solver.Sum(loans) <= float(p.pool_minutes[t]))
    for (tower, _t), riders in riding.items():
        solver.Add(solver.Sum(riders) <= float(p.lift_per_slot[tower]))
    desk_slots = solver.Sum([d for row in desks_at for d in row])
    if objective == "desks":
        solver.Minimize(desk_slots)
    else:
        # A desk-slot serves ``per_desk`` people: weighed well below a person-slot of queue.
        waiting = solver.Sum([q for row in queues for q in row])
        solver.Minimize(waiting + 1e-3 * desk_slots)
    if deadline is not None:
        left = deadline - time.perf_counter()
        if left <= 0:
            raise OutOfTime
        solver.SetTimeLimit(max(1, int(left * 1000)))
    status = solver.Solve()
    if status != pywraplp.Solver.OPTIMAL:
        if deadline is not None and status != pywraplp.Solver.INFEASIBLE:
            raise OutOfTime  # stopped by the time limit: no answer either way
        return None
    # The solver goes back with its variables: they read their values from it.
    return solver, desks_at, unit_calls, queues


def fluid_floor(
    problem: FluidProblem, efficiency: float = 1.0, lowest: int | None = None
) -> FluidFloor:
    """Earliest slot end by which everybody can be served (bisection over :func:`feasible`).

    Parameters
    ----------
    problem
        The fluid day.
    efficiency
        Share of the sweepers' minutes spent calling (1: no walking and no waiting; with
        committees' own sweepers that is a floor for plans that keep sweepers to their
        committees, with ``pooled`` one for every plan of this assignment and door teams).
    lowest
        A minute known to be too early (e.g. the finish lower bound), to save steps.
    """
    hi, lps = _earliest_end(problem, efficiency, lowest, None)
    return FluidFloor(None if hi is None else problem.slot_start + hi * problem.slot_min, lps)


def _earliest_end(
    problem: FluidProblem, efficiency: float, lowest: int | None, deadline: float | None
) -> tuple[int | None, int]:
    """(earliest feasible end slot or ``None``, LPs solved); may raise :class:`OutOfTime`."""
    lo = 0 if lowest is None else max(0, (lowest - problem.slot_start) // problem.slot_min)
    hi, lps = problem.n_slots, 1

    def ends_by(end_slot: int) -> bool:
        return _solve_day(problem, end_slot, efficiency, "desks", deadline) is not None

    if not ends_by(hi):
        return None, lps
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lps += 1
        if ends_by(mid):
            hi = mid
        else:
            lo = mid
    return hi, lps


def schedule_near_floor(
    problem: FluidProblem,
    efficiency: float,
    slack_slots: int,
    lowest: int | None = None,
    time_limit: float | None = None,
) -> tuple[FluidSchedule, int] | None:
    """The fluid day ending ``slack_slots`` after the floor at ``efficiency``, waits least.

    Returns the schedule (:func:`fluid_schedule`, ``objective="queue"``) and the minute it
    ends; ``None`` when no end on the grid serves everybody, or when the LPs do not finish
    within ``time_limit`` seconds. The slack leaves the schedule room to keep queues short (at
    the floor itself the LP may need full queues).
    """
    deadline = None if time_limit is None else time.perf_counter() + time_limit
    try:
        floor, _ = _earliest_end(problem, efficiency, lowest, deadline)
        if floor is None:
            return None
        end = min(problem.n_slots, floor + slack_slots)
        schedule = fluid_schedule(problem, end, efficiency, deadline=deadline)
        if schedule is None:  # only in floating-point corner cases: the floor is feasible
            end = floor
            schedule = fluid_schedule(problem, end, efficiency, deadline=deadline)
    except OutOfTime:
        return None
    if schedule is None:
        return None
    return schedule, problem.slot_start + end * problem.slot_min


def problem_of(
    scenario: Scenario,
    site_of: Mapping[str, str],
    door_windows: Iterable[tuple[int, int]] = (),
    *,
    pooled: bool = False,
    slot_min: int = 5,
    lent: Mapping[str, Mapping[str, float]] | None = None,
) -> FluidProblem:
    """The fluid day of ``scenario`` with buildings at the sites of ``site_of``.

    Parameters
    ----------
    site_of
        Building id -> site id for every building whose residents go to a site.
    door_windows
        (first minute, last minute) of each door team: its sampler and registrar are not desk
        crews then.
    pooled
        Every sweeper may call every building (else only their own committee's, and the
        town-wide pool's anybody's).
    slot_min
        Length of a slot; the grid starts at the first sweeper's arrival (calls may be made
        before the sites open) and ends at the latest site closing or deadline.
    lent
        Sweeper id -> committee -> share of their working time spent calling that committee's
        buildings (shares of one sweeper add up to 1): their minutes go to those committees
        in those shares, slot by slot, instead of to their own (ignored when ``pooled``).
        Sweepers not named keep to their own committee.
    """
    rnd, flow, crew = scenario.round, scenario.flow, scenario.crew
    sweepers = [p for p in scenario.staff if p.role is Role.SWEEPER]
    first = min([rnd.start, *(p.available_from for p in sweepers)])
    slot_start = first - (first - rnd.start) % slot_min  # the round's start is a slot boundary
    horizon = max([rnd.deadline, *(s.open_to for s in scenario.sites)])
    n_slots = max(1, (horizon - slot_start) // slot_min)
    edges = slot_start + slot_min * np.arange(n_slots + 1)

    def minutes_in_slots(lo: int, hi: int) -> FloatArray:
        overlap = np.minimum(edges[1:], hi) - np.maximum(edges[:-1], lo)
        return np.clip(overlap, 0, None).astype(float)

    max_desks = np.zeros((len(scenario.sites), n_slots))
    for k, each in enumerate(scenario.sites):
        whole = (edges[:-1] >= each.open_from) & (edges[1:] <= each.open_to)
        max_desks[k, whole] = each.max_desks
    crews, _ = crews_per_slot(scenario, scenario.staff, slot_start, slot_min, n_slots, door_windows)

    groups: dict[str, int] = {}
    group_rows: list[FloatArray] = []
    pool = np.zeros(n_slots)

    def group(name: str) -> int:
        if name not in groups:
            groups[name] = len(groups)
            group_rows.append(np.zeros(n_slots))
        return groups[name]

    for person in sweepers:
        # From their arrival (calls may come before the round starts), ``max_hours`` in all.
        minutes = np.zeros(n_slots)
        for lo, hi in work_blocks(person, first, crew.max_ppe_h, crew.ppe_break_min):
            minutes += minutes_in_slots(lo, hi)
        shares = lent.get(person.staff_id, {}) if lent else {}
        if pooled:
            group_rows[group(POOL)] += minutes
        elif shares:
            for committee, share in sorted(shares.items()):
                group_rows[group(committee)] += share * minutes
        elif person.committee == POOL:
            pool += minutes
        else:
            group_rows[group(person.committee)] += minutes

    units: dict[tuple[int, int, int, int], list[float]] = {}
    lift_per_slot: list[float] = []
    ride_people = flow.lift_people * slot_min * 60.0 / flow.lift_s
    for b in scenario.buildings:
        site_id = site_of.get(b.building_id)
        if site_id is None or b.mobile <= 0:
            continue
        site = scenario.site_index[site_id]
        to = scenario.sites[site]
        walk_min = flow.walk_s(point_distance_m(b.lat, b.lon, to.lat, to.lon)) / 60.0
        lag = int((flow.response_min + walk_min) // slot_min)
        g = group(POOL if pooled else b.committee)
        per_floor = np.array(split_evenly(b.mobile, b.floors), dtype=float) * flow.turnout
        # Every household is called; only the turnout comes down.
        call_s = b.households * crew.sweep_s_per_household / (b.mobile * flow.turnout)
        riders = (
            per_floor[flow.lift_from_floor - 1 :].sum()
            if b.lift and b.floors >= flow.lift_from_floor
            else 0.0
        )
        parts = [(per_floor.sum() - riders, -1)]
        if riders > 0:
            lift_per_slot.append(ride_people)
            parts.append((riders, len(lift_per_slot) - 1))
        for people, tower in parts:
            if people <= 0:
                continue
            # People of one site, group and lag who ride no lift are one unit; each tower's
            # riders are their own (its lift limits them).
            row = units.setdefault((site, g, lag, tower), [0.0, 0.0])
            row[0] += people
            row[1] += people * call_s
    keys = list(units)
    return FluidProblem(
        slot_start=slot_start,
        slot_min=slot_min,
        service_s=flow.service_s,
        max_desks=max_desks,
        crews=crews.astype(float),
        queue_cap=np.array([float(s.queue_capacity) for s in scenario.sites]),
        unit_site=np.array([k[0] for k in keys], dtype=np.int64),
        unit_people=np.array([units[k][0] for k in keys]),
        unit_lag=np.array([k[2] for k in keys], dtype=np.int64),
        unit_call_s=np.array([units[k][1] / max(units[k][0], 1e-9) for k in keys]),
        unit_group=np.array([k[1] for k in keys], dtype=np.int64),
        unit_lift=np.array([k[3] for k in keys], dtype=np.int64),
        group_minutes=np.array(group_rows) if group_rows else np.zeros((0, n_slots)),
        pool_minutes=pool,
        lift_per_slot=np.array(lift_per_slot),
    )


def plan_problem(
    scenario: Scenario,
    plan: Plan,
    *,
    pooled: bool = False,
    slot_min: int = 5,
    as_called: bool = False,
) -> FluidProblem:
    """:func:`problem_of` with a plan's commitments: each building at the site its calls go to,
    each door team out from its first visit's start to its last visit's end; with
    ``as_called``, also the plan's lending of sweepers between committees
    (:func:`lending_of`)."""
    site_of = {c.building_id: c.site_id for c in plan.calls}
    spans: dict[str, tuple[int, int]] = {}
    for v in plan.visits:
        lo, hi = spans.get(v.team_id, (v.start, v.end))
        spans[v.team_id] = (min(lo, v.start), max(hi, v.end))
    lent = lending_of(scenario, plan) if as_called else None
    return problem_of(
        scenario, site_of, spans.values(), pooled=pooled, slot_min=slot_min, lent=lent
    )


def lending_of(scenario: Scenario, plan: Plan) -> dict[str, dict[str, float]]:
    """Sweeper id -> committee -> share of the sweeper's calling (households called) that went
    to the committee's buildings in ``plan``: how the plan lent sweepers between committees.
    Sweepers who made no call are left out."""
    index = scenario.building_index
    called: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for c in plan.calls:
        building = scenario.buildings[index[c.building_id]]
        called[c.sweeper_id][building.committee] += wave_households(
            building, c.floor_from, c.floor_to
        )
    out: dict[str, dict[str, float]] = {}
    for sid, by_committee in sorted(called.items()):
        total = sum(by_committee.values())
        if total > 0:
            out[sid] = {c: h / total for c, h in sorted(by_committee.items())}
    return out
