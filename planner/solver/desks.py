"""How many desks each open site runs in each time slot.

Given each site's work (desk-minutes) and the desk crews and marshals the roster can field in each
slot, choose integer desks per site and slot so that every site's work is covered, no slot uses
more crews or marshals than exist, desks stay within ``max_desks`` and the site's opening hours,
and the last busy slot is as early as possible; then use as few desk-slots as possible, and change
desk counts rarely (every change moves people between posts).

A site is open in one block of slots (it may open late, when crews or marshals arrive, but never
closes and reopens): a queue never meets a closed site in the middle of the day.
"""

from __future__ import annotations

import heapq
import math
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from ortools.sat.python import cp_model

from planner.plan import DeskSpell

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class DeskProblem:
    """Plain-data input of :func:`allocate_desks`.

    Attributes
    ----------
    site_ids
        Sites to staff (only sites with work).
    work_min
        Desk-minutes of service each site must offer.
    max_desks
        Desk limit of each site.
    first_slot, last_slot
        Slots (inclusive, exclusive) in which each site may be open.
    crews, marshals
        Desk crews and marshals available in each slot.
    marshals_per_site
        Marshals an open site needs.
    slot_start, slot_min
        Minute of slot 0 and slot length.
    """

    site_ids: tuple[str, ...]
    work_min: npt.NDArray[np.float64]
    max_desks: IntArray
    first_slot: IntArray
    last_slot: IntArray
    crews: IntArray
    marshals: IntArray
    marshals_per_site: int
    slot_start: int
    slot_min: int
    site_cap: IntArray | None = None  # (sites, slots): desks each site can use (its sweepers)
    # Sites fed together (a pooled committee's sweepers): each site's group or -1, and
    # (groups, slots) desks each group's sweepers can feed, summed over its sites.
    group_of: IntArray | None = None
    group_cap: IntArray | None = None

    def cap(self, s: int, k: int) -> int:
        """Most desks site ``s`` may run in slot ``k``."""
        limit = int(self.max_desks[s])
        return limit if self.site_cap is None else min(limit, int(self.site_cap[s, k]))


@dataclass(frozen=True)
class DeskAllocation:
    """Desks per site and slot, as a (sites, slots) integer array, and as spells."""

    desks: IntArray
    spells: tuple[DeskSpell, ...]
    finish_slot: int
    status: str
    seconds: float


