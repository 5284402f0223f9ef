"""The day simulation against queueing theory, hand computations and an independent SimPy model."""

from __future__ import annotations

import dataclasses
import heapq
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import simpy

from planner import load_scenario
from planner.geo import haversine_m
from planner.model import Scenario
from planner.plan import Call, DeskSpell, Plan
from planner.planfile import read_plan
from planner.sim_kernel import desk_intervals, lift_down, lognormal_from_normal, serve_fifo
from planner.simulate import PEOPLE_COLUMNS, QUEUE_COLUMNS, SITE_COLUMNS, simulate

# --------------------------------------------------------------------------------------------
# Helpers


def desks_open(spells: list[tuple[float, float, int]], t: float) -> int:
    """Desks open at ``t``: the plain definition, independent of the kernel's bookkeeping."""
    return sum(d for a, b, d in spells if a <= t < b)


def quiet_flow(scenario: Scenario, **changes: Any) -> Scenario:
    """The scenario with a deterministic flow: no response delay, everybody comes, cv 0."""
    flow = dataclasses.replace(
        scenario.flow, service_cv=0.0, response_min=0.0, turnout=1.0, **changes
    )
    return dataclasses.replace(scenario, flow=flow)


@pytest.fixture
def mini(mini_dir: Path, mini_plan_dir: Path) -> tuple[Scenario, Plan]:
    scenario = load_scenario(mini_dir)
    return scenario, read_plan(mini_plan_dir, scenario)


# --------------------------------------------------------------------------------------------
# 1. M/M/c against the Erlang C formula


def erlang_c(c: int, lam: float, mu: float) -> tuple[float, float]:
    """P(wait > 0) and mean wait in an M/M/c queue (first principles: birth-death chain).

    With offered load a = lam / mu and rho = a / c < 1 the stationary probabilities are
    p_k = p_0 a^k / k! for k < c and p_k = p_0 a^c / c! rho^(k-c) for k >= c; an arriving customer
    (PASTA) waits iff all c servers are busy, and then waits an exponential time of rate
    c mu - lam, so E[W] = P(wait) / (c mu - lam).
    """
    a = lam / mu
    rho = a / c
    busy = a**c / math.factorial(c) / (1.0 - rho)
    p_wait = busy / (sum(a**k / math.factorial(k) for k in range(c)) + busy)
    return p_wait, p_wait / (c * mu - lam)


def test_mmc_matches_erlang_c() -> None:
    c, lam, mu = 3, 2.4, 1.0  # rho = 0.8
    # A million customers keep the sampling error of the mean wait near 1 % (waits are strongly
    # correlated at rho = 0.8); the tolerances are about three standard errors.
    n, warm = 1_000_000, 10_000
    rng = np.random.default_rng(20220316)
    arrivals = np.cumsum(rng.exponential(1 / lam, n))
    service = rng.exponential(1 / mu, n)
    start, end, desk = serve_fifo(arrivals, service, [(0.0, math.inf, c)])
    wait = (start - arrivals)[warm:]
    p_wait, mean_wait = erlang_c(c, lam, mu)
    assert (p_wait, mean_wait) == pytest.approx((0.64719, 1.07865), abs=1e-5)
    assert np.mean(wait > 0) == pytest.approx(p_wait, rel=0.015)
    assert np.mean(wait) == pytest.approx(mean_wait, rel=0.04)
    # FIFO, not just any work-conserving order: P(W > t) = P(wait) exp(-(c mu - lam) t).
    t = 2.0
    assert np.mean(wait > t) == pytest.approx(p_wait * math.exp(-(c * mu - lam) * t), rel=0.05)
    assert set(np.unique(desk)) == {0, 1, 2}
    assert np.all(end == start + service)


# --------------------------------------------------------------------------------------------
# 2. A deterministic case by hand


