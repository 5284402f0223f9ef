"""Site opening and assignment: single-source capacitated facility location on plain arrays.

Which sampling sites to open and which building goes to which site is a single-source
capacitated facility location problem (SSCFLP), optionally with exactly ``p`` sites open
(capacitated p-median) or at most ``max_open``. :func:`solve_location` solves it on plain numpy
arrays so that it can be checked on textbook instances (``bench/bench_location.py``,
``docs/location.md``) and reused by the town planner with user locks.

Model (facility ``i``, customer ``j``; ``x[i, j]`` only where allowed)::

    min  sum_i f_i y_i + sum_ij c_ij x_ij
    s.t. sum_i x_ij = 1                      every customer served by exactly one facility
         sum_j d_j x_ij <= Q_i y_i           capacity, single source
         x_ij <= y_i                         linking (strengthens the LP relaxation)
         sum_i y_i = p  (or <= max_open)     optional

Method (the budget is shared; see docs/location.md for the measurements behind each step):

1. checks that prove infeasibility without search (a customer without an allowed facility, total
   or top-p capacity below total demand, conflicting pins);
2. a greedy plan: capacity-aware lazy ADD for the open set, regret assignment with one-step
   ejection;
3. the LP relaxation of the model (GLOP): a lower bound, and its support as a kernel: the model
   restricted to the LP's facilities and pairs is solved with CP-SAT;
4. a large neighbourhood search: windows of a few open facilities (one cluster, two clusters, or a
   ring in which 1-3 facilities may move while their neighbours stay open and trade customers)
   are re-optimised with CP-SAT, two at a time on two threads; kicks (forced moves) leave local
   optima;
5. the full model in CP-SAT, hinted with the best plan, for the rest of the time: it improves the
   plan and proves the lower bound (optimality when they meet).

No OR-Tools object leaves this module: the result and the progress reports are plain Python and
numpy values.
"""

from __future__ import annotations

import heapq
import math
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from ortools.linear_solver import linear_solver_pb2, pywraplp
from ortools.sat.python import cp_model

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
ArrayLike = npt.ArrayLike

Progress = Callable[[dict[str, Any]], object]
"""A progress callback: receives a plain dict; returning ``True`` asks the solver to stop."""

STAGE = "location"

# Integer scaling (CP-SAT needs integer coefficients).
_COST_LIMIT = float(2**40)  # scaled objective kept below this
_QTY_LIMIT = float(2**40)  # scaled total demand kept below this
_TOL = 1e-6  # a scaled value this close to an integer counts as exact
# Time shares of the budget.
_LP_SHARE = 0.3  # of what is left, at most, for the LP relaxation (GLOP)
_KERNEL_SHARE = 0.25  # for the restricted model on the LP support
_LNS_SHARE = 0.7  # the neighbourhood search ends by this share; the full model gets the rest
_MARGIN = 0.05  # seconds kept free at the end of a wall-clock budget
_POLL_S = 0.1  # seconds between polls of the caller's stop request during a CP-SAT solve
_LP_MAX_PAIRS = 400_000  # no LP relaxation above this many allowed pairs
_EPS = 1e-6  # LP values above this are in the support
# GLOP's dual simplex is 1.6x faster on pmedcap and 2.5x on a town-sized model, but its LP
# vertex made a worse kernel on pmedcap11 (22/24 runs within 0.5 % against 24/24): primal
# simplex up to this many allowed pairs, dual above.
_GLOP_DUAL_ABOVE = 15_000
_KERNEL_NEAR = 5  # each customer keeps its 5 cheapest kernel facilities
# Neighbourhood search (values measured on pmedcap11-20, see docs/location.md).
_SUB_LIMIT = 0.5  # seconds (or deterministic units) per window, at most
_FAST = 0.3  # a window solved in less than this share of its limit may grow
_K_NEAR = 4  # candidate ranking: how often a site is among a customer's 4 nearest
_CAND_PER_OPEN = 3  # closed candidates per open facility of a window ...
_CAND_EXTRA = 5  # ... plus this many
_RING = 6  # ring windows: open neighbours that stay open (grows/shrinks with solve time)
_RING_SHARE = 0.4  # share of ring windows
_TWO_REGION = 0.5  # share of two-region windows among the others
_KICK_STALE = 3  # kick after 3 x min(open, 10) + 4 windows without improvement
_IDLE_KICKS = 3  # stop the search after this many kicks without a new best plan
_BIG = 1e12  # penalty for a disallowed pair in rankings


@dataclass(frozen=True, eq=False)
class LocationResult:
    """A plan for the location stage.

    Attributes
    ----------
    open
        bool[m]: facility ``i`` is open.
    assign
        int[n]: the facility serving customer ``j``, or ``-1`` when no plan was found.
    objective
        Total cost of the plan recomputed from the original (unscaled) costs:
        ``sum(open_cost[open]) + sum(assign_cost[assign[j], j])``; ``nan`` without a plan.
    bound
        Best proven lower bound on the optimum, same units, rounded down (``inf`` when
        infeasible). At least the trivial bound (each customer's cheapest allowed facility plus
        the cheapest openings); with a plan, ``bound <= objective``. When demands or capacities
        are not decimal numbers they are rounded safely (demand up, capacity down) and the bound
        refers to that rounded model.
    optimal
        The plan is proven optimal.
    status
        ``"optimal"``, ``"feasible"`` (a plan, not proven optimal), ``"infeasible"`` (proven:
        no plan exists) or ``"unknown"`` (no plan found and none proven impossible in time).
    seconds
        Wall-clock seconds spent.
    reason
        Why the problem is infeasible (empty otherwise).
    """

    open: BoolArray
    assign: IntArray
    objective: float
    bound: float
    optimal: bool
    status: str
    seconds: float
    reason: str = ""

    @property
    def has_plan(self) -> bool:
        """Whether the result carries a plan (status optimal or feasible)."""
        return self.status in ("optimal", "feasible")


@dataclass
class _Problem:
    """Validated inputs plus the integer data given to CP-SAT."""

    n: int
    m: int
    demand: FloatArray
    capacity: FloatArray
    open_cost: FloatArray
    cost: FloatArray  # m x n, inf where not allowed
    allow: BoolArray  # m x n
    p: int | None
    count: tuple[int, int] | None  # bounds on the number of open facilities (None: free)
    must_open: BoolArray  # fixed open or serving a pinned customer
    closed: BoolArray
    pinned: IntArray  # -1 free
    d_int: IntArray
    q_int: IntArray
    c_int: IntArray  # m x n, 0 where not allowed
    f_int: IntArray
    scale: float
    slack: float  # max rounding error of the scaled objective (0 when exact)
    rows: list[IntArray] = field(default_factory=list)  # allowed customers per facility
    cols: list[IntArray] = field(default_factory=list)  # allowed facilities per customer
    _lb0: float | None = None

    @property
    def exact(self) -> bool:
        return self.slack == 0.0

    def int_objective(self, is_open: BoolArray, assign: IntArray) -> int:
        fixed = int(self.f_int[is_open].sum())
        if self.n == 0:
            return fixed
        return fixed + int(self.c_int[assign, np.arange(self.n)].sum())

    def true_objective(self, is_open: BoolArray, assign: IntArray) -> float:
        fixed = float(self.open_cost[is_open].sum())
        if self.n == 0:
            return fixed
        return fixed + float(self.cost[assign, np.arange(self.n)].sum())

    def feasible(self, is_open: BoolArray, assign: IntArray) -> bool:
        """Whether (open, assign) satisfies every constraint of the integer model."""
        if is_open.shape != (self.m,) or assign.shape != (self.n,):
            return False
        if np.any(is_open & self.closed) or np.any(self.must_open & ~is_open):
            return False
        if self.count is not None and not (self.count[0] <= int(is_open.sum()) <= self.count[1]):
            return False
        if self.n == 0:
            return True
        if np.any(assign < 0) or np.any(assign >= self.m):
            return False
        if not np.all(self.allow[assign, np.arange(self.n)]) or not np.all(is_open[assign]):
            return False
        pin = self.pinned >= 0
        if np.any(assign[pin] != self.pinned[pin]):
            return False
        load = np.bincount(assign, weights=self.d_int, minlength=self.m)
        return bool(np.all(load <= self.q_int + 0.5))

    def trivial_bound(self) -> float:
        """Valid lower bound without search: cheapest allowed assignment plus cheapest opening."""
        if self._lb0 is None:
            self._lb0 = self._trivial_bound()
        return self._lb0

    def _trivial_bound(self) -> float:
        assign_lb = float(np.where(self.allow, self.cost, np.inf).min(axis=0).sum())
        f = self.open_cost
        free = ~self.must_open & ~self.closed
        open_lb = float(f[self.must_open].sum())
        if self.p is None:
            open_lb += float(np.minimum(f[free], 0.0).sum())
        else:
            k = self.p - int(self.must_open.sum())
            open_lb += float(np.sort(f[free])[:k].sum())
        return assign_lb + open_lb


