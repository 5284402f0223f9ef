"""Plan versions on disk: every plan the page makes or loads, with the edits made on it.

Nothing the user did may be lost, so a version is written when a plan is made (solved,
re-optimised, loaded) and its edit list is rewritten on every edit, not on a save button. A new
session finds the versions again and :func:`latest` tells which one was worked on last.

Layout under the home folder (``PLANNER_HOME``, default ``~/.planner``)::

    <scenario-name>-<digest>/        one folder per scenario (digest of its data: a changed
                                     scenario does not pick up plans made for the old one)
        <version-id>/
            plan/                    the base plan (planner.planfile format)
            edits.json               [{"kind": ..., ...}, ...] applied in order on the base
            meta.json                id, label, parent, created, updated, made_by

Writes go to a temporary file renamed into place, so a crash leaves the previous file whole.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import getpass
import hashlib
import json
import os
import re
import tempfile
import threading
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from planner.edits import Edit, from_record, to_record
from planner.model import Scenario
from planner.plan import Plan
from planner.planfile import read_plan, write_plan

try:  # POSIX: a lock file makes read-compare-write one step between sessions
    import fcntl
except ImportError:  # pragma: no cover - Windows: the compare alone still catches most races
    fcntl = None  # type: ignore[assignment]

#: Environment variable naming the folder versions are kept in.
HOME_ENV = "PLANNER_HOME"


@dataclass(frozen=True)
class Home:
    """Where versions go: ``folder``, and the ``wanted`` one it differs from when that could not
    be written."""

    folder: Path
    wanted: Path

    @property
    def fallback(self) -> bool:
        """Versions go to the temporary folder because ``wanted`` could not be written."""
        return self.folder != self.wanted


_HOMES: dict[Path, Home] = {}
_HOMES_LOCK = threading.Lock()


def home() -> Home:
    """The versions folder: ``$PLANNER_HOME`` or ``~/.planner``; when that cannot be written
    (a read-only home, a missing drive), this user's ``planner-versions-<user>`` folder in the
    system's temporary folder, so that work is still kept (the page warns and shows where).

    Decided once per process for each wanted folder: a folder that becomes writable later does
    not split one night's versions between two places.
    """
    value = os.environ.get(HOME_ENV, "").strip()
    wanted = Path(value).expanduser() if value else Path.home() / ".planner"
    with _HOMES_LOCK:
        held = _HOMES.get(wanted)
        if held is None:
            folder = wanted if _writable(wanted) else _temporary_home()
            held = _HOMES[wanted] = Home(folder, wanted)
        return held


def planner_home() -> Path:
    """:attr:`Home.folder` of :func:`home`."""
    return home().folder


def _temporary_home() -> Path:
    # Per user: another account's folder of the same name in a shared /tmp is not ours to use.
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = str(os.getuid()) if hasattr(os, "getuid") else "user"
    name = re.sub(r"[^\w.-]+", "_", user) or "user"
    return Path(tempfile.gettempdir()) / f"planner-versions-{name}"


def _writable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".probe-{uuid.uuid4().hex[:8]}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError:
        return False
    return True


def scenario_key(scenario: Scenario) -> str:
    """Folder name of a scenario's versions: its name and a digest of its data."""
    data = repr(dataclasses.replace(scenario, origin="")).encode("utf-8")
    digest = hashlib.sha256(data).hexdigest()[:10]
    name = re.sub(r"[^\w.-]+", "_", scenario.name.strip()) or "scenario"
    return f"{name}-{digest}"


@dataclass(frozen=True)
class Version:
    """One saved version: where it is and what it says about itself.

    Attributes
    ----------
    folder
        ``<home>/<scenario key>/<id>``.
    id
        Creation second and a random suffix (``YYYYmmdd-HHMMSS-xxxx``); lists sort by ``created``.
    label
        What made it (shown in the list), e.g. ``solve 20 s`` or ``re-optimised``.
    parent
        The version it was made from (re-optimised, copied), or ``None``.
    created, updated
        ISO timestamps (UTC); ``updated`` moves on every edit.
    made_by
        The base plan's ``made_by``.
    edits
        Number of edits saved.
    """

    folder: Path
    id: str
    label: str
    parent: str | None
    created: str
    updated: str
    made_by: dict[str, Any]
    edits: int


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def _write_json(path: Path, data: Any) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def scenario_folder(scenario: Scenario, home: Path | None = None) -> Path:
    """The folder holding ``scenario``'s versions (not created)."""
    return (home or planner_home()) / scenario_key(scenario)


