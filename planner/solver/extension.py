"""Desks kept open past their planned spells, where a marshal is free to keep the site open.

The calling rounds time calls against the staffed desks, sweepers call later than the desks
wished, and each site's desks are then extended until its expected queue clears. An open site
needs a marshal. Where none is spare (tiny@4: a marshal leaves at 09:00, so two of three sites
can be open 09:00-10:00), extending one site's desks straight on took the marshal of a busier
site in the new roster, and that site closed for the hour (session 19). So the room for
extensions is read off the roster first: after a site's last spell, the minutes in which a
marshal is free of every other post and within their hours, and the extension fills only that
room. The next calling round then sees the gap as closed desks. (Pacing the sweeper-driven
dispatch against the room in the first round as well changed no finish on tiny and three
generated seeds, tiny@4 among them.)

Desk crews are not counted. Short of a crew, the roster steps down one desk wherever it picks,
often a spare desk that would have idled; taking the crew of a busy desk for an extension was
measured to pay (tiny: counting crews too moved its finish from 08:39 to 08:55).
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence

from planner.model import Role, Scenario
from planner.plan import Call, DeskSpell, Shift, append_spell
from planner.roster import level_at, post_levels
from planner.solver.waves import Descent, clearing_time, expected_arrivals, spells_by_site

#: Minutes a site's desks stay open after its expected queue clears (service times vary).
CLEAR_MARGIN_MIN = 15


def extension_room(
    scenario: Scenario, desks: Sequence[DeskSpell], shifts: Sequence[Shift]
) -> dict[str, list[DeskSpell]]:
    """Desk spells each site could add after its last spell with a marshal the roster leaves free.

    Parameters
    ----------
    desks
        The staffed desk spells.
    shifts
        The roster of those desks and of the door teams (sweepers' shifts may be left out).

    Returns
    -------
    dict
        Site id -> spells from the end of its last spell to its closing time, at its last desk
        count (the count the dispatchers and the clearing time go on at past the last spell),
        wherever ``marshals_per_site`` marshals are free. Each site is looked at on its own:
        two sites may both be offered the one free marshal, so the room is an upper bound on
        what the roster can staff at once. Marshals count as free within their availability
        and outside their shifts, unless their shifts already reach their ``max_hours``.
    """
    need = scenario.crew.marshals_per_site
    free = _free_steps(scenario, shifts, Role.MARSHAL)
    room: dict[str, list[DeskSpell]] = {}
    for site_id, spells in spells_by_site(desks).items():
        site = scenario.sites[scenario.site_index[site_id]]
        last = max(spells, key=lambda d: d.end)
        begin, end = last.end, site.open_to
        cuts = sorted({begin, end} | {t for a, b, _ in free for t in (a, b) if begin < t < end})
        out: list[DeskSpell] = []
        for a, b in itertools.pairwise(cuts):
            if a < b and level_at(free, a) >= need:
                append_spell(out, DeskSpell(site_id, a, b, last.desks))
        room[site_id] = out
    return room


def extend_desks(
    scenario: Scenario,
    desks: Sequence[DeskSpell],
    calls: Sequence[Call],
    ways: Mapping[tuple[int, int], Descent],
    room: Mapping[str, Sequence[DeskSpell]],
    keep: frozenset[str] = frozenset(),
) -> list[DeskSpell]:
    """Desks kept open until each site's expected queue clears, plus ``CLEAR_MARGIN_MIN``.

    The queue is cleared against the site's ``room`` (see :func:`extension_room`, at the
    site's last desk count), and the extension fills that room up to the clearing minute at the
    site's largest desk count (as before session 20: a margin on top of the clearing). A site
    whose room ends before its queue clears is extended straight on from where the room ends
    (the roster then staffs what it can, and a desk it cannot staff is stepped down before
    anybody is called to it). Nothing is extended
    past the site's closing time, nor at the sites in ``keep`` (their desks are the user's).
    """
    flow = scenario.flow
    index = scenario.building_index
    arrivals = expected_arrivals(
        [(index[c.building_id], c.floor_from, c.call_time, c.people, c.site_id) for c in calls],
        ways,
        flow,
    )
    by_site = spells_by_site(desks)
    out: list[DeskSpell] = []
    for site_id in sorted(set(by_site) | set(arrivals)):
        spells = by_site.get(site_id, [])
        out.extend(spells)
        if site_id in keep:
            continue
        site = scenario.sites[scenario.site_index[site_id]]
        end = max((d.end for d in spells), default=max(site.open_from, scenario.round.start))
        ahead = [d for d in room.get(site_id, ()) if d.start >= end]
        clear = clearing_time(arrivals.get(site_id, []), [*spells, *ahead], flow.service_s)
        if not math.isfinite(clear):  # nobody expected, or never clears: nothing to extend to
            continue
        want = min(site.open_to, math.ceil(clear) + CLEAR_MARGIN_MIN)
        most = max((d.desks for d in spells), default=1)
        for spell in ahead:
            if spell.start < want:
                out.append(DeskSpell(site_id, spell.start, min(spell.end, want), most))
        reached = max((d.end for d in ahead if d.start < want), default=end)
        if want > reached:
            out.append(DeskSpell(site_id, reached, want, most))
    return _merge_spells(out)


def _merge_spells(spells: Sequence[DeskSpell]) -> list[DeskSpell]:
    """Join touching spells of one site with the same desk count."""
    out: list[DeskSpell] = []
    for spell in sorted(spells, key=lambda d: (d.site_id, d.start)):
        append_spell(out, spell)
    return out


def _free_steps(
    scenario: Scenario, shifts: Sequence[Shift], role: Role
) -> list[tuple[int, int, int]]:
    """When people of ``role`` are free: ``(start, end, how many)`` steps
    (:func:`planner.roster.post_levels`), each person's availability less their shifts."""
    busy: dict[str, list[Shift]] = defaultdict(list)
    for shift in shifts:
        if shift.role is role:
            busy[shift.staff_id].append(shift)
    intervals: list[tuple[str, int, int, int]] = []
    for person in scenario.staff:
        if person.role is not role:
            continue
        own = busy.get(person.staff_id, [])
        if sum(s.end - s.start for s in own) >= person.max_hours * 60.0:
            continue
        intervals.append(("", person.available_from, person.available_to, 1))
        intervals += [("", s.start, s.end, -1) for s in own]
    return post_levels(intervals).get("", [])
