"""Plan edits as data: applying, recording, and turning into solver locks."""

from __future__ import annotations

import dataclasses
import re

import pytest

from planner.check import check_plan
from planner.edits import (
    CloseSite,
    EditError,
    MarkAbsent,
    MoveBuilding,
    MoveWave,
    SetDesks,
    apply_edits,
    describe,
    from_record,
    locks_for,
    to_record,
)
from planner.model import Role, Scenario
from planner.plan import Plan
from planner.solver import SolveConfig, solve


@pytest.fixture(scope="module")
def plan(tiny: Scenario) -> Plan:
    # The solver calls tall buildings in several waves (the baselines call each in one).
    return solve(tiny, SolveConfig(time_limit=5)).plan


def _multi_wave_building(plan: Plan) -> str:
    counts: dict[str, int] = {}
    for c in plan.calls:
        counts[c.building_id] = counts.get(c.building_id, 0) + 1
    return max(counts, key=lambda b: (counts[b], b))


def _other_site(tiny: Scenario, site_id: str) -> str:
    return next(s.site_id for s in tiny.sites if s.site_id != site_id)


def test_move_building_moves_every_wave_and_keeps_the_spacing(tiny: Scenario, plan: Plan) -> None:
    b = _multi_wave_building(plan)
    old = sorted((c for c in plan.calls if c.building_id == b), key=lambda c: c.floor_from)
    target = _other_site(tiny, old[0].site_id)
    new_time = min(c.call_time for c in old) + 30
    edited = apply_edits(tiny, plan, [MoveBuilding(b, target, new_time)])
    moved = sorted((c for c in edited.calls if c.building_id == b), key=lambda c: c.floor_from)
    assert {c.site_id for c in moved} == {target}
    first = min(c.call_time for c in old)
    assert min(c.call_time for c in moved) == new_time
    assert [c.call_time - c0.call_time for c, c0 in zip(moved, old, strict=True)] == [
        new_time - first
    ] * len(old)
    # Nothing else changed.
    assert [c for c in edited.calls if c.building_id != b] == [
        c for c in plan.calls if c.building_id != b
    ]
    assert edited.desks == plan.desks and edited.roster == plan.roster
    assert edited.made_by["kind"] == "manual" and edited.made_by["base"]["kind"] == "solve"
    again = apply_edits(tiny, edited, [MoveBuilding(b, old[0].site_id)])
    assert again.made_by["base"]["kind"] == "solve"  # the origin survives further edits


def test_moving_one_wave_is_reported_by_the_checker(tiny: Scenario, plan: Plan) -> None:
    b = _multi_wave_building(plan)
    wave = max((c for c in plan.calls if c.building_id == b), key=lambda c: c.floor_from)
    target = _other_site(tiny, wave.site_id)
    edited = apply_edits(tiny, plan, [MoveWave(b, wave.floor_from, target)])
    changed = [c for c in edited.calls if c not in plan.calls]
    assert len(changed) == 1 and changed[0].site_id == target
    assert changed[0].floor_from == wave.floor_from
    codes = {p.code for p in check_plan(tiny, edited)}
    assert "chk_wave_other_site" in codes
    assert "chk_wave_other_site" not in {p.code for p in check_plan(tiny, plan)}


def test_set_desks_in_a_window_keeps_the_rest_of_the_day(tiny: Scenario, plan: Plan) -> None:
    site = plan.desks[0].site_id
    spells = sorted((d for d in plan.desks if d.site_id == site), key=lambda d: d.start)
    lo, hi = spells[0].start, max(d.end for d in spells)
    edited = apply_edits(tiny, plan, [SetDesks(site, 1, lo + 60, lo + 120)])
    mine = sorted((d for d in edited.desks if d.site_id == site), key=lambda d: d.start)
    assert all(sum(d.desks for d in mine if d.start <= m < d.end) == 1 for m in (lo + 60, lo + 119))
    assert mine[0].start == lo and mine[-1].end == hi
    # Outside the window, the same desks as before at every minute.
    for minute in (lo, lo + 59, lo + 120, hi - 1):
        before = sum(d.desks for d in spells if d.start <= minute < d.end)
        after = sum(d.desks for d in mine if d.start <= minute < d.end)
        assert before == after
    whole_day = apply_edits(tiny, plan, [SetDesks(site, 2)])
    assert [(d.start, d.end, d.desks) for d in whole_day.desks if d.site_id == site] == [
        (lo, hi, 2)
    ]
    gone = apply_edits(tiny, plan, [SetDesks(site, 0)])
    assert not [d for d in gone.desks if d.site_id == site]


