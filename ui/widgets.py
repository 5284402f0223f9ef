"""Page parts used by more than one page: KPI cards, the solve progress panel, violations."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from planner import versions
from planner.check import violation_table
from planner.messages import CATALOGUE
from planner.model import Scenario
from planner.views import CARDS, Evaluation, format_delta, format_value, kpi_deltas
from ui import session, state
from ui.i18n import lang, t

#: Seconds between two polls of a running solve.
POLL_S = 0.5


def kpi_cards(current: Evaluation, before: Evaluation | None = None) -> None:
    """One metric card per KPI; with ``before``, the change since then (green = better)."""
    deltas = kpi_deltas(before.values, current.values) if before is not None else {}
    for column_box, (column, lower_better) in zip(st.columns(len(CARDS)), CARDS, strict=True):
        delta = format_delta(column, deltas.get(column, math.nan), lang())
        column_box.metric(
            t(f"kpi_{column}"),
            format_value(column, current.values.get(column, math.nan)),
            delta=delta,
            delta_color="inverse" if lower_better else "normal",
        )
    unserved = (current.kpis.get("unserved") or {}).get("mean") or 0.0
    if unserved > 0:
        st.caption(t("view_unserved", people=f"{unserved:,.0f}"))


def kpi_table(named: list[tuple[str, Evaluation]]) -> None:
    """The card KPIs of several plans side by side (the plan and its baselines)."""
    rows = {
        name: {t(f"kpi_{c}"): format_value(c, ev.values.get(c, math.nan)) for c, _ in CARDS}
        for name, ev in named
    }
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = t("kpi_plan")
    st.table(frame)


def violations(current: Evaluation) -> None:
    """The checker's verdict: a success line or the violations as a table."""
    if not current.problems:
        st.success(t("cli_plan_valid"))
        return
    st.warning(t("cli_plan_invalid", count=len(current.problems)))
    frame = violation_table(list(current.problems), lang()).drop(columns=["severity", "code"])
    frame.columns = [t(f"view_col_{c}") for c in frame.columns]
    st.dataframe(frame, hide_index=True, width="stretch")


def _progress_lines() -> None:
    job = session.job()
    if job is None:
        return
    latest = job.latest()
    stage = latest["stage"]
    name = t("view_starting")
    if stage and stage.get("stage"):
        key = "stage_" + str(stage["stage"])
        name = t(key) if key in CATALOGUE else str(stage["stage"])  # a stage added later
    st.write(t("view_solving", stage=name, seconds=f"{job.elapsed():.0f}"))
    best = latest["incumbent"]
    if best and best.get("objective") is not None:
        objective, bound = float(best["objective"]), float(best.get("bound") or 0.0)
        gap = (objective - bound) / objective if objective > 0 else 0.0
        st.caption(t("view_incumbent", objective=f"{objective / 1000:,.1f}", gap=f"{gap:.1%}"))
    if job.stopping:
        st.caption(t("view_stopping"))


def solve_panel(sc: Scenario) -> bool:
    """While a solve runs: its stage, the best location found, and a stop button; polls itself
    and reruns the page when the solve is done. Returns ``True`` while a solve is running."""
    job = session.job()
    if job is None:
        return False
    if job.done:
        session.finish_job(sc)
        return False

    @st.fragment(run_every=POLL_S)
    def poll() -> None:
        current = session.job()
        if current is None or current.done:
            st.rerun()
        _progress_lines()

    poll()
    if st.button(t("view_stop"), key=state.STOP_SOLVE, disabled=job.stopping):
        job.stop()
        st.rerun()
    return True


def flash() -> None:
    """Show (once) the message left by the last action."""
    message = st.session_state.pop(state.EDIT_FLASH, None)
    if not message:
        return
    kind, body, *details = message
    shown = {"error": st.error, "warning": st.warning, "info": st.info, "success": st.success}
    shown.get(kind, st.info)(body)
    if details and details[0]:
        # The system's own words (an OS error, an exception) for whoever fixes it, out of the way.
        with st.expander(t("edit_details")):
            st.code(str(details[0]), language=None)


def home_warning() -> None:
    """A warning while versions go to the temporary folder (the wanted one cannot be written)."""
    where = versions.home()
    if where.fallback:
        st.warning(t("ver_home_fallback", wanted=str(where.wanted), folder=str(where.folder)))