class _Clock:
    """Wall-clock or deterministic budget shared by all CP-SAT calls."""

    def __init__(
        self, limit: float, deterministic: bool, poll: Callable[[], bool] | None = None
    ) -> None:
        self.limit = max(0.0, float(limit))
        self.deterministic = deterministic
        self.start = time.perf_counter()
        self.dtime = 0.0
        self.poll = poll

    def stopped(self) -> bool:
        """The caller's stop request (polled; see ``solve_location``'s ``stop``)."""
        return self.poll is not None and bool(self.poll())

    def wall(self) -> float:
        return time.perf_counter() - self.start

    def used(self) -> float:
        return self.dtime if self.deterministic else self.wall()

    def left(self) -> float:
        return max(0.0, self.limit - self.used())


@contextmanager
def _watch(solver: cp_model.CpSolver, clock: _Clock) -> Iterator[None]:
    """Stop ``solver`` from another thread as soon as the caller asks (CP-SAT's stop_search is
    meant for that); a long solve that finds nothing new would otherwise run to its limit."""
    if clock.poll is None:
        yield
        return
    done = threading.Event()

    def watch() -> None:
        while not done.wait(_POLL_S):
            if clock.stopped():
                solver.stop_search()
                return

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join()


class _Reporter:
    """Sends monotone progress reports; remembers a stop request or a callback exception."""

    def __init__(self, progress: Progress | None, clock: _Clock) -> None:
        self.progress = progress
        self.clock = clock
        self.best = math.inf
        self.bound = -math.inf
        self.stop_requested = False
        self.error: BaseException | None = None

    @property
    def stop(self) -> bool:
        """Stop asked by the progress callback (it returned True or raised) or by the caller."""
        return self.stop_requested or self.clock.stopped()

    @stop.setter
    def stop(self, value: bool) -> None:
        self.stop_requested = value

    def report(self, phase: str, objective: float, bound: float | None = None) -> None:
        if bound is not None:
            self.bound = max(self.bound, bound)
        if self.progress is None or self.stop or not objective < self.best - 1e-9:
            return
        self.best = objective
        msg = {
            "stage": STAGE,
            "phase": phase,
            "objective": float(objective),
            "bound": float(min(self.bound, objective)),
            "seconds": round(self.clock.wall(), 3),
        }
        try:
            if self.progress(msg) is True:
                self.stop = True
        except BaseException as exc:  # re-raised by solve_location after the solver stops
            self.error = exc
            self.stop = True


class _SolutionCallback(cp_model.CpSolverSolutionCallback):
    """Forwards CP-SAT improvements to the reporter in original units (the objective is exact
    when the costs scaled exactly, else within the rounding slack; the bound is conservative)."""

    def __init__(self, reporter: _Reporter, scale: float, slack: float, phase: str) -> None:
        super().__init__()
        self.reporter = reporter
        self.scale = scale
        self.slack = slack
        self.phase = phase

    def on_solution_callback(self) -> None:
        obj = self.objective_value / self.scale
        bb = self.best_objective_bound
        bound = (math.floor(bb + 1e-6) - self.slack) / self.scale if math.isfinite(bb) else None
        self.reporter.report(self.phase, obj, bound)
        if self.reporter.stop:
            self.stop_search()


# --------------------------------------------------------------------------------------------
# Public entry point
# --------------------------------------------------------------------------------------------


def solve_location(
    demand: ArrayLike,
    capacity: ArrayLike,
    open_cost: ArrayLike,
    assign_cost: ArrayLike,
    *,
    p: int | None = None,
    max_open: int | None = None,
    allowed: ArrayLike | None = None,
    fixed_open: ArrayLike | None = None,
    fixed_closed: ArrayLike | None = None,
    fixed_assign: ArrayLike | None = None,
    time_limit: float = 10.0,
    seed: int = 0,
    workers: int = 2,
    deterministic: bool = False,
    hint: tuple[ArrayLike, ArrayLike] | None = None,
    progress: Progress | None = None,
    stop: Callable[[], bool] | None = None,
) -> LocationResult:
    """Open facilities and assign every customer to exactly one open facility at least cost.

    Parameters
    ----------
    demand
        float[n] >= 0: demand of each customer (e.g. residents of a building).
    capacity
        float[m] >= 0: capacity of each facility; ``inf`` means uncapacitated.
    open_cost
        float[m]: fixed cost of opening each facility.
    assign_cost
        float[m, n]: cost of serving customer ``j``'s whole demand from facility ``i``
        (not multiplied by demand here). ``inf`` or ``nan`` entries are treated as not allowed.
    p
        If given, exactly ``p`` facilities are open.
    max_open
        If given, at most ``max_open`` facilities are open (e.g. as many sites as there are
        marshals to run them). Combined with ``p`` it must be ``>= p``.
    allowed
        bool[m, n]: pairs that may be used (e.g. the k nearest sites of each building). Essential
        at town scale: the model has one variable per allowed pair.
    fixed_open
        bool[m]: facilities that must be open.
    fixed_closed
        bool[m]: facilities that must stay closed.
    fixed_assign
        int[n]: facility each customer is pinned to, ``-1`` for free customers. A pin overrides
        ``allowed`` (the pinned pair is allowed even if the mask excludes it) and opens its
        facility.
    time_limit
        Budget in seconds (wall clock), or in CP-SAT deterministic time units (about a second
        each) when ``deterministic`` is true. When it runs out, the best plan found is returned.
    seed
        Random seed of the neighbourhood search and of CP-SAT.
    workers
        Threads: CP-SAT workers of the full model, and windows of the neighbourhood search
        solved side by side.
    deterministic
        Use a deterministic budget: the same inputs, seed and ``workers`` then give the same
        plan whatever the machine load. The price: CP-SAT runs single-threaded (only the
        search windows use ``workers`` threads), and the wall-clock time is not ``time_limit``:
        deterministic units track seconds loosely and Python work (LP, model building) is not
        counted; about 1.2-2.5 s per unit was measured on two cores. With the default
        wall-clock limit the result may vary between runs whenever the limit is hit.
    hint
        ``(open, assign)`` of a known plan (e.g. yesterday's); used as the starting plan if
        feasible, ignored otherwise.
    progress
        Called with plain dicts ``{"stage": "location", "phase", "objective", "bound",
        "seconds"}`` (``phase``: hint, construct, kernel, lns or full) each time a better plan
        is found, so the objectives strictly decrease. If it returns ``True`` the search stops
        and the best plan so far is returned; an exception it raises stops the search and is
        re-raised.
    stop
        Polled between searches and, every 0.1 s, during each CP-SAT solve; once it returns
        ``True`` the search ends and the best plan so far is returned (a user's stop button).

    Returns
    -------
    LocationResult
        The plan and its proof status. Infeasibility detected without search comes back at once
        with status ``"infeasible"`` and a ``reason``.

    Raises
    ------
    ValueError
        On malformed input: wrong shapes, negative or non-finite demand, nan capacity,
        non-finite opening cost, a pin out of range, ``p`` outside ``[0, m]``, ``max_open < 0``
        or ``max_open < p``.
    """
    clock = _Clock(time_limit, deterministic, stop)
    prob, reason = _prepare(
        demand,
        capacity,
        open_cost,
        assign_cost,
        p,
        allowed,
        fixed_open,
        fixed_closed,
        fixed_assign,
        max_open,
    )
    if prob is None:
        return _infeasible(reason, demand, capacity, clock)
    reporter = _Reporter(progress, clock)
    state = _State(prob, reporter)
    rng = np.random.default_rng(seed)
    try:
        state.offer(_from_hint(prob, hint), "hint")
        state.offer(_construct(prob), "construct")
        lp = None if reporter.stop else _lp_relaxation(prob, clock)
        if lp is not None:
            state.raise_bound(lp.bound_int)
            if not state.proven and not reporter.stop:
                limit = min(_KERNEL_SHARE * clock.limit, clock.left())
                kern, pairs = _kernel(prob, lp, state.best)
                # No hint: a greedy hint anchors CP-SAT near it, while its LP-guided search
                # starts near the LP optimum (measured: 3.8 % worse plans on a town instance).
                found, proof = _solve_restricted(
                    prob, kern, pairs, None, clock, limit, seed, workers
                )
                state.offer(found, "kernel")
        if state.best is None and not reporter.stop:
            found, proof = _solve_full(
                prob, None, clock, 0.3 * clock.left(), seed, workers, reporter, first=True
            )
            if proof.status == "infeasible":
                return _result(prob, None, math.inf, False, "infeasible", clock, proof.reason)
            state.offer(found, "full")
            state.raise_bound(proof.bound_int)
        if state.best is not None and not state.proven and not reporter.stop:
            found, proven = _lns(prob, state.best, lp, clock, seed, workers, rng, reporter)
            state.offer(found, "lns")
            if proven:
                state.raise_bound(state.best_int)
        if not state.proven and not reporter.stop and clock.left() > 0:
            found, proof = _solve_full(
                prob, state.best, clock, clock.left(), seed, workers, reporter, first=False
            )
            if proof.status == "infeasible" and state.best is None:
                return _result(prob, None, math.inf, False, "infeasible", clock, proof.reason)
            state.offer(found, "full")
            state.raise_bound(proof.bound_int)
    finally:
        if reporter.error is not None:
            raise reporter.error
    bound = state.bound()
    if state.best is None:
        return _result(prob, None, bound, False, "unknown", clock)
    optimal = state.proven and prob.exact
    obj = prob.true_objective(*state.best)
    bound = obj if optimal else min(bound, obj)
    return _result(prob, state.best, bound, optimal, "optimal" if optimal else "feasible", clock)


