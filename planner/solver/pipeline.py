"""The solve pipeline: one stage after the other, each on data prepared before its model.

1. **Door routes**: the door work (locked buildings, immobile residents) is routed with OR-Tools
   for the fewest teams that finish by the target time; those samplers and registrars are taken
   out of the desk supply.
2. **Location**: which sites open and which site each building goes to (CP-SAT, single-source
   capacitated facility location): least walking, sites' desk capacity up to the target time,
   at the share of their desks the crews can man where that holds everybody (:mod:`siting`).
3. **Desks**: desks per site and 15-minute slot against the crews and marshals each slot can
   field (CP-SAT), finishing as early as possible.
4. **Roster**: people for the desks, marshals and door teams (greedy, rule-keeping); desks the
   roster cannot staff are stepped down before anybody is called to them.
5. **Waves**: each building cut into floor groups, each called so that arrivals match what its
   site's staffed desks can serve.
6. **Sweeps**: sweepers assigned to calls in time order, walking between buildings; or, in the
   sweeper-driven variants, each free sweeper calls as soon as a site has room (every spare
   crew at a desk; in the last variant on desks that follow the fluid schedule of the
   assignment, :mod:`fluid`). Steps 5-6 run once per calling variant
   (:data:`_CALLING_ORDERS`) and the best plan is kept.

The plan is then checked from scratch and simulated; the result carries both.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from planner.capacity import assess
from planner.check import check_plan
from planner.geo import haversine_m
from planner.location import solve_location
from planner.model import Role, Scenario, Site
from planner.plan import DeskSpell, Plan, wave_households
from planner.problems import Problem
from planner.roster import RosterResult, TeamNeed, build_roster, staffed_desks
from planner.simulate import simulate
from planner.solver.budget import crews_per_slot, people_per_slot
from planner.solver.config import Locks, Progress, SolveConfig
from planner.solver.desks import (
    DeskProblem,
    allocate_desks,
    desks_from_profile,
    fill_crews,
    slot_desks,
    to_spells,
)
from planner.solver.diagnose import diagnose
from planner.solver.dispatch import dispatch_calls
from planner.solver.doors import door_stops, teams_needed
from planner.solver.extension import extend_desks, extension_room
from planner.solver.fluid import problem_of, schedule_near_floor
from planner.solver.prepare import prepare
from planner.solver.relay import dispatch_by_sweepers
from planner.solver.result import SolveResult
from planner.solver.siting import locate, site_capacity, site_slots
from planner.solver.sweeps import Stint, SweepSchedule, late_summary
from planner.solver.teams import (
    group_feeders,
    phase_sweepers,
    pool_by_committee,
    sweepers_per_slot,
)
from planner.solver.waves import (
    Descent,
    Wave,
    building_waves,
    descent,
    order_buildings,
)

#: Share of the time limit each stage may use (the rest is checking and simulation).
_SHARE = {"doors": 0.1, "location": 0.2, "desks": 0.05}
#: The location search stops once its plan is within this share of its proven bound
#: (:func:`_close_enough`). Measured (session 18): the town 37 s -> 26 s, compound-103 seed 1
#: 12.7 s -> 5.9 s, every plan's finish and p95 wait unchanged.
_LOCATION_GAP = 0.02
#: Slack on the finish lower bound when sizing sites and door teams.
_TARGET_SLACK = 1.08
#: Extra desk-minutes planned per site, for service-time noise and the first minutes' ramp-up.
_WORK_MARGIN = 1.04
#: CP-SAT's deterministic time runs about twice as slow as wall seconds on this kind of model
#: (measured on the town location model, 2 cores): budgets are scaled so stages keep to time.
_DETERMINISTIC_UNITS_PER_S = 0.5
#: Share of a sweeper's time spent calling (the rest is walking between buildings).
_SWEEP_EFFICIENCY = 0.75
#: A committee whose sites are on average at most this many minutes' walk apart pools its
#: sweepers (any of them calls for any of its sites).
_POOL_WALK_MIN = 5.0
#: ... and has at least this many sweepers on duty at the start per site (spare for the walks).
_POOL_SWEEPERS_PER_SITE = 1.5
#: Calling share of a pooled sweeper's time (no windows to wait in).
_POOLED_EFFICIENCY = 0.85
#: Rounds of (time waves, schedule sweeps, extend desks, re-roster); two usually suffice.
_ROUNDS = 3
#: The calling variants tried, as ``(lift_first, by_sweepers)``: ``lift_first`` of
#: :func:`dispatch_calls` (with lift floors as queues of their own), and whether the sweepers
#: drive the calls (:func:`planner.solver.relay.dispatch_by_sweepers`, with every spare crew at
#: a desk) instead of the desks; the plan the simulation scores better is kept (:func:`_score`).
#: Measured (docs/solver.md, session 7): lift floors first give compound-103 an earlier finish
#: and shorter waits; on the town, where sweepers are scarce, the walks cost more than they gain.
#: Session 10: the sweeper-driven variant moves tiny from 09:33 to 08:43 and compound-103 from
#: 09:30 to 09:24; on the town it ends at 11:36 but with a p95 wait of 6.8 min (4.9 kept).
#: The third flag, ``fluid_desks``: the sweepers drive the calls on desks that follow the fluid
#: schedule of the plan's own assignment (:func:`_fluid_desks`) instead of the desk stage's.
#: Session 16, on seeds the solver was not tuned on: tiny@2 09:14 -> 08:35, tiny@3 08:49 ->
#: 08:33; bundled plans unchanged.
#: The fourth flag, ``stints_first``: the sweepers who drive the calls keep to their stints
#: (:data:`_LEAVE_STINT_MIN`). Small changes to the relay's rules move a town's finish by 10-60
#: minutes either way, and this one helps some towns much and others not at all (session 22,
#: generated towns: seed 1 13:03 -> 12:03, seed 3 11:40 -> 11:30; seed 2 11:30 -> 11:54, the
#: bundled town 11:20 -> 11:31), so it is one more plan to choose from, not a replacement. Tried
#: last, and only if the solve would still be within ``_RELAY_BY`` of its limit after it,
#: counting what the first sweeper-driven variant took (on the towns it starts at 22-31 s of 60
#: and takes 5-6 s; on compound-103 about 1 s).
_CALLING_ORDERS: tuple[tuple[bool, bool, bool, bool], ...] = (
    (False, False, False, False),
    (True, False, False, False),
    (True, True, False, False),
    (True, True, True, False),
    (True, True, False, True),
)
#: Minutes added to a sweeper's rank for calling at any site but that of their stint on now, in
#: the ``stints_first`` variant. A stint that moves on otherwise keeps its sweeper where they
#: are: the walk to the new site (5-7 minutes on the town) costs more than the 2-minute site
#: penalty, so the sweeper stays until the old site has nothing left. On a generated town (seed
#: 1) a two-desk site's stint sweeper thus came 80 minutes after its desks opened, and the site
#: ended two hours after the rest.
_LEAVE_STINT_MIN = 8.0
#: Minutes of desk work a site may have queued when the people of a sweeper-driven call arrive
#: (measured, docs/solver.md "Session 10": 3 / 4 / 5 gave tiny 08:59 / 08:43 / 08:43 with p95
#: waits 5.6 / 8.9 / 9.3 min, compound-103 09:19 / 09:24 / 09:12 with 4.2 / 4.9 / 6.0).
_RELAY_BUDGET_MIN = 4.0
#: The sweeper-driven variant runs only if the solve has used less than this share of its time
#: limit. On the town it starts near 31 s of a 60 s solve and costs about 7 s (three rounds of
#: dispatch and roster; session 11): 0.75 leaves a machine 45% slower the same plan, and the
#: rest of the limit covers the variant, the check and the simulation.
_RELAY_BY = 0.75
#: Share of their time the sweepers are taken to call in the fluid schedule the desks follow,
#: and slots (5 minutes) the schedule may end after that share's floor: room for short queues.
#: Measured (session 16, the variant's first version, alone): 0.75 / 1.0 gave tiny@3 08:47 /
#: 08:47 against 0.85's 08:33; a slack of 0 / 6 slots gave tiny@2 08:43 / 08:37 against 08:37.
_FLUID_EFFICIENCY = 0.85
_FLUID_SLACK_SLOTS = 2
#: The fluid-desk variant runs only if the solve could still run it three times (it costs what
#: the sweeper-driven variant before it cost, plus the LPs) before ``_RELAY_BY`` of its limit.
#: On the town (about 28 s used by then since the location stops within its gap, 8 s for the
#: variant before) it does not run: its LPs did not finish in the 9 s left with a factor of 2,
#: and given 300 s its plan left 535 people unserved (sessions 16 and 18).
_FLUID_COST_FACTOR = 3.0
#: Plans' p95 waits are compared in steps of this many minutes (:func:`_score`).
_WAIT_STEP_MIN = 5.0
#: Within a step, a minute of p95 wait counts as this many minutes of finish (:func:`_score`).
#: Measured (session 17): compound-103@1's variants all end at 09:42, with p95 waits of 3.6
#: and 6.4 minutes; without it the plan with 6.4 (and a peak of 124 instead of 90) won by
#: seconds of finish. At 3, every earlier end of 30 minutes or more in that table still wins.
_WAIT_WORTH_MIN = 3.0
#: Cost of opening a site, in person-metres of walking: small, so walking decides, but enough
#: that a site saving nobody any walk stays closed.
_OPEN_COST_M = 1000.0
#: Seconds a search still gets after a stop request: enough to return what it has.
_STOPPED_BUDGET_S = 0.05


class _Clock:
    """Stage timing and progress reports."""

    def __init__(
        self,
        config: SolveConfig,
        progress: Progress | None,
        stop: Callable[[], bool] | None = None,
    ) -> None:
        self.started = time.perf_counter()
        self.config = config
        self.progress = progress
        self.stop = stop
        self.stages: list[dict[str, Any]] = []

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def stopped(self) -> bool:
        """The caller asked to stop: every later search gets only a token budget."""
        return self.stop is not None and bool(self.stop())

    def budget(self, stage: str) -> float:
        """Seconds for ``stage``: its share of the limit, never more than what is left."""
        if self.stopped():
            return _STOPPED_BUDGET_S
        left = max(0.5, self.config.time_limit - self.elapsed())
        return max(0.5, min(left * 0.9, self.config.time_limit * _SHARE.get(stage, 0.1)))

    def begin(self, stage: str) -> None:
        """Tell the caller a stage is starting (progress only; not kept in ``stages``)."""
        if self.progress is not None:
            self.progress({"stage": stage, "seconds": round(self.elapsed(), 3), "phase": "start"})

    def incumbent(self, message: dict[str, Any]) -> bool:
        """Forward a search's improvement (objective, bound) as progress; ``True`` = stop it."""
        if self.progress is not None:
            self.progress({**message, "seconds": round(self.elapsed(), 3), "incumbent": True})
        return self.stopped()

    def report(self, stage: str, **values: Any) -> None:
        record = {"stage": stage, "seconds": round(self.elapsed(), 3), **values}
        self.stages.append(record)
        if self.progress is not None:
            self.progress(dict(record))