def allocate_desks(problem: DeskProblem, time_limit: float = 10.0, seed: int = 0) -> DeskAllocation:
    """Solve the desk allocation with CP-SAT (greedy hint, best found within ``time_limit``).

    The returned allocation covers every site's work when the slots, caps and crews allow it;
    where they do not, the model leaves the least work uncovered (each desk-slot short costs more
    than any finish), the greedy hint keeps sites open to the end of the horizon, and the
    shortfall shows up in the plan's simulated finish (the caller extends desks and diagnoses it).
    """
    started = time.perf_counter()
    n_sites, n_slots = len(problem.site_ids), int(problem.crews.size)
    if n_sites == 0:
        return DeskAllocation(np.zeros((0, n_slots), np.int64), (), 0, "empty", 0.0)
    need = np.ceil(problem.work_min / problem.slot_min - 1e-9).astype(np.int64)
    # Work a site's caps cannot hold in any plan is left out of the hint (the model still pays
    # for it as shortfall): chasing it makes the greedy starve sites that can finish.
    hint = greedy_desks(problem, np.minimum(need, cap_matrix(problem).sum(axis=1)))

    model = cp_model.CpModel()
    desks = [[model.new_constant(0) for _ in range(n_slots)] for _ in range(n_sites)]
    active: list[list[cp_model.IntVar | int]] = [[0] * n_slots for _ in range(n_sites)]
    makespan = model.new_int_var(0, n_slots, "makespan")
    shortfall: list[cp_model.IntVar] = []
    for s in range(n_sites):
        lo, hi = int(problem.first_slot[s]), int(problem.last_slot[s])
        for k in range(lo, hi):
            d = model.new_int_var(0, problem.cap(s, k), f"d{s}_{k}")
            u = model.new_bool_var(f"u{s}_{k}")
            model.add(d <= problem.cap(s, k) * u)
            model.add(d >= u)  # an open site has at least one desk
            desks[s][k], active[s][k] = d, u
            model.add(makespan >= (k + 1) * u)
            model.add_hint(d, int(hint[s, k]))
            model.add_hint(u, int(hint[s, k] > 0))
        # Open once, in one block: a site may open late (crews or marshals arrive) but never
        # closes and reopens, so nobody meets a closed site in the middle of the day.
        opens = [model.new_bool_var(f"o{s}_{k}") for k in range(lo, hi)]
        model.add(sum(opens) <= 1)
        for k in range(lo, hi):
            previous = active[s][k - 1] if k > lo else 0
            model.add(active[s][k] <= previous + opens[k - lo])
        if hi > lo:  # a site with no whole slot open cannot take work (the location knows)
            # Work the site's slots cannot hold (its sweepers' window is too short) is allowed
            # but costs more than any finish: the calling rounds then extend its desks.
            short = model.new_int_var(0, int(need[s]), f"short{s}")
            model.add(sum(desks[s][k] for k in range(lo, hi)) + short >= int(need[s]))
            shortfall.append(short)
    # Each group's sites with its caps per slot (pooled committees).
    groups: list[tuple[list[int], IntArray]] = []
    if problem.group_cap is not None and problem.group_of is not None:
        for g, row in enumerate(problem.group_cap):
            members = [s for s in range(n_sites) if int(problem.group_of[s]) == g]
            if members:
                groups.append((members, row))
    for k in range(n_slots):
        model.add(sum(desks[s][k] for s in range(n_sites)) <= int(problem.crews[k]))
        for members, row in groups:
            model.add(sum(desks[s][k] for s in members) <= int(row[k]))
        if problem.marshals_per_site:
            model.add(
                problem.marshals_per_site * sum(active[s][k] for s in range(n_sites))
                <= int(problem.marshals[k])
            )
    # Changes of desk count between slots, lightly penalised.
    changes = []
    for s in range(n_sites):
        lo, hi = int(problem.first_slot[s]), int(problem.last_slot[s])
        for k in range(lo + 1, hi):
            delta = model.new_int_var(0, int(problem.max_desks[s]), f"c{s}_{k}")
            model.add_abs_equality(delta, desks[s][k] - desks[s][k - 1])
            changes.append(delta)
    total = sum(d for row in desks for d in row)
    big = n_sites * n_slots * int(problem.max_desks.max()) + 1
    model.minimize(
        big * 4 * (n_slots + 1) * sum(shortfall) + big * 4 * makespan + 4 * total + sum(changes)
    )

    solver = cp_model.CpSolver()
    # A deterministic budget on one worker: the same problem and seed give the same desks on a
    # busy machine or an idle one (wall-clock limits would not).
    solver.parameters.max_deterministic_time = time_limit
    solver.parameters.random_seed = seed
    solver.parameters.num_workers = 1
    status = solver.solve(model)
    values, name = hint, "greedy"
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        found = np.array(
            [[solver.value(desks[s][k]) for k in range(n_slots)] for s in range(n_sites)],
            dtype=np.int64,
        )
        # CP-SAT may stop at the time limit with a worse plan than its hint: keep the better.
        if _score(found, problem) <= _score(hint, problem):
            values = found
            name = "optimal" if status == cp_model.OPTIMAL else "feasible"
    return DeskAllocation(
        desks=values,
        spells=to_spells(values, problem),
        finish_slot=int(np.max(np.nonzero(values.any(axis=0))[0], initial=-1)) + 1,
        status=name,
        seconds=time.perf_counter() - started,
    )


def cap_matrix(problem: DeskProblem) -> IntArray:
    """(sites, slots): most desks each site may run in each slot (0 outside its window)."""
    n_sites, n_slots = len(problem.site_ids), int(problem.crews.size)
    caps = np.zeros((n_sites, n_slots), dtype=np.int64)
    for s in range(n_sites):
        for k in range(int(problem.first_slot[s]), min(n_slots, int(problem.last_slot[s]))):
            caps[s, k] = problem.cap(s, k)
    return caps