def test_deterministic_case_by_hand() -> None:
    # Desk 0 open 0-4; desk 1 open 0-1, closed 1-2 (one desk in the spell), open again 2-4.
    spells = [(0.0, 1.0, 2), (1.0, 2.0, 1), (2.0, 4.0, 2)]
    arrivals = [0.0, 0.0, 0.0, 0.2, 0.9, 1.5, 1.6, 1.7, 3.9, 3.95, 4.5, 3.99]
    service = [0.5, 0.5, 0.5, 0.8, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]
    start, end, desk = serve_fifo(arrivals, service, spells)
    inf = math.inf
    # c3 keeps desk 1 past its closing at 1.0 (finishes its person at 1.3); c4 must use desk 0;
    # at 2.0 both desks are free and open: c6 takes desk 0 (lowest number), c7 desk 1; c8 and c9
    # find idle desks; after 4.0 nothing opens again, so c11 (given out of order) and c10 wait
    # forever.
    assert start.tolist() == [0.0, 0.0, 0.5, 0.5, 1.0, 1.5, 2.0, 2.0, 3.9, 3.95, inf, inf]
    assert end.tolist() == pytest.approx(
        [0.5, 0.5, 1.0, 1.3, 1.5, 2.0, 2.5, 2.5, 4.4, 4.45, inf, inf]
    )
    assert desk.tolist() == [0, 1, 0, 1, 0, 0, 0, 1, 0, 1, -1, -1]


def test_lift_rides_by_hand() -> None:
    # Rides of 4 taking 1.5 min. Five people at 0: four leave at 0 (down at 1.5), the fifth rides
    # alone at 1.5 (down at 3.0); one at 1.0 and one at 2.0 wait: the ride at 3.0 takes both.
    # Somebody at 10 finds the lift idle.
    down = lift_down([0, 0, 0, 0, 0, 1.0, 2.0, 10.0], 1.5, 4)
    assert down.tolist() == [1.5, 1.5, 1.5, 1.5, 3.0, 3.0, 4.5, 11.5]
    assert lift_down([2.0, 1.0, 0.0], 1.0, 1).tolist() == [3.0, 2.0, 1.0]  # any input order


def test_lognormal_mean_and_cv() -> None:
    z = np.random.default_rng(1).standard_normal(400_000)
    x = lognormal_from_normal(z, 25.0, 0.35)
    assert x.mean() == pytest.approx(25.0, rel=0.005)
    assert x.std() / x.mean() == pytest.approx(0.35, rel=0.01)
    assert np.all(lognormal_from_normal(z[:10], 25.0, 0.0) == 25.0)


# --------------------------------------------------------------------------------------------
# 3. Desk schedule semantics


def test_queue_waits_through_a_gap_and_before_opening() -> None:
    spells = [(10.0, 20.0, 1), (30.0, 40.0, 1)]
    start, end, _ = serve_fifo([5.0, 22.0, 23.0, 45.0], [1.0, 1.0, 1.0, 1.0], spells)
    assert start.tolist() == [10.0, 30.0, 31.0, math.inf]
    assert end.tolist() == [11.0, 31.0, 32.0, math.inf]
    # No spell at all: nobody is ever served.
    start, _, desk = serve_fifo([1.0, 2.0], [1.0, 1.0], [])
    assert np.isinf(start).all() and (desk == -1).all()


def test_desk_intervals_merge_and_stack() -> None:
    spells = [(0.0, 10.0, 2), (10.0, 20.0, 1), (20.0, 30.0, 3), (5.0, 8.0, 1)]
    assert desk_intervals(spells) == [
        ([0.0], [30.0]),  # desk 0 open throughout: the spells touch, no closing at 10 or 20
        ([0.0, 20.0], [10.0, 30.0]),
        ([5.0, 20.0], [8.0, 30.0]),  # overlapping spells add up
    ]


def test_nobody_starts_at_a_closed_desk() -> None:
    rng = np.random.default_rng(7)
    spells = [(0.0, 30.0, 2), (30.0, 45.0, 0), (45.0, 90.0, 3), (90.0, 100.0, 1), (120.0, 150.0, 2)]
    arrivals = rng.uniform(0, 160, 900)
    service = rng.exponential(0.4, 900)
    start, end, desk = serve_fifo(arrivals, service, spells)
    served = np.isfinite(start)
    for s, k in zip(start[served], desk[served], strict=True):
        assert desks_open(spells, s) > k, (s, k)
    assert np.all(start[served] >= arrivals[served])
    # Nobody starts during the 30-45 and 100-120 gaps, and the queue carries over them.
    assert not np.any((start >= 30) & (start < 45))
    assert not np.any((start >= 100) & (start < 120))
    assert np.any(start == 45.0) and np.any(start == 120.0)
    # FIFO: start times follow arrival order.
    order = np.argsort(arrivals, kind="stable")
    assert np.all(np.diff(start[order][served[order]]) >= 0)
    # Those never served are exactly the last arrivals.
    assert served[order].tolist() == sorted(served[order].tolist(), reverse=True)
    # Each desk serves one person at a time.
    for k in range(3):
        mine = np.argsort(start[served & (desk == k)])
        s_k, e_k = start[served & (desk == k)][mine], end[served & (desk == k)][mine]
        assert np.all(s_k[1:] >= e_k[:-1] - 1e-12)