class _State:
    """Best plan so far (by the scaled integer objective) and best lower bound."""

    def __init__(self, prob: _Problem, reporter: _Reporter) -> None:
        self.prob = prob
        self.reporter = reporter
        self.best: tuple[BoolArray, IntArray] | None = None
        self.best_int = math.inf
        self.bound_int: int | None = None
        reporter.bound = prob.trivial_bound()

    def offer(self, plan: tuple[BoolArray, IntArray] | None, phase: str) -> None:
        if plan is None or not self.prob.feasible(*plan):
            return
        value = self.prob.int_objective(*plan)
        if value < self.best_int:
            self.best, self.best_int = (plan[0].copy(), plan[1].copy()), value
            self.reporter.report(phase, self.prob.true_objective(*plan), self.bound())

    def raise_bound(self, bound_int: int | float | None) -> None:
        if bound_int is None or not math.isfinite(bound_int):
            return
        b = int(bound_int)
        if self.bound_int is None or b > self.bound_int:
            self.bound_int = b
            self.reporter.bound = max(self.reporter.bound, self.bound())

    def bound(self) -> float:
        """Lower bound in original units (conservative by the cost rounding slack)."""
        b = self.prob.trivial_bound()
        if self.bound_int is not None:
            b = max(b, (self.bound_int - self.prob.slack) / self.prob.scale)
        return b

    @property
    def proven(self) -> bool:
        return self.bound_int is not None and self.bound_int >= self.best_int


# --------------------------------------------------------------------------------------------
# Input handling
# --------------------------------------------------------------------------------------------


def _as_mask(a: ArrayLike | None, size: int, name: str) -> BoolArray:
    if a is None:
        return np.zeros(size, dtype=bool)
    arr = np.asarray(a)
    if arr.shape != (size,):
        raise ValueError(f"{name} must have shape ({size},), got {arr.shape}")
    return arr.astype(bool)


def _decimal_scale(values: FloatArray, limit: float, max_k: int) -> tuple[float, bool]:
    """The smallest factor ``10**k`` (``k <= max_k``, factor ``<= limit``) that makes every
    finite value an integer, or the largest admissible factor if none does.

    The caller sets ``limit`` so that scaled totals stay below 2**40. Returns (factor, exact).
    """
    finite = values[np.isfinite(values)]
    k_top = max_k
    while k_top > -15 and 10.0**k_top > limit:
        k_top -= 1
    for k in range(min(0, k_top), k_top + 1):
        s = 10.0**k
        v = finite * s
        if np.all(np.abs(v - np.round(v)) <= _TOL):
            return s, True
    return 10.0**k_top, False


