"""The location stage (planner.location.solve_location) against brute force and OR-Library."""

from __future__ import annotations

import itertools
import math
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from planner.location import LocationResult, solve_location

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))
import orlib  # noqa: E402


def brute_force(
    demand: np.ndarray,
    capacity: np.ndarray,
    open_cost: np.ndarray,
    cost: np.ndarray,
    p: int | None = None,
    allowed: np.ndarray | None = None,
    fixed_open: np.ndarray | None = None,
    fixed_closed: np.ndarray | None = None,
    fixed_assign: np.ndarray | None = None,
    max_open: int | None = None,
) -> float:
    """Optimum by enumerating every assignment (inf if infeasible)."""
    m, n = cost.shape
    must = np.zeros(m, bool) if fixed_open is None else fixed_open
    closed = np.zeros(m, bool) if fixed_closed is None else fixed_closed
    best = math.inf
    for assign in itertools.product(range(m), repeat=n):
        a = np.array(assign)
        if allowed is not None and not all(
            allowed[a[j], j] or (fixed_assign is not None and fixed_assign[j] == a[j])
            for j in range(n)
        ):
            continue
        if fixed_assign is not None and any(
            fixed_assign[j] >= 0 and fixed_assign[j] != a[j] for j in range(n)
        ):
            continue
        load = np.bincount(a, weights=demand, minlength=m)
        if np.any(load > capacity + 1e-9):
            continue
        used = np.zeros(m, bool)
        used[a] = True
        is_open = used | must
        if np.any(is_open & closed):
            continue
        if max_open is not None and int(is_open.sum()) > max_open:
            continue
        total = float(open_cost[is_open].sum() + cost[a, np.arange(n)].sum())
        if p is not None:
            k = p - int(is_open.sum())
            if k < 0:
                continue
            spare = np.sort(open_cost[~is_open & ~closed])
            if spare.size < k:
                continue
            total += float(spare[:k].sum())
        best = min(best, total)
    return best


def check_plan(
    res: LocationResult,
    demand: np.ndarray,
    capacity: np.ndarray,
    open_cost: np.ndarray,
    cost: np.ndarray,
) -> None:
    """The plan is single-source, within capacity, and its objective is recomputed correctly."""
    m, n = cost.shape
    assert res.open.shape == (m,) and res.open.dtype == bool
    assert res.assign.shape == (n,) and np.issubdtype(res.assign.dtype, np.integer)
    assert np.all((res.assign >= 0) & (res.assign < m))
    assert np.all(res.open[res.assign])
    load = np.bincount(res.assign, weights=demand, minlength=m)
    assert np.all(load <= capacity + 1e-9)
    expected = open_cost[res.open].sum() + cost[res.assign, np.arange(n)].sum()
    assert res.objective == pytest.approx(expected, rel=1e-12, abs=1e-9)
    assert res.bound <= res.objective + 1e-9


