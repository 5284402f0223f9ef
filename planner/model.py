"""Typed, immutable scenario data.

A :class:`Scenario` is what :func:`planner.load_scenario` returns once every check passed. Times
are integer minutes since midnight of the round's day (values past 1440 are the next morning), all
durations in the unit their name says. Nothing here does I/O; :mod:`planner.parse` builds these
objects from files and :mod:`planner.tables` turns them back into DataFrames.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import TypeVar

import numpy as np
import numpy.typing as npt

#: Metres: one distance or an array of them.
Metres = TypeVar("Metres", float, npt.NDArray[np.float64])


class Role(StrEnum):
    """What a person on the roster can do."""

    SAMPLER = "sampler"
    REGISTRAR = "registrar"
    MARSHAL = "marshal"
    SWEEPER = "sweeper"


@dataclass(frozen=True, slots=True)
class RoundInfo:
    """When the round happens.

    Attributes
    ----------
    date
        The round's day; every minute value in the scenario is on it.
    notice
        When the order came (may be the evening before).
    start, deadline
        First minute residents may be sampled and the minute everybody should be done.
    """

    date: dt.date
    notice: dt.datetime
    start: int = 6 * 60
    deadline: int = 14 * 60

    @property
    def hours(self) -> float:
        """Length of the sampling window in hours."""
        return (self.deadline - self.start) / 60.0


@dataclass(frozen=True, slots=True)
class FlowParams:
    """How residents move and how fast desks work (defaults from docs/formats.md)."""

    service_s: float = 25.0
    service_cv: float = 0.35
    walk_m_per_s: float = 1.0
    detour: float = 1.3
    stairs_s_per_floor: float = 12.0
    lift_from_floor: int = 7
    lift_s: float = 90.0
    lift_people: int = 4
    response_min: float = 5.0
    turnout: float = 0.97
    queue_spacing_m: float = 1.0

    def walk_s(self, metres: Metres) -> Metres:
        """Seconds to walk ``metres`` of straight line (x ``detour``, at ``walk_m_per_s``)."""
        return metres * self.detour / self.walk_m_per_s


@dataclass(frozen=True, slots=True)
class CrewParams:
    """Who a desk, a site and a door team need."""

    desk_samplers: int = 1
    desk_registrars: int = 1
    marshals_per_site: int = 1
    max_ppe_h: float = 4.0
    ppe_break_min: float = 30.0
    door_samplers: int = 1
    door_registrars: int = 1
    door_s_per_person: float = 60.0
    sweep_s_per_household: float = 20.0


@dataclass(frozen=True, slots=True)
class Building:
    """One building (楼): where residents live and are called from."""

    building_id: str
    committee: str
    compound: str
    lat: float
    lon: float
    floors: int
    households: int
    residents: int
    immobile: int = 0
    locked: bool = False
    lift: bool = False

    @property
    def mobile(self) -> int:
        """Residents expected to come down to a site (zero for a locked building)."""
        return 0 if self.locked else self.residents - self.immobile

    @property
    def door_people(self) -> int:
        """Residents sampled by a door team: everyone if locked, else the immobile."""
        return self.residents if self.locked else self.immobile


@dataclass(frozen=True, slots=True)
class Site:
    """A candidate sampling point (采样点)."""

    site_id: str
    name: str
    committee: str
    lat: float
    lon: float
    max_desks: int
    queue_capacity: int
    open_from: int
    open_to: int


@dataclass(frozen=True, slots=True)
class Staff:
    """One person on the roster; ``committee`` is empty for the town-wide pool."""

    staff_id: str
    name: str
    role: Role
    committee: str
    available_from: int
    available_to: int
    max_hours: float

    @property
    def available_hours(self) -> float:
        """Hours this person can work: the availability window capped by ``max_hours``."""
        return min(self.max_hours, (self.available_to - self.available_from) / 60.0)


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: the input of every planning, simulation and printing step.

    Instances are immutable; build modified copies with :func:`dataclasses.replace`.
    """

    name: str
    synthetic: bool
    source: str
    round: RoundInfo
    flow: FlowParams
    crew: CrewParams
    buildings: tuple[Building, ...]
    sites: tuple[Site, ...]
    staff: tuple[Staff, ...]
    # Where the scenario was read from, for messages only; not part of the data.
    origin: str = field(default="", compare=False)

    @cached_property
    def building_index(self) -> dict[str, int]:
        """Position of each building id in :attr:`buildings`."""
        return {b.building_id: i for i, b in enumerate(self.buildings)}

    @cached_property
    def site_index(self) -> dict[str, int]:
        """Position of each site id in :attr:`sites`."""
        return {s.site_id: i for i, s in enumerate(self.sites)}

    @cached_property
    def staff_index(self) -> dict[str, int]:
        """Position of each staff id in :attr:`staff`."""
        return {s.staff_id: i for i, s in enumerate(self.staff)}

    @cached_property
    def committees(self) -> tuple[str, ...]:
        """Committees in order of first appearance in the buildings table."""
        return tuple(dict.fromkeys(b.committee for b in self.buildings))

    @property
    def residents(self) -> int:
        """Everybody to sample."""
        return sum(b.residents for b in self.buildings)

    @property
    def households(self) -> int:
        """Occupied households over all buildings."""
        return sum(b.households for b in self.buildings)

    @property
    def mobile_residents(self) -> int:
        """Residents expected to walk to a site (not immobile, not in a locked building)."""
        return sum(b.mobile for b in self.buildings)

    @property
    def door_residents(self) -> int:
        """Residents sampled at their door or bedside."""
        return sum(b.door_people for b in self.buildings)

    def staff_count(self) -> dict[Role, int]:
        """Number of people on the roster per role (every role present, possibly 0)."""
        counts = Counter(s.role for s in self.staff)
        return {role: counts.get(role, 0) for role in Role}