def test_bad_edits_are_refused(tiny: Scenario, plan: Plan) -> None:
    site = tiny.sites[0]
    with pytest.raises(EditError):
        apply_edits(tiny, plan, [SetDesks(site.site_id, site.max_desks + 1)])
    with pytest.raises(EditError):
        apply_edits(tiny, plan, [MoveBuilding("nope", site.site_id)])
    with pytest.raises(EditError):
        apply_edits(tiny, plan, [MarkAbsent("nobody")])
    b = plan.calls[0].building_id
    with pytest.raises(EditError):
        apply_edits(tiny, plan, [MoveWave(b, 99, site.site_id)])


def test_close_site_sends_buildings_to_the_nearest_open_site(tiny: Scenario, plan: Plan) -> None:
    site = max(
        {d.site_id for d in plan.desks}, key=lambda s: sum(c.site_id == s for c in plan.calls)
    )
    edited = apply_edits(tiny, plan, [CloseSite(site)])
    assert all(d.site_id != site for d in edited.desks)
    assert all(s.post != site for s in edited.roster)
    assert all(c.site_id != site for c in edited.calls)
    still_open = {d.site_id for d in edited.desks}
    assert {c.site_id for c in edited.calls} <= still_open
    assert sum(c.people for c in edited.calls) == sum(c.people for c in plan.calls)


def test_mark_absent_removes_only_that_persons_shifts(tiny: Scenario, plan: Plan) -> None:
    person = next(s.staff_id for s in plan.roster if s.role is Role.SAMPLER)
    edited = apply_edits(tiny, plan, [MarkAbsent(person)])
    assert all(s.staff_id != person for s in edited.roster)
    assert len(edited.roster) == len(plan.roster) - sum(s.staff_id == person for s in plan.roster)
    # A desk without its sampler is what the checker reports.
    assert check_plan(tiny, edited) != []


def test_records_round_trip_and_describe_in_both_languages() -> None:
    edits = [
        MoveBuilding("B1", "S2"),
        MoveBuilding("B1", None, 420),
        MoveWave("B1", 5, "S1", 430),
        SetDesks("S1", 3, 400, 500),
        CloseSite("S2"),
        MarkAbsent("SMP001"),
    ]
    records = [to_record(e) for e in edits]
    assert records[1] == {"kind": "move_building", "building_id": "B1", "call_time": 420}
    assert [from_record(r) for r in records] == edits
    assert "07:00" in describe(edits[1], "zh") and "07:00" in describe(edits[1], "en")
    assert "S2" in describe(edits[4], "en")
    with pytest.raises(EditError):
        from_record({"kind": "teleport"})
    with pytest.raises(EditError):
        from_record({"kind": "close_site", "site": "S1"})


def test_locks_follow_the_edits_and_later_edits_win(tiny: Scenario, plan: Plan) -> None:
    b = _multi_wave_building(plan)
    first = min(c.call_time for c in plan.calls if c.building_id == b)
    sites = [s.site_id for s in tiny.sites]
    target = _other_site(tiny, plan.site_of_building()[b])
    edits = [
        MoveBuilding(b, target),
        MoveBuilding(b, None, first + 15),
        SetDesks(sites[0], 2),
        MarkAbsent(tiny.staff[0].staff_id),
    ]
    locks = locks_for(tiny, plan, edits)
    assert locks.building_site == {b: target}
    assert locks.building_call == {b: first + 15}
    assert set(locks.site_desks) == {sites[0]}
    assert all(d.desks == 2 for d in locks.site_desks[sites[0]])
    assert locks.absent_staff == frozenset({tiny.staff[0].staff_id})
    # Closing the target later drops the pin and the desk lock of a closed site.
    closed = locks_for(tiny, plan, [*edits, CloseSite(target), CloseSite(sites[0])])
    assert target in closed.closed_sites and sites[0] in closed.closed_sites
    assert b not in closed.building_site and sites[0] not in closed.site_desks
    # Zero desks everywhere is a closed site too.
    zero = locks_for(tiny, plan, [SetDesks(sites[1], 0)])
    assert sites[1] in zero.closed_sites and not zero.site_desks


