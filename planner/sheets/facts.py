"""What the sheets say, computed from the scenario, the plan and a simulation (no layout here).

Everything printed comes from the plan's tables; the only derived items are the households of a
wave (spread evenly over floors, as ``docs/formats.md`` defines) and the suggested desk numbers
of the crew (see :func:`seat_crews`). Expected queues and finish times come from
:func:`planner.simulate.simulate` and are labelled as predictions on the sheets.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from planner.model import Building, Role, Scenario, Site
from planner.plan import Call, DeskSpell, Plan, Shift, Visit, wave_households
from planner.simulate import SimResult


@dataclass(frozen=True, slots=True)
class CrewShift:
    """A roster shift with the person's printed name."""

    staff_id: str
    name: str
    role: Role
    start: int
    end: int


@dataclass(frozen=True)
class DeskSeat:
    """Who sits at one (suggested) desk number over the day, in time order."""

    desk: int
    samplers: tuple[CrewShift, ...]
    registrars: tuple[CrewShift, ...]


@dataclass(frozen=True, slots=True)
class SiteForecast:
    """A site's simulated outlook, averaged over replications.

    Attributes
    ----------
    peak_queue
        Most people waiting at once (mean over replications).
    finish
        Minute the last person is served (mean of the replications' last service end); ``None``
        when nobody was served.
    unserved
        People who came but found no desk open again (mean).
    """

    peak_queue: float
    finish: float | None
    unserved: float


@dataclass(frozen=True)
class CallRow:
    """One calling wave as printed: the call and the figures derived from it."""

    call: Call
    building: Building
    households: int
    sweeper: str


@dataclass(frozen=True)
class SiteFacts:
    """Everything a site sheet shows."""

    site: Site
    spells: tuple[DeskSpell, ...]
    window: tuple[int, int] | None
    seats: tuple[DeskSeat, ...]
    marshals: tuple[CrewShift, ...]
    calls: tuple[CallRow, ...]
    forecast: SiteForecast | None

    @property
    def people(self) -> int:
        """Residents the plan calls to this site."""
        return sum(row.call.people for row in self.calls)

    @property
    def households(self) -> int:
        """Households called (each wave's share rounded)."""
        return sum(row.households for row in self.calls)

    @property
    def buildings(self) -> int:
        """Distinct buildings called to this site."""
        return len({row.call.building_id for row in self.calls})

    @property
    def peak_desks(self) -> int:
        """Most desks open at once."""
        return peak_desks(self.spells)


def staff_name(scenario: Scenario, staff_id: str) -> str:
    """The printed name of ``staff_id`` (the id itself when it is not on the roster)."""
    index = scenario.staff_index.get(staff_id)
    return scenario.staff[index].name if index is not None else staff_id


def crew_shift(scenario: Scenario, shift: Shift) -> CrewShift:
    """``shift`` with the person's name."""
    name = staff_name(scenario, shift.staff_id)
    return CrewShift(shift.staff_id, name, shift.role, shift.start, shift.end)


def peak_desks(spells: Iterable[DeskSpell]) -> int:
    """Most desks open at the same minute, over the given spells (of one or many sites)."""
    events: list[tuple[int, int]] = []
    for spell in spells:
        events += [(spell.start, spell.desks), (spell.end, -spell.desks)]
    best = running = 0
    # Closing before opening at the same minute: spells are half-open intervals.
    for _, delta in sorted(events, key=lambda e: (e[0], e[1])):
        running += delta
        best = max(best, running)
    return best


def households_of(building: Building, floor_from: int, floor_to: int) -> int:
    """Households of a wave, rounded (see :func:`planner.plan.wave_households`)."""
    return round(wave_households(building, floor_from, floor_to))


def seat_crews(shifts: Sequence[CrewShift]) -> list[list[CrewShift]]:
    """Give each shift a desk number so that no desk has two people of the role at once.

    The plan says only that enough samplers and registrars are on site; numbering desks helps the
    field lead seat people. Shifts are taken by start time and each goes to the desk its person
    last left if free, else the lowest-numbered desk free by then (interval partitioning, which
    uses as few desks as any numbering can).
    """
    desks: list[list[CrewShift]] = []
    for shift in sorted(shifts, key=lambda s: (s.start, s.end, s.staff_id)):
        free = [seat for seat in desks if seat[-1].end <= shift.start]
        # A person back from a break returns to the desk they left, when it is free.
        own = [seat for seat in free if seat[-1].staff_id == shift.staff_id]
        if own or free:
            (own or free)[0].append(shift)
        else:
            desks.append([shift])
    return desks


