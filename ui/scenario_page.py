"""Scenario page: pick a bundled scenario or upload one, see its problems or its summary."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from planner.bundle import unpack_scenario_zip
from planner.capacity import assess, capacity_warnings
from planner.parse import load_scenario
from planner.problems import ScenarioError
from planner.summary import summary_rows
from ui import state
from ui.i18n import lang, t

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def bundled() -> list[str]:
    """Names of the bundled scenario folders."""
    return sorted(p.parent.name for p in SCENARIOS.glob("*/scenario.toml"))


def chosen_folder() -> Path | None:
    """The folder of the uploaded scenario if there is one, else the bundled choice."""
    upload = st.sidebar.file_uploader(t("ui_upload"), type=["zip"])
    if upload is not None:
        target = Path(tempfile.mkdtemp(prefix="planner-upload-"))
        try:
            folder = unpack_scenario_zip(upload.getvalue(), target, upload.name)
        except ScenarioError as exc:
            show_problems(exc)
            return None
        st.session_state[state.UPLOAD_DIR] = str(folder)
        return folder
    names = bundled()
    default = names.index("tiny") if "tiny" in names else 0
    name = st.sidebar.selectbox(t("ui_scenario"), names, index=default, key=state.SCENARIO_CHOICE)
    return SCENARIOS / name if name else None


def show_problems(exc: ScenarioError) -> None:
    st.error(t("cli_invalid", count=len(exc.problems)))
    frame = pd.DataFrame([p.as_record(lang()) for p in exc.problems])
    st.dataframe(frame, hide_index=True, use_container_width=True)


def render() -> None:
    """The page body."""
    st.title(t("ui_title"))
    folder = chosen_folder()
    if folder is None:
        return
    try:
        scenario = load_scenario(folder)
    except ScenarioError as exc:
        show_problems(exc)
        return
    capacity = assess(scenario)
    heading = t("sum_title", name=scenario.name)
    if scenario.synthetic:
        heading += " " + t("sum_synthetic")
    st.subheader(heading)
    rows = summary_rows(scenario, lang(), capacity)
    st.table(pd.DataFrame(rows, columns=[t("ui_item"), t("ui_value")]).set_index(t("ui_item")))
    for warning in capacity_warnings(scenario, capacity):
        st.warning(warning.render(lang()))


render()