# --------------------------------------------------------------------------------------------
# 4. The whole flow on the mini scenario, by hand


def test_mini_flow_by_hand(mini: tuple[Scenario, Plan]) -> None:
    scenario, plan = mini
    scenario = quiet_flow(scenario)
    people = simulate(scenario, plan, reps=1, seed=3).people
    b1, b2, s1 = scenario.buildings[0], scenario.buildings[1], scenario.sites[0]
    walk_b1 = float(haversine_m(b1.lat, b1.lon, s1.lat, s1.lon)) * 1.3 / 1.0 / 60  # minutes
    walk_b2 = float(haversine_m(b2.lat, b2.lon, s1.lat, s1.lon)) * 1.3 / 1.0 / 60

    def person(building: str, number: int) -> pd.Series:
        rows = people[(people.building_id == building) & (people.person == number)]
        assert len(rows) == 1
        return rows.iloc[0]

    # B1 floors 1-3, 39 people at 06:00, 13 per floor: person 26 is the first on floor 3 and
    # walks down two floors at 12 s each.
    p = person("B1", 26)
    assert p.floor == 3
    assert p.arrived == pytest.approx(360 + 2 * 12 / 60 + walk_b1)
    # One desk from 06:00, 30 s each: the floor-1 people arrive together, and the queue never
    # empties before the wave is done, so person j starts at t0 + j / 2.
    t0 = 360 + walk_b1
    wave = people[(people.building_id == "B1") & (people.person < 39)].sort_values("person")
    assert wave.start.to_numpy() == pytest.approx(t0 + 0.5 * np.arange(39))
    # B2 floors 7-12: 82 people called at 07:25 (persons 83.. after the 83 of floors 1-6),
    # 14 on floor 7. All take the lift at once; person 92 is the tenth in line, so rides in the
    # third ride (rides of 4 taking 90 s) and is down at 07:25 + 3 x 1.5 min.
    p = person("B2", 92)
    assert p.floor == 7 and p.called == 445
    assert p.arrived == pytest.approx(445 + 3 * 1.5 + walk_b2)
    assert p.walked_m == pytest.approx(walk_b2 * 60)
    assert people.came.all()
    assert len(people) == 325  # every mobile resident of B1 and B2; B3 is locked


def test_door_visits_follow_the_team(mini: tuple[Scenario, Plan]) -> None:
    scenario, plan = mini
    scenario = quiet_flow(scenario)
    # Plan the second stop (B1 floor 3) too early, at 07:40: the team is still at B3 then.
    visits = tuple(dataclasses.replace(v, start=460) if v.seq == 1 else v for v in plan.visits)
    result = simulate(scenario, dataclasses.replace(plan, visits=visits), reps=1)
    done = result.visits.sort_values("seq")
    # B3: 100 people x 60 s + one lift ride (floor 11 >= 7, lift) = 101.5 min from 06:00.
    assert done.start.iloc[0] == 360
    assert done.end.iloc[0] == pytest.approx(360 + 100 + 1.5)
    # B1 floor 3 starts when the team has walked over; 2 people + climbing 2 floors up and down.
    b3, b1 = scenario.buildings[2], scenario.buildings[0]
    walk = float(haversine_m(b3.lat, b3.lon, b1.lat, b1.lon)) * 1.3 / 60
    assert done.start.iloc[1] == pytest.approx(461.5 + walk)
    assert done.end.iloc[1] == pytest.approx(461.5 + walk + 2 + 2 * 2 * 12 / 60)
    # B2 floor 12 was planned at 07:52, after the team can be there: it starts on time.
    assert done.start.iloc[2] == 472
    assert done.planned_start.tolist() == [360, 460, 472]


# --------------------------------------------------------------------------------------------
# 5. Common random numbers


