"""Staff supply over the day: how many desk crews and marshals each time slot can have.

Everybody is assumed to work as early as they can (the round should finish early): from the later
of their arrival and the round's start, for ``max_hours`` in all, samplers in stints of
``max_ppe_h`` separated by ``ppe_break_min``. A person counts in a slot only when that block covers
the whole slot. This is the profile the desk allocation plans against; the roster builder then
names people for it, and whatever it cannot staff is stepped down before calls are scheduled.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt

from planner.model import Role, Scenario, Staff
from planner.solver.desks import slots_touched

IntArray = npt.NDArray[np.int64]


def work_blocks(
    person: Staff, start: int, max_ppe_h: float, break_min: float
) -> list[tuple[int, int]]:
    """The front-loaded working intervals of ``person`` from ``start`` (whole minutes)."""
    begin = max(person.available_from, start)
    budget = int(person.max_hours * 60)
    if person.role is not Role.SAMPLER:
        end = min(person.available_to, begin + budget)
        return [(begin, end)] if end > begin else []
    stint, rest = int(max_ppe_h * 60), int(np.ceil(break_min))
    blocks: list[tuple[int, int]] = []
    t = begin
    while budget > 0 and t < person.available_to:
        end = min(person.available_to, t + min(stint, budget))
        blocks.append((t, end))
        budget -= end - t
        t = end + rest
    return blocks


def people_per_slot(
    staff: Iterable[Staff],
    role: Role,
    scenario: Scenario,
    slot_start: int,
    slot_min: int,
    n_slots: int,
) -> IntArray:
    """People of ``role`` whose front-loaded blocks cover each whole slot."""
    crew = scenario.crew
    counts = np.zeros(n_slots, dtype=np.int64)
    for person in staff:
        if person.role is not role:
            continue
        for lo, hi in work_blocks(person, scenario.round.start, crew.max_ppe_h, crew.ppe_break_min):
            first = max(0, -(-(lo - slot_start) // slot_min))
            last = min(n_slots, (hi - slot_start) // slot_min)
            if last > first:
                counts[first:last] += 1
    return counts


def crews_per_slot(
    scenario: Scenario,
    staff: Sequence[Staff],
    slot_start: int,
    slot_min: int,
    n_slots: int,
    door_windows: Iterable[tuple[int, int]] = (),
) -> tuple[IntArray, IntArray]:
    """Desk crews and marshals available per slot, after door teams take their members.

    Returns
    -------
    crews, marshals
        Integer arrays of length ``n_slots``.
    """
    crew = scenario.crew

    def per_slot(role: Role) -> IntArray:
        return people_per_slot(staff, role, scenario, slot_start, slot_min, n_slots)

    samplers, registrars = per_slot(Role.SAMPLER), per_slot(Role.REGISTRAR)
    for lo, hi in door_windows:
        first, last = slots_touched(lo, hi, slot_start, slot_min, n_slots)
        samplers[first:last] -= crew.door_samplers
        registrars[first:last] -= crew.door_registrars
    crews = np.maximum(0, samplers) // crew.desk_samplers
    if crew.desk_registrars:
        crews = np.minimum(crews, np.maximum(0, registrars) // crew.desk_registrars)
    return crews.astype(np.int64), per_slot(Role.MARSHAL)