def greedy_desks(problem: DeskProblem, need: IntArray) -> IntArray:
    """A good allocation that keeps the model's rules: crews go where the work is most urgent.

    Each slot, sites already open stay open (one desk each) until their work is done, then new
    sites open while crews and marshals last, then the remaining crews are handed out one desk at
    a time to the site whose work left takes the largest share of the desk-slots its caps still
    allow (the site that would otherwise finish last, or not at all: a site whose sweepers
    leave early must be served while they are there). A site that cannot open when it first may
    opens later. When crews fall below the number of open sites a site may close and reopen: the
    result is then only a hint, and the CP-SAT model (one block per site) is kept if it finds a
    plan at least as good.
    """
    n_sites, n_slots = len(problem.site_ids), int(problem.crews.size)
    left = need.astype(np.int64).copy()
    out = np.zeros((n_sites, n_slots), dtype=np.int64)
    caps = cap_matrix(problem)
    # Desk-slots each site's caps allow from each slot on.
    future = np.cumsum(caps[:, ::-1], axis=1)[:, ::-1]
    n_groups = 0 if problem.group_cap is None else int(problem.group_cap.shape[0])
    unlimited = int(caps.sum()) + 1
    group = problem.group_of if problem.group_of is not None else np.full(n_sites, -1)
    was_open = np.zeros(n_sites, dtype=bool)
    for k in range(n_slots):
        crews, marshals = int(problem.crews[k]), int(problem.marshals[k])
        # Desks each group may still run in this slot; the last entry is "no group" (-1).
        room = np.full(n_groups + 1, unlimited, dtype=np.int64)
        if problem.group_cap is not None:
            room[:-1] = problem.group_cap[:, k]

        def urgency(s: int, given: int, k: int = k) -> float:
            return -(int(left[s]) - given) / max(1, int(future[s, k]))

        open_now = (left > 0) & (caps[:, k] > 0)
        keep = [s for s in range(n_sites) if open_now[s] and was_open[s]]
        new = [s for s in range(n_sites) if open_now[s] and not was_open[s]]
        new.sort(key=lambda s: urgency(s, 0))
        chosen: list[int] = []
        for s in keep + new:
            if crews <= 0 or marshals < problem.marshals_per_site:
                break
            if room[group[s]] <= 0:
                continue
            chosen.append(s)
            out[s, k] = 1
            room[group[s]] -= 1
            crews -= 1
            marshals -= problem.marshals_per_site
        heap = [(urgency(s, 1), s) for s in chosen]
        heapq.heapify(heap)
        while crews > 0 and heap:
            _, s = heapq.heappop(heap)
            if out[s, k] >= caps[s, k] or out[s, k] >= left[s] or room[group[s]] <= 0:
                continue
            out[s, k] += 1
            room[group[s]] -= 1
            crews -= 1
            heapq.heappush(heap, (urgency(s, int(out[s, k])), s))
        was_open[:] = False
        for s in chosen:
            left[s] -= out[s, k]
            was_open[s] = left[s] > 0
    return out


def fill_crews(desks: IntArray, problem: DeskProblem, keep: Collection[int] = ()) -> IntArray:
    """``desks`` with every spare crew put to a desk of a site already open in that slot.

    Each slot's crews beyond the allocation go one at a time to the open site whose desks the
    allocation still needs most from that slot on, relative to the desks it has then, within
    ``max_desks`` (not the sweepers' caps: calls paced by the desks, as
    :func:`planner.solver.relay.dispatch_by_sweepers` makes them, use whatever desks there are).
    Opening hours, the one-block rule and the marshals stay as they were: no site opens anew.
    The rows in ``keep`` (sites whose desks the user pinned) get no more desks; their crews
    still count.
    """
    out = desks.copy()
    left = np.cumsum(desks[:, ::-1], axis=1)[:, ::-1]  # desk-slots still planned from each slot
    for k in range(out.shape[1]):
        spare = int(problem.crews[k]) - int(out[:, k].sum())
        heap = [
            (-int(left[s, k]) / int(out[s, k]), s)
            for s in range(out.shape[0])
            if out[s, k] > 0 and out[s, k] < problem.max_desks[s] and s not in keep
        ]
        heapq.heapify(heap)
        while spare > 0 and heap:
            _, s = heapq.heappop(heap)
            out[s, k] += 1
            spare -= 1
            if out[s, k] < problem.max_desks[s]:
                heapq.heappush(heap, (-int(left[s, k]) / int(out[s, k]), s))
    return out