def other_plan(plan: Plan) -> Plan:
    """The mini plan with B1 called whole at 06:00 and B2 sent to S2 (opened for it)."""
    calls = [c for c in plan.calls if c.building_id != "B1"]
    calls = [dataclasses.replace(c, site_id="S2", call_time=c.call_time + 5) for c in calls]
    calls.append(Call("B1", 1, 6, 78, "S1", 360, "P6", 9))
    desks = (*plan.desks, DeskSpell("S2", 390, 540, 2))
    return dataclasses.replace(plan, calls=tuple(calls), desks=desks)


def test_same_seed_same_result(mini: tuple[Scenario, Plan]) -> None:
    scenario, plan = mini
    first = simulate(scenario, plan, reps=3, seed=11)
    again = simulate(scenario, plan, reps=3, seed=11)
    assert first.kpis == again.kpis
    pd.testing.assert_frame_equal(first.people, again.people)
    pd.testing.assert_frame_equal(first.queue, again.queue)
    other = simulate(scenario, plan, reps=3, seed=12)
    assert other.kpis["finish"] != first.kpis["finish"]


def test_two_plans_see_the_same_people(mini: tuple[Scenario, Plan]) -> None:
    scenario, plan = mini
    a = simulate(scenario, plan, reps=2, seed=5).people
    b = simulate(scenario, other_plan(plan), reps=2, seed=5).people
    key = ["rep", "building_id", "person"]
    a = a.assign(building_id=a.building_id.astype(str), service=a.end - a.start)
    b = b.assign(building_id=b.building_id.astype(str), service=b.end - b.start)
    both = a.merge(b, on=key, suffixes=("_a", "_b"))
    assert len(both) == len(a) == len(b)
    assert (both.came_a == both.came_b).all()
    came = both[both.came_a]
    assert came.service_a.to_numpy() == pytest.approx(came.service_b.to_numpy(), rel=1e-12)
    # Same response draw: the delay after the call is the same person's.
    delay_a = came.left_home_a - came.called_a
    delay_b = came.left_home_b - came.called_b
    assert delay_a.to_numpy() == pytest.approx(delay_b.to_numpy(), rel=1e-9, abs=1e-9)
    # The plans do differ: B2 goes elsewhere.
    assert set(b[b.building_id == "B2"].site_id.astype(str)) == {"S2"}
    # A plan that does not call B1 at all still gives B2's people the same draws: they are
    # tied to the person, not to their position among the people called.
    no_b1 = dataclasses.replace(plan, calls=tuple(c for c in plan.calls if c.building_id != "B1"))
    c = simulate(scenario, no_b1, reps=2, seed=5).people
    c = c.assign(building_id=c.building_id.astype(str), service=c.end - c.start)
    a2, c2 = a[a.building_id == "B2"], c[c.building_id == "B2"]
    assert (a2.came.to_numpy() == c2.came.to_numpy()).all()
    ok = a2.came.to_numpy()
    assert a2.service.to_numpy()[ok] == pytest.approx(c2.service.to_numpy()[ok], rel=1e-12)


# --------------------------------------------------------------------------------------------
# 6. Cross-check against an independent SimPy model


def simpy_site(
    arrivals: np.ndarray, service: np.ndarray, spells: list[tuple[float, float, int]]
) -> np.ndarray:
    """Start times from a process-based SimPy model of one site.

    Free open desks are tokens in a :class:`simpy.PriorityStore`; each customer process asks for
    one at its arrival (SimPy hands tokens to waiting customers in request order: FIFO) and gets
    the lowest-numbered free desk. A controller process per desk adds its token when the desk
    opens and takes it out when it closes; a desk that closes while serving finishes its customer
    and only returns its token if it is open again by then.
    """
    env = simpy.Environment()
    free = simpy.PriorityStore(env)
    starts = np.full(arrivals.size, math.inf)
    edges = sorted({t for a, b, _ in spells for t in (a, b)})
    busy = [False] * max((desks_open(spells, t) for t in edges), default=0)

    def is_open(k: int) -> bool:
        return desks_open(spells, env.now) > k

    def controller(k: int):  # type: ignore[no-untyped-def]
        was_open = False
        for edge in edges:
            yield env.timeout(edge - env.now)
            now_open = is_open(k)
            if now_open and not was_open and not busy[k]:
                yield free.put(k)
            elif was_open and not now_open and k in free.items:
                free.items.remove(k)
                heapq.heapify(free.items)  # the store keeps its items as a heap
            was_open = now_open

    def customer(i: int):  # type: ignore[no-untyped-def]
        yield env.timeout(float(arrivals[i]))
        k = yield free.get()
        busy[k] = True
        starts[i] = env.now
        yield env.timeout(float(service[i]))
        busy[k] = False
        if is_open(k):
            yield free.put(k)

    for k in range(len(busy)):
        env.process(controller(k))
    for i in np.argsort(arrivals, kind="stable"):
        env.process(customer(int(i)))
    env.run()
    return starts


