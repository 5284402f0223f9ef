"""Plan versions on disk: saved as they happen, found again by a new session."""

from __future__ import annotations

import dataclasses
import json
import tempfile
import time
from pathlib import Path

import pytest

from planner import versions
from planner.edits import CloseSite, EditError, MoveBuilding
from planner.model import Scenario
from planner.plan import Plan


def test_home_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PLANNER_HOME", str(tmp_path / "vers"))
    assert versions.planner_home() == tmp_path / "vers"
    monkeypatch.delenv("PLANNER_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    assert versions.planner_home() == tmp_path / "user" / ".planner"
    # A folder that cannot be written falls back to the temporary folder: work is still kept.
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    monkeypatch.setenv("PLANNER_HOME", str(blocker / "sub"))
    fallback = versions.planner_home()
    assert fallback.parent == tmp_path / "tmp" and fallback.name.startswith("planner-versions-")
    assert versions.home().fallback and versions.home().wanted == blocker / "sub"
    # Decided once: versions do not split between folders when the wanted one comes back.
    blocker.unlink()
    assert versions.planner_home() == fallback


def test_a_version_and_its_edits_load_back(tiny: Scenario, tiny_plan: Plan, tmp_path: Path) -> None:
    ver = versions.create_version(tiny, tiny_plan, "stagger", home=tmp_path)
    assert ver.edits == 0 and ver.made_by["kind"] == "stagger"
    b = tiny_plan.calls[0].building_id
    edits = [MoveBuilding(b, "S002"), CloseSite("S003")]
    saved = versions.save_edits(ver, edits)
    assert saved.edits == 2 and saved.updated > ver.updated
    base, loaded = versions.load_version(tiny, ver.id, home=tmp_path)
    assert base == tiny_plan and loaded == edits
    on_disk = json.loads((ver.folder / "edits.json").read_text(encoding="utf-8"))
    assert on_disk[0] == {"kind": "move_building", "building_id": b, "site_id": "S002"}


def test_latest_is_the_one_edited_last(tiny: Scenario, tiny_plan: Plan, tmp_path: Path) -> None:
    first = versions.create_version(tiny, tiny_plan, "one", home=tmp_path)
    time.sleep(0.01)
    second = versions.create_version(tiny, tiny_plan, "two", parent=first.id, home=tmp_path)
    assert versions.latest(tiny, tmp_path) == second
    time.sleep(0.01)
    versions.save_edits(first, [CloseSite("S001")])
    assert versions.latest(tiny, tmp_path).id == first.id  # type: ignore[union-attr]
    listed = versions.list_versions(tiny, tmp_path)
    assert [v.label for v in listed] == ["two", "one"]  # newest first
    assert listed[0].parent == first.id


def test_other_scenarios_and_broken_folders_are_kept_apart(
    tiny: Scenario, tiny_plan: Plan, tmp_path: Path
) -> None:
    versions.create_version(tiny, tiny_plan, "tiny", home=tmp_path)
    changed = dataclasses.replace(tiny, round=dataclasses.replace(tiny.round, deadline=800))
    assert versions.scenario_key(changed) != versions.scenario_key(tiny)
    assert versions.list_versions(changed, tmp_path) == []
    # The same data read from another folder is the same scenario.
    moved = dataclasses.replace(tiny, origin="/elsewhere")
    assert versions.scenario_key(moved) == versions.scenario_key(tiny)
    broken = versions.scenario_folder(tiny, tmp_path) / "20990101-000000-dead"
    broken.mkdir()
    (broken / "meta.json").write_text("{not json", encoding="utf-8")
    (broken / "edits.json").write_text("[]", encoding="utf-8")
    assert [v.label for v in versions.list_versions(tiny, tmp_path)] == ["tiny"]


def test_an_unknown_edit_on_disk_is_an_error(
    tiny: Scenario, tiny_plan: Plan, tmp_path: Path
) -> None:
    ver = versions.create_version(tiny, tiny_plan, "x", home=tmp_path)
    (ver.folder / "edits.json").write_text('[{"kind": "teleport"}]', encoding="utf-8")
    with pytest.raises(EditError):
        versions.load_version(tiny, ver, home=tmp_path)


def test_two_sessions_on_one_version_do_not_overwrite_each_other(
    tiny: Scenario, tiny_plan: Plan, tmp_path: Path
) -> None:
    ver = versions.create_version(tiny, tiny_plan, "x", home=tmp_path)
    b = tiny_plan.calls[0].building_id
    mine, theirs = [MoveBuilding(b, "S002")], [CloseSite("S003")]
    # Both sessions read the empty list; the first to save wins, the second is refused.
    saved = versions.save_edits(ver, mine, expected=[])
    with pytest.raises(versions.EditsChanged) as caught:
        versions.save_edits(ver, theirs, expected=[])
    assert caught.value.on_disk == mine and caught.value.version.updated == saved.updated
    assert versions.load_version(tiny, ver, home=tmp_path)[1] == mine
    # Read again, the second session's edit goes on top of the first's.
    versions.save_edits(ver, [*mine, *theirs], expected=mine)
    assert versions.load_version(tiny, ver, home=tmp_path)[1] == [*mine, *theirs]
