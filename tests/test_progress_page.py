"""The progress board page driven headless with AppTest on the bundled synthetic round."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from planner.parse import load_scenario
from planner.planfile import read_plan
from planner.replay.log import Salt, read_log
from planner.replay.progress import Board, progress_board
from ui import state

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "data" / "replay-tiny"
TIMEOUT = 60


@pytest.fixture(autouse=True)
def home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PLANNER_HOME", str(tmp_path / "planner-home"))


def progress_page(lang: str = "zh") -> AppTest:
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT).run()
    if lang == "en":
        app.sidebar.radio[0].set_value("en").run()
    app.switch_page("ui/progress_page.py").run()
    assert not app.exception
    return app


def expected_board(now: int) -> Board:
    scenario = load_scenario(REPO / "scenarios" / "tiny")
    plan = read_plan(DEMO / "plan", scenario)
    log = read_log(DEMO / "log.csv", scenario, salt=Salt.resolve("x"))
    return progress_board(scenario, plan, log, now, reps=5)


def test_board_of_the_bundled_round_at_0830() -> None:
    app = progress_page("en")
    assert app.text_input(key=state.PB_LOG_PATH).value == str(DEMO / "log.csv")
    app.text_input(key=state.PB_NOW).set_value("08:30").run()
    app.button(key=state.PB_RUN).click().run()
    assert not app.exception
    board = app.session_state[state.PB_BOARD]
    assert isinstance(board, Board) and board.now == 510
    want = expected_board(510)
    pd.testing.assert_frame_equal(board.sites, want.sites)
    # What the page shows: the problems of the log, then the sites and committees, in English.
    sites = app.dataframe[-2].value.set_index("site")
    assert sites["done"].to_dict() == want.sites.set_index("site_id")["done"].to_dict()
    plan = read_plan(DEMO / "plan", load_scenario(REPO / "scenarios" / "tiny"))
    assert sites["to sample"].sum() == sum(c.people for c in plan.calls)
    committees = app.dataframe[-1].value
    assert committees["done"].sum() == sites["done"].sum() > 0
    assert app.info[0].value.startswith("at 08:30: ")
    assert f"{int(sites['done'].sum()):,} sampled" in app.info[0].value
    # The log's three bad rows are counted.
    assert any("3 skipped" in c.value for c in app.caption)
    chart = app.get("vega_lite_chart")[0]
    assert len(chart.proto.datasets) >= 1


def test_a_later_time_moves_the_board_and_a_bad_time_is_refused() -> None:
    app = progress_page()
    app.button(key=state.PB_RUN).click().run()
    early = app.session_state[state.PB_BOARD]
    app.text_input(key=state.PB_NOW).set_value("10:00").run()
    app.button(key=state.PB_RUN).click().run()
    later = app.session_state[state.PB_BOARD]
    assert later.now == 600
    assert later.sites["done"].sum() > early.sites["done"].sum()
    pd.testing.assert_frame_equal(later.sites, expected_board(600).sites)
    # Chinese by default.
    assert "已采" in app.dataframe[-2].value.columns
    app.text_input(key=state.PB_NOW).set_value("9点").run()
    app.button(key=state.PB_RUN).click().run()
    assert app.error[0].value == "“9点”不是 HH:MM 时间"


def test_a_missing_log_is_reported_not_raised(tmp_path: Path) -> None:
    app = progress_page("en")
    app.text_input(key=state.PB_LOG_PATH).set_value(str(tmp_path / "none.csv")).run()
    app.button(key=state.PB_RUN).click().run()
    assert not app.exception
    assert app.error[0].value == "the sampling log cannot be used (1 problems)"
    assert "sampling log file not found" in app.dataframe[0].value.to_string()


class FakeUpload:
    """What st.file_uploader returns (AppTest cannot upload): a name and the bytes."""

    def __init__(self, path: Path) -> None:
        self.name = path.name
        self._data = path.read_bytes()

    def getvalue(self) -> bytes:
        return self._data


def test_an_uploaded_log_is_read_in_memory(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # The upload holds clear IDs: no copy of it may be left on disk, on any rerun.
    import tempfile

    import streamlit

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    monkeypatch.setattr(streamlit, "file_uploader", lambda *a, **k: FakeUpload(DEMO / "log.csv"))
    app = progress_page("en")
    app.text_input(key=state.PB_LOG_PATH).set_value("").run()
    app.button(key=state.PB_RUN).click().run()
    assert not app.exception
    board = app.session_state[state.PB_BOARD]
    pd.testing.assert_frame_equal(board.sites, expected_board(510).sites)
    assert any("3 skipped" in c.value for c in app.caption)
    assert list(scratch.iterdir()) == []
