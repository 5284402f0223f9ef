"""The plan, edit and print pages driven headless with AppTest, on the tiny scenario.

Versions go to a temporary PLANNER_HOME; a solve runs in its worker thread and the test waits for
it (``job.wait()``) before the next run, as the page's poll would.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from conftest import REPO
from streamlit.testing.v1 import AppTest

from planner import versions
from planner.edits import MoveBuilding
from planner.parse import load_scenario
from planner.solver.config import SolveConfig
from ui import state
from ui.jobs import SolveJob

TIMEOUT = 60


@pytest.fixture(autouse=True)
def home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    folder = tmp_path / "planner-home"
    monkeypatch.setenv("PLANNER_HOME", str(folder))
    return folder


def new_session() -> AppTest:
    return AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT).run()


def wait_for_job(app: AppTest) -> AppTest:
    job = app.session_state[state.JOB]
    assert isinstance(job, SolveJob)
    assert job.wait(TIMEOUT), "the solve did not finish"
    return app.run()


def solved(app: AppTest | None = None) -> AppTest:
    app = app or new_session()
    app.switch_page("ui/plan_page.py").run()
    app.button(key="solve").click().run()
    return wait_for_job(app)


def chart_datasets(app: AppTest) -> dict[str, int]:
    """Rows of every dataset sent with the page's charts, by its column names."""
    out: dict[str, int] = {}
    for chart in app.get("vega_lite_chart"):
        for data in chart.proto.datasets:
            table = pa.ipc.open_stream(data.data.data).read_all()
            out[",".join(table.column_names)] = table.num_rows
    return out


def cards(app: AppTest) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.delta) for m in app.metric}


def test_plan_page_solves_and_shows_kpis_against_the_baselines() -> None:
    app = new_session()
    app.switch_page("ui/plan_page.py").run()
    assert not app.exception
    assert any("求解" in i.value for i in app.info)  # no plan yet
    app = solved(app)
    assert not app.exception
    shown = cards(app)
    assert set(shown) >= {"完成时间", "最长排队（人）", "95% 等待（分钟）", "人员工时"}
    finish = shown["完成时间"][0]
    assert len(finish) == 5 and finish[2] == ":"
    # The table holds this plan and both baselines.
    table = app.table[0].value
    assert list(table.index) == ["本方案", "基准：同时广播", "基准：分时错峰"]
    # The version was saved on disk as soon as the plan came back.
    sc = load_scenario(REPO / "scenarios" / "tiny")
    saved = versions.list_versions(sc)
    assert len(saved) == 1 and saved[0].made_by["kind"] == "solve"
    assert any(c.value.startswith("版本 " + saved[0].id) for c in app.caption)
    # The map is drawn with every building, every candidate site and the door routes.
    layers = chart_datasets(app)
    assert layers["building_id,committee,lat,lon,residents,locked,site_id"] == len(sc.buildings)
    assert layers["site_id,name,lat,lon,desks,max_desks,open"] == len(sc.sites)
    # The roster tab lists every shift.
    roster = [d.value for d in app.dataframe if "岗位" in d.value.columns]
    plan = versions.load_version(sc, saved[0])[0]
    assert len(roster[0]) == len(plan.roster)


def test_the_short_wait_set_on_the_page_reaches_the_solver() -> None:
    app = new_session()
    app.switch_page("ui/plan_page.py").run()
    widget = app.number_input(key=state.SOLVE_SHORT_WAIT)
    assert widget.value == SolveConfig().short_wait_min  # the default, shown as it is
    widget.set_value(12.0).run()
    app.button(key="solve").click().run()
    job = app.session_state[state.JOB]
    assert job.config.short_wait_min == 12.0
    app = wait_for_job(app)
    assert not app.exception
    sc = load_scenario(REPO / "scenarios" / "tiny")
    saved = versions.list_versions(sc)
    assert saved[0].made_by["short_wait_min"] == 12.0