def desks_from_profile(
    profile: npt.NDArray[np.float64],
    profile_start: int,
    profile_min: int,
    problem: DeskProblem,
    round_down_below: float = 0.05,
) -> IntArray:
    """Whole desks per site and slot of ``problem`` that follow a fractional desk profile.

    Parameters
    ----------
    profile
        (sites, fine slots): fractional desks, rows as ``problem.site_ids``, on a grid of
        ``profile_min``-minute slots from minute ``profile_start`` (e.g. a fluid schedule).
    round_down_below
        A fraction of a desk at most this is dropped rather than rounded up.

    Returns
    -------
    IntArray
        (sites, slots): in each slot of ``problem``, the most desks the profile runs in any fine
        slot inside it, rounded up, within ``max_desks`` and the site's hours; no more desks
        than crews (the desks rounded up most are taken back first) and no more open sites than
        marshals (the sites with the least profile close first); each site then open in one
        block, gaps filled with one desk where a crew and the marshals are free.
    """
    n_sites, n_slots = len(problem.site_ids), int(problem.crews.size)
    peak = np.zeros((n_sites, n_slots))
    fine_edges = profile_start + profile_min * np.arange(profile.shape[1] + 1)
    for k in range(n_slots):
        lo = problem.slot_start + k * problem.slot_min
        inside = (fine_edges[:-1] >= lo) & (fine_edges[1:] <= lo + problem.slot_min)
        if inside.any():
            peak[:, k] = profile[:, inside].max(axis=1)
    out = np.ceil(np.maximum(peak - round_down_below, 0.0)).astype(np.int64)
    out = np.minimum(out, problem.max_desks[:, None])
    for s in range(n_sites):
        out[s, : int(problem.first_slot[s])] = 0
        out[s, int(problem.last_slot[s]) :] = 0
    most_open = _most_open(problem)
    for k in range(n_slots):
        while out[:, k].sum() > problem.crews[k] and out[:, k].any():
            excess = np.where(out[:, k] > 0, out[:, k] - peak[:, k], -np.inf)
            out[int(np.argmax(excess)), k] -= 1
        while int((out[:, k] > 0).sum()) > most_open[k]:
            least = np.where(out[:, k] > 0, peak[:, k], np.inf)
            out[int(np.argmin(least)), k] = 0
    for s in range(n_sites):
        used = np.nonzero(out[s])[0]
        for k in range(int(used[0]), int(used[-1]) + 1) if used.size else ():
            crew_free = out[:, k].sum() < problem.crews[k]
            if out[s, k] == 0 and crew_free and int((out[:, k] > 0).sum()) < most_open[k]:
                out[s, k] = 1
    return out


def _most_open(problem: DeskProblem) -> IntArray:
    """Most sites the marshals can keep open in each slot."""
    if not problem.marshals_per_site:
        return np.full(problem.crews.size, len(problem.site_ids), dtype=np.int64)
    return np.asarray(problem.marshals, dtype=np.int64) // problem.marshals_per_site


def _score(desks: IntArray, problem: DeskProblem) -> tuple[int, int, int]:
    """(slots with uncovered work, finish slot, desk-slots): lower is better."""
    need = np.ceil(problem.work_min / problem.slot_min - 1e-9)
    short = int(np.maximum(0, need - desks.sum(axis=1)).sum())
    used = np.nonzero(desks.any(axis=0))[0]
    finish = int(used.max()) + 1 if used.size else 0
    return short, finish, int(desks.sum())


def to_spells(desks: IntArray, problem: DeskProblem) -> tuple[DeskSpell, ...]:
    """Runs of equal desk counts as :class:`DeskSpell` rows."""
    spells: list[DeskSpell] = []
    for s, site_id in enumerate(problem.site_ids):
        row = desks[s]
        k = 0
        while k < row.size:
            if row[k] == 0:
                k += 1
                continue
            j = k
            while j + 1 < row.size and row[j + 1] == row[k]:
                j += 1
            start = problem.slot_start + k * problem.slot_min
            end = problem.slot_start + (j + 1) * problem.slot_min
            spells.append(DeskSpell(site_id, start, end, int(row[k])))
            k = j + 1
    return tuple(spells)


def slot_desks(spells: Sequence[DeskSpell], problem: DeskProblem) -> IntArray:
    """Desks of ``spells`` (one site's) per slot of ``problem``: the most in any part of it."""
    row = np.zeros(problem.crews.size, dtype=np.int64)
    for spell in spells:
        first, last = slots_touched(
            spell.start, spell.end, problem.slot_start, problem.slot_min, row.size
        )
        row[first:last] = np.maximum(row[first:last], spell.desks)
    return row


def slots_touched(
    start: int, end: int, slot_start: int, slot_min: int, n_slots: int
) -> tuple[int, int]:
    """Slots with any part inside [start, end), of ``n_slots``: (first, last exclusive)."""
    first = max(0, (start - slot_start) // slot_min)
    last = min(n_slots, -(-(end - slot_start) // slot_min))
    return first, max(first, last)


def slots_between(start: int, end: int, slot_start: int, slot_min: int) -> tuple[int, int]:
    """Slots fully inside [start, end): (first, last exclusive)."""
    first = max(0, math.ceil((start - slot_start) / slot_min))
    last = max(first, (end - slot_start) // slot_min)
    return first, last
