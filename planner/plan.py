"""Typed, immutable plans: what a command post hands to its sites, sweepers and door teams.

A plan has four parts (the files of a plan folder, see ``docs/formats.md``):

- :class:`DeskSpell`: how many desks a site runs over a time interval;
- :class:`Call`: a calling wave: consecutive floors of one building called to one site at one time
  by one sweeper (``seq`` orders that sweeper's calls);
- :class:`Visit`: a door-to-door stop of a team (locked buildings, immobile residents);
- :class:`Shift`: who works where and when.

Times are integer minutes since midnight of the round's day, like the scenario's. Nothing here
does I/O (:mod:`planner.planfile` reads and writes plan folders) or checks validity
(:mod:`planner.check`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from planner.model import Building, Role

#: The roster ``post`` of a sweeper: calls are not tied to one site.
SWEEP_POST = "sweep"


@dataclass(frozen=True, slots=True)
class DeskSpell:
    """``desks`` desks open at ``site_id`` during [start, end)."""

    site_id: str
    start: int
    end: int
    desks: int


@dataclass(frozen=True, slots=True)
class Call:
    """A calling wave: floors ``floor_from``..``floor_to`` of a building called at ``call_time``."""

    building_id: str
    floor_from: int
    floor_to: int
    people: int
    site_id: str
    call_time: int
    sweeper_id: str
    seq: int


@dataclass(frozen=True, slots=True)
class Visit:
    """Door-to-door stop ``seq`` of team ``team_id``: floors of a building, during [start, end)."""

    team_id: str
    seq: int
    building_id: str
    floor_from: int
    floor_to: int
    people: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Shift:
    """``staff_id`` works as ``role`` at ``post`` (site, team or ``sweep``) in [start, end)."""

    staff_id: str
    role: Role
    post: str
    start: int
    end: int

    @property
    def hours(self) -> float:
        """Length of the shift in hours."""
        return (self.end - self.start) / 60.0


@dataclass(frozen=True)
class Plan:
    """A complete plan for one scenario.

    Attributes
    ----------
    desks, calls, visits, roster
        The four tables of the plan folder.
    made_by
        How the plan was made (``{"kind": "stagger", ...}``), kept in ``kpis.json``.
    """

    desks: tuple[DeskSpell, ...]
    calls: tuple[Call, ...]
    visits: tuple[Visit, ...]
    roster: tuple[Shift, ...]
    made_by: dict[str, Any] = field(default_factory=dict, compare=False)

    def canonical(self) -> Plan:
        """The same plan with every table in the canonical row order (the order files use)."""
        return Plan(
            desks=tuple(sorted(self.desks, key=lambda d: (d.site_id, d.start, d.end))),
            calls=tuple(
                sorted(self.calls, key=lambda c: (c.call_time, c.sweeper_id, c.seq, c.building_id))
            ),
            visits=tuple(sorted(self.visits, key=lambda v: (v.team_id, v.seq, v.start))),
            roster=tuple(
                sorted(self.roster, key=lambda r: (r.post, r.role.value, r.start, r.staff_id))
            ),
            made_by=self.made_by,
        )

    def desks_by_site(self) -> dict[str, list[DeskSpell]]:
        """Desk spells per site, sorted by start."""
        out: dict[str, list[DeskSpell]] = defaultdict(list)
        for spell in sorted(self.desks, key=lambda d: (d.site_id, d.start)):
            out[spell.site_id].append(spell)
        return dict(out)

    def calls_by_sweeper(self) -> dict[str, list[Call]]:
        """Each sweeper's calls in ``seq`` order."""
        out: dict[str, list[Call]] = defaultdict(list)
        for call in sorted(self.calls, key=lambda c: (c.sweeper_id, c.seq)):
            out[call.sweeper_id].append(call)
        return dict(out)

    def visits_by_team(self) -> dict[str, list[Visit]]:
        """Each door team's visits in ``seq`` order."""
        out: dict[str, list[Visit]] = defaultdict(list)
        for visit in sorted(self.visits, key=lambda v: (v.team_id, v.seq)):
            out[visit.team_id].append(visit)
        return dict(out)

    def site_of_building(self) -> dict[str, str]:
        """The site each called building goes to (its first wave's site)."""
        out: dict[str, str] = {}
        for call in self.calls:
            out.setdefault(call.building_id, call.site_id)
        return out


def append_spell(out: list[DeskSpell], spell: DeskSpell) -> None:
    """Append ``spell`` to ``out``, joining it to the last spell when that one is the same site
    with the same desk count and ends where ``spell`` starts."""
    last = out[-1] if out else None
    if (
        last is not None
        and last.site_id == spell.site_id
        and last.end == spell.start
        and last.desks == spell.desks
    ):
        out[-1] = DeskSpell(last.site_id, last.start, spell.end, last.desks)
    else:
        out.append(spell)


def desks_at(spells: list[DeskSpell], minute: float) -> int:
    """Desks open at ``minute`` given one site's spells (0 outside every spell)."""
    return sum(s.desks for s in spells if s.start <= minute < s.end)


def wave_households(building: Building, floor_from: int, floor_to: int) -> float:
    """Households a sweeper calls for floors ``floor_from``..``floor_to`` of ``building``.

    Households are taken as spread evenly over the floors, so the waves of a building that cover
    each floor once add up to its ``households`` exactly.
    """
    floors = max(1, floor_to - floor_from + 1)
    return building.households * floors / max(1, building.floors)


def split_evenly(total: int, parts: int) -> list[int]:
    """``total`` split into ``parts`` whole numbers differing by at most one, larger ones first."""
    if parts <= 0:
        return []
    base, extra = divmod(total, parts)
    return [base + 1 if k < extra else base for k in range(parts)]


def route_visits(
    team_id: str,
    start: int,
    stops: Sequence[tuple[str, int, int, int, int]],
    walks: Sequence[int],
) -> list[Visit]:
    """A door team's visits, one after the other from ``start`` (whole minutes).

    ``stops`` are ``(building_id, floor_from, floor_to, people, minutes)`` in visiting order and
    ``walks[k]`` the minutes walked between stop ``k`` and stop ``k + 1``; ``seq`` counts from 0.
    """
    visits: list[Visit] = []
    clock = start
    for seq, (building_id, floor_from, floor_to, people, minutes) in enumerate(stops):
        if seq > 0:
            clock += walks[seq - 1]
        visits.append(
            Visit(team_id, seq, building_id, floor_from, floor_to, people, clock, clock + minutes)
        )
        clock += minutes
    return visits
