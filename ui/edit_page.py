"""Edit page: change the plan by hand and see at once what changed; undo; re-optimise around the
changes; every version on disk, reloadable."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from planner import views
from planner.edits import (
    CloseSite,
    Edit,
    EditError,
    MarkAbsent,
    MoveBuilding,
    MoveWave,
    SetDesks,
    approximate_edits,
    edits_from_desk_table,
)
from planner.edits import describe as describe_edit
from planner.model import Scenario
from planner.plan import Plan
from planner.problems import ScenarioError
from planner.timefmt import format_hhmm, parse_hhmm
from planner.versions import list_versions
from ui import charts, session, state, widgets
from ui.i18n import lang, t

KEEP = ""  # "keep as is" choice in the site selectors


def _apply(sc: Scenario, edit: Edit) -> None:
    try:
        session.add_edit(sc, edit)
    except EditError as exc:
        st.session_state[state.EDIT_FLASH] = ("error", exc.message(lang()))
    except session.SaveRefused as exc:
        st.session_state[state.EDIT_FLASH] = ("error", exc.message, exc.details)
    else:
        st.session_state[state.EDIT_FLASH] = ("success", describe_edit(edit, lang()))
    st.rerun()


def _time(key: str) -> tuple[int | None, bool]:
    """The minute typed in a HH:MM box (None when empty) and whether it was readable."""
    raw = str(st.session_state.get(key) or "").strip()
    if not raw:
        return None, True
    minute = parse_hhmm(raw)
    return minute, minute is not None


def _site_label(sc: Scenario) -> dict[str, str]:
    return {s.site_id: f"{s.site_id} {s.name}" for s in sc.sites}


def _site_choices(sc: Scenario) -> dict[str, str]:
    """Site choices of a move, "keep" first. Labels are made now, not in the widget's
    format_func, so they do not depend on session state when the widget is read back."""
    return {KEEP: t("edit_keep"), **_site_label(sc)}


def pick_on_map(sc: Scenario, plan: Plan) -> None:
    """A map to click a building on: the click chooses it in the move form below."""
    event = st.altair_chart(
        charts.map_chart(views.map_layers(sc, plan), height=420, pickable=True),
        key=state.EDIT_MAP,
        on_select="rerun",
        selection_mode=[charts.PICK],
        width="stretch",
    )
    selection = (event or {}).get("selection") or {}  # a dict-like state object
    picked = [p.get("building_id") for p in selection.get(charts.PICK) or []]
    choice = picked[0] if picked else None
    # Apply a click once: later runs keep whatever the form says.
    if choice and choice != st.session_state.get(state.MAP_PICK):
        if any(c.building_id == choice for c in plan.calls):
            st.session_state[state.MB_BUILDING] = choice
        else:
            st.session_state[state.EDIT_FLASH] = ("info", t("edit_pick_door_only", building=choice))
    st.session_state[state.MAP_PICK] = choice
    st.caption(t("edit_pick_hint"))


def _move_to(
    sc: Scenario, site_box: DeltaGenerator, time_box: DeltaGenerator, keys: tuple[str, str, str]
) -> tuple[str | None, int | None] | None:
    """The "to site" and "at time" inputs and the apply button of a move form (keys: site,
    time, apply). Returns the (site, minute) asked for when applied with something to change."""
    site_key, time_key, apply_key = keys
    labels = _site_choices(sc)
    site = site_box.selectbox(
        t("edit_new_site"), list(labels), key=site_key, format_func=labels.get
    )
    time_box.text_input(t("edit_new_time"), key=time_key, placeholder="HH:MM")
    minute, ok = _time(time_key)
    if not ok:
        st.error(t("edit_bad_time"))
    clicked = st.button(t("edit_apply"), key=apply_key, disabled=not ok)
    if clicked and (site or minute is not None):
        return site or None, minute
    return None


def move_building_form(sc: Scenario, plan: Plan) -> None:
    site_of = plan.site_of_building()
    first = {}
    for c in plan.calls:
        first[c.building_id] = min(c.call_time, first.get(c.building_id, c.call_time))
    called = [b.building_id for b in sc.buildings if b.building_id in site_of]
    a, b, c = st.columns(3)
    # Option labels stay the same whatever the plan says (the browser keeps a keyed widget's
    # labels from its first run); where the building goes now is the caption below.
    building = a.selectbox(t("view_building"), called, key=state.MB_BUILDING)
    if building:
        a.caption(t("edit_now", site=site_of[building], time=format_hhmm(first[building])))
    asked = _move_to(sc, b, c, (state.MB_SITE, state.MB_TIME, state.MB_APPLY))
    if asked and building:
        _apply(sc, MoveBuilding(building, *asked))


def move_wave_form(sc: Scenario, plan: Plan) -> None:
    called = sorted({c.building_id for c in plan.calls}, key=lambda b: sc.building_index[b])
    a, b, c, d = st.columns(4)
    building = a.selectbox(t("view_building"), called, key=state.MW_BUILDING)
    waves = sorted((w for w in plan.calls if w.building_id == building), key=lambda w: w.floor_from)
    by_floor = {w.floor_from: w for w in waves}
    wave_labels = {
        w.floor_from: t("edit_wave_label", lo=w.floor_from, hi=w.floor_to) for w in waves
    }
    floor = b.selectbox(
        t("edit_wave_choice"), list(wave_labels), key=state.MW_FLOOR, format_func=wave_labels.get
    )
    if floor in by_floor:
        wave = by_floor[floor]
        b.caption(t("edit_now", site=wave.site_id, time=format_hhmm(wave.call_time)))
    asked = _move_to(sc, c, d, (state.MW_SITE, state.MW_TIME, state.MW_APPLY))
    if asked and building and floor is not None:
        _apply(sc, MoveWave(building, int(floor), *asked))


def desks_editor(sc: Scenario, plan: Plan, key_suffix: str) -> None:
    """Every site's peak desks in a table with fixed rows; a changed cell is an edit at once
    (:func:`planner.edits.edits_from_desk_table` says which, and what was not taken as typed).

    The editor's key changes with every edit (and every refused change), so the table it shows is
    always the plan's and the next change is read against it (no edit lost or applied twice)."""
    peaks = views.peak_desks(plan)
    frame = pd.DataFrame(
        {
            "site_id": [s.site_id for s in sc.sites],
            "name": [s.name for s in sc.sites],
            "max_desks": [s.max_desks for s in sc.sites],
            "desks": [peaks.get(s.site_id, 0) for s in sc.sites],
        }
    )
    resets = int(st.session_state.get(state.DESK_RESETS) or 0)
    edited = st.data_editor(
        frame,
        key=f"{state.DESK_EDITOR}_{key_suffix}_{resets}",
        num_rows="fixed",
        hide_index=True,
        width="stretch",
        disabled=["site_id", "name", "max_desks"],
        column_config={
            "site_id": st.column_config.TextColumn(t("view_site")),
            "name": st.column_config.TextColumn(t("view_name")),
            "max_desks": st.column_config.NumberColumn(t("view_max_desks")),
            "desks": st.column_config.NumberColumn(
                t("view_desks"),
                min_value=0,
                max_value=max(s.max_desks for s in sc.sites),
                step=1,
                required=True,
            ),
        },
    )
    changed = edited[edited["desks"].ne(frame["desks"])]  # a cleared cell (NaN) differs too
    if not len(changed):
        return
    asked = edits_from_desk_table(
        sc, plan, dict(zip(changed["site_id"], changed["desks"], strict=True)), lang()
    )
    lines = [*asked.notes]
    done = bool(asked.edits)
    try:
        session.add_edits(sc, asked.edits)
    except EditError as exc:
        lines.insert(0, exc.message(lang()))
        done = False
    except session.SaveRefused as exc:
        lines.insert(0, exc.message)
        done = False
    else:
        lines[:0] = [describe_edit(e, lang()) for e in asked.edits]
    if asked.notes or not done:
        # Nothing or not all as typed: a fresh table shows the plan as it is.
        st.session_state[state.DESK_RESETS] = resets + 1
    kind = "success" if done and not asked.notes else "warning" if done or asked.notes else "error"
    st.session_state[state.EDIT_FLASH] = (kind, t("edit_sep").join(lines))
    st.rerun()