def _prepare(
    demand: ArrayLike,
    capacity: ArrayLike,
    open_cost: ArrayLike,
    assign_cost: ArrayLike,
    p: int | None,
    allowed: ArrayLike | None,
    fixed_open: ArrayLike | None,
    fixed_closed: ArrayLike | None,
    fixed_assign: ArrayLike | None,
    max_open: int | None = None,
) -> tuple[_Problem | None, str]:
    d = np.asarray(demand, dtype=np.float64).reshape(-1)
    q = np.asarray(capacity, dtype=np.float64).reshape(-1)
    f = np.asarray(open_cost, dtype=np.float64).reshape(-1)
    n, m = d.shape[0], q.shape[0]
    c = np.asarray(assign_cost, dtype=np.float64)
    if c.shape != (m, n):
        raise ValueError(f"assign_cost must have shape (m, n) = ({m}, {n}), got {c.shape}")
    if f.shape != (m,):
        raise ValueError(f"open_cost must have shape ({m},), got {f.shape}")
    if not np.all(np.isfinite(d)) or np.any(d < 0):
        raise ValueError("demand must be finite and >= 0")
    if np.any(np.isnan(q)) or np.any(q < 0):
        raise ValueError("capacity must be >= 0 (inf for uncapacitated)")
    if not np.all(np.isfinite(f)):
        raise ValueError("open_cost must be finite")
    if p is not None and not 0 <= int(p) <= m:
        raise ValueError(f"p must be in [0, {m}], got {p}")
    p = None if p is None else int(p)
    if max_open is not None and int(max_open) < 0:
        raise ValueError(f"max_open must be >= 0, got {max_open}")
    if max_open is not None and p is not None and int(max_open) < p:
        raise ValueError(f"max_open ({max_open}) is below p ({p})")
    count: tuple[int, int] | None = None
    if p is not None:
        count = (p, p)
    elif max_open is not None and int(max_open) < m:
        count = (0, int(max_open))
    allow = np.isfinite(c)
    if allowed is not None:
        mask = np.asarray(allowed)
        if mask.shape != (m, n):
            raise ValueError(f"allowed must have shape ({m}, {n}), got {mask.shape}")
        allow &= mask.astype(bool)
    must = _as_mask(fixed_open, m, "fixed_open")
    closed = _as_mask(fixed_closed, m, "fixed_closed")
    pinned = np.full(n, -1, dtype=np.int64)
    if fixed_assign is not None:
        pa = np.asarray(fixed_assign)
        if pa.shape != (n,):
            raise ValueError(f"fixed_assign must have shape ({n},), got {pa.shape}")
        pinned = pa.astype(np.int64)
        if np.any(pinned >= m) or np.any(pinned < -1):
            raise ValueError("fixed_assign entries must be -1 or a facility index")
    both = np.flatnonzero(must & closed)
    if both.size:
        return None, f"facility {both[0]} is both fixed open and fixed closed"
    for j in np.flatnonzero(pinned >= 0):
        i = int(pinned[j])
        if closed[i]:
            return None, f"customer {j} is pinned to facility {i}, which is fixed closed"
        if not np.isfinite(c[i, j]):
            return None, f"customer {j} is pinned to facility {i}, whose cost for it is not finite"
        allow[:, j] = False
        allow[i, j] = True
        must[i] = True
    allow[closed, :] = False
    no_option = np.flatnonzero(~allow.any(axis=0))
    if no_option.size:
        return None, (
            f"{no_option.size} customer(s) have no allowed facility that may open "
            f"(first: customer {no_option[0]})"
        )
    # Integer demand and capacity (exact when decimal, else demand up and capacity down).
    total_d = float(d.sum())
    q = np.minimum(q, total_d)  # capacity beyond the total demand is never used
    qty = np.concatenate([d, q])
    ds, dexact = _decimal_scale(qty, _QTY_LIMIT / max(1.0, total_d), 6)
    if dexact:
        d_int = np.round(d * ds).astype(np.int64)
        q_int = np.round(q * ds).astype(np.int64)
    else:
        d_int = np.ceil(d * ds - _TOL).astype(np.int64)
        q_int = np.floor(q * ds + _TOL).astype(np.int64)
    # Infeasibility that needs no search.
    too_big = np.flatnonzero(
        ~np.any(allow & (q_int[:, None] >= d_int[None, :]), axis=0) & (d_int > 0)
    )
    if too_big.size:
        return None, (
            f"{too_big.size} customer(s) exceed the capacity of every allowed facility "
            f"(first: customer {too_big[0]}, demand {d[too_big[0]]:g})"
        )
    need = int(d_int.sum())
    avail = ~closed
    if int(q_int[avail].sum()) < need:
        return None, (
            f"total capacity of the facilities that may open ({float(q[avail].sum()):g}) "
            f"is below total demand ({total_d:g})"
        )
    pinned_load = np.bincount(pinned[pinned >= 0], weights=d_int[pinned >= 0], minlength=m)
    over = np.flatnonzero(pinned_load > q_int + 0.5)
    if over.size:
        return None, f"customers pinned to facility {over[0]} exceed its capacity"
    if count is not None:
        lo, hi = count
        what = f"p = {p}" if p is not None else f"max_open = {hi}"
        if int(must.sum()) > hi:
            return None, f"{int(must.sum())} facilities must open but {what}"
        if int(avail.sum()) < lo:
            return None, f"only {int(avail.sum())} facilities may open but {what}"
        if hi == 0 and n > 0:
            return None, f"{what} but there are customers to serve"
        others = np.sort(q_int[avail & ~must])[::-1][: hi - int(must.sum())]
        if int(q_int[must].sum()) + int(others.sum()) < need:
            return None, f"the {hi} largest facilities that may open cannot hold total demand"
    # Integer costs.
    cost = np.where(allow, c, np.inf)
    cmax = np.where(allow, np.abs(c), 0.0)
    total_c = float(np.abs(f).sum() + cmax.max(axis=0, initial=0.0).sum())
    cs, cexact = _decimal_scale(np.concatenate([f, c[allow]]), _COST_LIMIT / max(1.0, total_c), 6)
    c_int = np.where(allow, np.round(np.where(allow, c, 0.0) * cs), 0).astype(np.int64)
    f_int = np.round(f * cs).astype(np.int64)
    slack = 0.0
    if not cexact:
        err_c = np.where(allow, np.abs(np.where(allow, c, 0.0) * cs - c_int), 0.0)
        slack = float(err_c.max(axis=0, initial=0.0).sum() + np.abs(f * cs - f_int).sum())
    prob = _Problem(
        n=n,
        m=m,
        demand=d,
        capacity=q,
        open_cost=f,
        cost=cost,
        allow=allow,
        p=p,
        count=count,
        must_open=must,
        closed=closed,
        pinned=pinned,
        d_int=d_int,
        q_int=q_int,
        c_int=c_int,
        f_int=f_int,
        scale=cs,
        slack=slack,
    )
    prob.rows = [np.flatnonzero(allow[i]) for i in range(m)]
    prob.cols = [np.flatnonzero(allow[:, j]) for j in range(n)]
    return prob, ""


def _from_hint(
    prob: _Problem, hint: tuple[ArrayLike, ArrayLike] | None
) -> tuple[BoolArray, IntArray] | None:
    if hint is None:
        return None
    try:
        is_open = np.asarray(hint[0]).astype(bool).reshape(-1)
        assign = np.asarray(hint[1]).astype(np.int64).reshape(-1)
    except (TypeError, ValueError):
        return None
    if is_open.shape != (prob.m,) or assign.shape != (prob.n,):
        return None
    if prob.p is None and prob.n:
        # Facilities open but unused only cost money: close them.
        used = np.zeros(prob.m, dtype=bool)
        used[assign[(assign >= 0) & (assign < prob.m)]] = True
        is_open = is_open & (used | prob.must_open | (prob.open_cost < 0))
    return (is_open, assign) if prob.feasible(is_open, assign) else None


def _result(
    prob: _Problem,
    plan: tuple[BoolArray, IntArray] | None,
    bound: float,
    optimal: bool,
    status: str,
    clock: _Clock,
    reason: str = "",
) -> LocationResult:
    if plan is None:
        is_open = np.zeros(prob.m, dtype=bool)
        assign = np.full(prob.n, -1, dtype=np.int64)
        obj = math.nan
    else:
        is_open, assign = plan[0].copy(), plan[1].astype(np.int64)
        obj = prob.true_objective(is_open, assign)
    is_open.setflags(write=False)
    assign.setflags(write=False)
    return LocationResult(
        open=is_open,
        assign=assign,
        objective=obj,
        bound=bound,
        optimal=optimal,
        status=status,
        seconds=clock.wall(),
        reason=reason,
    )


def _infeasible(
    reason: str, demand: ArrayLike, capacity: ArrayLike, clock: _Clock
) -> LocationResult:
    n = int(np.asarray(demand).reshape(-1).shape[0])
    m = int(np.asarray(capacity).reshape(-1).shape[0])
    is_open = np.zeros(m, dtype=bool)
    assign = np.full(n, -1, dtype=np.int64)
    is_open.setflags(write=False)
    assign.setflags(write=False)
    return LocationResult(
        open=is_open,
        assign=assign,
        objective=math.nan,
        bound=math.inf,
        optimal=False,
        status="infeasible",
        seconds=clock.wall(),
        reason=reason,
    )


# --------------------------------------------------------------------------------------------
# Construction heuristic
# --------------------------------------------------------------------------------------------


def _capacitated_saving(prob: _Problem, i: int, cur: FloatArray) -> float:
    """Saving of opening ``i`` given current per-customer costs ``cur``, filling its capacity
    greedily with the customers of best saving per unit demand (fractional knapsack)."""
    js = prob.rows[i]
    if js.size == 0:
        return -float(prob.open_cost[i])
    gain = cur[js] - prob.cost[i, js]
    pos = gain > 0
    if not np.any(pos):
        return -float(prob.open_cost[i])
    js, gain = js[pos], gain[pos]
    dem = prob.d_int[js].astype(np.float64)
    ratio = gain / np.maximum(dem, 1e-9)
    order = np.argsort(-ratio, kind="stable")
    cum = np.cumsum(dem[order])
    cap = float(prob.q_int[i])
    full = cum <= cap
    total = float(gain[order][full].sum())
    k = int(full.sum())
    if k < order.size:
        prev = float(cum[k - 1]) if k else 0.0
        rest = cap - prev
        if dem[order[k]] > 0:
            total += float(gain[order[k]]) * max(0.0, rest) / float(dem[order[k]])
    return total - float(prob.open_cost[i])