def test_stop_returns_the_best_plan_so_far() -> None:
    sc = load_scenario(REPO / "scenarios" / "compound-103")
    from planner.solver import SolveConfig

    job = SolveJob(sc, SolveConfig(time_limit=120)).start()
    while not job.poll() and not job.done:
        job.wait(0.05)
    job.stop()
    assert job.wait(60)
    assert job.result is not None and job.error is None
    assert job.result.stages[-1].get("stopped") is True
    assert job.elapsed() < 60  # far from the 120 s limit
    assert sum(c.people for c in job.result.plan.calls) > 0
    # The thread saved the plan itself: found again even if no page was watching.
    assert job.version is not None and "提前停止" in job.version.label
    latest = versions.latest(sc)
    assert latest is not None and latest.id == job.version.id


def test_edit_a_building_changes_kpis_is_saved_and_can_be_undone(home: Path) -> None:
    app = solved()
    app.switch_page("ui/edit_page.py").run()
    assert not app.exception
    before = cards(app)
    assert all(delta in ("", None) for _, delta in before.values())
    building = app.selectbox(key="mb_building").value
    sc = load_scenario(REPO / "scenarios" / "tiny")
    ver = versions.latest(sc)
    assert ver is not None
    base, _ = versions.load_version(sc, ver)
    old_site = base.site_of_building()[building]
    target = next(s.site_id for s in sc.sites if s.site_id != old_site)
    app.selectbox(key="mb_site").set_value(target).run()
    app.button(key="mb_apply").click().run()
    assert not app.exception
    after = cards(app)
    assert after != before
    assert any(delta not in ("", None) for _, delta in after.values())  # deltas shown
    assert any(target in s.value for s in app.success)
    # Saved on disk at once, and a new session (a reload) finds the plan with its edit.
    _, saved = versions.load_version(sc, ver)
    assert saved == [MoveBuilding(building, target)]
    again = new_session()
    again.switch_page("ui/edit_page.py").run()
    assert "修改记录（1 条）" in [h.value for h in again.subheader]
    assert cards(again) == after
    # Undo goes back to the solved plan's KPIs, and the file follows.
    app.button(key="undo").click().run()
    assert {k: v for k, (v, _) in cards(app).items()} == {k: v for k, (v, _) in before.items()}
    assert versions.load_version(sc, ver)[1] == []


def test_reoptimise_keeps_the_edit() -> None:
    app = solved()
    app.switch_page("ui/edit_page.py").run()
    building = app.selectbox(key="mb_building").value
    sc = load_scenario(REPO / "scenarios" / "tiny")
    first = versions.latest(sc)
    assert first is not None
    old_site = versions.load_version(sc, first)[0].site_of_building()[building]
    target = next(s.site_id for s in sc.sites if s.site_id != old_site)
    app.selectbox(key="mb_site").set_value(target).run()
    app.button(key="mb_apply").click().run()
    app.button(key="reoptimise").click().run()
    app = wait_for_job(app)
    assert not app.exception
    newest = versions.latest(sc)
    assert newest is not None and newest.parent == first.id
    plan, edits = versions.load_version(sc, newest)
    assert edits == []
    assert {c.site_id for c in plan.calls if c.building_id == building} == {target}
    assert "修改记录（0 条）" in [h.value for h in app.subheader]
    # Both versions are listed and the first can be reopened with its edit.
    listed = app.dataframe[-1].value
    assert set(listed.iloc[:, 0]) == {first.id, newest.id}
    app.selectbox(key="ver_choice").set_value(first.id).run()
    app.button(key="ver_open").click().run()
    assert "修改记录（1 条）" in [h.value for h in app.subheader]


