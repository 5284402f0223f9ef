"""Discrete-event simulation of a screening day: what a plan is likely to give.

:func:`simulate` plays a :class:`~planner.plan.Plan` out on its :class:`~planner.model.Scenario`
``reps`` times and returns a :class:`SimResult`: per-person, per-site, queue and door-visit
records as DataFrames (written as Parquet by :meth:`SimResult.write`) and a JSON-ready ``kpis``
summary with mean, p10 and p90 over the replications.

The resident flow follows the scenario's ``[flow]`` parameters (``docs/formats.md``):

1. A calling wave's ``people`` are spread over its floors with :func:`planner.plan.split_evenly`
   (lower floors get the larger shares) and are called at the wave's ``call_time``.
2. Each person leaves home uniformly within ``response_min`` of the call and comes down with
   probability ``turnout``; the others stay home and are not done.
3. Coming down: below ``lift_from_floor`` (or on any floor of a building without a lift) by the
   stairs, ``(floor - 1) x stairs_s_per_floor``; from ``lift_from_floor`` up, by the building's one
   lift, rides of ``lift_people`` taking ``lift_s`` each (:func:`planner.sim_kernel.lift_down`).
4. Walking to the wave's site: straight line x ``detour`` at ``walk_m_per_s``.
5. At the site: one FIFO queue, served by the first desk that can start them, in a lognormal time
   of mean ``service_s`` and CV ``service_cv``; desks open and close as the plan's desk spells
   say (:func:`planner.sim_kernel.serve_fifo`, which documents what closing means).
6. Door teams work their visits in ``seq`` order: a visit starts at its planned start or, if
   later, when the team has finished the previous one and walked over; it lasts the climb
   (``docs/formats.md`` rule 6) plus a lognormal ``door_s_per_person`` (CV ``service_cv``) per
   person. Door-visited residents count as done when their visit ends.

Randomness: replication ``rep`` uses ``np.random.default_rng(np.random.SeedSequence([seed,
rep]))`` and nothing else. The draws are common random numbers attached to *people*, not to
events: each replication draws, in a fixed order, a response fraction, a turnout draw, a desk
service draw and a door service draw for every resident slot of the scenario (buildings in scenario
order, ``residents`` slots each). A building's called people are numbered floor by floor from the
bottom (the ``person`` column) and person ``j`` takes slot ``j``, so two plans for the same
scenario and seed see the same residents with the same delays, turnout and service times, and
their difference is the plan's, not the dice's.

All times are minutes since midnight of the round's day, as in the scenario.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from planner.capacity import assess
from planner.geo import haversine_m
from planner.model import Scenario
from planner.plan import Call, Plan, Visit, split_evenly
from planner.sim_kernel import (
    Spell,
    lift_down,
    lognormal_from_normal,
    open_desk_time,
    peak_queue,
    queue_lengths,
    serve_fifo,
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: Columns of :attr:`SimResult.people`, in order.
PEOPLE_COLUMNS: tuple[str, ...] = (
    "rep",
    "building_id",
    "person",
    "floor",
    "site_id",
    "called",
    "left_home",
    "arrived",
    "start",
    "end",
    "wait",
    "walked_m",
    "came",
    "desk",
)
SITE_COLUMNS: tuple[str, ...] = (
    "rep",
    "site_id",
    "arrivals",
    "served",
    "unserved",
    "peak_queue",
    "queue_capacity",
    "wait_p50",
    "wait_p95",
    "wait_max",
    "busy_desk_min",
    "open_desk_min",
    "utilisation",
    "first_start",
    "last_end",
)
QUEUE_COLUMNS: tuple[str, ...] = ("rep", "site_id", "minute", "queue")
VISIT_COLUMNS: tuple[str, ...] = (
    "rep",
    "team_id",
    "seq",
    "building_id",
    "floor_from",
    "floor_to",
    "people",
    "planned_start",
    "planned_end",
    "start",
    "end",
)


# --------------------------------------------------------------------------------------------
# Static layout: everything that depends on the scenario and plan but not on the dice.


@dataclass(frozen=True)
class _Layout:
    """Per-person and per-visit arrays of one (scenario, plan) pair, fixed over replications.

    Site-goers are ordered building by building (scenario order), then by ``person``; this keeps
    each building's lift users contiguous.
    """

    building: IntArray  # scenario index of the person's building
    person: IntArray  # number of the person within the building (bottom floor first)
    slot: IntArray  # index into the per-replication draw arrays
    floor: IntArray
    site: IntArray  # scenario index of the site
    called: FloatArray
    walk_min: FloatArray
    walk_m: FloatArray
    stairs_min: FloatArray  # time down the stairs (0 for lift riders)
    lift: BoolArray
    slots: int  # resident slots of the scenario (draws from the main stream)
    extra_slots: int  # people beyond a building's residents (an over-full plan): own stream
    # Door visits, in (team, seq) order.
    visits: tuple[Visit, ...]
    visit_climb_min: FloatArray
    visit_walk_min: FloatArray  # walk from the team's previous stop (0 for a team's first)
    visit_first: BoolArray  # first visit of its team
    door_visit: IntArray  # per door-visited person: its visit's position in ``visits``
    door_slot: IntArray  # per door-visited person: index into the door draw array


def _check_ids(scenario: Scenario, plan: Plan) -> None:
    b_idx, s_idx = scenario.building_index, scenario.site_index
    for call in plan.calls:
        if call.building_id not in b_idx:
            raise ValueError(f"calls: unknown building {call.building_id!r}")
        if call.site_id not in s_idx:
            raise ValueError(f"calls: unknown site {call.site_id!r}")
    for visit in plan.visits:
        if visit.building_id not in b_idx:
            raise ValueError(f"visits: unknown building {visit.building_id!r}")
    for spell in plan.desks:
        if spell.site_id not in s_idx:
            raise ValueError(f"desks: unknown site {spell.site_id!r}")


def _layout(scenario: Scenario, plan: Plan) -> _Layout:
    """Number the plan's people and precompute their deterministic times."""
    _check_ids(scenario, plan)
    flow = scenario.flow
    buildings = scenario.buildings
    b_index, s_index = scenario.building_index, scenario.site_index
    residents = np.array([b.residents for b in buildings], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(residents)])
    slots = int(offsets[-1])
    extra = 0

    waves: dict[int, list[Call]] = defaultdict(list)
    for call in plan.calls:
        waves[b_index[call.building_id]].append(call)

    cols: dict[str, list[Any]] = defaultdict(list)
    for b in sorted(waves):
        building = buildings[b]
        j = 0
        # People are numbered bottom floor first, whatever the order of the calling waves.
        for call in sorted(waves[b], key=lambda c: (c.floor_from, c.floor_to, c.call_time, c.seq)):
            # A reversed floor range (an invalid plan) still puts its people somewhere.
            floors = list(range(call.floor_from, max(call.floor_from, call.floor_to) + 1))
            counts = split_evenly(call.people, len(floors))
            n = call.people
            cols["floor"].append(np.repeat(np.array(floors, dtype=np.int64), counts))
            cols["person"].append(np.arange(j, j + n, dtype=np.int64))
            cols["building"].append(np.full(n, b, dtype=np.int64))
            cols["site"].append(np.full(n, s_index[call.site_id], dtype=np.int64))
            cols["called"].append(np.full(n, float(call.call_time)))
            j += n
        # Slots beyond the building's residents come from a separate stream (see simulate).
        person = np.concatenate(cols["person"][-len(waves[b]) :]) if waves[b] else np.empty(0)
        over = person >= building.residents
        slot = offsets[b] + person
        slot[over] = slots + extra + np.arange(int(over.sum()))
        extra += int(over.sum())
        cols["slot"].append(slot)

    def cat(name: str, dtype: type) -> Any:
        parts = cols[name]
        return np.concatenate(parts).astype(dtype) if parts else np.empty(0, dtype=dtype)

    building = cat("building", np.int64)
    site = cat("site", np.int64)
    floor = cat("floor", np.int64)
    b_lat = np.array([b.lat for b in buildings])
    b_lon = np.array([b.lon for b in buildings])
    s_lat = np.array([s.lat for s in scenario.sites])
    s_lon = np.array([s.lon for s in scenario.sites])
    walk_m = haversine_m(b_lat[building], b_lon[building], s_lat[site], s_lon[site]) * flow.detour
    has_lift = np.array([b.lift for b in buildings], dtype=bool)
    lift = has_lift[building] & (floor >= flow.lift_from_floor)
    stairs_min = np.where(lift, 0.0, (floor - 1) * flow.stairs_s_per_floor / 60.0)

    # Door visits: a team's stops in seq order; door-visited people numbered per building.
    by_team = plan.visits_by_team()
    visits = tuple(v for team in sorted(by_team) for v in by_team[team])
    climb, walk, first = [], [], []
    prev: Visit | None = None
    for v in visits:
        bd = buildings[b_index[v.building_id]]
        if bd.lift and v.floor_to >= flow.lift_from_floor:
            climb.append(flow.lift_s / 60.0)
        else:
            climb.append(2 * (v.floor_to - 1) * flow.stairs_s_per_floor / 60.0)
        is_first = prev is None or prev.team_id != v.team_id
        first.append(is_first)
        if is_first or prev is None:
            walk.append(0.0)
        else:
            pb = buildings[b_index[prev.building_id]]
            metres = float(haversine_m(pb.lat, pb.lon, bd.lat, bd.lon)) * flow.detour
            walk.append(metres / flow.walk_m_per_s / 60.0)
        prev = v
    door_visit: list[int] = []
    door_slot: list[int] = []
    door_next = np.zeros(len(buildings), dtype=np.int64)
    door_extra = 0
    order = sorted(
        range(len(visits)),
        key=lambda k: (b_index[visits[k].building_id], visits[k].floor_from, visits[k].floor_to),
    )
    for k in order:
        v = visits[k]
        b = b_index[v.building_id]
        for _ in range(v.people):
            number = int(door_next[b])
            door_next[b] += 1
            if number < buildings[b].residents:
                door_slot.append(int(offsets[b]) + number)
            else:
                door_slot.append(slots + door_extra)
                door_extra += 1
            door_visit.append(k)

    return _Layout(
        building=building,
        person=cat("person", np.int64),
        slot=cat("slot", np.int64),
        floor=floor,
        site=site,
        called=cat("called", np.float64),
        walk_min=walk_m / flow.walk_m_per_s / 60.0,
        walk_m=walk_m,
        stairs_min=stairs_min,
        lift=lift,
        slots=slots,
        extra_slots=max(extra, door_extra),
        visits=visits,
        visit_climb_min=np.array(climb, dtype=float),
        visit_walk_min=np.array(walk, dtype=float),
        visit_first=np.array(first, dtype=bool),
        door_visit=np.array(door_visit, dtype=np.int64),
        door_slot=np.array(door_slot, dtype=np.int64),
    )


