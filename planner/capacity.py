"""What a scenario needs against what its sites and roster can supply, before any planning.

These are relaxations: each "have" ignores constraints a real plan must respect (walking, PPE
breaks, who may work where), so a shortage here proves the deadline cannot be met, and the finish
lower bound is below the finish time of every possible plan. Plans are measured against it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from planner.messages import Ref
from planner.model import Role, Scenario
from planner.problems import Problem
from planner.timefmt import format_hhmm

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Shortfall:
    """Need and supply of one resource over the round's window, in hours."""

    resource: str
    need_h: float
    have_h: float

    @property
    def short_h(self) -> float:
        """Hours missing (0 when the supply covers the need)."""
        return max(0.0, self.need_h - self.have_h)


@dataclass(frozen=True, slots=True)
class Capacity:
    """The scenario's workload and supply, and the earliest possible finish.

    Attributes
    ----------
    site_people
        Residents expected at sites: mobile residents x turnout.
    door_people
        Residents sampled at doors (locked buildings and the immobile).
    desk, samplers, registrars, sweepers
        Need and supply in hours within [start, deadline].
    finish_lower_bound
        Earliest minute at which every expected site visitor could have been served and every door
        visit made, given the desks open and the staff available minute by minute; ``None`` when
        the supply never suffices (within the latest window any site or person offers).
    """

    site_people: float
    door_people: int
    desk: Shortfall
    samplers: Shortfall
    registrars: Shortfall
    sweepers: Shortfall
    finish_lower_bound: float | None


def assess(scenario: Scenario) -> Capacity:
    """Compute workload, supply and the finish lower bound of ``scenario``."""
    flow, crew, rnd = scenario.flow, scenario.crew, scenario.round
    site_people = scenario.mobile_residents * flow.turnout
    door_people = scenario.door_residents
    site_work_h = site_people * flow.service_s / 3600.0
    door_work_h = (door_people * crew.door_s_per_person + _least_door_climb_s(scenario)) / 3600.0
    called_households = sum(b.households for b in scenario.buildings if not b.locked)

    def window_h(start: int, end: int) -> float:
        return max(0, min(end, rnd.deadline) - max(start, rnd.start)) / 60.0

    def role_h(role: Role) -> float:
        return sum(
            min(p.max_hours, window_h(p.available_from, p.available_to))
            for p in scenario.staff
            if p.role == role
        )

    desk = Shortfall(
        "desk",
        site_work_h,
        sum(s.max_desks * window_h(s.open_from, s.open_to) for s in scenario.sites),
    )
    samplers = Shortfall(
        Role.SAMPLER,
        site_work_h * crew.desk_samplers + door_work_h * crew.door_samplers,
        role_h(Role.SAMPLER),
    )
    registrars = Shortfall(
        Role.REGISTRAR,
        site_work_h * crew.desk_registrars + door_work_h * crew.door_registrars,
        role_h(Role.REGISTRAR),
    )
    sweepers = Shortfall(
        Role.SWEEPER,
        called_households * crew.sweep_s_per_household / 3600.0,
        role_h(Role.SWEEPER),
    )
    return Capacity(
        site_people=site_people,
        door_people=door_people,
        desk=desk,
        samplers=samplers,
        registrars=registrars,
        sweepers=sweepers,
        finish_lower_bound=_finish_lower_bound(
            scenario,
            site_work_h * 60,
            door_work_h * 60,
            called_households * crew.sweep_s_per_household / 60.0,
        ),
    )


def _least_door_climb_s(scenario: Scenario) -> float:
    """Seconds of climbing that any set of door visits needs (plan rule 6).

    A visit to floors up to ``f`` lasts at least ``2 x (f - 1) x stairs_s_per_floor``, or one
    ``lift_s`` ride where the building has a lift and ``f >= lift_from_floor``; the least a
    building can cost is one visit covering all its door floors (the top floor for a locked
    building; for immobile residents, whose floors are unknown, the ground floor: nothing).
    """
    flow = scenario.flow
    total = 0.0
    for b in scenario.buildings:
        if not b.locked or b.door_people <= 0:
            continue
        stairs = 2 * (b.floors - 1) * flow.stairs_s_per_floor
        lift = flow.lift_s if b.lift and b.floors >= flow.lift_from_floor else math.inf
        total += min(stairs, lift)
    return total


