"""The scenario page with uploads, and the pages in English, driven with AppTest."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from conftest import REPO
from streamlit.testing.v1 import AppTest

from ui import state
from ui.jobs import SolveJob

TINY = REPO / "scenarios" / "tiny"


@pytest.fixture(autouse=True)
def home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("PLANNER_HOME", str(tmp_path / "planner-home"))
    return tmp_path / "planner-home"


def new_session() -> AppTest:
    return AppTest.from_file(str(REPO / "app.py"), default_timeout=60).run()


def tiny_files(**replace: bytes) -> list[tuple[str, bytes, str]]:
    files = {p.name: p.read_bytes() for p in sorted(TINY.iterdir())}
    files.update(replace)
    return [(name, data, "application/octet-stream") for name, data in files.items()]


def test_a_zipped_folder_is_used_by_every_page() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data, _ in tiny_files():
            archive.writestr(f"my-town/{name}", data)
    app = new_session()
    app.file_uploader[0].set_value(("my-town.zip", buffer.getvalue(), "application/zip")).run()
    assert not app.exception
    assert "1,500 人" in app.table[0].value.to_string()
    folder = app.session_state[state.SCENARIO_DIR]
    assert Path(folder).name == "my-town" and Path(folder) != TINY
    app.run()  # a rerun does not unpack again
    assert app.session_state[state.SCENARIO_DIR] == folder
    app.switch_page("ui/plan_page.py").run()
    assert any(folder in c.value for c in app.caption)


def test_bad_tables_give_a_problem_table_not_a_traceback() -> None:
    buildings = (TINY / "buildings.csv").read_text(encoding="utf-8").splitlines()
    # Row 2 (the first data row): 1 immobile of 56 becomes 99 immobile.
    buildings[1] = buildings[1].replace(",56,1,", ",56,99,")
    files = tiny_files(**{"buildings.csv": ("\n".join(buildings) + "\n").encode("utf-8")})
    app = new_session()
    app.file_uploader[0].set_value(files).run()
    assert not app.exception
    assert app.error and "错误" in app.error[0].value
    problems = app.dataframe[0].value
    assert list(problems.columns) == ["级别", "文件", "行", "列", "问题"]
    row = problems.iloc[0]
    assert (row["文件"], row["行"], row["列"]) == ("buildings.csv", 2, "immobile")
    # Tables without scenario.toml are refused with a message too.
    app = new_session()
    app.file_uploader[0].set_value([f for f in tiny_files() if f[0] != "scenario.toml"]).run()
    assert not app.exception and app.error


def test_the_pages_speak_english_when_asked() -> None:
    app = new_session()
    app.sidebar.radio[0].set_value("en").run()
    app.switch_page("ui/plan_page.py").run()
    app.button(key="solve").click().run()
    job = app.session_state[state.JOB]
    assert isinstance(job, SolveJob) and job.wait(60)
    app.run()
    assert not app.exception
    labels = [m.label for m in app.metric]
    assert labels[:3] == ["finish", "peak queue (people)", "p95 wait (min)"]
    assert list(app.table[0].value.index) == [
        "this plan",
        "baseline: broadcast",
        "baseline: stagger",
    ]
    app.switch_page("ui/edit_page.py").run()
    assert "Edits (0)" in [h.value for h in app.subheader]
    assert app.selectbox(key="mb_site").options[0] == "keep"
    app.selectbox(key="mb_site").set_value("S003").run()
    app.selectbox(key="mw_site").set_value("S002").run()
    app.button(key="mb_apply").click().run()
    assert not app.exception
    assert "Edits (1)" in [h.value for h in app.subheader]
    assert any(s.value.startswith("move building") for s in app.success)
