"""Plan edits as data: what the command post changes by hand, replayable and reversible.

An edit is a small frozen record (:data:`Edit`). :func:`apply_edits` plays a list of them on a
base plan and returns a new :class:`~planner.plan.Plan`; undo is dropping the last edit and
playing the list again, so the list *is* the history (it is what :mod:`planner.versions` stores).
:func:`locks_for` turns the same list into :class:`~planner.solver.Locks` so that "re-optimise
around my changes" keeps them.

Edits keep the plan meaningful but never refuse: moving a building moves all its calling waves;
closing a site sends its buildings to the nearest site that still has desks and frees its crews;
marking somebody absent removes their shifts. Whatever breaks (a wave to a site with no desk, a
desk without a crew, a sweeper's calls with nobody to make them) is for
:func:`planner.check.check_plan` to report: an edited plan may be invalid, and that is
information, not an error.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from planner.geo import haversine_m
from planner.messages import Lang, text
from planner.model import Scenario
from planner.plan import Call, DeskSpell, Plan, append_spell
from planner.solver.config import Locks
from planner.timefmt import format_hhmm


@dataclass(frozen=True, slots=True)
class MoveBuilding:
    """Send every wave of ``building_id`` to ``site_id`` and/or shift its waves so the first one
    is called at ``call_time`` (the others keep their spacing). ``None`` leaves that part as is."""

    building_id: str
    site_id: str | None = None
    call_time: int | None = None


@dataclass(frozen=True, slots=True)
class MoveWave:
    """Send the wave of ``building_id`` starting at ``floor_from`` to ``site_id`` and/or call it
    at ``call_time``. A wave to another site than its building's others breaks the coverage rule
    (one site per building): allowed, and reported by the checker."""

    building_id: str
    floor_from: int
    site_id: str | None = None
    call_time: int | None = None


@dataclass(frozen=True, slots=True)
class SetDesks:
    """Run ``desks`` desks at ``site_id`` during [start, end); ``None`` bounds mean the site's
    current open span (its ``open_from``..``open_to`` when it has none). 0 desks removes them."""

    site_id: str
    desks: int
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True, slots=True)
class CloseSite:
    """Close ``site_id``: no desks, no crews; its buildings go to the nearest site with desks."""

    site_id: str


@dataclass(frozen=True, slots=True)
class MarkAbsent:
    """``staff_id`` will not come: their shifts are removed (calls they were to make stay)."""

    staff_id: str


Edit = MoveBuilding | MoveWave | SetDesks | CloseSite | MarkAbsent

_KINDS: dict[str, type] = {
    "move_building": MoveBuilding,
    "move_wave": MoveWave,
    "set_desks": SetDesks,
    "close_site": CloseSite,
    "mark_absent": MarkAbsent,
}
_KIND_OF: dict[type, str] = {cls: kind for kind, cls in _KINDS.items()}


class EditError(ValueError):
    """An edit the plan cannot take: it names something the scenario or plan does not have, or a
    time or desk count that cannot be (a programming, file or input error).

    ``str()`` is the English text; :meth:`message` says it in the page's language.
    """

    def __init__(self, key: str, **values: object) -> None:
        self.key = key
        self.values = values
        super().__init__(text(key, "en", **values))

    def message(self, lang: Lang | None = None) -> str:
        """The catalogue message ``key`` with its values, in ``lang``."""
        return text(self.key, lang, **self.values)


# --- records (JSON) ------------------------------------------------------------------------------


def to_record(edit: Edit) -> dict[str, Any]:
    """The edit as a JSON-ready dict with a ``kind`` tag (``None`` fields left out)."""
    fields = {k: v for k, v in dataclasses.asdict(edit).items() if v is not None}
    return {"kind": _KIND_OF[type(edit)], **fields}


def from_record(record: dict[str, Any]) -> Edit:
    """Inverse of :func:`to_record`.

    Raises
    ------
    EditError
        Unknown ``kind``, unknown or missing fields.
    """
    values = dict(record)
    kind = values.pop("kind", None)
    cls = _KINDS.get(str(kind))
    if cls is None:
        raise EditError("edit_err_kind", kind=kind)
    try:
        edit: Edit = cls(**values)
    except TypeError as exc:
        raise EditError("edit_err_fields", kind=kind, error=exc) from None
    return edit


# --- applying ------------------------------------------------------------------------------------


def apply_edits(scenario: Scenario, plan: Plan, edits: Iterable[Edit]) -> Plan:
    """``plan`` with ``edits`` applied in order (see :func:`apply_edit`)."""
    for edit in edits:
        plan = apply_edit(scenario, plan, edit)
    return plan


def apply_edit(scenario: Scenario, plan: Plan, edit: Edit) -> Plan:
    """A new plan: ``plan`` changed by ``edit``; ``made_by`` becomes ``kind = "manual"`` with the
    original kept under ``base``.

    Raises
    ------
    EditError
        When the edit names a building, site, wave or person the scenario or plan does not have,
        or a desk count outside 0..``max_desks``.
    """
    _validate(scenario, plan, edit)
    if isinstance(edit, MoveBuilding):
        new = _move_calls(plan, lambda c: c.building_id == edit.building_id, edit)
    elif isinstance(edit, MoveWave):
        new = _move_calls(
            plan,
            lambda c: c.building_id == edit.building_id and c.floor_from == edit.floor_from,
            edit,
        )
    elif isinstance(edit, SetDesks):
        new = dataclasses.replace(plan, desks=_set_desks(scenario, plan, edit))
    elif isinstance(edit, CloseSite):
        new = _close_site(scenario, plan, edit.site_id)
    else:
        new = dataclasses.replace(
            plan, roster=tuple(s for s in plan.roster if s.staff_id != edit.staff_id)
        )
    base = plan.made_by.get("base", plan.made_by) if plan.made_by.get("kind") == "manual" else None
    made_by = {"kind": "manual", "base": base if base is not None else dict(plan.made_by)}
    return dataclasses.replace(new, made_by=made_by)


def _validate(scenario: Scenario, plan: Plan, edit: Edit) -> None:
    def need(ok: bool, key: str, **values: object) -> None:
        if not ok:
            raise EditError(key, **values)

    site = getattr(edit, "site_id", None)
    if site is not None:
        need(site in scenario.site_index, "edit_err_unknown_site", site=site)
    if isinstance(edit, MoveBuilding | MoveWave):
        b = edit.building_id
        need(b in scenario.building_index, "edit_err_unknown_building", building=b)
        need(any(c.building_id == b for c in plan.calls), "edit_err_no_calls", building=b)
        if edit.call_time is not None:
            need(edit.call_time >= 0, "edit_err_negative_time", minutes=edit.call_time)
    if isinstance(edit, MoveWave):
        need(
            any(
                c.building_id == edit.building_id and c.floor_from == edit.floor_from
                for c in plan.calls
            ),
            "edit_err_no_wave",
            building=edit.building_id,
            floor=edit.floor_from,
        )
    if isinstance(edit, SetDesks):
        _validate_desks(scenario, plan, edit)
    if isinstance(edit, MarkAbsent):
        need(edit.staff_id in scenario.staff_index, "edit_err_unknown_staff", staff=edit.staff_id)


def _validate_desks(scenario: Scenario, plan: Plan, edit: SetDesks) -> None:
    """Desks within 0..max_desks; the times given not negative and within the site's hours; the
    window they make with the site's current span (for a bound not given) not empty."""
    site = scenario.sites[scenario.site_index[edit.site_id]]
    if not 0 <= edit.desks <= site.max_desks:
        raise EditError(
            "edit_err_desks_range", site=site.site_id, top=site.max_desks, desks=edit.desks
        )
    for minute in (edit.start, edit.end):
        if minute is not None and minute < 0:
            raise EditError("edit_err_negative_time", minutes=minute)
    start, end = _window(scenario, plan, edit)
    words = {"site": site.site_id, "start": format_hhmm(start), "end": format_hhmm(end)}
    if start >= end:
        raise EditError("edit_err_empty_interval", **words)
    given_start = edit.start if edit.start is not None else site.open_from
    given_end = edit.end if edit.end is not None else site.open_to
    if given_start < site.open_from or given_end > site.open_to:
        raise EditError(
            "edit_err_outside_hours",
            open=format_hhmm(site.open_from),
            close=format_hhmm(site.open_to),
            **words,
        )