# --------------------------------------------------------------------------------------------
# Results


def _categorical(codes: npt.ArrayLike, ids: Sequence[str]) -> Any:
    """Ids as a categorical column: cheap to hold and written as a dictionary column in Parquet."""
    return pd.Categorical.from_codes(
        np.asarray(codes, dtype=np.int64), categories=pd.Index(list(ids))
    )


def _stats(values: Sequence[float] | FloatArray) -> dict[str, float | None]:
    """Mean, p10 and p90 over replications; ``None`` for a value that is infinite or undefined."""
    arr = np.asarray(values, dtype=float)

    def clean(x: float) -> float | None:
        return float(x) if math.isfinite(x) else None

    if arr.size == 0 or np.isnan(arr).any():
        return {"mean": None, "p10": None, "p90": None}
    with np.errstate(invalid="ignore"):
        p10, p90 = np.percentile(arr, [10, 90])
        mean = float(arr.mean())
    return {"mean": clean(mean), "p10": clean(float(p10)), "p90": clean(float(p90))}


@dataclass(frozen=True)
class _PeopleRecords:
    """What :attr:`SimResult.people` is built from: static columns plus per-replication arrays."""

    building_ids: tuple[str, ...]
    site_ids: tuple[str, ...]
    building: IntArray
    person: IntArray
    floor: IntArray
    site: IntArray
    called: FloatArray
    walk_m: FloatArray
    reps: list[int] = field(default_factory=list)
    # Per kept replication: left_home, arrived, start, end (NaN where the person did not come).
    times: list[tuple[FloatArray, FloatArray, FloatArray, FloatArray]] = field(default_factory=list)
    came: list[BoolArray] = field(default_factory=list)
    # Per kept replication: the 0-based desk that served each person (-1: not served).
    desk: list[IntArray] = field(default_factory=list)

    def frame(self) -> pd.DataFrame:
        n, k = self.building.size, len(self.reps)
        if k == 0:
            return pd.DataFrame({c: [] for c in PEOPLE_COLUMNS})

        def tile(a: npt.NDArray[Any]) -> npt.NDArray[Any]:
            return np.tile(a, k)

        left = np.concatenate([t[0] for t in self.times])
        arrived = np.concatenate([t[1] for t in self.times])
        start = np.concatenate([t[2] for t in self.times])
        end = np.concatenate([t[3] for t in self.times])
        came = np.concatenate(self.came)
        desk = np.concatenate(self.desk)
        return pd.DataFrame(
            {
                "rep": np.repeat(np.array(self.reps, dtype=np.int32), n),
                "building_id": _categorical(tile(self.building), self.building_ids),
                "person": tile(self.person).astype(np.int32),
                "floor": tile(self.floor).astype(np.int16),
                "site_id": _categorical(tile(self.site), self.site_ids),
                "called": tile(self.called),
                "left_home": left,
                "arrived": arrived,
                "start": start,
                "end": end,
                "wait": start - arrived,
                "walked_m": np.where(came, tile(self.walk_m), 0.0),
                "came": came,
                "desk": desk.astype(np.int16),
            }
        )