def _construct(prob: _Problem) -> tuple[BoolArray, IntArray] | None:
    """Greedy plan: lazy capacitated ADD for the open set, then regret assignment."""
    if prob.n == 0:
        is_open = prob.must_open.copy()
        lo, hi = prob.count or (0, prob.m)
        free = np.flatnonzero(~is_open & ~prob.closed)
        free = free[np.argsort(prob.open_cost[free], kind="stable")]
        cheap = int((prob.open_cost[free] < 0).sum())
        k = max(lo - int(is_open.sum()), min(cheap, hi - int(is_open.sum())))
        is_open[free[:k]] = True
        return is_open, np.zeros(0, dtype=np.int64)
    finite_max = np.where(prob.allow, prob.cost, -np.inf).max(axis=0)
    penalty = 2.0 * np.abs(finite_max) + float(np.abs(prob.open_cost).max(initial=0.0)) + 1.0
    is_open = prob.must_open.copy()
    cur = penalty.copy()
    if is_open.any():
        cur = np.minimum(cur, prob.cost[is_open].min(axis=0))
    need = int(prob.d_int.sum())
    for _ in range(prob.m + 1):
        opened = _greedy_open(prob, is_open, cur, need)
        if opened is None:
            return None
        is_open = opened
        plan = _regret_assign(prob, is_open)
        if plan is not None:
            return is_open, plan
        if prob.p is not None or (prob.count and int(is_open.sum()) >= prob.count[1]):
            return None
        # Open one more facility where customers could not be placed; retry.
        cur = prob.cost[is_open].min(axis=0) if is_open.any() else penalty.copy()
        cur = np.minimum(cur, penalty)
        cand = np.flatnonzero(~is_open & ~prob.closed)
        if cand.size == 0:
            return None
        extra = max(cand, key=lambda i: (float(prob.q_int[i]), -int(i)))
        is_open = is_open.copy()
        is_open[extra] = True
        cur = np.minimum(cur, prob.cost[extra])
        need = 0
    return None


def _greedy_open(
    prob: _Problem, is_open: BoolArray, cur: FloatArray, need: int
) -> BoolArray | None:
    """Add facilities by best capacitated saving (lazy evaluation: savings only shrink)."""
    is_open = is_open.copy()
    cur = cur.copy()
    cap = int(prob.q_int[is_open].sum())
    free = [i for i in range(prob.m) if not is_open[i] and not prob.closed[i]]
    heap = [(-_capacitated_saving(prob, i, cur), i) for i in free]
    heapq.heapify(heap)
    q_sorted_desc = np.sort(prob.q_int[free])[::-1] if free else np.zeros(0, dtype=np.int64)
    lo, hi = prob.count or (0, prob.m)
    while heap:
        n_open = int(is_open.sum())
        if n_open >= hi:
            break
        if n_open >= lo and cap >= need and -heap[0][0] <= 0:
            break
        _, i = heapq.heappop(heap)
        fresh = _capacitated_saving(prob, i, cur)
        if heap and fresh < -heap[0][0] - 1e-12:
            heapq.heappush(heap, (-fresh, i))
            continue
        if prob.count is not None and cap < need:
            # Keep enough capacity reachable with the remaining slots.
            slots = hi - n_open - 1
            best_rest = int(q_sorted_desc[: slots + 1].sum())
            if prob.q_int[i] >= q_sorted_desc[min(slots, len(q_sorted_desc) - 1)]:
                best_rest -= int(prob.q_int[i])
            else:
                best_rest = int(q_sorted_desc[:slots].sum())
            if cap + int(prob.q_int[i]) + best_rest < need:
                continue
        is_open[i] = True
        cap += int(prob.q_int[i])
        cur = np.minimum(cur, prob.cost[i])
    if int(is_open.sum()) < lo:
        return None
    return is_open


def _regret_assign(prob: _Problem, is_open: BoolArray) -> IntArray | None:
    """Assign customers by largest regret (second-best minus best open facility with room).

    A customer that fits nowhere any more is placed by one ejection: a customer of one of its
    facilities moves to another facility with room (cheapest such pair). Returns facility indices
    per customer, or None when that fails too.
    """
    n = prob.n
    fac = np.flatnonzero(is_open)
    if fac.size == 0:
        return None
    cost = prob.cost[fac]  # k x n
    rem = prob.q_int[fac].astype(np.int64).copy()
    assign = np.full(n, -1, dtype=np.int64)
    pinned = prob.pinned >= 0
    pos = {int(i): k for k, i in enumerate(fac)}
    for jp in np.flatnonzero(pinned):
        kp = pos[int(prob.pinned[jp])]
        assign[jp] = kp
        rem[kp] -= int(prob.d_int[jp])
    todo = np.flatnonzero(assign < 0)
    d = prob.d_int
    while todo.size:
        fits = np.isfinite(cost[:, todo]) & (rem[:, None] >= d[todo][None, :])
        c = np.where(fits, cost[:, todo], np.inf)
        if c.shape[0] > 1:
            two = np.argpartition(c, 1, axis=0)[:2]
            first, second = c[two[0], np.arange(todo.size)], c[two[1], np.arange(todo.size)]
            swap = second < first
            best_k = np.where(swap, two[1], two[0])
            best, second = np.minimum(first, second), np.maximum(first, second)
        else:
            best_k = np.zeros(todo.size, dtype=np.int64)
            best, second = c[0], np.full(todo.size, np.inf)
        stuck = ~np.isfinite(best)
        if stuck.any():
            for jj in todo[stuck][np.argsort(-d[todo[stuck]], kind="stable")]:
                if not _eject(cost, d, rem, assign, pinned, int(jj)):
                    return None
            todo = todo[~stuck]
            continue
        regret = np.where(np.isfinite(second), second - best, np.inf)
        order = np.lexsort((todo, -d[todo], -regret))
        placed = np.zeros(todo.size, dtype=bool)
        for t in order:
            k, j = int(best_k[t]), int(todo[t])
            if rem[k] < d[j]:
                break  # its best facility filled up: recompute regrets
            assign[j] = k
            rem[k] -= int(d[j])
            placed[t] = True
        todo = todo[~placed]
    return fac[assign]


def _eject(
    cost: FloatArray,
    d: IntArray,
    rem: IntArray,
    assign: IntArray,
    pinned: BoolArray,
    j: int,
) -> bool:
    """Place customer ``j`` at facility ``k`` after moving one customer ``t`` from ``k`` to a
    facility with room; the cheapest (k, t, k2) wins. Updates ``assign`` and ``rem``."""
    best: tuple[float, int, int, int] | None = None
    for k in np.flatnonzero(np.isfinite(cost[:, j])):
        need = int(d[j]) - int(rem[k])
        movers = np.flatnonzero((assign == k) & ~pinned & (d >= need))
        for t in movers:
            room = np.isfinite(cost[:, t]) & (rem >= d[t])
            room[k] = False
            if not room.any():
                continue
            k2 = int(np.flatnonzero(room)[np.argmin(cost[room, t])])
            delta = float(cost[k, j] + cost[k2, t] - cost[k, t])
            if best is None or delta < best[0]:
                best = (delta, int(k), int(t), k2)
    if best is None:
        return False
    _, kk, tt, k2 = best
    assign[tt] = k2
    rem[k2] -= int(d[tt])
    rem[kk] += int(d[tt]) - int(d[j])
    assign[j] = kk
    return True


# --------------------------------------------------------------------------------------------
# CP-SAT models
# --------------------------------------------------------------------------------------------


@dataclass
class _Proof:
    status: str  # "optimal", "feasible", "infeasible", "unknown"
    bound: float  # original units, conservative
    bound_int: int | None  # scaled integer bound (None if not available)
    reason: str = ""


def _params(
    solver: cp_model.CpSolver, limit: float, clock: _Clock, seed: int, workers: int
) -> None:
    """Shared CP-SAT settings (measured on the OR-Library sets, see docs/location.md)."""
    prm = solver.parameters
    prm.random_seed = int(seed)
    # LP with every constraint of the model (x <= y included): the bound that makes the
    # difference on these models.
    prm.linearization_level = 2
    # CP-SAT's presolve turns the capacity rows into enforced constraints and weakens the LP
    # relaxation; without it p1-p24 close at the root (in 1.4 s at most instead of > 10 s).
    prm.cp_model_presolve = False
    if clock.deterministic:
        # Several workers are only reproducible with interleave_search, whose deterministic time
        # overshoots the limit 2-3x and which found worse plans here: one worker instead (the
        # neighbourhood search still runs its windows on ``workers`` threads).
        prm.num_workers = 1
        prm.max_deterministic_time = max(limit, 1e-3)
    else:
        prm.num_workers = max(1, int(workers))
        prm.max_time_in_seconds = max(limit, 1e-3)