def _move_calls(plan: Plan, chosen: Any, edit: MoveBuilding | MoveWave) -> Plan:
    moved = [c for c in plan.calls if chosen(c)]
    shift = 0
    if edit.call_time is not None:
        shift = edit.call_time - min(c.call_time for c in moved)

    def change(call: Call) -> Call:
        if not chosen(call):
            return call
        return dataclasses.replace(
            call,
            site_id=edit.site_id if edit.site_id is not None else call.site_id,
            call_time=call.call_time + shift,
        )

    return dataclasses.replace(plan, calls=tuple(change(c) for c in plan.calls))


def _site_span(scenario: Scenario, plan: Plan, site_id: str) -> tuple[int, int]:
    spells = [d for d in plan.desks if d.site_id == site_id and d.desks > 0]
    if spells:
        return min(d.start for d in spells), max(d.end for d in spells)
    site = scenario.sites[scenario.site_index[site_id]]
    return site.open_from, site.open_to


def _window(scenario: Scenario, plan: Plan, edit: SetDesks) -> tuple[int, int]:
    """The [start, end) a :class:`SetDesks` covers: bounds not given are the site's span."""
    lo, hi = _site_span(scenario, plan, edit.site_id)
    return (lo if edit.start is None else edit.start), (hi if edit.end is None else edit.end)