def forecasts(sim: SimResult | None) -> dict[str, SiteForecast]:
    """Per-site simulated outlook from ``sim.sites`` (empty when there is no simulation)."""
    if sim is None or sim.sites.empty:
        return {}
    out: dict[str, SiteForecast] = {}
    for site_id, rows in sim.sites.groupby("site_id", observed=True):
        ends = [float(x) for x in rows["last_end"] if math.isfinite(float(x))]
        out[str(site_id)] = SiteForecast(
            peak_queue=float(rows["peak_queue"].mean()),
            finish=sum(ends) / len(ends) if ends else None,
            unserved=float(rows["unserved"].mean()),
        )
    return out


def site_facts(
    scenario: Scenario, plan: Plan, outlook: dict[str, SiteForecast]
) -> dict[str, SiteFacts]:
    """The facts of every site that has desks or calls in ``plan``, in the scenario's order."""
    spells = plan.desks_by_site()
    calls: dict[str, list[Call]] = defaultdict(list)
    for call in plan.calls:
        calls[call.site_id].append(call)
    crews: dict[str, list[Shift]] = defaultdict(list)
    for shift in plan.roster:
        crews[shift.post].append(shift)
    out: dict[str, SiteFacts] = {}
    for site in scenario.sites:
        sid = site.site_id
        if sid not in spells and sid not in calls:
            continue
        own = tuple(spells.get(sid, ()))
        window = (min(s.start for s in own), max(s.end for s in own)) if own else None
        by_role: dict[Role, list[CrewShift]] = defaultdict(list)
        for shift in crews.get(sid, ()):
            by_role[shift.role].append(crew_shift(scenario, shift))
        samplers = seat_crews(by_role[Role.SAMPLER])
        registrars = seat_crews(by_role[Role.REGISTRAR])
        seats = tuple(
            DeskSeat(
                desk=k + 1,
                samplers=tuple(samplers[k]) if k < len(samplers) else (),
                registrars=tuple(registrars[k]) if k < len(registrars) else (),
            )
            for k in range(max(len(samplers), len(registrars)))
        )
        marshals = tuple(sorted(by_role[Role.MARSHAL], key=lambda s: (s.start, s.staff_id)))
        rows = tuple(
            call_row(scenario, c)
            for c in sorted(calls.get(sid, ()), key=lambda c: (c.call_time, c.building_id))
        )
        out[sid] = SiteFacts(site, own, window, seats, marshals, rows, outlook.get(sid))
    return out


def call_row(scenario: Scenario, call: Call) -> CallRow:
    """``call`` with its building, households and sweeper name."""
    building = scenario.buildings[scenario.building_index[call.building_id]]
    return CallRow(
        call=call,
        building=building,
        households=households_of(building, call.floor_from, call.floor_to),
        sweeper=staff_name(scenario, call.sweeper_id),
    )


def team_members(scenario: Scenario, plan: Plan, team_id: str) -> list[CrewShift]:
    """The roster shifts on door team ``team_id``, samplers first, then by start."""
    order = {Role.SAMPLER: 0, Role.REGISTRAR: 1, Role.MARSHAL: 2, Role.SWEEPER: 3}
    shifts = [crew_shift(scenario, s) for s in plan.roster if s.post == team_id]
    return sorted(shifts, key=lambda s: (order[s.role], s.start, s.staff_id))


def building_waves(plan: Plan) -> dict[str, list[Call]]:
    """Each building's calls, lowest floors first."""
    out: dict[str, list[Call]] = defaultdict(list)
    for call in sorted(plan.calls, key=lambda c: (c.building_id, c.floor_from, c.call_time)):
        out[call.building_id].append(call)
    return dict(out)


def building_visits(plan: Plan) -> dict[str, list[Visit]]:
    """Each building's door visits in time order."""
    out: dict[str, list[Visit]] = defaultdict(list)
    for visit in sorted(plan.visits, key=lambda v: (v.building_id, v.start, v.floor_from)):
        out[visit.building_id].append(visit)
    return dict(out)