def simpy_lift(ready: np.ndarray, ride: float, capacity: int) -> np.ndarray:
    """Ground arrival times from a SimPy lift that leaves with whoever waits, up to capacity."""
    env = simpy.Environment()
    hall = simpy.Store(env)
    down = np.full(ready.size, math.nan)

    def lift():  # type: ignore[no-untyped-def]
        while True:
            riders = [(yield hall.get())]
            while len(riders) < capacity and hall.items:
                riders.append((yield hall.get()))
            yield env.timeout(ride)
            down[riders] = env.now

    def come():  # type: ignore[no-untyped-def]
        for i in np.argsort(ready):
            yield env.timeout(float(ready[i]) - env.now)
            yield hall.put(int(i))

    env.process(lift())
    env.process(come())
    env.run()
    return down


@pytest.mark.parametrize("seed", range(6))
def test_kernel_matches_simpy_with_changing_desks(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 500
    arrivals = rng.uniform(0, 300, n)
    # Loads from light to heavy, so both idle desks and long queues occur.
    service = lognormal_from_normal(rng.standard_normal(n), 0.9, 0.5) * (0.5 + seed / 2)
    spells = [(0.0, 60.0, 2), (60.0, 120.0, 3), (150.0, 200.0, 1), (200.0, 280.0, 4), (280, 290, 1)]
    start, _, _ = serve_fifo(arrivals, service, spells)
    expected = simpy_site(arrivals, service, spells)
    assert np.array_equal(np.isinf(start), np.isinf(expected))
    finite = np.isfinite(start)
    assert start[finite] == pytest.approx(expected[finite], abs=1e-9)
    if seed == 5:
        assert np.isinf(start).sum() > 0  # the day ends with people still waiting


def test_lift_matches_simpy() -> None:
    rng = np.random.default_rng(4)
    ready = np.sort(rng.uniform(0, 40, 300))
    assert lift_down(ready, 1.5, 4) == pytest.approx(simpy_lift(ready, 1.5, 4), abs=1e-9)


def test_mini_site_matches_simpy(mini: tuple[Scenario, Plan]) -> None:
    scenario, plan = mini
    result = simulate(scenario, plan, reps=1, seed=8)
    people = result.people[result.people.came & (result.people.site_id == "S1")]
    spells = [(float(d.start), float(d.end), d.desks) for d in plan.desks if d.site_id == "S1"]
    arrived = people.arrived.to_numpy()
    expected = simpy_site(arrived, (people.end - people.start).to_numpy(), spells)
    assert people.start.to_numpy() == pytest.approx(expected, abs=1e-9)


# --------------------------------------------------------------------------------------------
# 7. KPIs and records


def test_mini_kpis_make_sense(mini: tuple[Scenario, Plan]) -> None:
    scenario, plan = mini
    result = simulate(scenario, plan, reps=4, seed=0)
    kpis = json.loads(json.dumps(result.kpis, allow_nan=False))
    assert kpis["reps"] == 4 and kpis["seed"] == 0
    done = kpis["done_by_deadline"]
    assert 0 <= done["p10"] <= done["mean"] <= done["p90"] <= 1
    # About 3 % stay home: they are not done.
    assert done["mean"] < 1
    assert kpis["lower_bound"] == pytest.approx(
        360 + (325 * 0.97 * 30 / 60 + 105 + 1.5) / 2
    )  # + a lift ride
    assert kpis["finish"]["p10"] is not None
    assert kpis["lower_bound"] <= kpis["finish"]["p10"]
    assert kpis["staff_hours"] == pytest.approx(3 * 3 + 2 * 2 + 2.5)
    assert kpis["sites_over_capacity"] == []
    assert kpis["unserved"]["mean"] == 0
    sites = result.sites
    assert list(sites.columns) == list(SITE_COLUMNS)
    assert (sites.site_id == "S1").all() and len(sites) == 4
    assert ((sites.utilisation > 0.8) & (sites.utilisation <= 1)).all()
    assert kpis["peak_queue"]["mean"] == pytest.approx(sites.peak_queue.mean())
    # The per-minute queue peaks no higher than the exact peak.
    top = result.queue.groupby("rep").queue.max()
    assert (top.to_numpy() <= sites.peak_queue.to_numpy()).all()
    assert (top.to_numpy() >= sites.peak_queue.to_numpy() - 5).all()


def test_worst_site_wait_from_the_people_themselves(tiny: Scenario, tiny_plan: Plan) -> None:
    """The worst site's p95 wait, recomputed from each replication's people: per site the
    95th percentile of the served people's waits, the largest site per replication."""
    result = simulate(tiny, tiny_plan, reps=3, seed=4, keep_people=3)
    people = result.people
    served = people[people.came & np.isfinite(people.wait)]
    per_site = served.groupby(["rep", "site_id"]).wait.apply(lambda w: np.percentile(w, 95))
    worst = per_site.groupby("rep").max().to_numpy()
    kpi = result.kpis["wait_p95_worst_site_min"]
    assert kpi["mean"] == pytest.approx(worst.mean())
    assert kpi["p90"] == pytest.approx(np.percentile(worst, 90))
    assert result.kpis["worst_wait_site"] == per_site.groupby("site_id").mean().idxmax()
    # The point of the KPI: this plan's town-wide p95 hides a site where people wait longer.
    overall = served.groupby("rep").wait.apply(lambda w: np.percentile(w, 95)).to_numpy()
    assert (worst > overall + 1.0).all()


def test_unserved_people_make_the_finish_unknown(mini: tuple[Scenario, Plan]) -> None:
    scenario, plan = mini
    # Desks close at 07:30, before the last waves come down.
    short = dataclasses.replace(plan, desks=(DeskSpell("S1", 360, 450, 1),))
    result = simulate(scenario, short, reps=2)
    assert result.kpis["finish"]["mean"] is None
    assert result.kpis["unserved"]["mean"] > 100
    assert result.kpis["done_by_deadline"]["mean"] < 0.7
    late = result.people[result.people.came & (result.people.called >= 485)]
    assert np.isinf(late.start).all() and np.isinf(late.wait).all()
    json.dumps(result.kpis, allow_nan=False)


def test_overcrowded_site_is_flagged(mini: tuple[Scenario, Plan]) -> None:
    scenario, plan = mini
    # Everybody of B1 and B2 at once: far more than S1's 100 places in line.
    calls = (Call("B1", 1, 6, 78, "S1", 360, "P6", 0), Call("B2", 1, 18, 247, "S1", 360, "P6", 1))
    result = simulate(scenario, dataclasses.replace(plan, calls=calls), reps=2)
    assert result.kpis["sites_over_capacity"] == ["S1"]


def test_write_parquet(mini: tuple[Scenario, Plan], tmp_path: Path) -> None:
    scenario, plan = mini
    result = simulate(scenario, plan, reps=2, keep_people=1)
    folder = result.write(tmp_path / "sim")
    people = pd.read_parquet(folder / "people.parquet")
    assert list(people.columns) == list(PEOPLE_COLUMNS)
    assert set(people.rep) == {0}  # only the first replication's people kept
    assert list(pd.read_parquet(folder / "queue.parquet").columns) == list(QUEUE_COLUMNS)
    assert len(pd.read_parquet(folder / "sites.parquet")) == 2
    assert len(pd.read_parquet(folder / "visits.parquet")) == 6
    assert json.loads((folder / "simulation.json").read_text(encoding="utf-8")) == result.kpis


def test_empty_plan(mini: tuple[Scenario, Plan]) -> None:
    scenario, _ = mini
    result = simulate(scenario, Plan(desks=(), calls=(), visits=(), roster=()), reps=2)
    assert result.kpis["done_by_deadline"]["mean"] == 0
    assert result.kpis["finish"]["mean"] is None
    assert result.kpis["worst_wait_site"] is None
    assert result.kpis["wait_p95_worst_site_min"]["mean"] == 0
    assert result.people.empty and result.sites.empty and result.queue.empty