def _set_desks(scenario: Scenario, plan: Plan, edit: SetDesks) -> tuple[DeskSpell, ...]:
    start, end = _window(scenario, plan, edit)
    pieces: list[DeskSpell] = []
    for d in plan.desks:
        if d.site_id != edit.site_id:
            continue
        # Keep the parts of existing spells outside [start, end).
        if d.start < start:
            pieces.append(DeskSpell(d.site_id, d.start, min(d.end, start), d.desks))
        if d.end > end:
            pieces.append(DeskSpell(d.site_id, max(d.start, end), d.end, d.desks))
    if edit.desks > 0:
        pieces.append(DeskSpell(edit.site_id, start, end, edit.desks))
    merged: list[DeskSpell] = []
    for spell in sorted(pieces, key=lambda d: d.start):
        if spell.end > spell.start:
            append_spell(merged, spell)
    others = [d for d in plan.desks if d.site_id != edit.site_id]
    return tuple(others + merged)


def _close_site(scenario: Scenario, plan: Plan, site_id: str) -> Plan:
    open_sites = sorted({d.site_id for d in plan.desks if d.desks > 0 and d.site_id != site_id})
    target: dict[str, str] = {}
    if open_sites:
        sites = [scenario.sites[scenario.site_index[s]] for s in open_sites]
        for call in plan.calls:
            if call.site_id == site_id and call.building_id not in target:
                b = scenario.buildings[scenario.building_index[call.building_id]]
                dist = haversine_m(b.lat, b.lon, [s.lat for s in sites], [s.lon for s in sites])
                target[call.building_id] = open_sites[int(dist.argmin())]
    calls = tuple(
        dataclasses.replace(c, site_id=target.get(c.building_id, c.site_id))
        if c.site_id == site_id
        else c
        for c in plan.calls
    )
    return dataclasses.replace(
        plan,
        desks=tuple(d for d in plan.desks if d.site_id != site_id),
        roster=tuple(s for s in plan.roster if s.post != site_id),
        calls=calls,
    )


# --- the desks table ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TableChange:
    """What a change of the page's desks table does.

    Attributes
    ----------
    edits
        The edits to make, one per changed row, in the scenario's site order.
    notes
        One line per cell not taken as typed (cleared, not a desk count, above the site's
        ``max_desks``, or a site whose varying desks become one count all day), in the language
        asked for.
    """

    edits: tuple[Edit, ...]
    notes: tuple[str, ...]


def _peak(plan: Plan, site_id: str) -> int:
    spells = [d for d in plan.desks if d.site_id == site_id]
    return max(
        (sum(d.desks for d in spells if d.start <= s.start < d.end) for s in spells), default=0
    )


def edits_from_desk_table(
    scenario: Scenario, plan: Plan, table: Mapping[str, object], lang: Lang | None = None
) -> TableChange:
    """The edits a desks table (site id -> peak desks cell as the user left it) asks for.

    The table shows each site's peak desks. A row whose cell equals that makes no edit; 0 closes
    the site (:class:`CloseSite`); another whole number sets that many desks over the site's
    whole open span (:class:`SetDesks`), clamped to the site's ``max_desks``. A cleared cell
    (``None``, NaN), a negative, fractional or non-numeric value makes no edit. Every cell not
    taken as typed, and every site whose desks varied over the day, gets a note.
    """
    edits: list[Edit] = []
    notes: list[str] = []
    for site in scenario.sites:
        if site.site_id not in table:
            continue
        value = table[site.site_id]
        shown = _peak(plan, site.site_id)
        number = _count(value)
        if number is None:
            blank = value is None or (isinstance(value, float) and math.isnan(value))
            key = "edit_table_blank" if blank else "edit_table_bad"
            notes.append(text(key, lang, site=site.site_id, value=value))
            continue
        desks = number
        if desks > site.max_desks:
            notes.append(
                text("edit_table_clamped", lang, site=site.site_id, top=site.max_desks, value=desks)
            )
            desks = site.max_desks
        if desks == shown:
            continue
        if desks == 0:
            edits.append(CloseSite(site.site_id))
            continue
        levels = {d.desks for d in plan.desks if d.site_id == site.site_id}
        spells = [d for d in plan.desks if d.site_id == site.site_id]
        gaps = len(spells) > 1 and _has_gap(spells)
        if len(levels) > 1 or gaps:
            notes.append(text("edit_table_flattened", lang, site=site.site_id, desks=desks))
        edits.append(SetDesks(site.site_id, desks))
    return TableChange(tuple(edits), tuple(notes))


