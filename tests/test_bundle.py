"""Unpacking uploaded scenario zips: the good case and the hostile ones."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from planner import ScenarioError, load_scenario
from planner.bundle import unpack_scenario_zip


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_zipped_folder_unpacks_and_loads(mini_dir: Path, tmp_path: Path) -> None:
    files = {f"mini/{p.name}": p.read_bytes() for p in mini_dir.iterdir()}
    files["__MACOSX/mini/._buildings.csv"] = b"junk"
    folder = unpack_scenario_zip(zip_of(files), tmp_path / "out")
    assert folder == tmp_path / "out" / "mini"
    assert load_scenario(folder).residents == 430
    assert not (tmp_path / "out" / "__MACOSX").exists()


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"not a zip", "not a zip file"),
        (zip_of({"../evil.csv": b"x", "scenario.toml": b""}), "unsafe path"),
        (zip_of({"/abs/scenario.toml": b""}), "unsafe path"),
        (zip_of({"readme.txt": b"hello"}), "table scenario not found"),
    ],
)
def test_hostile_or_wrong_zips_are_refused(tmp_path: Path, data: bytes, fragment: str) -> None:
    with pytest.raises(ScenarioError) as info:
        unpack_scenario_zip(data, tmp_path / "out", "up.zip")
    assert fragment in info.value.problems[0].render("en")
    assert not (tmp_path / "evil.csv").exists()
