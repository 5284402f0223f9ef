"""The Streamlit page, driven headless with AppTest."""

from __future__ import annotations

import re

from conftest import REPO
from streamlit.testing.v1 import AppTest


def run_app() -> AppTest:
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    return app.run()


def test_scenario_page_shows_the_tiny_summary_in_chinese() -> None:
    app = run_app()
    assert not app.exception
    assert app.selectbox[0].value == "tiny"
    cells = app.table[0].value.to_string()
    assert "1,500 人" in cells and "最早完成时间（下界）" in cells


def test_language_switch_and_scenario_choice() -> None:
    app = run_app()
    app.sidebar.radio[0].set_value("en").run()
    app.selectbox[0].set_value("compound-103").run()
    assert not app.exception
    cells = app.table[0].value.to_string()
    assert "18,326 people" in cells and "Earliest finish (lower bound)" in cells


def test_page_titles_follow_the_language_switch() -> None:
    app = run_app()
    titles = [p["page_name"] for p in app._registered_pages.values()]
    assert titles[:4] == ["场景", "方案", "修改", "打印"]
    app.sidebar.radio[0].set_value("en").run()
    titles = [p["page_name"] for p in app._registered_pages.values()]
    assert titles[:4] == ["Scenario", "Plan", "Edit", "Print"]
    assert not any(re.search(r"[\u4e00-\u9fff]", t) for t in titles)