def _build(
    prob: _Problem,
    facilities: IntArray,
    customers: IntArray,
    count: tuple[int, int] | None,
    must: BoolArray,
    pairs: BoolArray | None = None,
) -> tuple[cp_model.CpModel, dict[int, cp_model.IntVar], dict[tuple[int, int], cp_model.IntVar]]:
    """Model over a subset of facilities and customers (the full problem or an LNS window),
    optionally restricted to ``pairs`` (bool[m, n]) among the allowed ones."""
    model = cp_model.CpModel()
    y = {int(i): model.new_bool_var(f"y{i}") for i in facilities}
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    per_fac: dict[int, list[tuple[int, cp_model.IntVar]]] = {int(i): [] for i in facilities}
    fac_set = set(y)
    for j in customers:
        jj = int(j)
        opts = [
            int(i)
            for i in prob.cols[jj]
            if int(i) in fac_set and (pairs is None or pairs[int(i), jj])
        ]
        lits = []
        for i in opts:
            v = model.new_bool_var(f"x{i}_{jj}")
            x[i, jj] = v
            per_fac[i].append((jj, v))
            lits.append(v)
            model.add(v <= y[i])  # linear, not an implication: 40 % faster proofs (measured)
        model.add_exactly_one(lits)
    d = prob.d_int
    for i in y:
        terms = per_fac[i]
        if terms:
            model.add(sum(int(d[j]) * v for j, v in terms) <= int(prob.q_int[i]) * y[i])
        if must[i]:
            model.add(y[i] == 1)
    if count is not None:
        if count[0] == count[1]:
            model.add(sum(y.values()) == count[0])
        else:
            model.add_linear_constraint(sum(y.values()), count[0], count[1])
    for j in customers:
        pj = int(prob.pinned[j])
        if pj >= 0:
            model.add(x[pj, int(j)] == 1)
    obj = [int(prob.f_int[i]) * v for i, v in y.items() if prob.f_int[i] != 0]
    obj += [int(prob.c_int[i, j]) * v for (i, j), v in x.items() if prob.c_int[i, j] != 0]
    model.minimize(sum(obj))
    return model, y, x


def _solve_full(
    prob: _Problem,
    start: tuple[BoolArray, IntArray] | None,
    clock: _Clock,
    limit: float,
    seed: int,
    workers: int,
    reporter: _Reporter | None,
    first: bool,
) -> tuple[tuple[BoolArray, IntArray] | None, _Proof]:
    """Full model in CP-SAT; returns its best plan (or None) and what it proved."""
    return _solve_model(
        prob, np.flatnonzero(~prob.closed), start, clock, limit, seed, workers, reporter, first
    )


def _solve_restricted(
    prob: _Problem,
    facilities: IntArray,
    pairs: BoolArray | None,
    start: tuple[BoolArray, IntArray] | None,
    clock: _Clock,
    limit: float,
    seed: int,
    workers: int,
) -> tuple[tuple[BoolArray, IntArray] | None, _Proof]:
    """The model on a subset of facilities (its bound is not a bound of the full problem)."""
    if limit <= 0:
        return None, _Proof("unknown", -math.inf, None)
    plan, proof = _solve_model(
        prob, facilities, start, clock, limit, seed, workers, None, False, pairs
    )
    return plan, _Proof(proof.status, -math.inf, None)


def _solve_model(
    prob: _Problem,
    facilities: IntArray,
    start: tuple[BoolArray, IntArray] | None,
    clock: _Clock,
    limit: float,
    seed: int,
    workers: int,
    reporter: _Reporter | None,
    first: bool,
    pairs: BoolArray | None = None,
) -> tuple[tuple[BoolArray, IntArray] | None, _Proof]:
    customers = np.arange(prob.n)
    model, y, x = _build(prob, facilities, customers, prob.count, prob.must_open, pairs)
    if start is not None:
        s_open, s_assign = start
        for i, v in y.items():
            model.add_hint(v, bool(s_open[i]))
        for (i, j), v in x.items():
            model.add_hint(v, bool(s_assign[j] == i))
    solver = cp_model.CpSolver()
    # Model building counts against the budget; keep a margin for reading the solution back.
    limit = min(limit, clock.left() - (0.0 if clock.deterministic else _MARGIN))
    if limit <= 0:
        return None, _Proof("unknown", -math.inf, None)
    _params(solver, limit, clock, seed, workers)
    if first:
        solver.parameters.stop_after_first_solution = True
    with _watch(solver, clock):
        if reporter is not None:
            callback = _SolutionCallback(reporter, prob.scale, prob.slack, "full")
            status = solver.solve(model, callback)
        else:
            status = solver.solve(model)
    clock.dtime += solver.response_proto.deterministic_time
    if status == cp_model.INFEASIBLE:
        return None, _Proof(
            "infeasible", math.inf, None, "no assignment fits the capacities (proven by CP-SAT)"
        )
    plan = None
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        is_open = np.zeros(prob.m, dtype=bool)
        for i, v in y.items():
            is_open[i] = solver.boolean_value(v)
        assign = np.full(prob.n, -1, dtype=np.int64)
        for (i, j), v in x.items():
            if solver.boolean_value(v):
                assign[j] = i
        plan = (is_open, assign)
    bb = solver.objective_value if status == cp_model.OPTIMAL else solver.best_objective_bound
    if not math.isfinite(bb):
        return plan, _Proof("unknown" if plan is None else "feasible", -math.inf, None)
    bound_int = math.floor(bb + 1e-6)
    bound = (bound_int - prob.slack) / prob.scale
    status_name = "optimal" if status == cp_model.OPTIMAL else "feasible"
    return plan, _Proof(status_name, bound, bound_int)


# --------------------------------------------------------------------------------------------
# LP relaxation and kernel
# --------------------------------------------------------------------------------------------


@dataclass
class _LP:
    bound_int: int  # lower bound of the scaled integer objective
    y: FloatArray  # m
    x: FloatArray  # m x n


def _lp_relaxation(prob: _Problem, clock: _Clock) -> _LP | None:
    """LP relaxation of the strong formulation (GLOP): a lower bound and a kernel of facilities.

    The model is written straight into an ``MPModelRequest`` (an order of magnitude faster than
    building it variable by variable). Skipped (None) when the model is too large or GLOP does
    not finish.
    """
    pairs = int(prob.allow.sum())
    if prob.n == 0 or pairs > _LP_MAX_PAIRS or clock.left() <= 0:
        return None
    req = linear_solver_pb2.MPModelRequest()
    req.solver_type = linear_solver_pb2.MPModelRequest.GLOP_LINEAR_PROGRAMMING
    if pairs > _GLOP_DUAL_ABOVE:
        req.solver_specific_parameters = "use_dual_simplex: true"
    if not clock.deterministic:
        req.solver_time_limit_seconds = max(0.05, _LP_SHARE * clock.left())
    model = req.model
    fac = np.flatnonzero(~prob.closed)
    y_index = np.full(prob.m, -1, dtype=np.int64)
    y_index[fac] = np.arange(fac.size)
    ii, jj = np.nonzero(prob.allow)
    x_index = fac.size + np.arange(ii.size)
    scale = prob.scale
    lower = prob.must_open[fac].astype(np.float64).tolist()
    obj = (prob.f_int[fac] / scale).tolist()
    for k in range(fac.size):
        model.variable.add(lower_bound=lower[k], upper_bound=1.0, objective_coefficient=obj[k])
    obj = (prob.c_int[ii, jj] / scale).tolist()
    for k in range(ii.size):
        model.variable.add(lower_bound=0.0, upper_bound=1.0, objective_coefficient=obj[k])
    by_customer = np.argsort(jj, kind="stable")
    starts = np.searchsorted(jj[by_customer], np.arange(prob.n + 1))
    for j in range(prob.n):
        sel = x_index[by_customer[starts[j] : starts[j + 1]]].tolist()
        model.constraint.add(
            lower_bound=1.0, upper_bound=1.0, var_index=sel, coefficient=[1.0] * len(sel)
        )
    by_facility = np.argsort(ii, kind="stable")
    starts = np.searchsorted(ii[by_facility], np.arange(prob.m + 1))
    d = prob.d_int.astype(np.float64)
    for i in fac:
        rows = by_facility[starts[i] : starts[i + 1]]
        model.constraint.add(
            lower_bound=-math.inf,
            upper_bound=0.0,
            var_index=[*x_index[rows].tolist(), int(y_index[i])],
            coefficient=[*d[jj[rows]].tolist(), -float(prob.q_int[i])],
        )
    xl, yl = x_index.tolist(), y_index[ii].tolist()
    for k in range(ii.size):
        model.constraint.add(
            lower_bound=-math.inf,
            upper_bound=0.0,
            var_index=[xl[k], yl[k]],
            coefficient=[1.0, -1.0],
        )
    if prob.count is not None:
        model.constraint.add(
            lower_bound=float(prob.count[0]),
            upper_bound=float(prob.count[1]),
            var_index=list(range(fac.size)),
            coefficient=[1.0] * fac.size,
        )
    resp = linear_solver_pb2.MPSolutionResponse()
    pywraplp.Solver.SolveWithProto(req, resp)
    if resp.status != linear_solver_pb2.MPSOLVER_OPTIMAL:
        return None
    value = resp.objective_value * scale
    bound_int = math.ceil(value - 1e-7 * max(1.0, abs(value)) - 1e-6)
    values = np.asarray(resp.variable_value, dtype=np.float64)
    yv = np.zeros(prob.m)
    yv[fac] = values[: fac.size]
    xv = np.zeros((prob.m, prob.n))
    xv[ii, jj] = values[fac.size :]
    return _LP(bound_int=bound_int, y=yv, x=xv)