def random_instance(
    rng: np.random.Generator, m: int, n: int, decimals: int | None = 2
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    demand = rng.integers(1, 10, n).astype(float)
    capacity = rng.integers(8, 25, m).astype(float)
    while capacity.sum() < demand.sum() * 1.2:
        capacity += 3
    open_cost = rng.uniform(0, 40, m)
    cost = rng.uniform(0, 30, (m, n))
    if decimals is not None:
        open_cost, cost = open_cost.round(decimals), cost.round(decimals)
    return demand, capacity, open_cost, cost


@pytest.mark.parametrize("seed", range(12))
def test_brute_force_optimum(seed: int) -> None:
    rng = np.random.default_rng(seed)
    demand, capacity, open_cost, cost = random_instance(rng, 4, 6, decimals=2)
    res = solve_location(demand, capacity, open_cost, cost, time_limit=5, seed=seed)
    opt = brute_force(demand, capacity, open_cost, cost)
    check_plan(res, demand, capacity, open_cost, cost)
    assert res.status == "optimal" and res.optimal
    assert res.objective == pytest.approx(opt, abs=1e-9)
    assert res.bound == pytest.approx(opt, abs=1e-9)


@pytest.mark.parametrize("seed", range(4))
def test_brute_force_non_decimal_costs(seed: int) -> None:
    """Arbitrary float costs are scaled and rounded inside; the objective is still exact."""
    rng = np.random.default_rng(100 + seed)
    demand, capacity, open_cost, cost = random_instance(rng, 4, 6, decimals=None)
    open_cost = open_cost * math.pi
    res = solve_location(demand, capacity, open_cost, cost, time_limit=5)
    opt = brute_force(demand, capacity, open_cost, cost)
    check_plan(res, demand, capacity, open_cost, cost)
    assert res.objective == pytest.approx(opt, abs=1e-4)
    assert res.objective >= opt - 1e-9
    assert res.bound <= opt + 1e-9


def test_capacity_forces_split_over_facilities() -> None:
    # One cheap facility cannot hold everybody: single source makes the packing matter.
    demand = np.array([4.0, 4, 4, 3])
    capacity = np.array([8.0, 8, 15])
    open_cost = np.array([0.0, 0, 100])
    cost = np.array([[1.0, 1, 1, 1], [5, 5, 5, 5], [0, 0, 0, 0]])
    res = solve_location(demand, capacity, open_cost, cost, time_limit=5)
    check_plan(res, demand, capacity, open_cost, cost)
    assert res.objective == pytest.approx(brute_force(demand, capacity, open_cost, cost))
    assert res.objective == pytest.approx(1 + 1 + 5 + 5)  # (4+4 at 0) and (4+3 at 1)


@pytest.mark.parametrize("p", [1, 2, 3, 4])
def test_exactly_p_open(p: int) -> None:
    rng = np.random.default_rng(7)
    demand, capacity, open_cost, cost = random_instance(rng, 5, 6)
    capacity[:] = 60.0  # any single facility could serve everybody
    res = solve_location(demand, capacity, open_cost, cost, p=p, time_limit=5)
    check_plan(res, demand, capacity, open_cost, cost)
    assert int(res.open.sum()) == p
    assert res.objective == pytest.approx(brute_force(demand, capacity, open_cost, cost, p=p))
    assert res.status == "optimal"


def test_at_most_max_open() -> None:
    rng = np.random.default_rng(3)
    demand, capacity, open_cost, cost = random_instance(rng, 5, 6)
    open_cost[:] = 0.0  # opening is free: without a cap every customer takes its nearest site
    capacity[:] = 60.0
    free = solve_location(demand, capacity, open_cost, cost, time_limit=5)
    n_free = int(free.open.sum())
    assert n_free >= 3
    for cap in (1, 2, n_free - 1):
        res = solve_location(demand, capacity, open_cost, cost, max_open=cap, time_limit=5)
        check_plan(res, demand, capacity, open_cost, cost)
        assert int(res.open.sum()) <= cap
        opt = brute_force(demand, capacity, open_cost, cost, max_open=cap)
        assert res.objective == pytest.approx(opt)
        assert res.status == "optimal"
    res = solve_location(demand, capacity, open_cost, cost, max_open=0, time_limit=5)
    assert res.status == "infeasible" and "max_open" in res.reason


def test_allowed_mask_and_pins() -> None:
    rng = np.random.default_rng(11)
    demand, capacity, open_cost, cost = random_instance(rng, 4, 6)
    allowed = rng.random((4, 6)) < 0.6
    allowed[0, :] = True  # every customer keeps an option
    fixed_open = np.array([False, False, False, True])
    fixed_closed = np.array([False, True, False, False])
    fixed_assign = np.array([-1, 2, -1, -1, -1, -1])
    allowed[2, 1] = False  # a pin overrides the mask
    kwargs = dict(
        allowed=allowed,
        fixed_open=fixed_open,
        fixed_closed=fixed_closed,
        fixed_assign=fixed_assign,
    )
    res = solve_location(demand, capacity, open_cost, cost, time_limit=5, **kwargs)
    check_plan(res, demand, capacity, open_cost, cost)
    free = fixed_assign < 0
    assert np.all(allowed[res.assign[free], np.flatnonzero(free)])
    assert res.assign[1] == 2
    assert res.open[3] and res.open[2] and not res.open[1]
    opt = brute_force(demand, capacity, open_cost, cost, **kwargs)  # type: ignore[arg-type]
    assert res.objective == pytest.approx(opt)

    # Without the mask the cost can only go down: the mask was really binding or not at all.
    free_res = solve_location(demand, capacity, open_cost, cost, time_limit=5)
    assert free_res.objective <= res.objective + 1e-9


def test_allowed_mask_changes_the_answer() -> None:
    demand = np.array([1.0, 1.0])
    capacity = np.array([5.0, 5.0])
    open_cost = np.array([20.0, 20.0])
    cost = np.array([[0.0, 0.0], [9.0, 9.0]])
    allowed = np.array([[True, False], [True, True]])
    free = solve_location(demand, capacity, open_cost, cost, time_limit=5)
    assert free.assign.tolist() == [0, 0]
    assert free.objective == pytest.approx(20.0)
    # Customer 1 may not use facility 0: one facility (1) beats two (20 + 20 + 9).
    res = solve_location(demand, capacity, open_cost, cost, allowed=allowed, time_limit=5)
    assert res.assign.tolist() == [1, 1]
    assert res.objective == pytest.approx(38.0)


def test_inf_cost_means_not_allowed() -> None:
    demand = np.array([1.0, 1.0])
    capacity = np.array([5.0, 5.0])
    open_cost = np.array([0.0, 0.0])
    cost = np.array([[0.0, np.inf], [3.0, 4.0]])
    res = solve_location(demand, capacity, open_cost, cost, time_limit=5)
    assert res.assign[1] == 1
    assert res.objective == pytest.approx(4.0)


@pytest.mark.parametrize(
    ("case", "words"),
    [
        ("capacity", "total capacity"),
        ("no_option", "no allowed facility"),
        ("pin_closed", "fixed closed"),
        ("p_small", "largest"),
        ("too_big", "exceed the capacity"),
        ("packing", "capacities"),
    ],
)
def test_infeasible_with_reason(case: str, words: str) -> None:
    demand = np.array([3.0, 3.0, 3.0])
    capacity = np.array([5.0, 5.0])
    open_cost = np.zeros(2)
    cost = np.ones((2, 3))
    kwargs: dict[str, object] = {}
    if case == "capacity":
        capacity = np.array([4.0, 4.0])
    elif case == "no_option":
        kwargs["allowed"] = np.array([[True, False, True], [True, False, True]])
        capacity = np.array([9.0, 9.0])
    elif case == "pin_closed":
        capacity = np.array([9.0, 9.0])
        kwargs["fixed_assign"] = np.array([0, -1, -1])
        kwargs["fixed_closed"] = np.array([True, False])
    elif case == "p_small":
        capacity = np.array([6.0, 6.0])
        kwargs["p"] = 1
    elif case == "too_big":
        demand = np.array([3.0, 7.0, 1.0])
        capacity = np.array([6.0, 6.0])
    # "packing": 9 <= 10 in total, but three 3s do not fit single-source into two 5s.
    res = solve_location(demand, capacity, open_cost, cost, time_limit=5, **kwargs)  # type: ignore[arg-type]
    assert res.status == "infeasible"
    assert not res.optimal and not res.has_plan
    assert words in res.reason
    assert np.all(res.assign == -1) and not res.open.any()
    assert math.isnan(res.objective)
    assert res.seconds < 5


def test_bad_input_raises() -> None:
    with pytest.raises(ValueError, match="assign_cost"):
        solve_location([1.0], [1.0, 2.0], [0.0, 0.0], np.zeros((3, 1)))
    with pytest.raises(ValueError, match="demand"):
        solve_location([-1.0], [1.0], [0.0], np.zeros((1, 1)))
    with pytest.raises(ValueError, match="p must"):
        solve_location([1.0], [1.0], [0.0], np.zeros((1, 1)), p=2)


def test_orlib_p1_end_to_end() -> None:
    path = orlib.SSCFLP_DIR / "p1"
    if not path.exists():
        pytest.skip("OR-Library instances not available")
    opt = orlib.sscflp_optima()["p1"]
    assert opt == pytest.approx(932615.75)
    inst = orlib.read_sscflp(path, opt)
    assert (inst.m, inst.n) == (16, 50)
    res = solve_location(
        inst.demand, inst.capacity, inst.open_cost, inst.assign_cost, time_limit=10.0
    )
    check_plan(res, inst.demand, inst.capacity, inst.open_cost, inst.assign_cost)
    assert res.objective >= opt - 0.01
    assert res.objective <= opt * 1.005
    assert res.bound <= opt + 0.01


def test_orlib_pmedcap_reader() -> None:
    path = orlib.PMEDCAP_DIR / "pmedcap01.txt"
    if not path.exists():
        pytest.skip("OR-Library instances not available")
    inst = orlib.read_pmedcap(path)
    assert (inst.n, inst.m, inst.p, inst.optimum) == (50, 50, 5, 713.0)
    assert np.all(np.diag(inst.assign_cost) == 0)
    assert np.all(inst.assign_cost == np.floor(inst.assign_cost))  # truncated distances
    assert np.all(inst.capacity == 120) and np.all(inst.open_cost == 0)


def synthetic(seed: int, m: int = 25, n: int = 80) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    sites = rng.uniform(0, 100, (m, 2))
    people = rng.uniform(0, 100, (n, 2))
    demand = rng.integers(5, 40, n).astype(float)
    dist = np.sqrt(((sites[:, None, :] - people[None, :, :]) ** 2).sum(axis=2))
    cost = dist * demand[None, :]
    capacity = rng.integers(150, 300, m).astype(float)
    open_cost = rng.uniform(500, 1500, m)
    return demand, capacity, open_cost, cost


def p_median(seed: int, n: int = 60, p: int = 6) -> tuple[np.ndarray, ...]:
    """A capacitated p-median instance like OR-Library's (tight capacities, 85 % full)."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 100, (n, 2))
    dist = np.floor(np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2)))
    demand = rng.integers(1, 20, n).astype(float)
    capacity = np.full(n, np.ceil(demand.sum() / p / 0.85))
    return demand, capacity, np.zeros(n), dist


def _spin(stop: threading.Event) -> None:
    x = 0
    while not stop.is_set():
        x += 1


def test_deterministic_same_seed_same_plan() -> None:
    """Hard enough that the budget binds (with a wall-clock limit the traces differ)."""
    demand, capacity, open_cost, cost = p_median(2)
    runs, traces = [], []
    for busy in (False, True):
        # The second run competes with a busy thread: a wall-clock budget would see less work.
        stop = threading.Event()
        hog = threading.Thread(target=_spin, args=(stop,), daemon=True)
        if busy:
            hog.start()
        trace: list[dict[str, object]] = []
        try:
            runs.append(
                solve_location(
                    demand,
                    capacity,
                    open_cost,
                    cost,
                    p=6,
                    time_limit=1.0,
                    deterministic=True,
                    seed=5,
                    progress=trace.append,
                )
            )
        finally:
            stop.set()
        traces.append([(r["phase"], r["objective"]) for r in trace])
    assert runs[0].has_plan and not runs[0].optimal
    assert len(traces[0]) >= 2  # the search improved the first plan: the limit matters
    check_plan(runs[0], demand, capacity, open_cost, cost)
    assert int(runs[0].open.sum()) == 6
    assert traces[0] == traces[1]
    assert np.array_equal(runs[0].assign, runs[1].assign)
    assert np.array_equal(runs[0].open, runs[1].open)
    assert runs[0].objective == runs[1].objective
    assert runs[0].bound == runs[1].bound


def test_progress_reports_are_plain_and_improving() -> None:
    demand, capacity, open_cost, cost = synthetic(4)
    reports: list[dict[str, object]] = []
    res = solve_location(demand, capacity, open_cost, cost, time_limit=1.0, progress=reports.append)
    assert reports, "no progress report"
    objs = [float(r["objective"]) for r in reports]  # type: ignore[arg-type]
    assert all(b <= a for a, b in itertools.pairwise(objs))
    for r in reports:
        assert r["stage"] == "location"
        assert set(r) >= {"stage", "objective", "bound", "seconds"}
        assert all(isinstance(v, str | int | float) for v in r.values())
        assert float(r["bound"]) <= float(r["objective"]) + 1e-6  # type: ignore[arg-type]
    assert objs[-1] == pytest.approx(res.objective, rel=1e-9)


def test_progress_can_stop_the_search() -> None:
    demand, capacity, open_cost, cost = synthetic(5, m=30, n=120)
    calls: list[dict[str, object]] = []

    def stop_at_once(report: dict[str, object]) -> bool:
        calls.append(report)
        return True

    res = solve_location(demand, capacity, open_cost, cost, time_limit=30, progress=stop_at_once)
    assert len(calls) == 1  # without the stop: construct, kernel, search... (2.5 s)
    assert res.has_plan and res.seconds < 2
    check_plan(res, demand, capacity, open_cost, cost)


def test_caller_stop_is_polled() -> None:
    """The page's stop button: a polled request ends the search with the plan in hand."""
    demand, capacity, open_cost, cost = synthetic(5, m=30, n=120)
    reports: list[dict[str, object]] = []
    res = solve_location(
        demand, capacity, open_cost, cost, time_limit=30, progress=reports.append, stop=lambda: True
    )
    assert res.has_plan and {r["phase"] for r in reports} <= {"hint", "construct"}
    check_plan(res, demand, capacity, open_cost, cost)


def test_a_running_cp_sat_search_is_stopped_from_outside() -> None:
    """A search that finds nothing new would run to its limit; the watcher stops it."""
    from ortools.sat.python import cp_model

    from planner.location import _Clock, _watch

    # Heaviest independent set of a random graph: solutions come at once, the proof does not.
    rng = np.random.default_rng(0)
    model = cp_model.CpModel()
    nodes = 400
    x = [model.new_bool_var(f"x{i}") for i in range(nodes)]
    for i, j in itertools.combinations(range(nodes), 2):
        if rng.random() < 0.03:
            model.add_bool_or([x[i].Not(), x[j].Not()])
    model.maximize(sum(int(w) * v for w, v in zip(rng.integers(1, 100, nodes), x, strict=True)))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 60.0
    solver.parameters.num_workers = 1
    flag = threading.Event()
    threading.Timer(0.3, flag.set).start()
    with _watch(solver, _Clock(60.0, False, flag.is_set)):
        status = solver.solve(model)
    assert status == cp_model.FEASIBLE  # stopped with a solution but no proof
    assert solver.wall_time < 30.0  # far below the 60 s limit it would otherwise use


def test_progress_exception_propagates() -> None:
    demand, capacity, open_cost, cost = synthetic(6)

    def broken(report: dict[str, object]) -> None:
        raise RuntimeError("ui went away")

    with pytest.raises(RuntimeError, match="ui went away"):
        solve_location(demand, capacity, open_cost, cost, time_limit=5, progress=broken)


def test_hint_is_used_and_result_is_plain() -> None:
    demand, capacity, open_cost, cost = synthetic(7, m=10, n=30)
    first = solve_location(demand, capacity, open_cost, cost, time_limit=2)
    again = solve_location(
        demand, capacity, open_cost, cost, time_limit=0.01, hint=(first.open, first.assign)
    )
    assert again.has_plan
    assert again.objective <= first.objective + 1e-9
    for value in (again.objective, again.bound, again.seconds):
        assert isinstance(value, float)
    assert isinstance(again.optimal, bool) and isinstance(again.status, str)
    with pytest.raises(ValueError):
        again.open[0] = not again.open[0]  # read-only arrays
