"""Headline numbers of a scenario, for the CLI's ``summary`` and the page's scenario view."""

from __future__ import annotations

import math

from planner.capacity import Capacity, assess
from planner.messages import Lang, text
from planner.model import Role, Scenario
from planner.timefmt import format_hhmm


def summary_rows(
    scenario: Scenario, lang: Lang | None = None, capacity: Capacity | None = None
) -> list[tuple[str, str]]:
    """(label, value) rows describing ``scenario`` in ``lang``.

    The guide comparison uses the national guide's ratios (3rd ed., March 2022): one sampling point
    per 2,000-3,000 people, one desk per 600-800 people, samplers about population / 360.
    """
    cap = capacity or assess(scenario)
    rnd = scenario.round
    people = scenario.residents
    staff = {role.value: n for role, n in scenario.staff_count().items()}
    desks = sum(s.max_desks for s in scenario.sites)
    bound = cap.finish_lower_bound
    rows = [
        (
            "sum_round",
            text(
                "sum_round_value",
                lang,
                date=rnd.date.isoformat(),
                start=format_hhmm(rnd.start),
                deadline=format_hhmm(rnd.deadline),
                hours=rnd.hours,
                notice=rnd.notice.isoformat(sep=" ", timespec="minutes"),
            ),
        ),
        (
            "sum_residents",
            text(
                "sum_residents_value",
                lang,
                residents=people,
                households=scenario.households,
                mobile=scenario.mobile_residents,
                door=scenario.door_residents,
            ),
        ),
        (
            "sum_buildings",
            text(
                "sum_buildings_value",
                lang,
                buildings=len(scenario.buildings),
                committees=len(scenario.committees),
                compounds=len({b.compound for b in scenario.buildings}),
                lift=sum(b.lift for b in scenario.buildings),
                locked=sum(b.locked for b in scenario.buildings),
            ),
        ),
        (
            "sum_sites",
            text(
                "sum_sites_value",
                lang,
                sites=len(scenario.sites),
                desks=desks,
                queue=sum(s.queue_capacity for s in scenario.sites),
            ),
        ),
        ("sum_staff", text("sum_staff_value", lang, **staff)),
        (
            "sum_guide",
            text(
                "sum_guide_value",
                lang,
                sites_lo=math.ceil(people / 3000),
                sites_hi=math.ceil(people / 2000),
                sites=len(scenario.sites),
                desks_lo=math.ceil(people / 800),
                desks_hi=math.ceil(people / 600),
                desks=desks,
                samplers_need=math.ceil(people / 360),
                samplers=staff[Role.SAMPLER.value],
            ),
        ),
        (
            "sum_demand",
            text(
                "sum_demand_value",
                lang,
                desk_hours=cap.desk.need_h,
                door_hours=scenario.door_residents * scenario.crew.door_s_per_person / 3600,
                sweep_hours=cap.sweepers.need_h,
            ),
        ),
        (
            "sum_bound",
            text("sum_bound_never", lang)
            if bound is None
            else text(
                "sum_bound_value",
                lang,
                bound=format_hhmm(math.ceil(bound)),
                deadline=format_hhmm(rnd.deadline),
            ),
        ),
    ]
    return [(text(label, lang), value) for label, value in rows]
