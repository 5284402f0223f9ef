"""Which sites open and which site each building goes to: what the location stage is asked.

:func:`planner.location.solve_location` solves a capacitated facility location on plain arrays.
This module decides the questions put to it: each site's capacity (people its desks serve before
the target finish), the passes and the fallbacks. The caller supplies the search itself
(``search``), with its time budget and progress reports.

A site's capacity counts its ``max_desks``. Where the crews on the staff list cannot man every
desk of the sites that open, that lets the location load the sites nearest the most people up to
their full desks, and the desk crews then fall short exactly there: on compound-103 six of eight
sites needed 162-165 minutes at their most desks while the crews could man 46 of the 50 desks,
and two sites sat half loaded. A second pass then loads every open site as if it ran the same
share of its desks as the crews allow (:func:`desk_share`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from planner.location import LocationResult
from planner.model import Scenario, Site
from planner.solver.desks import slots_between

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: ``search(capacity, allowed, max_open)`` runs the location model over the buildings that
#: send people to sites, ``allowed`` being (sites, those buildings).
Search = Callable[[FloatArray, BoolArray, "int | None"], LocationResult]

#: A desk share this close to 1 leaves the first pass as it is.
_SHARE_TOLERANCE = 0.005
#: ... and so does one below this. Where the crews man most desks, every site needs nearly all
#: of its own, so each is loaded at the share; where they man few, the desk stage moves them to
#: wherever the people are, and a site's most desks is the limit that holds. Measured: tiny
#: (share 0.38) went from 08:43 to 08:49 with the pass; compound-103 (0.91) 09:24 -> 09:14.
_MIN_SHARE = 0.75


@dataclass(frozen=True)
class Siting:
    """The location stage's answer.

    Attributes
    ----------
    location
        The result whose assignment was kept (its ``status`` says how good it is).
    passes
        ``"target"`` (capacities at every site's most desks until the target), ``"shared"``
        (the second pass at the crews' desk share), ``"day"`` (the whole day's capacity, every
        site allowed: the target could not be met) or ``"nearest"`` (no capacity-respecting
        assignment: each building to its nearest allowed site).
    desk_share
        Share of the first pass's open desks the crews can man before the target
        (:func:`desk_share`); the ``"shared"`` pass scaled every capacity by it. 1 for the
        ``"day"`` and ``"nearest"`` passes (not computed).
    """

    location: LocationResult
    passes: str
    desk_share: float


def site_capacity(scenario: Scenario, until: int | None, slot_min: int) -> FloatArray:
    """People each site's most desks serve from its first whole slot until ``until`` (``None``:
    until the site closes)."""
    flow = scenario.flow
    return np.array(
        [
            s.max_desks
            * slot_minutes(scenario, s, s.open_to if until is None else until, slot_min)
            * 60.0
            / flow.service_s
            for s in scenario.sites
        ]
    )


def site_slots(scenario: Scenario, site: Site, slot_min: int) -> tuple[int, int]:
    """The whole slots of ``site``'s opening hours, counted from the round's start: (first, last
    exclusive). Desks change only on whole slots (:func:`planner.solver.desks.slots_between`)."""
    start = scenario.round.start
    return slots_between(max(site.open_from, start), site.open_to, start, slot_min)


def slot_minutes(scenario: Scenario, site: Site, until: int, slot_min: int) -> int:
    """Minutes before ``until`` in which ``site`` can run desks: a site whose opening hours hold
    no whole slot (:func:`site_slots`) can serve nobody and must get no buildings."""
    start = scenario.round.start
    first, last = site_slots(scenario, site, slot_min)
    return max(0, min(start + last * slot_min, until) - (start + first * slot_min))


def open_desks(scenario: Scenario, is_open: BoolArray, slot_min: int, n_slots: int) -> IntArray:
    """Most desks of the open sites per slot from the round's start (a site counts only in the
    whole slots of its opening hours)."""
    out = np.zeros(n_slots, dtype=np.int64)
    for site, opened in zip(scenario.sites, is_open, strict=True):
        if opened:
            first, last = site_slots(scenario, site, slot_min)
            out[first:last] += site.max_desks
    return out


def desk_share(crews: IntArray, desks: IntArray) -> float:
    """Share of the open ``desks`` the desk ``crews`` can man, over the same slots.

    ``sum(min(crews, desks)) / sum(desks)``: spare crews in one slot do not man another slot's
    desks. 1 when no desk is open.
    """
    total = int(desks.sum())
    if total <= 0:
        return 1.0
    return float(np.minimum(crews[: desks.size], desks).sum()) / total


def locate(
    scenario: Scenario,
    search: Search,
    *,
    capacity: FloatArray,
    capacity_day: FloatArray,
    allowed: BoolArray,
    allowed_day: BoolArray,
    most_sites: int | None,
    crews: IntArray,
    slot_min: int,
    target: int,
    stopped: Callable[[], bool] | None = None,
) -> Siting:
    """Run the location passes: the target's, then the crews' desk share, then the whole day.

    Parameters
    ----------
    search
        The location model (see :data:`Search`).
    capacity, allowed
        People each site serves until the target, and (sites, calling buildings) pairs allowed.
    capacity_day, allowed_day
        The same over the whole day, every open-able site allowed (pins kept): the fallback
        when the target cannot be met.
    most_sites
        At most this many sites open (the marshals on duty at the start), or ``None``.
    crews, slot_min, target
        Desk crews per slot from the round's start, for :func:`desk_share` until ``target``.
    stopped
        Once it returns ``True`` the desk-share pass is skipped (its first, rough plan would
        replace a searched one).

    Returns
    -------
    Siting
        The share pass's plan when it has one (it may use only the sites the first pass
        opened, so the share it was sized with holds); else the first pass's. ``location.assign``
        is ``-1`` everywhere when even the whole day's capacity cannot hold the buildings (pass
        ``"nearest"``: the caller sends each to its nearest allowed site).
    """
    location, limit = search(capacity, allowed, most_sites), most_sites
    if not location.has_plan and most_sites is not None:
        location, limit = search(capacity, allowed, None), None
    if not location.has_plan:
        day = search(capacity_day, allowed_day, None)
        return Siting(day, "day" if day.has_plan else "nearest", 1.0)
    slots = max(1, min(crews.size, (target - scenario.round.start) // slot_min))
    share = desk_share(crews, open_desks(scenario, location.open, slot_min, slots))
    if _MIN_SHARE <= share < 1.0 - _SHARE_TOLERANCE and not (stopped is not None and stopped()):
        shared = search(capacity * share, allowed & location.open[:, None], limit)
        if shared.has_plan:
            return Siting(shared, "shared", share)
    return Siting(location, "target", share)
