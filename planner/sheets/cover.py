"""The cover sheet for the command post (指挥部): the round at a glance and every site's outlook."""

from __future__ import annotations

import math
from functools import partial
from typing import Any

from reportlab.platypus import CondPageBreak, Flowable, Spacer

from planner.capacity import Capacity
from planner.model import Role
from planner.sheets.context import Context
from planner.sheets.facts import SiteFacts, peak_desks
from planner.sheets.layout import BODY_W, Sheet, facts_table, grid, heading, para, sheet_head
from planner.summary import summary_rows
from planner.timefmt import format_hhmm


def _clock(value: float | None) -> str:
    return format_hhmm(value) if value is not None and math.isfinite(value) else "—"


def _finish(ctx: Context, kpis: dict[str, Any]) -> str:
    finish = kpis.get("finish") or {}
    unserved = (kpis.get("unserved") or {}).get("mean") or 0.0
    if finish.get("mean") is None:
        # No finish: either somebody is never served, or nobody is sampled at all.
        return ctx.t("sheet_cover_unserved", unserved=unserved) if unserved >= 0.5 else "—"
    return ctx.t(
        "kpi_stat",
        mean=_clock(finish["mean"]),
        p10=_clock(finish.get("p10")),
        p90=_clock(finish.get("p90")),
    )


def _kpi_rows(ctx: Context, kpis: dict[str, Any]) -> list[tuple[str, str]]:
    queue = (kpis.get("peak_queue") or {}).get("mean") or 0.0
    wait = (kpis.get("wait_p95_min") or {}).get("mean") or 0.0
    done = (kpis.get("done_by_deadline") or {}).get("mean") or 0.0
    over = kpis.get("sites_over_capacity") or []
    return [
        (ctx.t("sheet_cover_finish"), _finish(ctx, kpis)),
        (ctx.t("sheet_cover_queue"), ctx.t("sheet_cover_queue_value", queue=queue, wait=wait)),
        (ctx.t("kpi_done_by_deadline"), ctx.t("sheet_cover_done_value", share=done)),
        (ctx.t("kpi_over_capacity"), ctx.t("sheet_list_sep").join(over) or ctx.t("kpi_none")),
    ]


def _plan_rows(ctx: Context, sites: dict[str, SiteFacts]) -> list[tuple[str, str]]:
    scenario, plan = ctx.scenario, ctx.plan
    used: dict[Role, set[str]] = {role: set() for role in Role}
    for shift in plan.roster:
        used[shift.role].add(shift.staff_id)
    on_list = scenario.staff_count()
    staff = {role.value: len(ids) for role, ids in used.items()}
    staff |= {f"{role.value}_all": n for role, n in on_list.items()}
    opened = sum(1 for f in sites.values() if f.spells)
    return [
        (ctx.t("kpi_plan"), str(plan.made_by.get("kind", "manual"))),
        (
            ctx.t("sheet_cover_sites"),
            ctx.t(
                "sheet_cover_sites_value",
                opened=opened,
                candidates=len(scenario.sites),
                desks=peak_desks(plan.desks),
            ),
        ),
        (
            ctx.t("sheet_cover_staff"),
            ctx.t("sheet_cover_staff_value", hours=sum(s.hours for s in plan.roster), **staff),
        ),
        (
            ctx.t("sheet_cover_work"),
            ctx.t(
                "sheet_cover_work_value",
                waves=len(plan.calls),
                sweepers=len({c.sweeper_id for c in plan.calls}),
                teams=len({v.team_id for v in plan.visits}),
                stops=len(plan.visits),
            ),
        ),
    ]


def _site_table(ctx: Context, sites: dict[str, SiteFacts]) -> Flowable:
    """One row per site; a queue beyond the site's room is marked "!" (no colour needed)."""
    rows: list[list[object]] = [
        [
            ctx.t("sheet_col_site"),
            ctx.t("sheet_col_name"),
            ctx.t("sheet_col_opening"),
            ctx.t("sheet_col_peak_desks"),
            ctx.t("sheet_col_people"),
            ctx.t("sheet_col_peak_queue"),
            ctx.t("sheet_col_room"),
            ctx.t("sheet_col_finish"),
            ctx.t("sheet_col_unserved"),
        ]
    ]
    for facts in sites.values():
        outlook = facts.forecast
        queue = finish = unserved = "—"
        if outlook is not None:
            over = outlook.peak_queue > facts.site.queue_capacity
            queue = f"{outlook.peak_queue:.0f}" + (" !" if over else "")
            finish = _clock(outlook.finish)
            unserved = f"{outlook.unserved:.0f}" if outlook.unserved >= 0.5 else ""
        rows.append(
            [
                facts.site.site_id,
                facts.site.name,
                ctx.span(*facts.window) if facts.window else "—",
                str(facts.peak_desks),
                f"{facts.people:,}",
                queue,
                str(facts.site.queue_capacity),
                finish,
                unserved,
            ]
        )
    total_people = sum(f.people for f in sites.values())
    total: list[object] = [ctx.t("sheet_total"), "", "", str(peak_desks(ctx.plan.desks))]
    rows.append([*total, f"{total_people:,}", "", "", "", ""])
    widths = [36, 0, 64, 38, 44, 46, 34, 42, 48]
    widths[1] = BODY_W - sum(widths)
    return grid(rows, widths, ctx.styles, total=True, padding=1.8, align_right=(3, 4, 5, 6, 7, 8))


def cover_sheet(
    ctx: Context, sites: dict[str, SiteFacts], kpis: dict[str, Any], capacity: Capacity
) -> Sheet:
    """The command post's summary of the round: figures first, then one row per site.

    ``kpis`` is :attr:`planner.simulate.SimResult.kpis` (empty when nothing was simulated).
    """
    return Sheet(title=ctx.scenario.name, build=partial(_story, ctx, sites, kpis, capacity))


def _story(
    ctx: Context, sites: dict[str, SiteFacts], kpis: dict[str, Any], capacity: Capacity
) -> list[Flowable]:
    st, scenario = ctx.styles, ctx.scenario
    summary = dict(summary_rows(scenario, ctx.lang, capacity))
    pairs: list[tuple[str, str]] = [
        (label, summary[label])
        for label in (ctx.t("sum_round"), ctx.t("sum_residents"), ctx.t("sum_buildings"))
    ]
    pairs += _plan_rows(ctx, sites)
    if kpis:
        pairs += _kpi_rows(ctx, kpis)
    pairs.append((ctx.t("kpi_lower_bound"), summary[ctx.t("sum_bound")]))
    story: list[Flowable] = [
        *sheet_head(ctx.t("sheet_cover_kind"), scenario.name, st, ctx.synthetic_note),
        # Some labels come from the KPI catalogue, lower-case in English: capitalise for a table.
        facts_table(
            [(label[:1].upper() + label[1:], para(value, st.cell)) for label, value in pairs],
            st,
            120,
        ),
        CondPageBreak(120),
        *heading(ctx.t("sheet_cover_sites_heading"), st),
        _site_table(ctx, sites),
        Spacer(1, 4),
    ]
    if ctx.reps:
        story.append(para(ctx.t("sheet_forecast_note", reps=ctx.reps, seed=ctx.seed), st.small))
    return story