def test_desk_table_edits_are_not_lost() -> None:
    app = solved()
    app.switch_page("ui/edit_page.py").run()
    editor = app.data_editor[0]
    frame = editor.value
    row = int(frame.index[frame["desks"] > 0][0])
    site = frame.loc[row, "site_id"]
    new = (
        int(frame.loc[row, "desks"]) + 1
        if frame.loc[row, "desks"] < frame.loc[row, "max_desks"]
        else 1
    )
    app.session_state[editor.key] = {
        "edited_rows": {row: {"desks": new}},
        "added_rows": [],
        "deleted_rows": [],
    }
    app.run()
    assert not app.exception
    second = app.data_editor[0]
    assert second.key != editor.key  # a fresh table after each edit
    assert int(second.value.loc[row, "desks"]) == new
    # A second change is applied on top of the first, not instead of it.
    other = int(second.value.index[(second.value["desks"] > 0) & (second.value.index != row)][0])
    app.session_state[second.key] = {
        "edited_rows": {other: {"desks": 0}},
        "added_rows": [],
        "deleted_rows": [],
    }
    app.run()
    table = app.data_editor[0].value
    assert int(table.loc[row, "desks"]) == new and int(table.loc[other, "desks"]) == 0
    assert "修改记录（2 条）" in [h.value for h in app.subheader]
    assert site in app.table[0].value.to_string()


def test_print_page_offers_a_site_pdf_and_the_plan_zip() -> None:
    app = solved()
    app.switch_page("ui/print_page.py").run()
    assert not app.exception
    site = app.selectbox(key="print_site").value
    app.button(key="prep_site_" + site).click().run()
    assert not app.exception
    store = app.session_state[state.DOWNLOADS]
    pdf = next(v for k, v in store.items() if k[-2:] == ("site", site))
    assert pdf.data.startswith(b"%PDF") and pdf.name.endswith(".pdf")
    assert any(site in b.label for b in app.download_button)
    app.button(key="prep_plan_zip").click().run()
    zipped = next(v for k, v in store.items() if k[-1] == "zip")
    with zipfile.ZipFile(io.BytesIO(zipped.data)) as archive:
        calls = pd.read_csv(archive.open("plan/calls.csv"))
    sc = load_scenario(REPO / "scenarios" / "tiny")
    ver = versions.latest(sc)
    assert ver is not None
    assert len(calls) == len(versions.load_version(sc, ver)[0].calls)
    # After an edit the files of the plan before it are gone (they would print the old plan).
    app.switch_page("ui/edit_page.py").run()
    app.selectbox(key=state.MB_SITE).set_value(sc.sites[-1].site_id).run()
    app.button(key=state.MB_APPLY).click().run()
    app.switch_page("ui/print_page.py").run()
    assert app.session_state[state.DOWNLOADS] == {}
    assert not app.download_button


def test_a_broken_version_on_disk_is_reported_and_the_previous_one_opens() -> None:
    sc = load_scenario(REPO / "scenarios" / "tiny")
    from planner.baseline import baseline

    plan = baseline(sc, "stagger").plan
    good = versions.create_version(sc, plan, "good")
    versions.save_edits(good, [MoveBuilding(plan.calls[0].building_id, sc.sites[-1].site_id)])
    bad = versions.create_version(sc, plan, "bad")
    (bad.folder / "plan" / "calls.csv").write_text("building_id\nnope\n", encoding="utf-8")
    versions.save_edits(bad, [])  # the newest edited
    app = new_session()
    app.switch_page("ui/edit_page.py").run()
    assert not app.exception
    from planner.messages import text

    # A plain message; the system's own words only in the details below it.
    assert [e.value for e in app.error] == [text("ver_unreadable", "zh", id=bad.id)]
    assert app.code and app.expander
    assert "修改记录（1 条）" in [h.value for h in app.subheader]