def _count(value: object) -> int | None:
    """``value`` as a desk count (a whole number >= 0), or ``None``."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if not math.isfinite(number) or number < 0 or number != int(number):
        return None
    return int(number)


def _has_gap(spells: Sequence[DeskSpell]) -> bool:
    ordered = sorted(spells, key=lambda d: d.start)
    return any(b.start > a.end for a, b in itertools.pairwise(ordered))


# --- locks ---------------------------------------------------------------------------------------


def locks_for(scenario: Scenario, base: Plan, edits: Sequence[Edit]) -> Locks:
    """The :class:`~planner.solver.Locks` that keep ``edits`` when the plan is solved again.

    Moved buildings and waves pin their building's site (the site its waves go to after the
    edits) and, when a time was set, the minute of its first wave; desk edits pin the site's
    resulting desk spells; closed sites and absent staff are passed on. A later edit overrides an
    earlier one (a site closed after its desks were set is closed; a pin to a site closed later
    is dropped).
    """
    edited = apply_edits(scenario, base, edits)
    first_call: dict[str, int] = {}
    for call in sorted(edited.calls, key=lambda c: (c.floor_from, c.call_time)):
        first_call[call.building_id] = min(call.call_time, first_call.get(call.building_id, 10**9))
    building_site: dict[str, str] = {}
    building_call: dict[str, int] = {}
    closed: set[str] = set()
    site_desks: dict[str, tuple[DeskSpell, ...]] = {}
    absent: set[str] = set()
    for edit in edits:
        if isinstance(edit, MoveBuilding | MoveWave):
            if edit.site_id is not None:
                building_site[edit.building_id] = edit.site_id
            if edit.call_time is not None:
                building_call[edit.building_id] = first_call[edit.building_id]
        elif isinstance(edit, SetDesks):
            closed.discard(edit.site_id)
            site_desks[edit.site_id] = ()
        elif isinstance(edit, CloseSite):
            closed.add(edit.site_id)
            site_desks.pop(edit.site_id, None)
        else:
            absent.add(edit.staff_id)
    for site_id in list(site_desks):
        spells = tuple(
            sorted((d for d in edited.desks if d.site_id == site_id), key=lambda d: d.start)
        )
        if spells:
            site_desks[site_id] = spells
        else:  # every desk removed: the site is closed
            del site_desks[site_id]
            closed.add(site_id)
    building_site = {b: s for b, s in building_site.items() if s not in closed}
    return Locks(
        building_site=building_site,
        building_call=building_call,
        closed_sites=frozenset(closed),
        site_desks=site_desks,
        absent_staff=frozenset(absent),
    )


def approximate_edits(base: Plan, edits: Sequence[Edit]) -> list[MoveWave]:
    """The edits :func:`locks_for` keeps only approximately: waves moved in a building called in
    several waves. The solver's locks are per building, so re-optimising sends the whole building
    to the wave's new site and keeps the building's first call time as it is after the edits;
    the moved wave's own time is not kept (unless it is the building's first call)."""
    waves: dict[str, int] = {}
    for call in base.calls:
        waves[call.building_id] = waves.get(call.building_id, 0) + 1
    return [e for e in edits if isinstance(e, MoveWave) and waves.get(e.building_id, 0) > 1]


# --- words ---------------------------------------------------------------------------------------


def describe(edit: Edit, lang: Lang | None = None) -> str:
    """One line saying what the edit does, in the page's language."""
    if isinstance(edit, MoveBuilding | MoveWave):
        parts = []
        if edit.site_id is not None:
            parts.append(text("edit_to_site", lang, site=edit.site_id))
        if edit.call_time is not None:
            parts.append(text("edit_at_time", lang, time=format_hhmm(edit.call_time)))
        what = (
            text("edit_building", lang, building=edit.building_id)
            if isinstance(edit, MoveBuilding)
            else text("edit_wave", lang, building=edit.building_id, floor=edit.floor_from)
        )
        return text("edit_move", lang, what=what, change=text("edit_and", lang).join(parts))
    if isinstance(edit, SetDesks):
        when = ""
        if edit.start is not None or edit.end is not None:
            when = text(
                "edit_during",
                lang,
                start="" if edit.start is None else format_hhmm(edit.start),
                end="" if edit.end is None else format_hhmm(edit.end),
            )
        return text("edit_set_desks", lang, site=edit.site_id, desks=edit.desks, when=when)
    if isinstance(edit, CloseSite):
        return text("edit_close_site", lang, site=edit.site_id)
    return text("edit_absent", lang, staff=edit.staff_id)
