"""When the deadline cannot be met: what is short, by how much, and what deadline would work.

Shortages are measured on the same relaxation as the finish lower bound
(:func:`planner.capacity.assess`): the smallest number of extra samplers, registrars or desk crews
(available for the whole round) that brings the bound within the deadline. The deadline that would
be met is the plan's simulated p90 finish.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

from planner.capacity import assess
from planner.messages import Ref
from planner.model import Role, Scenario, Staff
from planner.problems import Problem
from planner.roster import Unfilled
from planner.solver.waves import Wave
from planner.timefmt import format_hhmm

#: Share of residents that may be undone by the deadline, below the turnout share, before the
#: plan counts as late (people who stay home are never "done" in the simulator).
_LATE_TOLERANCE = 0.005


def diagnose(
    scenario: Scenario,
    kpis: dict[str, Any],
    unfilled: Sequence[Unfilled],
    uncalled: Sequence[Wave],
) -> tuple[Problem, ...]:
    """Warnings explaining a late plan (empty when the plan is on time)."""
    rnd = scenario.round
    if scenario.residents == 0:
        return ()  # nobody to sample: nothing can be late
    finish_p90 = (kpis.get("finish") or {}).get("p90")
    done = (kpis.get("done_by_deadline") or {}).get("mean")
    # Residents who do not turn out are never done, so "everybody" is the turnout share.
    everybody = scenario.flow.turnout - _LATE_TOLERANCE
    on_time = (
        finish_p90 is not None
        and finish_p90 <= rnd.deadline
        and (done is None or done >= everybody)
    )
    out: list[Problem] = []

    def warn(code: str, **values: object) -> None:
        out.append(Problem("", None, None, code, values, severity="warning"))

    if not on_time:
        warn(
            "diag_late",
            finish=Ref("sum_bound_never")
            if finish_p90 is None
            else format_hhmm(math.ceil(finish_p90)),
            deadline=format_hhmm(rnd.deadline),
        )
        capacity = assess(scenario)
        if capacity.finish_lower_bound is None or capacity.finish_lower_bound > rnd.deadline:
            for role in (Role.SAMPLER, Role.REGISTRAR):
                extra = _extra_people(scenario, (role,))
                if extra is not None:
                    warn("diag_more_role", people=extra, role=Ref(f"role_{role.value}"))
            crews = _extra_people(scenario, (Role.SAMPLER, Role.REGISTRAR))
            if crews is not None:
                warn("diag_more_crews", crews=crews)
            if capacity.desk.short_h > 0:
                warn(
                    "diag_more_desks", desks=math.ceil(capacity.desk.short_h / max(rnd.hours, 1e-9))
                )
        marshals = scenario.staff_count()[Role.MARSHAL]
        if marshals < scenario.crew.marshals_per_site:
            warn("short_marshals", have=marshals, need=scenario.crew.marshals_per_site)
    if uncalled:
        warn("diag_uncalled", waves=len(uncalled), people=sum(w.people for w in uncalled))
    missing = sum((u.end - u.start) * u.missing for u in unfilled) / 60.0
    if missing > 0.05:
        warn("diag_unfilled", hours=missing)
    return tuple(out)


def _extra_people(scenario: Scenario, roles: Sequence[Role], limit: int = 5000) -> int | None:
    """Fewest extra people of each of ``roles`` (whole round) bringing the bound to the deadline."""
    rnd = scenario.round

    def bound_with(k: int) -> float | None:
        extra = tuple(
            Staff(f"__extra_{role.value}_{i}", "", role, "", rnd.start, rnd.deadline, rnd.hours)
            for role in roles
            for i in range(k)
        )
        widened = dataclasses.replace(scenario, staff=scenario.staff + extra)
        return assess(widened).finish_lower_bound

    def meets(k: int) -> bool:
        value = bound_with(k)
        return value is not None and value <= rnd.deadline

    if not meets(limit):
        return None
    lo, hi = 0, limit
    while lo < hi:
        mid = (lo + hi) // 2
        if meets(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo
