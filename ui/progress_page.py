"""Progress board page (seed 003's dashboard): during a round, the log so far against the plan.

Thin: :func:`planner.replay.progress.progress_board` does the work. The plan's simulated curves are
kept in session state, so changing the time does not simulate again.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from planner.parse import load_scenario
from planner.planfile import PlanError, read_plan
from planner.problems import Problem, ScenarioError
from planner.replay.log import LogError, read_log
from planner.replay.progress import Board, expected_curves, progress_board
from planner.timefmt import format_hhmm, parse_hhmm
from ui import state
from ui.i18n import lang, t

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = REPO / "scenarios"
#: The bundled synthetic round (docs/replay.md), offered as the default for the tiny scenario.
DEMO = REPO / "data" / "replay-tiny"
#: Replications of the plan's simulation behind "expected by now".
REPS = 5


def bundled() -> list[str]:
    """Names of the bundled scenario folders."""
    return sorted(p.parent.name for p in SCENARIOS.glob("*/scenario.toml"))


def show_problems(problems: list[Problem]) -> None:
    frame = pd.DataFrame([p.as_record(lang()) for p in problems])
    st.dataframe(frame, hide_index=True, width="stretch")


#: A sampling log: a file, or an upload's name and contents.
LogSource = Path | tuple[str, bytes]


def inputs() -> tuple[Path, str, LogSource | None, str]:
    """Scenario folder, plan folder text, log (upload or path) and the time text.

    An upload stays in memory: it holds clear identifiers, which must never be written to disk.
    """
    names = bundled()
    default = names.index("tiny") if "tiny" in names else 0
    name = st.selectbox(t("ui_scenario"), names, index=default, key=state.PB_SCENARIO)
    demo = name == "tiny" and DEMO.exists()
    plan_text = st.text_input(
        t("pb_plan_path"), value=str(DEMO / "plan") if demo else "", key=state.PB_PLAN_DIR
    )
    upload = st.file_uploader(t("pb_log_upload"), type=["csv", "parquet"], key=state.PB_LOG_UPLOAD)
    path_text = st.text_input(
        t("pb_log_path"), value=str(DEMO / "log.csv") if demo else "", key=state.PB_LOG_PATH
    )
    now_text = st.text_input(t("pb_now"), value="08:30", key=state.PB_NOW)
    log: LogSource | None = None
    if upload is not None:
        log = (upload.name, upload.getvalue())
    elif path_text.strip():
        log = Path(path_text.strip())
    return SCENARIOS / name, plan_text.strip(), log, now_text


def compute(scenario_dir: Path, plan_text: str, log_source: LogSource, now: int) -> Board | None:
    """The board, or ``None`` after showing what is wrong with an input."""
    try:
        scenario = load_scenario(scenario_dir)
        plan = read_plan(Path(plan_text), scenario)
        # allow_empty: before the first sample, everything is still to do.
        if isinstance(log_source, Path):
            log = read_log(log_source, scenario, allow_empty=True)
        else:
            name, data = log_source
            log = read_log(data, scenario, allow_empty=True, name=name)
    except (ScenarioError, LogError) as exc:  # PlanError is a ScenarioError
        if isinstance(exc, PlanError):
            st.error(t("cli_plan_unreadable", count=len(exc.problems)))
        elif isinstance(exc, LogError):
            st.error(t("cli_log_unreadable", count=len(exc.problems)))
        else:
            st.error(t("cli_invalid", count=len(exc.problems)))
        show_problems(exc.problems)
        return None
    cache: dict[tuple[str, str], pd.DataFrame] = st.session_state.setdefault(state.PB_CURVES, {})
    key = (str(scenario_dir.resolve()), str(Path(plan_text).resolve()))
    if key not in cache:
        cache.clear()  # one plan at a time: the curves of a district are large
        cache[key] = expected_curves(scenario, plan, reps=REPS)
    errors = sum(p.severity == "error" for p in log.problems)
    st.caption(t("rp_rows", rows=log.rows, kept=len(log.frame), skipped=log.skipped))
    if errors:
        with st.expander(t("rp_problems", errors=errors, warnings=len(log.problems) - errors)):
            show_problems(list(log.problems))
    return progress_board(scenario, plan, log, now, curves=cache[key])


def headers(frame: pd.DataFrame) -> pd.DataFrame:
    """Board columns with translated headers, numbers rounded for reading."""
    names = {
        "site_id": t("pb_c_site"),
        "name": t("rp_c_name"),
        "committee": t("pb_c_committee"),
        "total": t("pb_c_total"),
        "done": t("pb_c_done"),
        "expected": t("pb_c_expected"),
        "remaining": t("pb_c_remaining"),
        "slip": t("pb_c_slip"),
        "behind_min": t("pb_c_behind"),
        "flag": t("pb_c_flag"),
    }
    shown = frame.round({"expected": 0, "slip": 0, "behind_min": 0})
    return shown.rename(columns=names)


def show(board: Board) -> None:
    sites = board.sites
    done, expected = int(sites["done"].sum()), float(sites["expected"].sum())
    remaining = int(sites["remaining"].sum())
    now = format_hhmm(board.now)
    st.info(t("pb_totals", now=now, done=done, expected=expected, remaining=remaining))
    if len(board.flagged):
        st.warning(t("pb_flagged", count=len(board.flagged)))
    st.subheader(t("pb_chart"))
    chart = sites.set_index("site_id")[["done", "expected"]]
    st.bar_chart(
        chart.rename(columns={"done": t("pb_c_done"), "expected": t("pb_c_expected")}),
        stack=False,
    )
    st.subheader(t("pb_sites"))
    st.dataframe(headers(sites), hide_index=True, width="stretch")
    st.subheader(t("pb_committees"))
    st.dataframe(headers(board.committees), hide_index=True, width="stretch")


def render() -> None:
    """The page body."""
    st.title(t("pb_title"))
    scenario_dir, plan_text, log_source, now_text = inputs()
    if st.button(t("pb_run"), key=state.PB_RUN, type="primary"):
        now = parse_hhmm(now_text)
        if now is None:
            st.error(t("pb_bad_now", value=now_text))
        elif not plan_text or log_source is None:
            st.warning(t("pb_need_inputs"))
        else:
            st.session_state[state.PB_BOARD] = compute(scenario_dir, plan_text, log_source, now)
    board = st.session_state.get(state.PB_BOARD)
    if isinstance(board, Board):
        show(board)


render()