def _finish_lower_bound(
    scenario: Scenario, site_work_min: float, door_work_min: float, calling_min: float = 0.0
) -> float | None:
    """Earliest minute T with enough desk-, crew- and sweeper-minutes in [start, T].

    Desk-minutes at minute t are limited by the desks of the sites open at t and by the complete
    desk crews the samplers and registrars available at t can form. Sampler- and registrar-minutes
    must also cover door visits (their least climbing included). Sweeper-minutes, counted from
    each sweeper's arrival (calls may be made before the sites open), must cover the calling:
    nobody is sampled before being called. Each person's ``max_hours`` is ignored, and so is
    walking (relaxations).
    """
    crew, start = scenario.crew, scenario.round.start
    ends = [s.open_to for s in scenario.sites] + [p.available_to for p in scenario.staff]
    horizon = max([*ends, start + 1])
    minutes = horizon - start

    def active(intervals: list[tuple[int, int]], weights: list[int] | None = None) -> IntArray:
        counts = np.zeros(minutes + 1, dtype=np.int64)
        for k, (lo, hi) in enumerate(intervals):
            lo, hi = max(lo, start) - start, max(min(hi, horizon), start) - start
            if hi > lo:
                weight = 1 if weights is None else weights[k]
                counts[lo] += weight
                counts[hi] -= weight
        return np.cumsum(counts)[:minutes]

    def people(role: Role) -> IntArray:
        return active(
            [(p.available_from, p.available_to) for p in scenario.staff if p.role == role]
        )

    desks = active(
        [(s.open_from, s.open_to) for s in scenario.sites], [s.max_desks for s in scenario.sites]
    )
    samplers, registrars = people(Role.SAMPLER), people(Role.REGISTRAR)
    desk_rate = np.minimum(desks, samplers // crew.desk_samplers)
    if crew.desk_registrars:
        desk_rate = np.minimum(desk_rate, registrars // crew.desk_registrars)
    # Each requirement is (per-minute supply, minutes of work it must cover).
    requirements = [
        (desk_rate, site_work_min),
        (samplers, site_work_min * crew.desk_samplers + door_work_min * crew.door_samplers),
        (registrars, site_work_min * crew.desk_registrars + door_work_min * crew.door_registrars),
    ]
    sweepers = [p for p in scenario.staff if p.role == Role.SWEEPER]
    called_before_start = sum(
        min(p.max_hours * 60, max(0, min(p.available_to, start) - p.available_from))
        for p in sweepers
    )
    if calling_min > called_before_start:
        requirements.append((people(Role.SWEEPER), calling_min - called_before_start))
    finish = float(start)
    for rate, work in requirements:
        if work <= 0:
            continue
        cumulative = np.cumsum(rate, dtype=float)
        if cumulative.size == 0 or cumulative[-1] < work:
            return None
        whole = int(np.searchsorted(cumulative, work))  # first minute index reaching `work`
        before = cumulative[whole - 1] if whole > 0 else 0.0
        # Within that minute the supply works at rate[whole] per minute.
        finish = max(finish, start + whole + (work - before) / float(rate[whole]))
    return finish


def capacity_warnings(scenario: Scenario, capacity: Capacity | None = None) -> list[Problem]:
    """Warnings that the round cannot finish by its deadline, with the numbers.

    Each names the resource, the hours needed and available within [start, deadline], and, for
    people, roughly how many more it would take.
    """
    cap = capacity or assess(scenario)
    rnd = scenario.round
    warnings: list[Problem] = []

    def warn(code: str, **values: object) -> None:
        # About the scenario as a whole: no file, row or column to point at.
        warnings.append(Problem("", None, None, code, values, severity="warning"))

    if cap.desk.short_h > 0:
        warn(
            "short_desk_hours",
            need=cap.desk.need_h,
            have=cap.desk.have_h,
            short=cap.desk.short_h,
        )
    for shortfall in (cap.samplers, cap.registrars, cap.sweepers):
        if shortfall.short_h > 0:
            people = math.ceil(shortfall.short_h / max(rnd.hours, 1e-9))
            warn(
                "short_role_hours",
                role=Ref(f"role_{shortfall.resource}"),
                need=shortfall.need_h,
                have=shortfall.have_h,
                short=shortfall.short_h,
                people=people,
            )
    marshals = scenario.staff_count()[Role.MARSHAL]
    if marshals < scenario.crew.marshals_per_site:
        warn("short_marshals", have=marshals, need=scenario.crew.marshals_per_site)
    bound = cap.finish_lower_bound
    if bound is None:
        warn("late_never", deadline=format_hhmm(rnd.deadline))
    elif bound > rnd.deadline:
        warn(
            "late_lower_bound",
            bound=format_hhmm(math.ceil(bound)),
            deadline=format_hhmm(rnd.deadline),
        )
    return warnings