def _kernel(
    prob: _Problem, lp: _LP, best: tuple[BoolArray, IntArray] | None
) -> tuple[IntArray, BoolArray]:
    """Facilities and pairs worth a restricted solve (a kernel search without buckets).

    Facilities: the LP support and the must-open ones. Pairs: those in the LP support, those of
    the best plan, and each customer's ``_KERNEL_NEAR`` cheapest kernel facilities.
    """
    keep = ((lp.y > _EPS) | prob.must_open) & ~prob.closed
    pairs = (lp.x > _EPS) & prob.allow
    if best is not None and prob.n and np.all(keep[best[1]]):
        pairs[best[1], np.arange(prob.n)] = True
    if prob.n:
        kern = np.flatnonzero(keep)
        sub = np.where(prob.allow[kern], prob.cost[kern], np.inf)
        k = min(_KERNEL_NEAR, kern.size)
        near = np.argsort(sub, axis=0, kind="stable")[:k]
        ok = np.isfinite(np.take_along_axis(sub, near, 0))
        cols = np.broadcast_to(np.arange(prob.n), near.shape)
        pairs[kern[near[ok]], cols[ok]] = True
        pairs &= keep[:, None] & prob.allow
        # Every customer keeps at least one allowed pair.
        for j in np.flatnonzero(~pairs.any(axis=0)):
            i = int(np.argmin(prob.cost[:, j]))
            keep[i] = True
            pairs[i, j] = True
    return np.flatnonzero(keep), pairs


# --------------------------------------------------------------------------------------------
# Large neighbourhood search
# --------------------------------------------------------------------------------------------


def _cluster(
    prob: _Problem,
    open_idx: IntArray,
    assign: IntArray,
    seed_fac: int,
    size: int,
    taken: BoolArray,
) -> IntArray:
    """``seed_fac`` and the ``size - 1`` open facilities cheapest on average for its customers."""
    free = open_idx[~taken[open_idx]]
    custs = np.flatnonzero(assign == seed_fac)
    if custs.size:
        near = prob.cost[np.ix_(free, custs)]
        finite = np.isfinite(near)
        score = np.where(finite, near, 0.0).sum(axis=1) / np.maximum(1, finite.sum(axis=1))
        score = score + (~finite).sum(axis=1) * _BIG
    else:
        score = np.zeros(free.size)
    score[free == seed_fac] = -np.inf
    return free[np.lexsort((free, score))[:size]]