def desks_form(sc: Scenario) -> None:
    labels = _site_label(sc)
    a, b, c, d = st.columns(4)
    site = a.selectbox(t("view_site"), list(labels), key=state.SD_SITE, format_func=labels.get)
    top = sc.sites[sc.site_index[site]].max_desks if site else 50
    desks = b.number_input(t("view_desks"), min_value=0, max_value=top, value=1, key=state.SD_DESKS)
    c.text_input(t("edit_from"), key=state.SD_FROM, placeholder="HH:MM")
    d.text_input(t("edit_to"), key=state.SD_TO, placeholder="HH:MM")
    start, ok1 = _time(state.SD_FROM)
    end, ok2 = _time(state.SD_TO)
    if not (ok1 and ok2):
        st.error(t("edit_bad_time"))
    if st.button(t("edit_apply"), key=state.SD_APPLY, disabled=not (ok1 and ok2)) and site:
        _apply(sc, SetDesks(site, int(desks), start, end))


def close_form(sc: Scenario, plan: Plan) -> None:
    open_sites = [s.site_id for s in sc.sites if any(d.site_id == s.site_id for d in plan.desks)]
    labels = _site_label(sc)
    site = st.selectbox(t("view_site"), open_sites, key=state.CS_SITE, format_func=labels.get)
    if st.button(t("edit_close"), key=state.CS_APPLY) and site:
        _apply(sc, CloseSite(site))