def test_reoptimising_with_the_locks_keeps_the_moved_building(tiny: Scenario) -> None:
    solved = solve(tiny, SolveConfig(time_limit=5)).plan
    site_of = solved.site_of_building()
    b = sorted(site_of)[0]
    target = _other_site(tiny, site_of[b])
    edits = [MoveBuilding(b, target)]
    again = solve(tiny, SolveConfig(time_limit=5), locks=locks_for(tiny, solved, edits)).plan
    assert {c.site_id for c in again.calls if c.building_id == b} == {target}
    # A building called at a set time keeps that time.
    later = min(c.call_time for c in solved.calls if c.building_id == b) + 30
    timed = solve(
        tiny,
        SolveConfig(time_limit=5),
        locks=locks_for(tiny, solved, [MoveBuilding(b, None, later)]),
    ).plan
    assert min(c.call_time for c in timed.calls if c.building_id == b) == later
    # And a closed site stays closed.
    shut = next(iter({d.site_id for d in solved.desks}))
    locked = solve(
        tiny, SolveConfig(time_limit=5), locks=locks_for(tiny, solved, [CloseSite(shut)])
    )
    assert shut not in {d.site_id for d in locked.plan.desks}
    assert shut not in {c.site_id for c in locked.plan.calls}
    assert dataclasses.replace(again, made_by={}) != dataclasses.replace(solved, made_by={})


def test_the_desk_table_becomes_edits_with_a_word_on_what_was_not_taken_as_typed(
    tiny: Scenario, plan: Plan
) -> None:
    from planner.edits import TableChange, edits_from_desk_table
    from planner.views import peak_desks

    opened = sorted({d.site_id for d in plan.desks}, key=lambda s: tiny.site_index[s])
    a, b = (tiny.sites[tiny.site_index[s]] for s in opened[:2])
    assert a.max_desks > 2
    # One desk all day at every open site: nothing varies over the day.
    flat = apply_edits(tiny, plan, [SetDesks(s, 1) for s in opened])
    shown = {s.site_id: peak_desks(flat).get(s.site_id, 0) for s in tiny.sites}
    assert shown[a.site_id] == shown[b.site_id] == 1
    # Unchanged rows make no edit.
    assert edits_from_desk_table(tiny, flat, shown, "en") == TableChange((), ())
    # A number above the site's max is clamped to it, and the user is told.
    over = edits_from_desk_table(tiny, flat, {**shown, a.site_id: a.max_desks + 7}, "en")
    assert over.edits == (SetDesks(a.site_id, a.max_desks),)
    assert len(over.notes) == 1 and f"at most {a.max_desks}" in over.notes[0]
    # A cleared cell, a negative or fractional number: no edit, a note each.
    for bad in (None, float("nan"), -1, 1.5, "x"):
        result = edits_from_desk_table(tiny, flat, {**shown, a.site_id: bad}, "zh")
        assert result.edits == () and len(result.notes) == 1 and a.site_id in result.notes[0]
    # 0 closes the site; several changed rows make one edit each, in the scenario's order.
    both = edits_from_desk_table(tiny, flat, {**shown, b.site_id: 0, a.site_id: 2}, "en")
    assert both == TableChange((SetDesks(a.site_id, 2), CloseSite(b.site_id)), ())
    # Desks that vary over the day become one count all day: said so.
    lo = min(d.start for d in flat.desks if d.site_id == a.site_id)
    varying = apply_edits(tiny, flat, [SetDesks(a.site_id, 2, lo, lo + 30)])
    assert peak_desks(varying)[a.site_id] == 2
    result = edits_from_desk_table(tiny, varying, {**shown, a.site_id: 3}, "en")
    assert result.edits == (SetDesks(a.site_id, 3),)
    assert len(result.notes) == 1 and "all day" in result.notes[0]