def _window(
    prob: _Problem,
    is_open: BoolArray,
    assign: IntArray,
    win_open: IntArray,
    q: int,
    lp: _LP | None,
    movable: IntArray | None = None,
) -> tuple[IntArray, IntArray, bool]:
    """Customers of the window's open facilities and closed candidates near the customers of
    its ``movable`` facilities (default: all of them).

    Returns (customers, candidate facilities, whole) where ``whole`` says that the window is the
    full problem.
    """
    in_win = np.zeros(prob.m, dtype=bool)
    in_win[win_open] = True
    customers = np.flatnonzero(in_win[assign])
    if movable is not None:
        in_win[:] = False
        in_win[movable] = True
    near_custs = np.flatnonzero(in_win[assign])
    closed_cands = np.flatnonzero(~is_open & ~prob.closed)
    n_closed = closed_cands.size
    if near_custs.size and closed_cands.size:
        sub = np.where(
            prob.allow[np.ix_(closed_cands, near_custs)],
            prob.cost[np.ix_(closed_cands, near_custs)],
            np.inf,
        )
        # Rank: LP support for these customers, then how often a candidate is among a
        # customer's nearest, then mean cost.
        k = min(_K_NEAR, closed_cands.size)
        nearest = np.argsort(sub, axis=0, kind="stable")[:k]
        hits = np.zeros(closed_cands.size, dtype=np.int64)
        ok = np.isfinite(np.take_along_axis(sub, nearest, 0))
        np.add.at(hits, nearest[ok], 1)
        if lp is not None:
            lp_hits = (lp.x[np.ix_(closed_cands, near_custs)] > _EPS).sum(axis=1)
        else:
            lp_hits = np.zeros(closed_cands.size, dtype=np.int64)
        finite = np.isfinite(sub)
        mean = (np.where(finite, sub, 0.0).sum(axis=1) + prob.open_cost[closed_cands]) / (
            np.maximum(1, finite.sum(axis=1))
        )
        useful = finite.any(axis=1)
        cap = min(int(useful.sum()), _CAND_PER_OPEN * q + _CAND_EXTRA)
        by_near = np.lexsort((closed_cands, mean, -hits, ~useful))
        pick = np.zeros(closed_cands.size, dtype=bool)
        if lp_hits.any():
            # Half by LP support, the rest by nearness (the LP alone can mislead).
            by_lp = np.lexsort((closed_cands, mean, -hits, -lp_hits, ~useful))
            pick[by_lp[: cap // 2]] = True
        for k in by_near:
            if int(pick.sum()) >= cap:
                break
            pick[k] = True
        closed_cands = closed_cands[pick & useful]
    else:
        closed_cands = closed_cands[:0]
    whole = (
        movable is None and win_open.size == int(is_open.sum()) and closed_cands.size == n_closed
    )
    return customers, closed_cands, whole


@dataclass
class _Window:
    """One LNS sub-problem: facilities that may change, their customers, closed candidates."""

    facilities: IntArray  # open window facilities, then candidates
    customers: IntArray
    count: tuple[int, int] | None
    must: BoolArray
    ring: bool
    whole: bool
    ban: IntArray  # facilities forced closed (a kick)


def _window_count(prob: _Problem, k: int) -> tuple[int, int] | None:
    """Open-count bounds of a window holding ``k`` open facilities: the same number with ``p``,
    no more with ``max_open`` (the global count can then only stay or fall), free otherwise."""
    if prob.count is None:
        return None
    return (k, k) if prob.p is not None else (0, k)


def _make_window(
    prob: _Problem,
    is_open: BoolArray,
    assign: IntArray,
    lp: _LP | None,
    rng: np.random.Generator,
    q: int,
    ring_q: int,
    kick: bool = False,
) -> _Window:
    """Draw a window: one cluster of ``q`` neighbouring open facilities, two clusters around
    two random seeds (a facility can move from one area to another), or a ring (1-3 facilities
    may move, ``ring_q`` neighbours stay open but trade customers). A kick is a ring whose
    movable facilities must close, to leave a local optimum."""
    open_idx = np.flatnonzero(is_open)
    n_open = open_idx.size
    taken = np.zeros(prob.m, dtype=bool)
    a = int(open_idx[rng.integers(n_open)])
    ring = n_open >= 3 and (kick or rng.random() < _RING_SHARE)
    two = not ring and n_open >= 4 and q >= 3 and rng.random() < _TWO_REGION
    movable: IntArray | None = None
    if ring:
        qs = int(rng.integers(1, min(3, n_open - 1) + 1))
        win = np.sort(_cluster(prob, open_idx, assign, a, min(n_open, qs + ring_q), taken))
        movable = _cluster(prob, open_idx, assign, a, qs, taken)
    else:
        qa = q - q // 2 if two else q
        win = _cluster(prob, open_idx, assign, a, qa, taken)
        if two:
            taken[win] = True
            rest = open_idx[~taken[open_idx]]
            b = int(rest[rng.integers(rest.size)])
            win = np.concatenate([win, _cluster(prob, open_idx, assign, b, q // 2, taken)])
        win = np.sort(win)
    size = q if movable is None else movable.size
    customers, cands, whole = _window(prob, is_open, assign, win, size, lp, movable)
    must = prob.must_open
    if movable is not None:
        must = must.copy()
        must[win] = True
        must[movable] = prob.must_open[movable]
    ban = np.zeros(0, dtype=np.int64)
    if kick and movable is not None:
        ban = movable[~prob.must_open[movable]]
    return _Window(
        facilities=np.concatenate([win, cands]),
        customers=customers,
        count=_window_count(prob, int(win.size)),
        must=must,
        ring=ring,
        whole=whole and not ban.size,
        ban=ban,
    )


_WindowResult = tuple[int, dict[int, bool], dict[int, int], float]


def _solve_window(
    prob: _Problem,
    win: _Window,
    is_open: BoolArray,
    assign: IntArray,
    limit: float,
    deterministic: bool,
    seed: int,
) -> _WindowResult:
    """Solve one window with a single CP-SAT worker (windows run in parallel threads).

    Returns (status, open value per window facility, facility per window customer, time spent
    in the clock's units).
    """
    model, y, x = _build(prob, win.facilities, win.customers, win.count, win.must)
    for i in win.ban:
        model.add(y[int(i)] == 0)
    for i, v in y.items():
        model.add_hint(v, bool(is_open[i]))
    for (i, j), v in x.items():
        model.add_hint(v, bool(assign[j] == i))
    solver = cp_model.CpSolver()
    prm = solver.parameters
    prm.random_seed = seed
    prm.num_workers = 1
    prm.linearization_level = 2
    prm.cp_model_presolve = False
    if deterministic:
        prm.max_deterministic_time = max(limit, 1e-3)
    else:
        prm.max_time_in_seconds = max(limit, 1e-3)
    status = solver.solve(model)
    spent = solver.response_proto.deterministic_time if deterministic else solver.wall_time
    opened: dict[int, bool] = {}
    served: dict[int, int] = {}
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        opened = {i: bool(solver.boolean_value(v)) for i, v in y.items()}
        served = {j: i for (i, j), v in x.items() if solver.boolean_value(v)}
    return int(status), opened, served, float(spent)


def _lns(
    prob: _Problem,
    start: tuple[BoolArray, IntArray],
    lp: _LP | None,
    clock: _Clock,
    seed: int,
    workers: int,
    rng: np.random.Generator,
    reporter: _Reporter,
) -> tuple[tuple[BoolArray, IntArray], bool]:
    """Re-optimise windows of a few open facilities with CP-SAT; returns (best plan, proven).

    ``workers`` windows are drawn from the current plan and solved on as many threads (one
    CP-SAT worker each); a result is applied when it is better and none of its facilities
    changed since it was drawn. With a wall clock a new window is drawn as soon as one finishes;
    with a deterministic clock windows run in synchronous rounds with deterministic limits, so
    the plan does not depend on thread timing. After a run of windows without improvement a kick
    (a ring window whose movable facilities must close) is accepted even if worse; the search
    continues from it, or from the best plan if the previous kick led nowhere, and stops after
    ``_IDLE_KICKS`` kicks without a new best plan.
    """
    is_open, assign = start[0].copy(), start[1].copy()
    obj = prob.int_objective(is_open, assign)
    best = (is_open.copy(), assign.copy())
    best_obj = obj
    budget = _LNS_SHARE * clock.limit
    n_open = int(is_open.sum())
    if n_open == 0 or prob.n == 0:
        return best, False
    q = min(3, n_open)
    ring_q = n_open if n_open <= 2 * _RING else _RING
    sub_limit = max(0.05, min(_SUB_LIMIT, clock.limit / 20))
    stale = 0  # windows without improvement of the current plan
    par = max(1, int(workers))
    submitted = 0
    version = 0  # bumped whenever the current plan changes
    changed_at = np.zeros(prob.m, dtype=np.int64)  # version that last changed each facility
    pending: list[tuple[Future[_WindowResult], _Window, float, int]] = []
    proven = False
    idle_kicks = 0  # kicks since the best plan last improved
    with ThreadPoolExecutor(max_workers=par) as pool:
        while True:
            # Keep ``par`` windows in flight (deterministic mode: whole rounds of ``par``).
            while (
                len(pending) < par
                and not proven
                and not reporter.stop
                and (not clock.deterministic or not pending)
                and clock.used() < budget
            ):
                for _ in range(par if clock.deterministic else 1):
                    kick = stale >= _KICK_STALE * min(n_open, 10) + 4 and not any(
                        w.ban.size for _, w, _, _ in pending
                    )
                    if kick:
                        stale = 0
                        idle_kicks += 1
                        if idle_kicks > _IDLE_KICKS:
                            budget = clock.used()  # converged: leave the time to the full model
                            break
                        if obj > best_obj:  # the last kick led nowhere: restart from the best
                            is_open, assign, obj = best[0].copy(), best[1].copy(), best_obj
                            version += 1
                            changed_at[:] = version
                    w = _make_window(prob, is_open, assign, lp, rng, q, ring_q, kick)
                    lim = min(sub_limit * (2 if w.ring else 1), budget - clock.used())
                    fut = pool.submit(
                        _solve_window,
                        prob,
                        w,
                        is_open,
                        assign,
                        lim,
                        clock.deterministic,
                        seed + submitted,
                    )
                    submitted += 1
                    pending.append((fut, w, lim, version))
            if not pending:
                break
            if clock.deterministic:
                finished, pending = pending, []
                clock.dtime += max(f.result()[3] for f, _, _, _ in finished)  # side by side
            else:
                wait([f for f, _, _, _ in pending], return_when=FIRST_COMPLETED)
                finished = [t for t in pending if t[0].done()]
                pending = [t for t in pending if not t[0].done()]
            for fut, w, lim, seen in finished:
                status, opened, served, spent = fut.result()
                improved = False
                # Apply only if no facility of the window changed since it was drawn; a whole
                # window overwrites every facility, so it never conflicts.
                fresh = w.whole or not np.any(changed_at[w.facilities] > seen)
                if opened and fresh and not proven:
                    new_open, new_assign = is_open.copy(), assign.copy()
                    for i, val in opened.items():
                        new_open[i] = val
                    for j, i in served.items():
                        new_assign[j] = i
                    new_obj = prob.int_objective(new_open, new_assign)
                    kicked = bool(w.ban.size)
                    if (new_obj < obj or kicked) and prob.feasible(new_open, new_assign):
                        is_open, assign, obj = new_open, new_assign, new_obj
                        version += 1
                        changed_at[w.facilities] = version
                        improved = not kicked
                        if obj < best_obj:
                            best, best_obj = (is_open.copy(), assign.copy()), obj
                            idle_kicks = 0
                            reporter.report("lns", prob.true_objective(*best))
                if w.whole and status == cp_model.OPTIMAL:
                    proven = True  # the window was the full problem: the best plan is optimal
                stale = 0 if improved else stale + 1
                n_open = int(is_open.sum())
                slow = status != cp_model.OPTIMAL or spent > _FAST * lim
                if w.ring:
                    if status != cp_model.OPTIMAL:
                        ring_q = max(1, ring_q - 1)
                    elif not slow:
                        ring_q = min(n_open, ring_q + 1)
                elif slow:
                    q = max(min(2, n_open), q - 1)
                elif stale >= min(n_open, 10):
                    q = min(n_open, q + 1)
    return best, proven


__all__ = ["LocationResult", "Progress", "solve_location"]
