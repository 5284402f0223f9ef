"""Scenario folders that arrive as zip files (the page's upload), unpacked safely.

A zip from a user may hold anything: paths that climb out of the target (``../x``), absolute paths,
links, or a bomb that inflates to gigabytes. Only regular files with plain relative names are
extracted, within a total size limit, and the folder holding ``scenario.toml`` is returned.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path, PurePosixPath

from planner.problems import Problem, ScenarioError

#: Largest total unpacked size accepted (a district scenario is a few MB).
MAX_UNPACKED_BYTES = 200 * 1024 * 1024


def unpack_scenario_zip(data: bytes, target: Path, name: str = "upload.zip") -> Path:
    """Extract a zipped scenario folder into ``target`` and return the scenario folder.

    Raises
    ------
    ScenarioError
        When the data is not a zip, holds unsafe paths, is too large once unpacked, or has no
        ``scenario.toml``.
    """

    def unreadable(error: str) -> ScenarioError:
        return ScenarioError([Problem(name, None, None, "file_unreadable", {"error": error})])

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise unreadable(str(exc)) from None
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        total = sum(m.file_size for m in members)
        if total > MAX_UNPACKED_BYTES:
            raise unreadable(f"{total} bytes unpacked, more than {MAX_UNPACKED_BYTES}")
        for member in members:
            path = PurePosixPath(member.filename)
            if path.is_absolute() or ".." in path.parts or member.filename.startswith("\\"):
                error = f"unsafe path {member.filename!r}"
                raise ScenarioError(
                    [Problem(name, None, None, "file_unreadable", {"error": error})]
                )
            if path.name.startswith(".") or path.parts[0] == "__MACOSX":
                continue  # Finder and editor droppings
            destination = target.joinpath(*path.parts)
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(archive.read(member))
    tomls = sorted(target.rglob("scenario.toml"), key=lambda p: len(p.parts))
    if not tomls:
        raise ScenarioError([Problem(name, None, None, "table_missing", {"name": "scenario"})])
    return tomls[0].parent