def create_version(
    scenario: Scenario,
    plan: Plan,
    label: str,
    *,
    edits: Sequence[Edit] = (),
    parent: str | None = None,
    kpis: dict[str, Any] | None = None,
    home: Path | None = None,
) -> Version:
    """Save ``plan`` as a new version (with ``edits`` already made on it) and return it."""
    now = dt.datetime.now(dt.UTC)
    vid = f"{now:%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:4]}"
    folder = scenario_folder(scenario, home) / vid
    write_plan(plan, folder / "plan", kpis)
    stamp = _now()
    meta = {
        "id": vid,
        "label": label,
        "parent": parent,
        "created": stamp,
        "updated": stamp,
        "scenario": scenario.name,
    }
    _write_json(folder / "edits.json", [to_record(e) for e in edits])
    _write_json(folder / "meta.json", meta)
    return _version(folder)


class EditsChanged(Exception):
    """The version's edit list on disk is not the one the caller read: another session saved
    edits meanwhile. Nothing was written.

    Attributes
    ----------
    on_disk
        The edit list on disk now.
    version
        The version as it is on disk now.
    """

    def __init__(self, on_disk: list[Edit], version: Version) -> None:
        super().__init__(f"edits of version {version.id} changed on disk")
        self.on_disk = on_disk
        self.version = version


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Hold the version's lock file (sessions of one server are threads, others processes)."""
    with open(folder / ".edits.lock", "a+b") as handle:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(handle, fcntl.LOCK_UN)


def save_edits(
    version: Version | Path, edits: Sequence[Edit], *, expected: Sequence[Edit] | None = None
) -> Version:
    """Replace the version's edit list (called after every edit and undo).

    With ``expected`` (the list the caller read and changed), the write happens only if the list
    on disk is still that one; otherwise :class:`EditsChanged` is raised and nothing is written,
    so two sessions on one version never overwrite each other's edits.

    Raises
    ------
    EditsChanged
        The list on disk is not ``expected``.
    OSError
        The folder cannot be written (the previous files are left whole).
    """
    folder = version.folder if isinstance(version, Version) else version
    with _locked(folder):
        if expected is not None:
            on_disk = _read_json(folder / "edits.json")
            if on_disk != [to_record(e) for e in expected]:
                raise EditsChanged([from_record(r) for r in on_disk], _version(folder))
        _write_json(folder / "edits.json", [to_record(e) for e in edits])
        meta = _read_json(folder / "meta.json")
        meta["updated"] = _now()
        _write_json(folder / "meta.json", meta)
        return _version(folder)


def _version(folder: Path) -> Version:
    meta = _read_json(folder / "meta.json")
    edits = _read_json(folder / "edits.json")
    made_by: dict[str, Any] = {}
    kpi_file = folder / "plan" / "kpis.json"
    if kpi_file.exists():
        made_by = _read_json(kpi_file).get("made_by", {})
    return Version(
        folder=folder,
        id=str(meta["id"]),
        label=str(meta.get("label", "")),
        parent=meta.get("parent"),
        created=str(meta.get("created", "")),
        updated=str(meta.get("updated", "")),
        made_by=made_by,
        edits=len(edits),
    )


def list_versions(scenario: Scenario, home: Path | None = None) -> list[Version]:
    """Every readable version of ``scenario``, newest first (unreadable folders are skipped)."""
    root = scenario_folder(scenario, home)
    out: list[Version] = []
    if not root.is_dir():
        return out
    for folder in root.iterdir():
        if (folder / "meta.json").is_file() and (folder / "edits.json").is_file():
            try:
                out.append(_version(folder))
            except (OSError, ValueError, KeyError):
                continue
    return sorted(out, key=lambda v: (v.created, v.id), reverse=True)


def latest(scenario: Scenario, home: Path | None = None) -> Version | None:
    """The version edited or made most recently, or ``None``."""
    versions = list_versions(scenario, home)
    return max(versions, key=lambda v: v.updated) if versions else None


def load_version(
    scenario: Scenario, version: Version | str, home: Path | None = None
) -> tuple[Plan, list[Edit]]:
    """The base plan and the edit list of a version (by object or id).

    Raises
    ------
    planner.planfile.PlanError
        When the plan folder no longer reads against ``scenario``.
    planner.edits.EditError
        When ``edits.json`` holds an edit this version of the planner does not know.
    """
    folder = (
        version.folder
        if isinstance(version, Version)
        else scenario_folder(scenario, home) / version
    )
    plan = read_plan(folder / "plan", scenario)
    edits = [from_record(r) for r in _read_json(folder / "edits.json")]
    return plan, edits