def solve(
    scenario: Scenario,
    config: SolveConfig | None = None,
    locks: Locks | None = None,
    progress: Progress | None = None,
    stop: Callable[[], bool] | None = None,
) -> SolveResult:
    """Plan the round: sites, desks, calling waves, sweeps, door routes and roster.

    Parameters
    ----------
    scenario
        A validated scenario.
    config
        Time limit, seed and tuning (:class:`SolveConfig`).
    locks
        Decisions to keep (:class:`Locks`); the rest is re-optimised.
    progress
        Called with a plain dict after each stage (``stage``, ``seconds`` and the stage's numbers),
        with ``"phase": "start"`` when a stage begins, and, with ``"incumbent": True``, whenever
        the location search improves (``objective``, ``bound``: people x metres of walking plus
        opening costs; each location pass reports its own, so a second pass at the crews' desk
        share starts again from a higher objective).
    stop
        Polled during the solve (e.g. ``threading.Event().is_set``); once it returns ``True``
        every remaining search returns its best so far (a running CP-SAT search within 0.1 s) and
        the plan is finished from there with at most two calling rounds (still checked and
        simulated). ``stages`` then ends with a record whose ``stopped`` is ``True``.

    Returns
    -------
    SolveResult
        The plan (always; valid by :func:`planner.check.check_plan` unless ``problems`` says
        otherwise), its simulated KPIs, and a diagnosis when the deadline cannot be met.
    """
    config = config or SolveConfig()
    locks = locks or Locks()
    clock = _Clock(config, progress, stop)
    if locks.absent_staff:
        staff = tuple(p for p in scenario.staff if p.staff_id not in locks.absent_staff)
        scenario = dataclasses.replace(scenario, staff=staff)
    rnd, flow = scenario.round, scenario.flow
    bound = assess(scenario).finish_lower_bound
    horizon = max([s.open_to for s in scenario.sites] + [rnd.deadline])
    target = (
        min(horizon, math.ceil(rnd.start + (bound - rnd.start) * _TARGET_SLACK))
        if bound is not None
        else horizon
    )
    clock.report("prepare", lower_bound=bound, target=target)

    # 1. Door routes.
    clock.begin("doors")
    stops = door_stops(scenario)
    counts = scenario.staff_count()
    crew = scenario.crew
    max_teams = counts[Role.SAMPLER] // max(1, crew.door_samplers)
    if crew.door_registrars:
        max_teams = min(max_teams, counts[Role.REGISTRAR] // crew.door_registrars)
    max_teams = max(1, max_teams)
    doors = teams_needed(
        scenario,
        stops,
        rnd.start,
        finish_by=target,
        max_teams=max_teams,
        time_limit=clock.budget("doors"),
    )
    clock.report("doors", teams=len(doors.teams), end=doors.makespan_end, stops=len(stops))

    # 2. Location.
    clock.begin("location")
    slot = config.slot_min
    n_slots = max(1, (horizon - rnd.start) // slot)
    crews, marshals = crews_per_slot(
        scenario, scenario.staff, rnd.start, slot, n_slots, doors.team_windows.values()
    )
    data = prepare(scenario, config.candidates, locks.closed_sites, locks.building_site)
    demand = data.arrivals.astype(float)
    assign_cost = (data.walk_m * demand[:, None]).T  # facility-major: (sites, buildings)
    callers = demand > 0

    # Every open site needs its marshals from the start: open no more sites than they can man.
    most_sites: int | None = None
    if scenario.crew.marshals_per_site:
        marshals_now = int(
            people_per_slot(scenario.staff, Role.MARSHAL, scenario, rnd.start, 60, 1)[0]
        )
        limit = marshals_now // scenario.crew.marshals_per_site
        if 0 < limit < int(data.site_open.sum()):
            most_sites = limit

    def search(capacity: np.ndarray, allowed: np.ndarray, p: int | None) -> Any:
        return solve_location(
            demand[callers],
            capacity,
            np.full(data.n_sites, _OPEN_COST_M),
            assign_cost[:, callers],
            max_open=p,
            allowed=allowed,
            fixed_closed=~data.site_open,
            time_limit=clock.budget("location") * _DETERMINISTIC_UNITS_PER_S,
            seed=config.seed,
            deterministic=True,
            progress=located,
            stop=clock.stopped if clock.stop is not None else None,
        )

    def located(message: dict[str, Any]) -> bool:
        return clock.incumbent(message) or _close_enough(message, _LOCATION_GAP)

    # The fallback when the target cannot be met: the whole day's capacity and every site (a
    # late plan beats no plan), pins kept.
    allowed_day = np.isfinite(assign_cost) & data.site_open[:, None]
    for building_id in locks.building_site:
        b = scenario.building_index[building_id]
        allowed_day[:, b] = data.candidates[b, :]
    siting = locate(
        scenario,
        search,
        capacity=site_capacity(scenario, target, slot),
        capacity_day=site_capacity(scenario, None, slot),
        allowed=data.candidates.T[:, callers],
        allowed_day=allowed_day[:, callers],
        most_sites=most_sites,
        crews=crews,
        slot_min=slot,
        target=target,
        stopped=clock.stopped,
    )
    location = siting.location
    site_of = np.full(data.n_buildings, -1, dtype=np.int64)
    if not location.has_plan:
        # No capacity-respecting assignment exists: send each building to its nearest allowed
        # site (pins kept) so everybody is at least called; the simulation shows the overload.
        nearest = np.where(data.candidates, data.distance_m, np.inf).argmin(axis=1)
        site_of[callers] = nearest[callers]
    else:
        site_of[callers] = location.assign
    clock.report(
        "location",
        status=location.status,
        passes=siting.passes,
        desk_share=round(siting.desk_share, 3),
        sites=int(location.open.sum()),
        walking_person_km=location.objective / 1000.0
        if location.objective == location.objective
        else None,
        bound_person_km=location.bound / 1000.0,
    )

    # 3. Desks.
    clock.begin("desks")
    used = sorted(
        {int(s) for s in site_of if s >= 0} | {scenario.site_index[s] for s in locks.site_desks}
    )
    work = np.zeros(len(used))
    position = {s: k for k, s in enumerate(used)}
    for b, s in enumerate(site_of):
        if s >= 0:
            work[position[int(s)]] += data.arrivals[b] * flow.service_s / 60.0 * _WORK_MARGIN
    per_sweeper = _desks_per_sweeper(scenario)
    # Where the crews cannot man every desk the sweepers could feed, sweepers wait on the desks:
    # each site's share of sweeper time grows by as much.
    crew_share = _crew_share(scenario, crews, per_sweeper, slot, target)
    home = phase_sweepers(
        scenario,
        site_of,
        scenario.staff,
        _SWEEP_EFFICIENCY * crew_share,
        per_sweeper * crew_share,
        _WORK_MARGIN,
    )
    pooled = _pooled_committees(scenario, used) if math.isfinite(per_sweeper) else []
    if pooled:
        home = pool_by_committee(scenario, home, scenario.staff, used, pooled)
    site_cap, group_of, group_cap = _feed_caps(
        scenario, home, used, pooled, per_sweeper, crew_share, n_slots, slot
    )
    windows = [site_slots(scenario, scenario.sites[s], slot) for s in used]
    problem = DeskProblem(
        site_ids=tuple(scenario.sites[s].site_id for s in used),
        work_min=work,
        max_desks=np.array([scenario.sites[s].max_desks for s in used], dtype=np.int64),
        first_slot=np.array([w[0] for w in windows], dtype=np.int64),
        last_slot=np.array([w[1] for w in windows], dtype=np.int64),
        crews=crews,
        marshals=marshals,
        marshals_per_site=scenario.crew.marshals_per_site,
        slot_start=rnd.start,
        slot_min=slot,
        site_cap=site_cap,
        group_of=group_of,
        group_cap=group_cap,
    )
    allocation = allocate_desks(problem, time_limit=clock.budget("desks"), seed=config.seed)
    planned = [d for d in allocation.spells if d.site_id not in locks.site_desks]
    planned += [d for spells in locks.site_desks.values() for d in spells]
    clock.report(
        "desks",
        status=allocation.status,
        finish=rnd.start + allocation.finish_slot * slot,
        desk_hours=sum((d.end - d.start) * d.desks for d in planned) / 60.0,
    )

    # 4. Roster for desks, marshals and door teams.
    clock.begin("roster")
    teams = [TeamNeed(t, lo, hi) for t, (lo, hi) in doors.team_windows.items()]
    roster = build_roster(scenario, desks=planned, teams=teams)
    staffed = _keep_pinned(staffed_desks(scenario, planned, roster.shifts), locks)
    clock.report(
        "roster",
        shifts=len(roster.shifts),
        unfilled_person_min=sum((u.end - u.start) * u.missing for u in roster.unfilled),
        staffed_desk_hours=sum((d.end - d.start) * d.desks for d in staffed) / 60.0,
    )

    # 5-6. Waves timed against the staffed desks, then sweeps; of the calling orders tried, the
    # plan the simulation ranks better is kept (:func:`_score`).
    pinned_calls = {scenario.building_index[b]: float(t) for b, t in locks.building_call.items()}
    waves_of: dict[bool, tuple[dict[int, list[list[Wave]]], dict[tuple[int, int], Descent]]] = {}
    tried: list[_Calling] = []
    relay_s = 0.0  # seconds the last sweeper-driven variant took
    plain_relay_s = 0.0  # ... and the last one on the desk stage's desks
    for k, (lift_first, by_sweepers, fluid, stints_first) in enumerate(_CALLING_ORDERS):
        if tried and clock.stopped():
            break
        staffed_k, roster_in = staffed, roster
        began = clock.elapsed()
        if by_sweepers:
            if began > _RELAY_BY * config.time_limit:
                continue  # a solve short of time keeps what it has
            if stints_first and began + plain_relay_s > _RELAY_BY * config.time_limit:
                continue  # it costs about what the first sweeper-driven variant cost
            base = allocation.desks
            if fluid:
                # Pinned desks are the user's, which the fluid schedule does not know.
                if locks.site_desks or (
                    began + _FLUID_COST_FACTOR * relay_s > _RELAY_BY * config.time_limit
                ):
                    continue
                # The LPs may use what is left before _RELAY_BY once the variant's dispatch
                # is set aside (a large town's LPs at 5-minute slots take 20 s and more).
                lp_s = _RELAY_BY * config.time_limit - began - relay_s
                followed = _fluid_desks(
                    scenario, site_of, used, problem, doors.team_windows, bound, lp_s
                )
                if followed is None:
                    continue
                base = followed
            # Calls the sweepers drive are paced by whatever desks there are: every spare crew
            # gets a desk at a site open then (a pinned site's desks stay as pinned).
            full = to_spells(_fill_crews_around_pins(base, problem, locks), problem)
            staffed_k, roster_in = _staff(scenario, full, teams, locks)
        if lift_first not in waves_of:
            waves_of[lift_first] = _site_waves(scenario, data.walk_min, site_of, config, lift_first)
        site_waves, ways = waves_of[lift_first]
        # Both dispatchers take the staffed desks last: the calling rounds re-run them on the
        # desks extended for late calls.
        dispatch: Callable[[Sequence[DeskSpell]], SweepSchedule] = (
            functools.partial(
                dispatch_by_sweepers,
                scenario,
                site_waves,
                ways,
                staff=scenario.staff,
                home=home,
                budget_min=_RELAY_BUDGET_MIN,
                pinned=pinned_calls,
                before_open_min=_before_open_min(config.short_wait_min),
                leave_stint_min=_LEAVE_STINT_MIN if stints_first else 0.0,
            )
            if by_sweepers
            else functools.partial(
                dispatch_calls,
                scenario,
                site_waves,
                ways,
                staff=scenario.staff,
                home=home,
                buffer_min=config.queue_buffer_min,
                pinned=pinned_calls,
                lift_first=lift_first,
            )
        )
        sweeps, desks_k, roster_k = _calling_rounds(
            scenario, ways, staffed_k, roster_in, dispatch, teams, locks, clock, k
        )
        plan = Plan(
            desks=tuple(desks_k),
            calls=sweeps.calls,
            visits=doors.visits,
            roster=(*roster_k.shifts, *sweeps.shifts),
        ).canonical()
        problems = check_plan(scenario, plan)
        sim = simulate(scenario, plan, reps=config.eval_reps, seed=config.seed, keep_people=0)
        tried.append(_Calling(plan, tuple(problems), sim.kpis, sweeps, roster_k, k))
        if by_sweepers:
            relay_s = clock.elapsed() - began
            if not fluid:
                plain_relay_s = relay_s
        clock.report(
            "sweeps",
            variant=k,
            lift_first=lift_first,
            by_sweepers=by_sweepers,
            fluid_desks=fluid,
            stints_first=stints_first,
            violations=len(problems),
            finish=sim.kpis["finish"],
            wait_p95_min=sim.kpis["wait_p95_min"],
        )
    best = min(tried, key=lambda calling: _score(calling, config.short_wait_min))
    chosen = best.variant
    plan, problems, kpis = best.plan, list(best.problems), best.kpis
    sweeps, roster = best.sweeps, best.roster
    clock.report("check", violations=len(problems), variant=chosen)
    clock.report(
        "simulate",
        finish=kpis["finish"],
        peak_queue=kpis["peak_queue"],
        variant=chosen,
        stopped=clock.stopped(),
    )
    diagnosis = diagnose(scenario, kpis, roster.unfilled, sweeps.uncalled)
    made_by = {
        "kind": "solve",
        "seed": config.seed,
        "time_limit": config.time_limit,
        "short_wait_min": config.short_wait_min,
        "stages": [s["stage"] for s in clock.stages],
        "calling_order": _variant_name(*_CALLING_ORDERS[chosen]),
        "seconds": round(clock.elapsed(), 2),
    }
    return SolveResult(
        plan=dataclasses.replace(plan, made_by=made_by),
        kpis=kpis,
        problems=tuple(problems),
        diagnosis=diagnosis,
        stages=tuple(clock.stages),
        lower_bound=bound,
    )


@dataclass(frozen=True)
class _Calling:
    """One calling order's plan, its problems and simulated KPIs, and what made it."""

    plan: Plan
    problems: tuple[Problem, ...]
    kpis: dict[str, Any]
    sweeps: SweepSchedule
    roster: RosterResult
    variant: int  # index into _CALLING_ORDERS


def _calling_rounds(
    scenario: Scenario,
    ways: dict[tuple[int, int], Descent],
    staffed: list[DeskSpell],
    roster: RosterResult,
    dispatch: Callable[[Sequence[DeskSpell]], SweepSchedule],
    teams: list[TeamNeed],
    locks: Locks,
    clock: _Clock,
    variant: int,
) -> tuple[SweepSchedule, list[DeskSpell], RosterResult]:
    """Calls timed against the staffed desks and given to sweepers (``dispatch`` of the desks);
    sweepers may call later than wished, so desks then stay open until the people called have
    been served (where a site's marshal is needed elsewhere meanwhile, only once one is free
    again), and the roster is redone (at most ``_ROUNDS`` rounds). Returns the calls, desks and
    roster."""
    sweeps: SweepSchedule | None = None
    for round_ in range(_ROUNDS):
        clock.begin("sweeps")
        sweeps = dispatch(staffed)
        room = extension_room(scenario, staffed, roster.shifts)
        extended = extend_desks(
            scenario, staffed, sweeps.calls, ways, room, frozenset(locks.site_desks)
        )
        clock.report(
            "sweeps",
            variant=variant,
            round=round_,
            calls=len(sweeps.calls),
            uncalled=len(sweeps.uncalled),
            late_min=late_summary(sweeps),
            extended_desk_hours=_desk_hours(extended) - _desk_hours(staffed),
        )
        if _desk_hours(extended) <= _desk_hours(staffed) + 1e-9:
            break  # the calls were timed against these very desks
        staffed, roster = _staff(scenario, extended, teams, locks)
        if round_ == _ROUNDS - 1 or (clock.stopped() and round_ >= 1):
            # No more calling rounds: the calls keep their times, and the extension (staffed
            # above) only adds desk time after them.
            break
    assert sweeps is not None
    return sweeps, staffed, roster


def _staff(
    scenario: Scenario, desks: Sequence[DeskSpell], teams: list[TeamNeed], locks: Locks
) -> tuple[list[DeskSpell], RosterResult]:
    """The desks the roster can staff (pinned sites' exactly as pinned) and the roster.

    Where the desks asked for more people than there are, the roster is redone for the desks it
    could staff (the shortfall shows in the simulated finish).
    """
    roster = build_roster(scenario, desks=desks, teams=teams)
    staffed = _keep_pinned(staffed_desks(scenario, desks, roster.shifts), locks)
    if roster.unfilled:
        roster = build_roster(scenario, desks=staffed, teams=teams)
    return staffed, roster


def _close_enough(message: Mapping[str, Any], gap: float) -> bool:
    """Whether a location incumbent (``objective``, proven ``bound``) is within ``gap`` (a
    share of the objective) of the bound: the search may stop there.

    What is left is walking within that share of the least possible, the objective's third
    priority; the seconds are worth more to the calling variants, which set the finish. On the
    town the search ran 9 more seconds after a plan 0.1 % from its bound; on compound-103 seed
    1 a first pass, whose plan a second pass replaces, ran 5 seconds after one 1.05 % from it.
    """
    objective, lowest = message.get("objective"), message.get("bound")
    if objective is None or lowest is None:
        return False
    return float(objective) - float(lowest) <= gap * abs(float(objective))


def _variant_name(
    lift_first: bool, by_sweepers: bool, fluid_desks: bool, stints_first: bool = False
) -> str:
    """How a calling variant is named in the plan's ``made_by``."""
    order = "lift floors first" if lift_first else "bottom up"
    if by_sweepers:
        order += ", sweepers lead"
    if stints_first:
        order += " and keep to their stints"
    return f"{order}, desks follow the fluid schedule" if fluid_desks else order


def _score(calling: _Calling, short_wait_min: float) -> tuple[float, ...]:
    """Sort key of a plan, best first, in the order of the planning issue's objective.

    Valid, everybody who came served, everybody done by the deadline, no site's queue over its
    capacity, then the longest waits (p95, in steps of ``_WAIT_STEP_MIN`` minutes; waits up to
    ``short_wait_min`` all count as short, the first step), then the finish (p90) with each
    minute of p95 wait counted as ``_WAIT_WORTH_MIN`` minutes of it, then walking and
    staff-hours. The steps: a p95 wait of 9 minutes instead of 5 is worth an hour's earlier
    finish (tiny, session 10: 08:43 with 8.9 against 09:33 with 5.3), and the simulation's
    replications do not tell a minute's difference apart anyway. Within a step the wait still
    counts a little: two plans ending within minutes of each other differ in their waits.
    """
    k = calling.kpis

    def p90(name: str) -> float:
        value = k[name]["p90"]
        return math.inf if value is None else float(value)

    wait = p90("wait_p95_min")  # None (no replication) ranks last; math.ceil would raise
    return (
        float(len(calling.problems)),
        float(k["unserved"]["mean"] or 0.0),
        -round(float(k["done_by_deadline"]["mean"] or 0.0), 4),
        float(len(k["sites_over_capacity"])),
        _wait_step(wait, short_wait_min),
        p90("finish") + _WAIT_WORTH_MIN * wait,
        float(k["walking_person_m"]["mean"] or 0.0),
        float(k["staff_hours"]),
    )


def _wait_step(wait: float, short_wait_min: float) -> float:
    """Rank of a p95 wait: 0 up to ``short_wait_min``, else its 5-minute step (infinite last)."""
    if not math.isfinite(wait):
        return math.inf
    if wait <= short_wait_min + 1e-9:
        return 0.0
    return float(math.ceil(wait / _WAIT_STEP_MIN - 1e-9))


def _before_open_min(short_wait_min: float) -> float:
    """Minutes people called by the sweeper-driven dispatch may wait for their site's first
    desk: what a short wait leaves after the relay's queue budget (10 - 4 = 6 by default).

    The desks then start on a queue, not on the first people trickling in, and the sweepers
    (on their posts before the start) call before it. Measured (session 20, 6 minutes, against
    none): tiny 08:39 -> 08:34, compound-103 09:09 -> 08:57, the town's sweeper-driven variant
    11:42 -> 11:27, p95 waits up by 1-3 minutes and still within the short wait; 10 minutes
    took tiny's and three seeds' p95 past it.
    """
    return max(0.0, short_wait_min - _RELAY_BUDGET_MIN)


def _desks_per_sweeper(scenario: Scenario) -> float:
    """Desks one sweeper can keep busy.

    A sweeper calls ``60 / sweep_s_per_household`` households a minute, that many times the
    residents per household of people; a desk serves ``60 / service_s`` people a minute. Walking
    between a site's buildings takes a share of the sweeper's time (:data:`_SWEEP_EFFICIENCY`).
    """
    crew, flow = scenario.crew, scenario.flow
    movers = sum(b.mobile for b in scenario.buildings)
    households = sum(b.households for b in scenario.buildings if b.mobile > 0)
    if not movers or not households or crew.sweep_s_per_household <= 0:
        return float("inf")
    people_per_min = 60.0 / crew.sweep_s_per_household * movers / households * flow.turnout
    return _SWEEP_EFFICIENCY * people_per_min / (60.0 / flow.service_s)


def _crew_share(
    scenario: Scenario, crews: np.ndarray, per_sweeper: float, slot_min: int, target: int
) -> float:
    """Share of the desks the sweepers could feed that the crews can man, before ``target``.

    1 when calling takes no time or the crews suffice; below 1 when the sweepers on duty could
    feed more desks than there are desk crews (the town: about 0.9 in the morning).
    """
    if not math.isfinite(per_sweeper):
        return 1.0
    rnd = scenario.round
    slots = max(1, min(crews.size, (target - rnd.start) // slot_min))
    sweepers = people_per_slot(scenario.staff, Role.SWEEPER, scenario, rnd.start, slot_min, slots)
    feed = float(sweepers.sum()) * per_sweeper
    return 1.0 if feed <= 0 else min(1.0, float(crews[:slots].sum()) / feed)


def _feed_caps(
    scenario: Scenario,
    home: dict[str, tuple[Stint, ...]],
    used: Sequence[int],
    pooled: Sequence[str],
    per_sweeper: float,
    crew_share: float,
    n_slots: int,
    slot: int,
) -> tuple[np.ndarray | None, np.ndarray | None, np.ndarray | None]:
    """Desks the sweepers can feed: (sites, slots) caps for sites whose sweepers work in
    windows, and (pooled committees, slots) caps on the sum over a pooled committee's sites.

    ``None`` caps when calling takes no time. A cap is one desk more than the sweepers' fluid
    share: room for the desk stage to choose.
    """
    if not math.isfinite(per_sweeper):
        return None, None, None
    start = scenario.round.start
    feeders = sweepers_per_slot(home, used, start, slot, n_slots)
    site_cap = np.floor(feeders * per_sweeper * crew_share).astype(np.int64) + 1
    site_cap = np.where(feeders > 0, site_cap, 0)
    if not pooled:
        return site_cap, None, None
    group_of, feeders_g = group_feeders(scenario, home, used, pooled, start, slot, n_slots)
    # Pooled sweepers are not laid out in windows and idle ones help whichever site needs them:
    # no crew share, and a higher calling share (less waiting).
    ratio = _POOLED_EFFICIENCY / _SWEEP_EFFICIENCY  # per_sweeper assumes _SWEEP_EFFICIENCY
    group_cap = np.floor(feeders_g * per_sweeper * ratio).astype(np.int64) + 1
    group_cap = np.where(feeders_g > 0, group_cap, 0)
    mine = group_of >= 0
    site_cap[mine] = np.where(feeders[mine] > 0, np.iinfo(np.int32).max, 0)
    return site_cap, group_of, group_cap


def _pooled_committees(scenario: Scenario, used: Sequence[int]) -> list[str]:
    """Committees whose sweepers are pooled over all their sites rather than laid out in windows.

    Two conditions: the used sites are on average within ``_POOL_WALK_MIN`` of each other (a
    sweeper moving to another site loses less than one call's time), and the committee has at
    least ``_POOL_SWEEPERS_PER_SITE`` sweepers on duty at the start for each of them. With fewer
    the sites must take turns, which is what the windows do; pooled, every site would open at
    once and the few sweepers would walk between them (measured on the town: pooling its one
    close committee, 3 sweepers for 3 used sites, moved the finish from 12:04 to 12:58 with seed 0
    and from 12:09 to 12:40 with seed 3; compound-103, 7 and 8 sweepers for 4 sites each, went
    from 10:58 to 09:46).
    """
    by: dict[str, list[Site]] = defaultdict(list)
    for s in used:
        by[scenario.sites[s].committee].append(scenario.sites[s])
    start = scenario.round.start
    sweepers: dict[str, int] = defaultdict(int)
    for person in scenario.staff:
        if person.role is Role.SWEEPER and person.available_from <= start < person.available_to:
            sweepers[person.committee] += 1
    out = []
    for committee, sites in sorted(by.items()):
        if len(sites) < 2 or sweepers[committee] < _POOL_SWEEPERS_PER_SITE * len(sites):
            continue
        metres = [
            float(haversine_m(a.lat, a.lon, b.lat, b.lon))
            for a, b in itertools.combinations(sites, 2)
        ]
        if scenario.flow.walk_s(sum(metres) / len(metres)) / 60.0 <= _POOL_WALK_MIN:
            out.append(committee)
    return out


def _desk_hours(spells: Sequence[DeskSpell]) -> float:
    return sum((d.end - d.start) * d.desks for d in spells) / 60.0


def _site_waves(
    scenario: Scenario,
    walk_min: np.ndarray,
    site_of: np.ndarray,
    config: SolveConfig,
    split_lifts: bool = False,
) -> tuple[dict[int, list[list[Wave]]], dict[tuple[int, int], Descent]]:
    """Each used site's waves per building (walking order, floors bottom up), and descents.

    With ``split_lifts`` a building's lift floors and stair floors are two queues (no wave mixes
    them), so the dispatcher can keep a tower's lift busy while its lower floors are called.
    """
    flow = scenario.flow
    by_site: dict[int, list[int]] = defaultdict(list)
    for b, s in enumerate(site_of):
        if s >= 0:
            by_site[int(s)].append(b)
    lift_from = flow.lift_from_floor if split_lifts else 0
    out: dict[int, list[list[Wave]]] = {}
    ways: dict[tuple[int, int], Descent] = {}
    for s, members in sorted(by_site.items()):
        per_building: list[list[Wave]] = []
        for b in order_buildings(members, scenario, s):
            building = scenario.buildings[b]
            stairs: list[Wave] = []
            lift: list[Wave] = []
            for lo, hi, people in building_waves(
                building, config.wave_floors, config.wave_households, lift_from
            ):
                households = wave_households(building, lo, hi)
                ways[(b, lo)] = descent(building, lo, hi, people, flow, float(walk_min[b, s]))
                by_lift = split_lifts and ways[(b, lo)].rides > 0
                (lift if by_lift else stairs).append(Wave(b, lo, hi, people, households, s, 0.0))
            per_building.extend(queue for queue in (stairs, lift) if queue)
        out[s] = per_building
    return out, ways


def _fill_crews_around_pins(
    desks: npt.NDArray[np.int64], problem: DeskProblem, locks: Locks
) -> npt.NDArray[np.int64]:
    """:func:`fill_crews` with each pinned site's row set to its pinned desks and left as is."""
    desks = desks.copy()
    pinned_rows = [r for r, site_id in enumerate(problem.site_ids) if site_id in locks.site_desks]
    for r in pinned_rows:
        desks[r] = slot_desks(locks.site_desks[problem.site_ids[r]], problem)
    return fill_crews(desks, problem, keep=pinned_rows)


def _keep_pinned(staffed: Sequence[DeskSpell], locks: Locks) -> list[DeskSpell]:
    """The staffed desks, but a pinned site's desks exactly as pinned (even if short of crew:
    the checker then says so, rather than the solver quietly changing the user's decision)."""
    kept = [d for d in staffed if d.site_id not in locks.site_desks]
    return kept + [d for spells in locks.site_desks.values() for d in spells]


def _fluid_desks(
    scenario: Scenario,
    site_of: npt.NDArray[np.int64],
    used: Sequence[int],
    problem: DeskProblem,
    door_windows: Mapping[str, tuple[int, int]],
    bound: float | None,
    time_limit: float,
) -> npt.NDArray[np.int64] | None:
    """Desks per site (rows of ``problem``) and slot that follow the fluid schedule of the
    plan's assignment and door teams (:func:`planner.solver.fluid.schedule_near_floor`),
    ``None`` when no fluid day serves everybody or its LPs take more than ``time_limit``
    seconds.

    The desk stage caps each site's desks by what its own sweepers can feed, one site after the
    other where sweepers are few; the fluid schedule spreads desks and calls over all sites and
    committees at once (its calls are not kept: the sweepers drive them).
    """
    site_ids = {
        scenario.buildings[b].building_id: scenario.sites[int(s)].site_id
        for b, s in enumerate(site_of)
        if s >= 0
    }
    fluid = problem_of(scenario, site_ids, door_windows.values())
    # The finish lower bound is below every fluid floor: the bisection starts there.
    lowest = None if bound is None else int(bound)
    near = schedule_near_floor(fluid, _FLUID_EFFICIENCY, _FLUID_SLACK_SLOTS, lowest, time_limit)
    if near is None:
        return None
    schedule, _ = near
    profile = schedule.desks[list(used)]
    return desks_from_profile(profile, fluid.slot_start, fluid.slot_min, problem)
