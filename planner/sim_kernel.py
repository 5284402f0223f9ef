"""Queueing kernels of the day simulation: pure functions on numpy arrays.

Nothing here knows about scenarios or plans, does I/O or draws random numbers: callers pass the
arrival and service times they drew (see :mod:`planner.simulate`). Every function is
deterministic, so the kernels can be validated against queueing theory and hand computations on
their own (``tests/test_simulate.py``).

Time is in one unit throughout (the simulation uses minutes since midnight); ``+inf`` means
"never".

Desk schedule semantics (used by :func:`serve_fifo`):

- A site's desk schedule is a list of spells ``(start, end, desks)``: ``desks`` desks are open
  during ``[start, end)``. Overlapping spells add up (like :func:`planner.plan.desks_at`).
- Desk ``k`` (0-based) is open exactly when more than ``k`` desks are open, so desk 0 is the one
  that stays open longest and closing removes the highest-numbered desks first.
- A desk only *starts* a service while it is open. A desk that closes while serving finishes its
  current person (nobody is sent away half-swabbed), then stays idle until it opens again.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

INF = math.inf

#: A desk spell as the kernel sees it: ``desks`` desks open during ``[start, end)``.
Spell = tuple[float, float, int]


def lognormal_params(mean: float, cv: float) -> tuple[float, float]:
    """``(mu, sigma)`` of the lognormal law with mean ``mean`` and coefficient of variation ``cv``.

    ``exp(mu + sigma * Z)`` with standard normal ``Z`` then has mean ``mean`` and standard deviation
    ``cv * mean``; ``cv = 0`` gives ``sigma = 0``, i.e. exactly ``mean`` every time.
    """
    if mean <= 0:
        raise ValueError(f"lognormal mean must be positive, got {mean}")
    if cv < 0:
        raise ValueError(f"coefficient of variation must be >= 0, got {cv}")
    sigma2 = math.log1p(cv * cv)
    return math.log(mean) - sigma2 / 2.0, math.sqrt(sigma2)


def lognormal_from_normal(z: FloatArray, mean: float, cv: float) -> FloatArray:
    """Lognormal values of mean ``mean`` and CV ``cv`` from standard normal draws ``z``.

    Taking the normal draws as input (rather than a generator) lets the caller attach them to
    people, so that the same person gets the same service time under any plan.
    """
    if mean == 0 or cv == 0:
        # Exactly ``mean`` (exp(log(mean)) may be off in the last bit, which spoils hand checks).
        return np.full(np.shape(z), float(mean))
    mu, sigma = lognormal_params(mean, cv)
    return np.asarray(np.exp(mu + sigma * z), dtype=float)


def desk_intervals(spells: Iterable[Spell]) -> list[tuple[list[float], list[float]]]:
    """Open intervals of each desk of a site, from its spells.

    Parameters
    ----------
    spells
        ``(start, end, desks)`` triples in any order; spells with ``end <= start`` or
        ``desks <= 0`` are ignored and overlapping spells add up.

    Returns
    -------
    list of (starts, ends)
        Entry ``k`` holds desk ``k``'s maximal open intervals ``[starts[i], ends[i])``, sorted and
        disjoint: a desk that stays open across two touching spells is not reported as closing in
        between. The list has one entry per desk of the busiest moment.
    """
    deltas: dict[float, int] = {}
    for start, end, desks in spells:
        if end > start and desks > 0:
            deltas[start] = deltas.get(start, 0) + int(desks)
            deltas[end] = deltas.get(end, 0) - int(desks)
    out: list[tuple[list[float], list[float]]] = []
    level = 0
    # Walk the step function: desk k opens when the level rises above k and closes when it falls
    # back to k or below. Changes at one instant were summed, so a desk that stays open across
    # touching spells never closes and reopens at the same instant.
    for t in sorted(deltas):
        new = level + deltas[t]
        for k in range(level, new):  # desks level..new-1 open
            while len(out) <= k:
                out.append(([], []))
            out[k][0].append(t)
        for k in range(new, level):  # desks new..level-1 close
            out[k][1].append(t)
        level = new
    return out


def serve_fifo(
    arrivals: npt.ArrayLike,
    service: npt.ArrayLike,
    desk_open: Sequence[Spell],
) -> tuple[FloatArray, FloatArray, IntArray]:
    """Serve one site's customers first-in first-out at desks that open and close.

    Parameters
    ----------
    arrivals
        Arrival time of each customer; need not be sorted. Customers arriving at the same time
        are queued in input order.
    service
        Service time of each customer (same length and order as ``arrivals``), >= 0.
    desk_open
        The site's desk schedule as ``(start, end, desks)`` spells (see the module docstring for
        what open and closed mean).

    Returns
    -------
    start, end, desk
        Per customer, in input order: when service starts and ends, and the 0-based desk.
        Customers who can never be served (they are still waiting when no desk will open again)
        get ``start = end = +inf`` and ``desk = -1``.

    Notes
    -----
    Customers are taken in arrival order; each takes the desk that can start them earliest, which
    is when the desk is free and open and the customer is there. Among desks that could start them
    at the same instant the lowest-numbered one takes them: it is also the one that stays open
    longest (desk ``k`` is open whenever desk ``k + 1`` is), so desks about to close are left idle.
    The rule matters: which desk serves can change later start times. Start times are
    non-decreasing in arrival order: nobody overtakes. A min-heap holds
    per desk the earliest instant at which it could start somebody; a key that lies before the
    current arrival is stale and is moved to the desk's first open instant at or after the arrival
    before it is used. The loop makes one cheap pass per customer, O(n log c) in all.
    """
    arr = np.asarray(arrivals, dtype=float)
    svc = np.asarray(service, dtype=float)
    if arr.shape != svc.shape or arr.ndim != 1:
        raise ValueError("arrivals and service must be 1-D arrays of the same length")
    n = arr.size
    start = np.full(n, INF)
    end = np.full(n, INF)
    desk = np.full(n, -1, dtype=np.int64)
    intervals = desk_intervals(desk_open)
    if n == 0 or not intervals:
        return start, end, desk

    def make_next_open(starts: list[float], ends: list[float]) -> Callable[[float], float]:
        # Earliest open instant >= x of one desk; +inf when it never opens again.
        if len(starts) == 1:
            s0, e0 = starts[0], ends[0]

            def one(x: float) -> float:
                if x < s0:
                    return s0
                return x if x < e0 else INF

            return one

        last = len(starts) - 1

        def many(x: float) -> float:
            i = bisect_right(starts, x) - 1
            if i >= 0 and x < ends[i]:
                return x
            return starts[i + 1] if i < last else INF

        return many

    next_open = [make_next_open(s, e) for s, e in intervals]
    heap: list[tuple[float, int]] = [(s[0], k) for k, (s, _) in enumerate(intervals)]
    heapq.heapify(heap)
    heapreplace = heapq.heapreplace

    order = np.argsort(arr, kind="stable")
    arr_l = arr[order].tolist()
    svc_l = svc[order].tolist()
    start_l: list[float] = []
    end_l: list[float] = []
    desk_l: list[int] = []
    for a, s in zip(arr_l, svc_l, strict=True):
        t, k = heap[0]
        while t < a:
            # Desk k has been idle since before this arrival: it can start this customer at its
            # first open instant from the arrival on.
            heapreplace(heap, (next_open[k](a), k))
            t, k = heap[0]
        if t == INF:
            break  # no desk opens again: this customer and all later ones are never served
        e = t + s
        start_l.append(t)
        end_l.append(e)
        desk_l.append(k)
        heapreplace(heap, (next_open[k](e), k))
    served = len(start_l)
    idx = order[:served]
    start[idx] = start_l
    end[idx] = end_l
    desk[idx] = desk_l
    return start, end, desk


def lift_down(ready: npt.ArrayLike, ride: float, capacity: int) -> FloatArray:
    """Times at which people waiting for one lift reach the ground floor.

    Parameters
    ----------
    ready
        When each person is at the lift, in any order.
    ride
        Length of one ride, down and back up (the lift's round trip).
    capacity
        People per ride (>= 1).

    Returns
    -------
    FloatArray
        Per person, in input order, when they are down.

    Notes
    -----
    The lift serves a FIFO queue in batches: when it is free and somebody waits, it leaves with
    the (up to ``capacity``) longest-waiting people who are there at that instant; it does not
    wait to fill up. A ride takes ``ride`` minutes in all: the lift comes up to fetch its riders
    and takes them down, so riders are down ``ride`` after it leaves and the lift is free again at
    that moment. People ready at the same instant ride in input order.
    """
    r = np.asarray(ready, dtype=float)
    n = r.size
    out = np.empty(n)
    if n == 0:
        return out
    cap = max(1, int(capacity))
    order = np.argsort(r, kind="stable")
    times = r[order].tolist()
    down: list[float] = []
    free = -INF
    i = 0
    while i < n:
        leave = free if free > times[i] else times[i]
        j = min(i + cap, bisect_right(times, leave, i, n))
        free = leave + ride
        down.extend([free] * (j - i))
        i = j
    out[order] = down
    return out


def queue_lengths(
    arrivals_sorted: FloatArray, starts_sorted: FloatArray, at: FloatArray
) -> IntArray:
    """People waiting (arrived, not yet started) just after each instant of ``at``.

    Both event arrays must be sorted ascending; ``starts_sorted`` may end with ``+inf`` for people
    never served.
    """
    arrived = np.searchsorted(arrivals_sorted, at, side="right")
    started = np.searchsorted(starts_sorted, at, side="right")
    return np.asarray(arrived - started, dtype=np.int64)


def peak_queue(arrivals_sorted: FloatArray, starts_sorted: FloatArray) -> int:
    """Largest number of people waiting at any instant (0 for no arrivals).

    The queue only grows at arrivals, so its maximum is reached just after one of them.
    """
    if arrivals_sorted.size == 0:
        return 0
    return int(queue_lengths(arrivals_sorted, starts_sorted, arrivals_sorted).max())


def open_desk_time(desk_open: Iterable[Spell]) -> float:
    """Desk-time the schedule offers: sum of ``(end - start) x desks`` over the spells."""
    return float(sum(max(0.0, end - start) * max(0, desks) for start, end, desks in desk_open))