@dataclass(frozen=True, eq=False)
class SimResult:
    """What :func:`simulate` reports. Times are minutes since midnight, waits in minutes.

    Attributes
    ----------
    kpis
        JSON-ready summary (see :func:`simulate` for the keys); statistics over replications are
        ``{"mean", "p10", "p90"}`` dicts whose values are ``None`` when infinite (e.g. ``finish``
        when somebody who came was never served).
    sites
        One row per replication and site that has desks or visitors (:data:`SITE_COLUMNS`):
        ``arrivals`` (people who came), ``served`` and ``unserved`` of them, ``peak_queue`` (most
        people waiting at once, not counting those at a desk), ``wait_p50``/``wait_p95``/
        ``wait_max`` of the served (minutes), ``busy_desk_min`` (sum of service times),
        ``open_desk_min`` (desk-minutes the spells offer), ``utilisation`` (their ratio; it may
        exceed 1 by the services desks finish after closing), ``first_start`` and ``last_end``.
    queue
        People waiting at each site (that anybody came to) just after each whole minute, from the
        earlier of its first arrival and first opening to the later of its last arrival and last
        start (:data:`QUEUE_COLUMNS`).
    visits
        Each door visit per replication with its planned and simulated start and end.
    people
        One row per site-goer per kept replication (:data:`PEOPLE_COLUMNS`): ``person`` is the
        number within the building (the key of the common random numbers), ``came`` says whether
        they turned out; those who did not have NaN times and ``walked_m`` 0; those who came but
        were never served have ``start = end = wait = inf``; ``desk`` is the 0-based desk of the
        site that served them (-1 when not served). Built on first access.
    """

    kpis: dict[str, Any]
    sites: pd.DataFrame
    queue: pd.DataFrame
    visits: pd.DataFrame
    records: _PeopleRecords = field(repr=False)

    @cached_property
    def people(self) -> pd.DataFrame:
        """Per-person records (see the class docstring)."""
        return self.records.frame()

    def write(self, folder: str | Path) -> Path:
        """Write ``people``, ``sites``, ``queue`` and ``visits`` as Parquet, ``kpis`` as JSON.

        Files: ``people.parquet``, ``sites.parquet``, ``queue.parquet``, ``visits.parquet`` and
        ``simulation.json`` (the ``kpis`` dict) in ``folder``, which is created if needed and
        whose files of the same name are overwritten. Returns the folder.
        """
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        for name in ("people", "sites", "queue", "visits"):
            frame: pd.DataFrame = getattr(self, name)
            frame.to_parquet(out / f"{name}.parquet", index=False)
        (out / "simulation.json").write_text(
            json.dumps(self.kpis, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        return out


# --------------------------------------------------------------------------------------------
# The simulation


def simulate(
    scenario: Scenario,
    plan: Plan,
    reps: int = 1,
    seed: int = 0,
    *,
    keep_people: int | None = None,
) -> SimResult:
    """Simulate ``plan`` on ``scenario`` ``reps`` times.

    Parameters
    ----------
    scenario, plan
        The plan's ids must exist in the scenario (``ValueError`` otherwise); the plan need not be
        valid (a site without desks simply never serves anybody).
    reps
        Number of replications (>= 1).
    seed
        Replication ``rep`` draws from ``default_rng(SeedSequence([seed, rep]))`` only: the same
        seed gives the same result, and the draws are tied to people (see the module docstring).
    keep_people
        How many replications (the first ones) keep per-person records for
        :attr:`SimResult.people`; ``None`` keeps all. The town keeps about 4 MB per
        replication; KPIs and site records always use every replication.

    Returns
    -------
    SimResult
        ``kpis`` keys: ``reps``, ``seed``, ``residents``, ``deadline``; over replications
        (``{"mean", "p10", "p90"}``): ``finish`` (last desk service or door visit end; ``None``
        when somebody who came was never served), ``done_by_deadline`` (share of all the
        scenario's residents done by the deadline; those who stayed home or were never called are
        not done), ``unserved`` (people who came but found no desk open again),
        ``peak_queue`` (largest over sites), ``wait_p95_min`` and ``wait_max_min`` (over all
        served people), ``wait_p95_worst_site_min`` (the largest of the sites' own p95 waits:
        the longest wait a site's people can expect, which a town-wide p95 can hide),
        ``walking_person_m`` (metres walked, summed over people who came);
        deterministic: ``staff_hours`` (sum of the roster's shifts), ``lower_bound``
        (:func:`planner.capacity.assess` ``finish_lower_bound``, ``None`` if the supply never
        suffices), ``sites_over_capacity`` (sites whose mean peak queue exceeds their
        ``queue_capacity``), ``worst_wait_site`` (id of the site whose p95 wait, averaged over
        replications, is the longest; ``None`` if nobody was served).
    """
    if reps < 1:
        raise ValueError(f"reps must be at least 1, got {reps}")
    flow, crew = scenario.flow, scenario.crew
    lay = _layout(scenario, plan)
    n = lay.building.size
    site_ids = tuple(s.site_id for s in scenario.sites)
    building_ids = tuple(b.building_id for b in scenario.buildings)
    spells_by_site: dict[int, list[Spell]] = {
        scenario.site_index[sid]: [(float(s.start), float(s.end), s.desks) for s in spells]
        for sid, spells in plan.desks_by_site().items()
    }
    active_sites = sorted(set(spells_by_site) | set(np.unique(lay.site).tolist()))
    open_min = {s: open_desk_time(spells_by_site.get(s, [])) for s in active_sites}
    deadline = scenario.round.deadline

    door_people = np.array([v.people for v in lay.visits], dtype=float)
    # Lift riders are contiguous per building in the layout; find their runs once.
    lift_runs = _runs(lay.building, lay.lift)

    records = _PeopleRecords(
        building_ids=building_ids,
        site_ids=site_ids,
        building=lay.building,
        person=lay.person,
        floor=lay.floor,
        site=lay.site,
        called=lay.called,
        walk_m=lay.walk_m,
    )
    site_rows: list[dict[str, Any]] = []
    queue_parts: list[tuple[int, int, IntArray, IntArray]] = []
    visit_parts: list[tuple[int, FloatArray, FloatArray]] = []
    per_rep: dict[str, list[float]] = defaultdict(list)
    peaks: dict[int, list[int]] = defaultdict(list)

    for rep in range(reps):
        rng = np.random.default_rng(np.random.SeedSequence([seed, rep]))
        u_resp, u_turn, z_svc, z_door = (
            rng.random(lay.slots),
            rng.random(lay.slots),
            rng.standard_normal(lay.slots),
            rng.standard_normal(lay.slots),
        )
        if lay.extra_slots:
            # People a plan calls beyond a building's residents draw from their own stream, so
            # they do not shift anybody else's draws.
            extra = np.random.default_rng(np.random.SeedSequence([seed, rep, 1]))
            u_resp = np.concatenate([u_resp, extra.random(lay.extra_slots)])
            u_turn = np.concatenate([u_turn, extra.random(lay.extra_slots)])
            z_svc = np.concatenate([z_svc, extra.standard_normal(lay.extra_slots)])
            z_door = np.concatenate([z_door, extra.standard_normal(lay.extra_slots)])

        # Residents: leave home, turn out or not, come down, walk.
        left = lay.called + u_resp[lay.slot] * flow.response_min
        came = u_turn[lay.slot] < flow.turnout
        service = lognormal_from_normal(z_svc[lay.slot], flow.service_s / 60.0, flow.service_cv)
        down = left + lay.stairs_min
        riding = lay.lift & came
        for lo, hi in lift_runs:
            idx = lo + np.flatnonzero(riding[lo:hi])
            if idx.size:
                down[idx] = lift_down(left[idx], flow.lift_s / 60.0, flow.lift_people)
        arrived = np.where(came, down + lay.walk_min, np.nan)
        start = np.full(n, np.nan)
        end = np.full(n, np.nan)
        desk = np.full(n, -1, dtype=np.int64)

        # Sites: one FIFO queue each.
        goers = np.flatnonzero(came)
        goers = goers[np.argsort(lay.site[goers], kind="stable")]
        bounds = np.searchsorted(lay.site[goers], [*active_sites, len(site_ids)])
        rep_peak = 0
        worst_site_p95 = 0.0
        for pos, s in enumerate(active_sites):
            idx = goers[bounds[pos] : bounds[pos + 1]]
            spells = spells_by_site.get(s, [])
            st, en, dk = serve_fifo(arrived[idx], service[idx], spells)
            start[idx], end[idx], desk[idx] = st, en, dk
            row, queue = _site_record(
                rep, s, arrived[idx], st, en, spells, open_min[s], scenario.sites[s].queue_capacity
            )
            site_rows.append(row)
            if queue is not None:
                queue_parts.append((rep, s, *queue))
            peaks[s].append(row["peak_queue"])
            rep_peak = max(rep_peak, row["peak_queue"])
            if row["served"]:
                worst_site_p95 = max(worst_site_p95, row["wait_p95"])

        # Door teams.
        v_start, v_end = _door_visits(lay, z_door, crew.door_s_per_person / 60.0, flow.service_cv)
        visit_parts.append((rep, v_start, v_end))

        # Replication KPIs.
        served = came & np.isfinite(end)
        unserved = int(came.sum() - served.sum())
        ends = [end[served].max()] if served.any() else []
        if v_end.size:
            ends.append(v_end.max())
        finish = math.inf if unserved else (max(ends) if ends else math.nan)
        done = int((end[served] <= deadline).sum()) + float(door_people[v_end <= deadline].sum())
        waits = (start - arrived)[served]
        per_rep["finish"].append(finish)
        per_rep["done_by_deadline"].append(done / scenario.residents if scenario.residents else 1.0)
        per_rep["unserved"].append(unserved)
        per_rep["peak_queue"].append(rep_peak)
        per_rep["wait_p95_min"].append(float(np.percentile(waits, 95)) if waits.size else 0.0)
        per_rep["wait_max_min"].append(float(waits.max()) if waits.size else 0.0)
        per_rep["wait_p95_worst_site_min"].append(worst_site_p95)
        per_rep["walking_person_m"].append(float(lay.walk_m[came].sum()))

        if keep_people is None or rep < keep_people:
            records.reps.append(rep)
            records.times.append((np.where(came, left, np.nan), arrived, start, end))
            records.came.append(came)
            records.desk.append(desk)

    bound = assess(scenario).finish_lower_bound
    kpis: dict[str, Any] = {
        "reps": reps,
        "seed": seed,
        "residents": scenario.residents,
        "deadline": deadline,
        **{name: _stats(values) for name, values in per_rep.items()},
        "staff_hours": float(sum(s.hours for s in plan.roster)),
        "lower_bound": None if bound is None else float(bound),
        "sites_over_capacity": [
            site_ids[s]
            for s in active_sites
            if float(np.mean(peaks[s])) > scenario.sites[s].queue_capacity
        ],
        "worst_wait_site": _worst_wait_site(site_rows, site_ids),
    }
    return SimResult(
        kpis=kpis,
        sites=_sites_frame(site_rows, site_ids),
        queue=_queue_frame(queue_parts, site_ids),
        visits=_visits_frame(visit_parts, lay.visits),
        records=records,
    )


def _runs(building: IntArray, mask: BoolArray) -> list[tuple[int, int]]:
    """``[lo, hi)`` index ranges of consecutive equal ``building`` values that contain ``mask``."""
    if building.size == 0:
        return []
    cuts = np.flatnonzero(np.diff(building)) + 1
    los = np.concatenate([[0], cuts])
    his = np.concatenate([cuts, [building.size]])
    hits = np.add.reduceat(mask.astype(np.int64), los) > 0
    return [(int(lo), int(hi)) for lo, hi, hit in zip(los, his, hits, strict=True) if hit]


def _worst_wait_site(rows: list[dict[str, Any]], site_ids: tuple[str, ...]) -> str | None:
    """The site whose p95 wait, averaged over the replications that served somebody there, is
    the longest (``None`` when nobody was served anywhere); the first site id on ties."""
    waits: dict[int, list[float]] = defaultdict(list)
    for row in rows:
        if row["served"]:
            waits[row["site"]].append(row["wait_p95"])
    if not waits:
        return None
    worst = max(sorted(waits), key=lambda s: float(np.mean(waits[s])))
    return site_ids[worst]


def _site_record(
    rep: int,
    site: int,
    arrived: FloatArray,
    start: FloatArray,
    end: FloatArray,
    spells: list[Spell],
    open_min: float,
    capacity: int,
) -> tuple[dict[str, Any], tuple[IntArray, IntArray] | None]:
    """One site's row of :attr:`SimResult.sites` and its per-minute queue (None if nobody came)."""
    served = np.isfinite(end)
    waits = (start - arrived)[served]
    busy = float((end[served] - start[served]).sum())
    a_sorted = np.sort(arrived)
    s_sorted = np.sort(start)
    row: dict[str, Any] = {
        "rep": rep,
        "site": site,
        "arrivals": int(arrived.size),
        "served": int(served.sum()),
        "unserved": int(arrived.size - served.sum()),
        "peak_queue": peak_queue(a_sorted, s_sorted),
        "queue_capacity": capacity,
        "wait_p50": math.nan,
        "wait_p95": math.nan,
        "wait_max": math.nan,
        "busy_desk_min": busy,
        "open_desk_min": open_min,
        "utilisation": busy / open_min if open_min > 0 else math.nan,
        "first_start": float(start[served].min()) if served.any() else math.nan,
        "last_end": float(end[served].max()) if served.any() else math.nan,
    }
    if waits.size:
        p50, p95 = np.percentile(waits, [50, 95])
        row.update(wait_p50=float(p50), wait_p95=float(p95), wait_max=float(waits.max()))
    if arrived.size == 0:
        return row, None
    lo = math.floor(min(a_sorted[0], min((s[0] for s in spells), default=a_sorted[0])))
    finite = s_sorted[np.isfinite(s_sorted)]
    hi = math.ceil(max(a_sorted[-1], finite[-1] if finite.size else a_sorted[-1]))
    minutes = np.arange(lo, hi + 1, dtype=np.int64)
    return row, (minutes, queue_lengths(a_sorted, s_sorted, minutes.astype(float)))


def _door_visits(
    lay: _Layout, z_door: FloatArray, door_min: float, cv: float
) -> tuple[FloatArray, FloatArray]:
    """Simulated start and end of every door visit (in ``lay.visits`` order)."""
    k = len(lay.visits)
    if k == 0:
        return np.empty(0), np.empty(0)
    if lay.door_slot.size and door_min > 0:
        per_person = lognormal_from_normal(z_door[lay.door_slot], door_min, cv)
        work = np.asarray(np.bincount(lay.door_visit, weights=per_person, minlength=k), float)
    else:
        work = np.zeros(k, dtype=float)
    duration = (lay.visit_climb_min + work).tolist()
    walk = lay.visit_walk_min.tolist()
    first = lay.visit_first.tolist()
    starts: list[float] = []
    ends: list[float] = []
    prev_end = -math.inf
    for i, v in enumerate(lay.visits):
        # A team cannot be at a stop before the plan sends it, nor before it got there.
        t = float(v.start) if first[i] else max(float(v.start), prev_end + walk[i])
        prev_end = t + duration[i]
        starts.append(t)
        ends.append(prev_end)
    return np.array(starts), np.array(ends)


def _sites_frame(rows: list[dict[str, Any]], site_ids: tuple[str, ...]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["site", *(c for c in SITE_COLUMNS if c != "site_id")])
    frame["site_id"] = _categorical(frame.pop("site").to_numpy(int), list(site_ids))
    return frame[list(SITE_COLUMNS)]


def _queue_frame(
    parts: list[tuple[int, int, IntArray, IntArray]], site_ids: tuple[str, ...]
) -> pd.DataFrame:
    if not parts:
        return pd.DataFrame(
            {
                "rep": np.empty(0, np.int32),
                "site_id": _categorical([], list(site_ids)),
                "minute": np.empty(0, np.int32),
                "queue": np.empty(0, np.int32),
            }
        )
    sizes = [p[2].size for p in parts]
    return pd.DataFrame(
        {
            "rep": np.repeat([p[0] for p in parts], sizes).astype(np.int32),
            "site_id": _categorical(np.repeat([p[1] for p in parts], sizes), list(site_ids)),
            "minute": np.concatenate([p[2] for p in parts]).astype(np.int32),
            "queue": np.concatenate([p[3] for p in parts]).astype(np.int32),
        }
    )


def _visits_frame(
    parts: list[tuple[int, FloatArray, FloatArray]], visits: tuple[Visit, ...]
) -> pd.DataFrame:
    static = pd.DataFrame(
        {
            "team_id": [v.team_id for v in visits],
            "seq": [v.seq for v in visits],
            "building_id": [v.building_id for v in visits],
            "floor_from": [v.floor_from for v in visits],
            "floor_to": [v.floor_to for v in visits],
            "people": [v.people for v in visits],
            "planned_start": [v.start for v in visits],
            "planned_end": [v.end for v in visits],
        }
    )
    frames = []
    for rep, start, end in parts:
        frame = static.copy()
        frame.insert(0, "rep", rep)
        frame["start"] = start
        frame["end"] = end
        frames.append(frame)
    if not frames:
        return pd.DataFrame({c: [] for c in VISIT_COLUMNS})
    return pd.concat(frames, ignore_index=True)[list(VISIT_COLUMNS)]
