"""Route sheets: one per sweeper (扫楼) and one per door-to-door team (上门采样).

Each lists the stops in the order they are made, with the time, building, floors and the people
expected, and a box to tick when the stop is done; a long route continues on the next page with
the table header repeated.
"""

from __future__ import annotations

from functools import partial

from reportlab.platypus import Flowable, Spacer

from planner.plan import Call, Visit
from planner.sheets.context import Context
from planner.sheets.facts import CallRow, CrewShift, call_row, staff_name, team_members
from planner.sheets.layout import Sheet, TickBox, checklist, facts_table, para, sheet_head
from planner.timefmt import format_hhmm


def _shift_list(ctx: Context, shifts: list[CrewShift], *, with_names: bool, sep: str = "；") -> str:
    parts = []
    for s in shifts:
        span = ctx.span(s.start, s.end)
        if with_names:
            role = ctx.t(f"role_{s.role.value}")
            parts.append(f"{role} {ctx.named(s.name, s.staff_id)} {span}")
        else:
            parts.append(span)
    return sep.join(parts) if parts else ctx.t("sheet_none")


def call_cells(ctx: Context, k: int, row: CallRow) -> list[str]:
    """The cells a calling timetable and a sweeper's route share: number, time, building,
    floors, households and people of one call."""
    call = row.call
    return [
        str(k),
        format_hhmm(call.call_time),
        call.building_id,
        ctx.floors(call.floor_from, call.floor_to),
        str(row.households),
        str(call.people),
    ]


def _route_story(
    ctx: Context,
    kind_key: str,
    note_key: str,
    title: str,
    pairs: list[tuple[str, str]],
    table: Flowable,
) -> list[Flowable]:
    """A route sheet's page: heading, facts, how to use it, then the stops."""
    st = ctx.styles
    return [
        *sheet_head(ctx.t(kind_key), title, st, ctx.synthetic_note),
        facts_table(pairs, st, 90),
        Spacer(1, 6),
        para(ctx.t(note_key), st.body),
        Spacer(1, 4),
        table,
    ]


def sweeper_title(ctx: Context, sweeper_id: str) -> str:
    """``name（id）`` of a sweeper."""
    return ctx.t("sheet_named", name=staff_name(ctx.scenario, sweeper_id), id=sweeper_id)


def sweeper_sheet(ctx: Context, sweeper_id: str, calls: list[Call]) -> Sheet:
    """The route of one sweeper: their calls in ``seq`` order."""
    title = sweeper_title(ctx, sweeper_id)
    return Sheet(title=title, build=partial(_sweeper_story, ctx, sweeper_id, calls, title))


def _sweeper_story(ctx: Context, sweeper_id: str, calls: list[Call], title: str) -> list[Flowable]:
    st, scenario = ctx.styles, ctx.scenario
    rows = [call_row(scenario, c) for c in sorted(calls, key=lambda c: c.seq)]
    shifts = [
        CrewShift(s.staff_id, "", s.role, s.start, s.end)
        for s in sorted(ctx.plan.roster, key=lambda s: s.start)
        if s.staff_id == sweeper_id and s.post == "sweep"
    ]
    index = scenario.staff_index.get(sweeper_id)
    committee = scenario.staff[index].committee if index is not None else ""
    households = sum(r.households for r in rows)
    people = sum(r.call.people for r in rows)
    pairs = [
        (ctx.t("sheet_col_committee"), para(committee or ctx.t("sheet_none"), st.cell)),
        (ctx.t("sheet_shifts"), para(_shift_list(ctx, shifts, with_names=False), st.cell)),
        (
            ctx.t("sheet_route"),
            para(
                ctx.t("sheet_route_value", stops=len(rows), households=households, people=people),
                st.cell,
            ),
        ),
    ]
    table_rows: list[list[object]] = [
        [
            ctx.t("sheet_col_no"),
            ctx.t("sheet_col_time"),
            ctx.t("sheet_col_building"),
            ctx.t("sheet_col_floors"),
            ctx.t("sheet_col_households"),
            ctx.t("sheet_col_people"),
            ctx.t("sheet_col_site"),
            ctx.t("sheet_col_done"),
        ]
    ]
    for k, row in enumerate(rows, start=1):
        call = row.call
        site = scenario.sites[scenario.site_index[call.site_id]]
        table_rows.append(
            [
                *call_cells(ctx, k, row),
                para(ctx.named(site.name, site.site_id), st.cell),
                TickBox(),
            ]
        )
    table_rows.append([ctx.t("sheet_total"), "", "", "", f"{households:,}", f"{people:,}", "", ""])
    widths = [24, 52, 92, 62, 50, 46, 0, 36]
    table = checklist(table_rows, widths, st, align_right=(0, 4, 5))
    return _route_story(ctx, "sheet_sweep_kind", "sheet_sweep_note", title, pairs, table)


def team_title(ctx: Context, team_id: str) -> str:
    """``上门小组 T01``."""
    return ctx.t("sheet_team_title", team=team_id)


def team_sheet(ctx: Context, team_id: str, visits: list[Visit]) -> Sheet:
    """The route of one door team: its visits in ``seq`` order, with its members."""
    title = team_title(ctx, team_id)
    return Sheet(title=title, build=partial(_team_story, ctx, team_id, visits, title))


def _team_story(ctx: Context, team_id: str, visits: list[Visit], title: str) -> list[Flowable]:
    st, scenario = ctx.styles, ctx.scenario
    stops = sorted(visits, key=lambda v: v.seq)
    members = team_members(scenario, ctx.plan, team_id)
    people = sum(v.people for v in stops)
    pairs = [
        (
            ctx.t("sheet_members"),
            para(_shift_list(ctx, members, with_names=True, sep="\n"), st.cell),
        ),
        (
            ctx.t("sheet_route"),
            para(ctx.t("sheet_team_value", stops=len(stops), people=people), st.cell),
        ),
    ]
    table_rows: list[list[object]] = [
        [
            ctx.t("sheet_col_no"),
            ctx.t("sheet_col_when"),
            ctx.t("sheet_col_building"),
            ctx.t("sheet_col_floors"),
            ctx.t("sheet_col_people"),
            ctx.t("sheet_col_reason"),
            ctx.t("sheet_col_committee"),
            ctx.t("sheet_col_done"),
        ]
    ]
    for k, visit in enumerate(stops, start=1):
        building = scenario.buildings[scenario.building_index[visit.building_id]]
        reason = "sheet_reason_locked" if building.locked else "sheet_reason_immobile"
        table_rows.append(
            [
                str(k),
                ctx.span(visit.start, visit.end),
                visit.building_id,
                ctx.floors(visit.floor_from, visit.floor_to),
                str(visit.people),
                ctx.t(reason),
                para(building.committee, st.cell),
                TickBox(),
            ]
        )
    table_rows.append([ctx.t("sheet_total"), "", "", "", f"{people:,}", "", "", ""])
    widths = [24, 78, 92, 62, 46, 62, 0, 36]
    table = checklist(table_rows, widths, st, align_right=(0, 4))
    return _route_story(ctx, "sheet_team_kind", "sheet_team_note", title, pairs, table)