def test_every_edit_form_makes_its_edit() -> None:
    app = solved()
    app.switch_page("ui/edit_page.py").run()
    sc = load_scenario(REPO / "scenarios" / "tiny")
    # A wave called 20 minutes later.
    building = app.selectbox(key="mw_building").value
    floor = app.selectbox(key="mw_floor").value
    ver = versions.latest(sc)
    assert ver is not None
    base = versions.load_version(sc, ver)[0]
    wave = next(c for c in base.calls if c.building_id == building and c.floor_from == floor)
    later = wave.call_time + 20
    app.text_input(key="mw_time").input(f"{later // 60:02d}:{later % 60:02d}").run()
    app.button(key="mw_apply").click().run()
    # A bad time is refused with a message, and nothing is applied.
    app.text_input(key="mb_time").input("7h30").run()
    assert any("HH:MM" in e.value for e in app.error)
    assert app.button(key="mb_apply").disabled
    app.text_input(key="mb_time").input("").run()
    # The wave form shares the move inputs: the same refusal.
    app.text_input(key="mw_time").input("25:xx").run()
    assert app.button(key="mw_apply").disabled
    app.text_input(key="mw_time").input("").run()
    # Desks for one hour, a closed site, an absent person.
    site = app.selectbox(key="sd_site").value
    app.number_input(key="sd_desks").set_value(1).run()
    app.text_input(key="sd_from").input("07:00").run()
    app.text_input(key="sd_to").input("08:00").run()
    app.button(key="sd_apply").click().run()
    closed = app.selectbox(key="cs_site").value
    app.button(key="cs_apply").click().run()
    person = app.selectbox(key="ab_staff").value
    app.button(key="ab_apply").click().run()
    assert not app.exception
    saved = versions.load_version(sc, ver)[1]
    from planner.edits import CloseSite, MarkAbsent, MoveWave, SetDesks

    assert saved == [
        MoveWave(building, floor, None, later),
        SetDesks(site, 1, 7 * 60, 8 * 60),
        CloseSite(closed),
        MarkAbsent(person),
    ]
    listed = app.table[-1].value.iloc[:, 0].tolist()
    assert len(listed) == 4 and closed in listed[2] and person in listed[3]
    # The moved wave is kept only approximately by a re-optimise: said before pressing it.
    assert any("近似" in w.value and building in w.value for w in app.warning)
    # Somebody's shifts are gone: the checker has something to say, shown as a table.
    assert any("违规" in w.value for w in app.warning)


def test_clicking_a_building_on_the_map_chooses_it_once() -> None:
    app = solved()
    app.switch_page("ui/edit_page.py").run()
    options = app.selectbox(key="mb_building").options
    called = [o.split(" ")[0] for o in options]
    clicked = called[-1]
    assert app.selectbox(key="mb_building").value != clicked
    # What the browser sends after a click on a building of the map.
    app.session_state["edit_map"] = {"selection": {"pick": [{"building_id": clicked}]}}
    app.run()
    assert app.selectbox(key="mb_building").value == clicked
    # The form keeps a later choice although the click is still selected on the map.
    app.selectbox(key="mb_building").set_value(called[0]).run()
    assert app.selectbox(key="mb_building").value == called[0]


def test_site_notices_come_in_the_languages_chosen() -> None:
    from pypdf import PdfReader

    app = solved()
    app.switch_page("ui/print_page.py").run()
    site = app.selectbox(key="print_site").value
    app.button(key="prep_notices_" + site).click().run()
    store = app.session_state[state.DOWNLOADS]

    def pages(langs: str) -> int:
        pdf = next(v for k, v in store.items() if k[-3:] == (langs, "notices", site))
        return len(PdfReader(io.BytesIO(pdf.data)).pages)

    chinese = pages("zh")
    assert chinese >= 1
    app.multiselect(key="print_notice_langs").set_value(["zh", "en"]).run()
    app.button(key="prep_notices_" + site).click().run()
    assert not app.exception
    assert pages("zh+en") == 2 * chinese
    # A route sheet for the same site is offered as well.
    app.button(key="prep_routes_" + site).click().run()
    assert any(k[-2:] == ("routes", site) for k in store)


def test_clearing_a_desk_cell_is_refused_with_a_message_not_a_traceback() -> None:
    app = solved()
    app.switch_page("ui/edit_page.py").run()
    editor = app.data_editor[0]
    frame = editor.value
    row = int(frame.index[frame["desks"] > 0][0])
    app.session_state[editor.key] = {
        "edited_rows": {row: {"desks": None}},
        "added_rows": [],
        "deleted_rows": [],
    }
    app.run()
    assert not app.exception
    site = frame.loc[row, "site_id"]
    assert any(site in w.value for w in app.warning)
    assert "修改记录（0 条）" in [h.value for h in app.subheader]
    # The table shows the plan again (a fresh one), and the message is not repeated.
    table = app.data_editor[0]
    assert table.key != editor.key
    assert int(table.value.loc[row, "desks"]) == int(frame.loc[row, "desks"])
    app.run()
    assert not any(site in w.value for w in app.warning)


def _move_first_building(app: AppTest) -> None:
    sc = load_scenario(REPO / "scenarios" / "tiny")
    app.selectbox(key=state.MB_SITE).set_value(sc.sites[-1].site_id).run()
    app.button(key=state.MB_APPLY).click().run()


def test_an_edit_that_cannot_be_saved_is_not_shown_as_made(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = solved()
    app.switch_page("ui/edit_page.py").run()

    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(versions, "save_edits", full_disk)
    _move_first_building(app)
    assert not app.exception
    assert any("无法保存" in e.value for e in app.error)
    assert not any("改到采样点" in m.value for m in app.success)
    assert any("No space left" in c.value for c in app.code)  # the details, in an expander
    assert "修改记录（0 条）" in [h.value for h in app.subheader]
    assert app.session_state[state.EDITS] == []
    # Once the disk takes it again, the same edit goes through and is kept.
    monkeypatch.undo()
    _move_first_building(app)
    assert "修改记录（1 条）" in [h.value for h in app.subheader]


def test_two_sessions_editing_one_version_lose_nothing() -> None:
    first = solved()
    first.switch_page("ui/edit_page.py").run()
    second = new_session()
    second.switch_page("ui/edit_page.py").run()
    assert "修改记录（0 条）" in [h.value for h in second.subheader]
    _move_first_building(first)
    sc = load_scenario(REPO / "scenarios" / "tiny")
    ver = versions.latest(sc)
    assert ver is not None
    theirs = versions.load_version(sc, ver)[1]
    assert len(theirs) == 1
    # The second session still shows no edit; its own edit is refused, not written over theirs.
    second.button(key=state.AB_APPLY).click().run()
    assert not second.exception
    assert any("另一个会话" in e.value for e in second.error)
    assert versions.load_version(sc, ver)[1] == theirs
    # It now shows the first session's edit, and its next edit goes on top of it.
    assert "修改记录（1 条）" in [h.value for h in second.subheader]
    second.button(key=state.AB_APPLY).click().run()
    assert len(versions.load_version(sc, ver)[1]) == 2


def test_a_failed_solve_says_so_in_words_with_the_details_aside(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import ui.jobs

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("internal detail 42")

    monkeypatch.setattr(ui.jobs, "solve", broken)
    app = new_session()
    app.switch_page("ui/plan_page.py").run()
    app.button(key="solve").click().run()
    job = app.session_state[state.JOB]
    if job is not None:  # not adopted yet: let it end, then the page's next run reports it
        job.wait(TIMEOUT)
        app.run()
    assert not app.exception
    assert app.error and not any("internal detail" in e.value for e in app.error)
    assert any("internal detail 42" in c.value for c in app.code)


def test_english_messages_use_english_separators() -> None:
    app = new_session()
    app.sidebar.radio[0].set_value("en").run()
    app = solved(app)
    app.switch_page("ui/edit_page.py").run()
    editor = app.data_editor[0]
    frame = editor.value
    row = int(frame.index[frame["desks"] > 0][0])
    top = int(frame.loc[row, "max_desks"])
    app.session_state[editor.key] = {
        "edited_rows": {row: {"desks": top + 5}},
        "added_rows": [],
        "deleted_rows": [],
    }
    app.run()
    assert not app.exception
    shown = [w.value for w in app.warning if f"at most {top}" in w.value]
    assert shown and "; " in shown[0] and "；" not in shown[0]


def test_versions_kept_in_the_temporary_folder_are_announced(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import tempfile

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("PLANNER_HOME", str(blocker / "home"))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    app = solved()
    assert not app.exception
    folder = versions.planner_home()
    assert folder.parent == tmp_path / "tmp"
    for page in ("ui/plan_page.py", "ui/edit_page.py"):
        app.switch_page(page).run()
        assert any(str(folder) in w.value and "PLANNER_HOME" in w.value for w in app.warning)
