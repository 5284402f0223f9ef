"""Plan page: solve in the background, then see the plan: KPIs against the baselines, the map,
desks and queues per site, the calling timeline, the roster and the checker's verdict."""

from __future__ import annotations

import streamlit as st

from planner import views
from planner.solver import SolveConfig
from planner.timefmt import format_hhmm
from ui import charts, session, state, widgets
from ui.i18n import lang, t


def solve_controls(sc_has_plan: bool) -> None:
    left, middle, right, button = st.columns([1, 1, 1, 1], vertical_alignment="bottom")
    left.number_input(
        t("view_time_limit"), min_value=1, max_value=3600, value=20, step=5, key=state.SOLVE_LIMIT
    )
    middle.number_input(
        t("view_short_wait"),
        min_value=0.0,
        max_value=60.0,
        value=SolveConfig().short_wait_min,
        step=1.0,
        help=t("view_short_wait_help"),
        key=state.SOLVE_SHORT_WAIT,
    )
    right.number_input(t("view_seed"), min_value=0, value=0, step=1, key=state.SOLVE_SEED)
    label = t("view_solve_again") if sc_has_plan else t("view_solve")
    if button.button(label, key=state.SOLVE, type="primary", disabled=session.job() is not None):
        sc = session.scenario()
        if sc is not None:
            session.start_solve(sc)
            st.rerun()


def render() -> None:
    st.title(t("view_plan_title"))
    sc = session.scenario()
    if sc is None:
        return
    st.caption(t("view_scenario_in_use", name=sc.name, folder=str(session.scenario_dir())))
    # The solve panel first: a solve that just ended leaves its message for flash() to show now.
    running = widgets.solve_panel(sc)
    widgets.flash()
    widgets.home_warning()
    plan = session.current_plan(sc)
    if not running:
        solve_controls(plan is not None)
        plan = session.current_plan(sc)
    if plan is None:
        if not running:
            st.info(t("view_no_plan"))
        return
    current = session.evaluation(sc)
    assert current is not None
    ver = session.version(sc)
    edits = session.edits(sc)
    if ver is not None:
        st.caption(t("view_version_line", label=ver.label, id=ver.id, edits=len(edits)))
    widgets.kpi_cards(current, session.baselines(sc)["stagger"])
    st.caption(t("view_cards_vs_stagger"))
    base = session.baselines(sc)
    widgets.kpi_table(
        [
            (t("view_this_plan"), current),
            (t("view_broadcast"), base["broadcast"]),
            (t("view_stagger"), base["stagger"]),
        ]
    )
    st.caption(t("kpi_reps", reps=views.REPS, seed=views.SEED))

    tabs = st.tabs(
        [
            t("view_tab_map"),
            t("view_tab_sites"),
            t("view_tab_timeline"),
            t("view_tab_roster"),
            t("view_tab_check"),
        ]
    )
    day = sc.round.date
    with tabs[0]:
        layers = views.map_layers(sc, plan)
        st.altair_chart(charts.map_chart(layers), width="stretch")
        opened = int(layers["sites"]["open"].sum())
        st.caption(
            t(
                "view_map_caption",
                buildings=len(layers["buildings"]),
                sites=opened,
                teams=layers["routes"]["team_id"].nunique(),
            )
        )
    with tabs[1]:
        choices = views.site_choices(sc, plan)
        if choices:
            if st.session_state.get(state.SITE_VIEW) not in choices:
                st.session_state[state.SITE_VIEW] = choices[0]
            names = {s.site_id: s.name for s in sc.sites}
            site_id = st.selectbox(
                t("view_site"),
                choices,
                key=state.SITE_VIEW,
                format_func=lambda s: f"{s} {names.get(s, '')}",
            )
            capacity = sc.sites[sc.site_index[site_id]].queue_capacity
            queue = current.queue[current.queue["site_id"] == site_id]
            desk_chart, queue_chart = charts.site_chart(
                day, views.desk_series(plan, site_id), queue, capacity
            )
            st.altair_chart(desk_chart, width="stretch")
            st.altair_chart(queue_chart, width="stretch")
        table = current.sites.round(
            {"arrivals": 0, "peak_queue": 1, "peak_queue_p90": 1, "wait_p95": 1, "utilisation": 2}
        ).rename(columns=lambda c: t(f"view_col_{c}"))
        st.dataframe(table, hide_index=True, width="stretch")
    with tabs[2]:
        rows = views.timeline_rows(sc, plan)
        if len(rows):
            by = st.radio(
                t("view_timeline_by"),
                ["sweeper_id", "site_id"],
                key=state.TIMELINE_BY,
                format_func={c: t(f"view_{c}") for c in ("sweeper_id", "site_id")}.get,
                horizontal=True,
            )
            st.altair_chart(charts.timeline_chart(day, rows, by=by), width="stretch")
        shown = rows.drop(columns=["floor_from"]).assign(
            start=rows["start"].map(format_hhmm),
            end=rows["end"].map(format_hhmm),
        )
        st.dataframe(
            shown.rename(columns=lambda c: t(f"view_col_{c}")),
            hide_index=True,
            width="stretch",
        )
    with tabs[3]:
        roster = views.roster_rows(sc, plan, lang())
        st.dataframe(
            roster.rename(columns=lambda c: t(f"view_col_{c}")),
            hide_index=True,
            width="stretch",
        )
    with tabs[4]:
        widgets.violations(current)


render()