def absent_form(sc: Scenario, plan: Plan) -> None:
    on_duty = sorted({s.staff_id for s in plan.roster}, key=lambda x: sc.staff_index[x])
    staff = {p.staff_id: p for p in sc.staff}
    names = {x: f"{x} {staff[x].name} ({t('role_' + staff[x].role.value)})" for x in on_duty}
    person = st.selectbox(t("edit_staff"), on_duty, key=state.AB_STAFF, format_func=names.get)
    if st.button(t("edit_absent_apply"), key=state.AB_APPLY) and person:
        _apply(sc, MarkAbsent(person))


def history(sc: Scenario) -> None:
    edits = session.edits(sc)
    st.subheader(t("edit_list_title", count=len(edits)))
    if edits:
        st.table(
            pd.DataFrame(
                {t("edit_col_edit"): [describe_edit(e, lang()) for e in edits]},
                index=pd.RangeIndex(1, len(edits) + 1, name="#"),
            )
        )
    base = session.base_plan(sc)
    rough = approximate_edits(base, edits) if base is not None else []
    if rough:
        buildings = ", ".join(dict.fromkeys(e.building_id for e in rough))
        st.warning(t("edit_wave_approx", buildings=buildings))
    a, b = st.columns(2)
    if a.button(t("edit_undo"), key=state.UNDO, disabled=not edits):
        try:
            dropped = session.undo(sc)
        except session.SaveRefused as exc:
            st.session_state[state.EDIT_FLASH] = ("error", exc.message, exc.details)
        else:
            if dropped is not None:
                st.session_state[state.EDIT_FLASH] = (
                    "info",
                    t("edit_undone", edit=describe_edit(dropped, lang())),
                )
        st.rerun()
    if b.button(
        t("edit_reoptimise"),
        key=state.REOPTIMISE,
        type="primary",
        disabled=session.job() is not None or not edits,
    ):
        session.start_solve(sc, reoptimise=True)
        st.rerun()


def versions_box(sc: Scenario) -> None:
    st.subheader(t("ver_title"))
    saved = list_versions(sc)
    current = session.version(sc)
    if not saved:
        st.caption(t("ver_none"))
        return
    frame = pd.DataFrame(
        {
            t("ver_col_id"): [v.id for v in saved],
            t("ver_col_label"): [v.label for v in saved],
            t("ver_col_parent"): [v.parent or "" for v in saved],
            t("ver_col_edits"): [v.edits for v in saved],
            t("ver_col_updated"): [v.updated[:19].replace("T", " ") for v in saved],
        }
    )
    st.dataframe(frame, hide_index=True, width="stretch")
    ids = [v.id for v in saved]
    a, b = st.columns([3, 1], vertical_alignment="bottom")
    chosen = a.selectbox(t("ver_choose"), ids, key=state.VER_CHOICE)
    if b.button(
        t("ver_open"), key=state.VER_OPEN, disabled=current is not None and chosen == current.id
    ):
        version = next(v for v in saved if v.id == chosen)
        try:
            session.open_version(sc, version)
        except (ScenarioError, EditError, OSError, ValueError) as exc:
            message = ("error", t("ver_unreadable", id=version.id), str(exc))
        else:
            message = ("info", t("ver_opened", id=version.id))
        st.session_state[state.EDIT_FLASH] = message
        st.rerun()
    st.caption(t("ver_where", folder=str(saved[0].folder.parent)))


def render() -> None:
    st.title(t("edit_title"))
    sc = session.scenario()
    if sc is None:
        return
    running = widgets.solve_panel(sc)  # first: a solve that just ended leaves a message
    widgets.flash()
    widgets.home_warning()
    working = session.working_plan(sc)
    if working is None:
        st.info(t("view_no_plan"))
        return
    plan, ver, edits = working
    current = session.evaluation(sc)
    before = session.evaluation(sc, len(edits) - 1) if edits else None
    assert current is not None
    st.caption(t("view_version_line", label=ver.label, id=ver.id, edits=len(edits)))
    widgets.kpi_cards(current, before)
    if before is not None:
        st.caption(t("edit_cards_vs_before"))
        over = views.newly_over(before, current)
        if over:
            st.error(t("edit_newly_over", sites=", ".join(over)))
    if current.over_capacity:
        st.warning(t("edit_over", sites=", ".join(current.over_capacity)))
    widgets.violations(current)

    if not running:
        tabs = st.tabs(
            [
                t("edit_tab_building"),
                t("edit_tab_wave"),
                t("edit_tab_desks"),
                t("edit_tab_close"),
                t("edit_tab_absent"),
            ]
        )
        with tabs[0]:
            pick_on_map(sc, plan)
            move_building_form(sc, plan)
        with tabs[1]:
            move_wave_form(sc, plan)
        with tabs[2]:
            # ``updated`` moves on every edit and undo: a fresh table each time.
            desks_editor(sc, plan, f"{ver.id}_{ver.updated}")
            desks_form(sc)
        with tabs[3]:
            close_form(sc, plan)
        with tabs[4]:
            absent_form(sc, plan)
        history(sc)
    versions_box(sc)


render()
