"""Scenario page: pick a bundled scenario or upload one (a zipped folder, or the files
themselves), see its problems as a table or its summary with the finish lower bound."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from planner.bundle import unpack_scenario_zip
from planner.capacity import assess, capacity_warnings
from planner.problems import Problem, ScenarioError
from planner.summary import summary_rows
from ui import session, state
from ui.i18n import lang, t

SCENARIOS = session.SCENARIOS
#: Files accepted one by one: the scenario's TOML and its tables.
TABLE_TYPES = ["zip", "toml", "csv", "parquet"]


def bundled() -> list[str]:
    """Names of the bundled scenario folders."""
    return sorted(p.parent.name for p in SCENARIOS.glob("*/scenario.toml"))


def _unpack(uploads: list) -> Path:
    """Write the uploaded files into a fresh folder once per distinct upload (reruns reuse it)."""
    digest = hashlib.sha256()
    for upload in uploads:
        digest.update(upload.name.encode("utf-8") + b"\0" + upload.getvalue())
    key = digest.hexdigest()
    if st.session_state.get(state.UPLOAD_DIGEST) == key and st.session_state.get(state.UPLOAD_DIR):
        return Path(st.session_state[state.UPLOAD_DIR])
    target = Path(tempfile.mkdtemp(prefix="planner-upload-"))
    zips = [u for u in uploads if u.name.lower().endswith(".zip")]
    if zips:
        folder = unpack_scenario_zip(zips[0].getvalue(), target, zips[0].name)
    else:
        for upload in uploads:
            (target / Path(upload.name).name).write_bytes(upload.getvalue())
        if not (target / "scenario.toml").exists():
            raise ScenarioError([Problem("scenario.toml", None, None, "not_a_dir")])
        folder = target
    st.session_state[state.UPLOAD_DIGEST] = key
    st.session_state[state.UPLOAD_DIR] = str(folder)
    return folder


def chosen_folder() -> Path | None:
    """The folder of the uploaded scenario if there is one, else the bundled choice."""
    uploads = st.sidebar.file_uploader(
        t("ui_upload"), type=TABLE_TYPES, accept_multiple_files=True, help=t("scen_upload_help")
    )
    if uploads:
        try:
            return _unpack(list(uploads))
        except ScenarioError as exc:
            show_problems(exc)
            return None
    names = bundled()
    current = Path(st.session_state.get(state.SCENARIO_DIR) or session.DEFAULT_SCENARIO)
    if state.SCENARIO_CHOICE not in st.session_state:
        # The widget's value is dropped while another page shows: start from the folder in use.
        st.session_state[state.SCENARIO_CHOICE] = (
            current.name if current.parent == SCENARIOS and current.name in names else "tiny"
        )
    name = st.sidebar.selectbox(t("ui_scenario"), names, key=state.SCENARIO_CHOICE)
    return SCENARIOS / name if name else None


def show_problems(exc: ScenarioError) -> None:
    st.error(t("cli_invalid", count=len(exc.problems)))
    frame = pd.DataFrame([p.as_record(lang()) for p in exc.problems])
    frame = frame.drop(columns=["code"]).rename(columns=lambda c: t(f"view_col_{c}"))
    st.dataframe(frame, hide_index=True, width="stretch")


def render() -> None:
    """The page body."""
    st.title(t("ui_title"))
    folder = chosen_folder()
    if folder is None:
        return
    try:
        scenario = session.load(folder)
    except ScenarioError as exc:
        show_problems(exc)
        return
    st.session_state[state.SCENARIO_DIR] = str(folder)
    capacity = assess(scenario)
    heading = t("sum_title", name=scenario.name)
    if scenario.synthetic:
        heading += " " + t("sum_synthetic")
    st.subheader(heading)
    rows = summary_rows(scenario, lang(), capacity)
    st.table(pd.DataFrame(rows, columns=[t("ui_item"), t("ui_value")]).set_index(t("ui_item")))
    for warning in capacity_warnings(scenario, capacity):
        st.warning(warning.render(lang()))
    st.page_link("ui/plan_page.py", label=t("scen_next"), icon="➡️")


render()