def test_edits_that_would_do_nothing_or_name_impossible_times_are_refused_in_words(
    tiny: Scenario, plan: Plan
) -> None:
    site_id = plan.desks[0].site_id
    site = tiny.sites[tiny.site_index[site_id]]
    hi = max(d.end for d in plan.desks if d.site_id == site_id)
    b = plan.calls[0].building_id
    wave = plan.calls[0]
    refused = [
        SetDesks(site_id, 1, hi + 10),  # starts after the site's span, no end: empty
        SetDesks(site_id, 1, -100, 5),  # a negative time
        SetDesks(site_id, 1, site.open_from - 30, site.open_from + 30),  # before the site opens
        SetDesks(site_id, 1, site.open_from, site.open_to + 60),  # after it closes
        MoveBuilding(b, None, -500),
        MoveWave(b, wave.floor_from, None, -1),
    ]
    for edit in refused:
        with pytest.raises(EditError) as caught:
            apply_edits(tiny, plan, [edit])
        zh, en = caught.value.message("zh"), caught.value.message("en")
        assert zh != en and re.search(r"[\u4e00-\u9fff]", zh), edit
        assert str(caught.value) == en
    # Within the site's hours, a window is fine.
    apply_edits(tiny, plan, [SetDesks(site_id, 1, site.open_from, site.open_from + 60)])
    with pytest.raises(EditError) as caught:
        apply_edits(tiny, plan, [MarkAbsent("nobody")])
    assert "nobody" in caught.value.message("zh")


def test_a_moved_wave_is_kept_only_as_its_buildings_site_and_first_call(
    tiny: Scenario, plan: Plan
) -> None:
    from planner.edits import approximate_edits

    b = _multi_wave_building(plan)
    waves = sorted((c for c in plan.calls if c.building_id == b), key=lambda c: c.call_time)
    first, last = waves[0], waves[-1]
    target = _other_site(tiny, last.site_id)
    moved = MoveWave(b, last.floor_from, target, last.call_time + 10)
    edits = [moved, MoveBuilding(_other_building(plan, b), target)]
    # What re-optimising keeps: the whole building at the wave's new site, its first call where
    # it is after the edits; not the moved wave's own time.
    locks = locks_for(tiny, plan, edits)
    assert locks.building_site[b] == target
    assert locks.building_call == {b: first.call_time}
    # The page warns about exactly these edits before re-optimising.
    assert approximate_edits(plan, edits) == [moved]
    single = next(
        (c for c in plan.calls if sum(x.building_id == c.building_id for x in plan.calls) == 1),
        None,
    )
    if single is not None:  # a building called in one wave: moving it is exact
        assert (
            approximate_edits(plan, [MoveWave(single.building_id, single.floor_from, target)]) == []
        )
    again = solve(tiny, SolveConfig(time_limit=5), locks=locks).plan
    mine = [c for c in again.calls if c.building_id == b]
    assert {c.site_id for c in mine} == {target}
    assert min(c.call_time for c in mine) == first.call_time


def _other_building(plan: Plan, b: str) -> str:
    return next(c.building_id for c in plan.calls if c.building_id != b)


def test_every_edit_error_names_a_catalogue_message() -> None:
    import inspect

    import planner.edits
    from planner.messages import CATALOGUE

    source = inspect.getsource(planner.edits)
    keys = set(re.findall(r'"(edit_err_[a-z_]+)"', source))
    assert len(keys) >= 8 and keys <= set(CATALOGUE), keys - set(CATALOGUE)
    with pytest.raises(EditError) as caught:
        from_record({"kind": "close_site", "site": "S1"})
    assert "close_site" in caught.value.message("zh")
