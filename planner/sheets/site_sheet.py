"""The sheet of one sampling point (采样点), for its field lead.

Top to bottom: what and where the point is, its key figures (calls, expected peak queue and
finish), the desks it opens over time, who sits at which desk when and the marshals, and the
calling timetable with totals. A typical point fits one page; a long timetable continues on the
next page with the table header repeated and the sheet's title at the top.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from reportlab.platypus import CondPageBreak, Flowable, Spacer, Table, TableStyle

from planner.sheets.context import Context
from planner.sheets.facts import CrewShift, SiteFacts
from planner.sheets.layout import (
    BODY_W,
    RULE_GREY,
    Sheet,
    TickBox,
    checklist,
    facts_table,
    grid,
    heading,
    para,
    sheet_head,
)
from planner.sheets.routes import call_cells
from planner.timefmt import format_hhmm

# Room a section needs below its heading before it is worth starting on this page (points).
_MIN_SECTION = 90
# Cell padding: a little tighter than the default so that a typical point fits one page.
_PAD = 1.8


def site_title(ctx: Context, facts: SiteFacts) -> str:
    """``name（id）`` of the site."""
    return ctx.t("sheet_named", name=facts.site.name, id=facts.site.site_id)


def forecast_text(ctx: Context, facts: SiteFacts) -> str:
    """The simulated peak queue and finish, with warnings for queue space and late arrivals."""
    outlook = facts.forecast
    if outlook is None or outlook.finish is None:
        return ctx.t("sheet_forecast_none")
    out = ctx.t(
        "sheet_forecast_value", queue=outlook.peak_queue, finish=format_hhmm(outlook.finish)
    )
    if outlook.peak_queue > facts.site.queue_capacity:
        out += ctx.t("sheet_forecast_over", capacity=facts.site.queue_capacity)
    if outlook.unserved >= 0.5:
        out += ctx.t("sheet_forecast_unserved", unserved=outlook.unserved)
    return out


def _shifts(ctx: Context, shifts: Sequence[CrewShift], sep: str) -> str:
    if not shifts:
        return ctx.t("sheet_none")
    return sep.join(
        ctx.t("sheet_shift", name=s.name, start=format_hhmm(s.start), end=format_hhmm(s.end))
        for s in shifts
    )


def _desks(ctx: Context, facts: SiteFacts, width: float) -> Flowable:
    """Desks over time as a compact table: a row of intervals above a row of desk counts."""
    st = ctx.styles
    if not facts.spells:
        return para(ctx.t("sheet_closed"), st.cell)
    per_row = 5
    cell_w = (width - 6) / per_row
    rows: list[list[str]] = []
    spells = list(facts.spells)
    for k in range(0, len(spells), per_row):
        chunk = spells[k : k + per_row]
        pad = [""] * (per_row - len(chunk))
        rows.append([ctx.span(s.start, s.end) for s in chunk] + pad)
        rows.append([ctx.t("sheet_desk_count", desks=s.desks) for s in chunk] + pad)
    cmds: list[tuple[object, ...]] = [
        ("FONT", (0, 0), (-1, -1), st.font, st.size),
        ("TOPPADDING", (0, 0), (-1, -1), 0.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
    ]
    for r in range(1, len(rows), 2):
        # Interval above, desk count below: a rule under each count row groups them.
        cmds.append(("LINEBELOW", (0, r), (-1, r), 0.3, RULE_GREY))
    table = Table(rows, colWidths=[cell_w] * per_row, hAlign="LEFT")
    table.setStyle(TableStyle(cmds))
    return table


def _facts(ctx: Context, facts: SiteFacts) -> list[Flowable]:
    site, st = facts.site, ctx.styles
    label_w = 100
    window = ctx.span(*facts.window) if facts.window else ctx.t("sheet_closed")
    where = ctx.t("sheet_location_value", lat=site.lat, lon=site.lon)
    space = ctx.t("sheet_space_value", desks=site.max_desks, queue=site.queue_capacity)
    calls = ctx.t(
        "sheet_calls_value",
        waves=len(facts.calls),
        buildings=facts.buildings,
        households=facts.households,
        people=facts.people,
    )
    pairs: list[tuple[str, Flowable]] = [
        (ctx.t("sheet_committee"), para(f"{site.committee} · {where}", st.cell)),
        (ctx.t("sheet_opening"), para(f"{window} · {space}", st.cell)),
        (ctx.t("sheet_desks_heading"), _desks(ctx, facts, BODY_W - label_w - 12)),
        (ctx.t("sheet_calls"), para(calls, st.cell)),
    ]
    if ctx.reps:
        pairs.append((ctx.t("sheet_forecast"), para(forecast_text(ctx, facts), st.cell)))
    return [facts_table(pairs, st, label_w)]


def _crew(ctx: Context, facts: SiteFacts) -> list[Flowable]:
    st, crew = ctx.styles, ctx.scenario.crew
    desk_w = 50
    reg_w = (BODY_W - desk_w) * 0.36
    rows: list[list[object]] = [
        [ctx.t("sheet_col_desk"), ctx.t("sheet_col_samplers"), ctx.t("sheet_col_registrars")]
    ]
    for seat in facts.seats:
        rows.append(
            [
                ctx.t("sheet_desk_no", n=seat.desk),
                para(_shifts(ctx, seat.samplers, " → "), st.cell),
                para(_shifts(ctx, seat.registrars, " → "), st.cell),
            ]
        )
    rows.append([ctx.t("sheet_col_marshals"), para(_shifts(ctx, facts.marshals, "；"), st.cell)])
    last = len(rows) - 1
    # Marshals serve the whole point, not a desk: their row spans both crew columns.
    table = grid(
        rows,
        [desk_w, BODY_W - desk_w - reg_w, reg_w],
        st,
        padding=_PAD,
        extra=[("SPAN", (1, last), (2, last))],
    )
    rule = ctx.t(
        "sheet_crew_rule",
        samplers=crew.desk_samplers,
        registrars=crew.desk_registrars,
        marshals=crew.marshals_per_site,
    )
    return [
        CondPageBreak(_MIN_SECTION),
        *heading(ctx.t("sheet_crew_heading"), st),
        para(rule, st.small),
        Spacer(1, 2),
        table,
    ]


def _calls(ctx: Context, facts: SiteFacts) -> list[Flowable]:
    st = ctx.styles
    out: list[Flowable] = [CondPageBreak(_MIN_SECTION), *heading(ctx.t("sheet_calls_heading"), st)]
    if not facts.calls:
        return [*out, para(ctx.t("sheet_no_calls"), st.body)]
    rows: list[list[object]] = [
        [
            ctx.t("sheet_col_no"),
            ctx.t("sheet_col_time"),
            ctx.t("sheet_col_building"),
            ctx.t("sheet_col_floors"),
            ctx.t("sheet_col_households"),
            ctx.t("sheet_col_people"),
            ctx.t("sheet_col_sweeper"),
            ctx.t("sheet_col_done"),
        ]
    ]
    for k, row in enumerate(facts.calls, start=1):
        rows.append(
            [
                *call_cells(ctx, k, row),
                para(ctx.named(row.sweeper, row.call.sweeper_id), st.cell),
                TickBox(),
            ]
        )
    rows.append(
        [
            ctx.t("sheet_total"),
            "",
            ctx.t("sheet_count_buildings", count=facts.buildings),
            "",
            f"{facts.households:,}",
            f"{facts.people:,}",
            "",
            "",
        ]
    )
    widths = [24, 50, 88, 58, 58, 44, 0, 34]
    table = checklist(rows, widths, st, padding=_PAD, align_right=(0, 4, 5))
    return [*out, table]


def site_sheet(ctx: Context, facts: SiteFacts) -> Sheet:
    """The printed sheet of one sampling point."""
    return Sheet(title=site_title(ctx, facts), build=partial(_story, ctx, facts))


def _story(ctx: Context, facts: SiteFacts) -> list[Flowable]:
    story: list[Flowable] = [
        *sheet_head(
            ctx.t("sheet_site_kind"), site_title(ctx, facts), ctx.styles, ctx.synthetic_note
        ),
        *_facts(ctx, facts),
        *_crew(ctx, facts),
        *_calls(ctx, facts),
    ]
    if ctx.reps:
        note = ctx.t("sheet_forecast_note", reps=ctx.reps, seed=ctx.seed)
        story += [Spacer(1, 4), para(note, ctx.styles.small)]
    return story
