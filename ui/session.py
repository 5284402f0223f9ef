"""The plan the page works on, kept in session state and on disk.

Pages call these functions and never touch the state keys themselves. The working plan is a
version on disk (:mod:`planner.versions`) plus the edits made on it; every edit and undo rewrites
the version's edit list at once, and a new session picks up the latest version of the scenario,
so a reload or a crash loses nothing.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from planner import versions
from planner.baseline import baseline
from planner.edits import Edit, EditError, apply_edits, describe, locks_for, to_record
from planner.model import Scenario
from planner.parse import load_scenario
from planner.plan import Plan
from planner.problems import ScenarioError
from planner.solver import SolveConfig
from planner.views import Evaluation, evaluate
from ui import state
from ui.i18n import lang, t
from ui.jobs import SolveJob

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
DEFAULT_SCENARIO = SCENARIOS / "tiny"
#: Evaluations kept per session (the current plan, the one before the last edit, a few more).
EVALS_KEPT = 6


def _signature(folder: Path) -> tuple[tuple[str, float, int], ...]:
    """File names, times and sizes: a changed file on disk loads again."""
    return tuple(
        (p.name, p.stat().st_mtime, p.stat().st_size)
        for p in sorted(folder.iterdir())
        if p.is_file()
    )


@st.cache_resource(max_entries=8, show_spinner=False)
def _load(folder: str, signature: tuple[tuple[str, float, int], ...]) -> Scenario:
    # Cached as a resource: a Scenario is immutable and shared read-only between sessions.
    del signature  # part of the cache key only
    return load_scenario(folder)


def scenario_dir() -> Path:
    """The scenario folder every page works on (the bundled ``tiny`` until one is chosen)."""
    return Path(st.session_state.get(state.SCENARIO_DIR) or DEFAULT_SCENARIO)


def load(folder: Path) -> Scenario:
    """Load a scenario folder (cached); raises :class:`ScenarioError` with every problem."""
    return _load(str(folder), _signature(folder))


def scenario() -> Scenario | None:
    """The scenario in use, or ``None`` after showing why it cannot be used."""
    folder = scenario_dir()
    try:
        sc = load(folder)
        _sync(sc)
        return sc
    except ScenarioError as exc:
        st.error(t("cli_invalid", count=len(exc.problems)))
        frame = pd.DataFrame([p.as_record(lang()) for p in exc.problems])
        st.dataframe(frame, hide_index=True, width="stretch")
        return None


@st.cache_resource(max_entries=4, show_spinner=False)
def _baselines(key: str, _scenario: Scenario) -> dict[str, Evaluation]:
    del key  # the cache key: the scenario's digest (the object itself is not hashed)
    return {
        kind: evaluate(_scenario, baseline(_scenario, kind).plan)
        for kind in ("broadcast", "stagger")
    }


def baselines(sc: Scenario) -> dict[str, Evaluation]:
    """The ``broadcast`` and ``stagger`` baselines of ``sc``, evaluated (cached per scenario)."""
    return _baselines(scenario_key(sc), sc)


# --- the working plan ----------------------------------------------------------------------------


_KEYS: dict[int, tuple[Scenario, str]] = {}


def scenario_key(sc: Scenario) -> str:
    """:func:`planner.versions.scenario_key`, computed once per scenario object (a digest of a
    town's data takes a few ms and a page run asks many times)."""
    held = _KEYS.get(id(sc))
    if held is None or held[0] is not sc:
        if len(_KEYS) > 16:
            _KEYS.clear()
        held = _KEYS[id(sc)] = (sc, versions.scenario_key(sc))
    return held[1]


def _sync(sc: Scenario) -> None:
    """Point the session at ``sc``: on a new scenario (or session), reopen its latest version."""
    key = scenario_key(sc)
    if st.session_state.get(state.WORK_KEY) == key:
        return
    st.session_state[state.WORK_KEY] = key
    st.session_state[state.VERSION] = None
    st.session_state[state.BASE_PLAN] = None
    st.session_state[state.EDITS] = []
    # The newest version that still reads (a plan folder edited by hand may not).
    for ver in sorted(versions.list_versions(sc), key=lambda v: v.updated, reverse=True):
        try:
            open_version(sc, ver)
        except (ScenarioError, EditError, OSError, ValueError) as exc:
            st.session_state[state.EDIT_FLASH] = ("error", t("ver_unreadable", id=ver.id), str(exc))
            continue
        return


def version(sc: Scenario) -> versions.Version | None:
    """The version being worked on (``None`` before the first solve)."""
    _sync(sc)
    return st.session_state.get(state.VERSION)


def edits(sc: Scenario) -> list[Edit]:
    """The edits made on the version's base plan, in order."""
    _sync(sc)
    return list(st.session_state.get(state.EDITS) or [])


def base_plan(sc: Scenario) -> Plan | None:
    """The version's base plan (before edits)."""
    _sync(sc)
    return st.session_state.get(state.BASE_PLAN)


def current_plan(sc: Scenario, upto: int | None = None) -> Plan | None:
    """The base plan with the edits applied (the first ``upto`` of them when given)."""
    base = base_plan(sc)
    if base is None:
        return None
    chosen = edits(sc) if upto is None else edits(sc)[:upto]
    return apply_edits(sc, base, chosen)


def working_plan(sc: Scenario) -> tuple[Plan, versions.Version, list[Edit]] | None:
    """The plan being worked on (edits applied), its version and its edits; ``None`` before the
    first solve."""
    plan = current_plan(sc)
    ver = version(sc)
    if plan is None or ver is None:
        return None
    return plan, ver, edits(sc)


def evaluation(sc: Scenario, upto: int | None = None) -> Evaluation | None:
    """The current plan's evaluation (or after the first ``upto`` edits), cached in the session."""
    ver = version(sc)
    if ver is None:
        return None
    chosen = edits(sc) if upto is None else edits(sc)[:upto]
    key = (ver.id, json.dumps([to_record(e) for e in chosen], sort_keys=True))
    cache: OrderedDict[Any, Evaluation] = st.session_state.setdefault(state.EVALS, OrderedDict())
    if key in cache:
        cache.move_to_end(key)
        return cache[key]
    plan = current_plan(sc, upto)
    assert plan is not None
    result = evaluate(sc, plan)
    cache[key] = result
    while len(cache) > EVALS_KEPT:
        cache.popitem(last=False)
    return result


def open_version(sc: Scenario, ver: versions.Version) -> None:
    """Make ``ver`` the working plan (its base plan and its saved edits)."""
    plan, saved = versions.load_version(sc, ver)
    st.session_state[state.VERSION] = ver
    st.session_state[state.BASE_PLAN] = plan
    st.session_state[state.EDITS] = saved


class SaveRefused(Exception):
    """An edit or undo was not saved, so it was not made: ``message`` says why (in the page's
    language), ``details`` is the system's own text (for an expander), if any."""

    def __init__(self, message: str, details: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.details = details


def _save(sc: Scenario, new: list[Edit], what: str) -> None:
    """Write ``new`` as the version's edit list, then (only then) make it the session's.

    Raises :class:`SaveRefused` when the disk refuses (the session keeps the list it had) or
    when another session saved first (the session takes the list on disk: nothing of theirs is
    lost, and the message names ``what`` was not done)."""
    ver = version(sc)
    assert ver is not None
    try:
        saved = versions.save_edits(ver, new, expected=edits(sc))
    except versions.EditsChanged as changed:
        st.session_state[state.EDITS] = changed.on_disk
        st.session_state[state.VERSION] = changed.version
        raise SaveRefused(
            t("edit_changed_elsewhere", count=len(changed.on_disk), what=what)
        ) from None
    except OSError as exc:
        raise SaveRefused(
            t("edit_not_saved", what=what, folder=str(ver.folder)), str(exc)
        ) from None
    st.session_state[state.EDITS] = new
    st.session_state[state.VERSION] = saved


def add_edit(sc: Scenario, edit: Edit) -> None:
    """Apply ``edit`` and save the edit list to disk at once (see :func:`add_edits`)."""
    add_edits(sc, [edit])


def add_edits(sc: Scenario, new: Sequence[Edit]) -> None:
    """Apply ``new`` after the current edits, all or none, and save the edit list at once.

    Raises
    ------
    planner.edits.EditError
        An edit the plan cannot take (nothing saved).
    SaveRefused
        The list could not be saved (nothing changed in the session) or another session saved
        edits first (the session now holds theirs).
    """
    base = base_plan(sc)
    ver = version(sc)
    if base is None or ver is None or not new:
        return
    after = [*edits(sc), *new]
    apply_edits(sc, base, after)  # fail before saving anything
    what = t("edit_sep").join(describe(e, lang()) for e in new)
    _save(sc, after, what)


def undo(sc: Scenario) -> Edit | None:
    """Drop the last edit (saved at once); returns it. Raises :class:`SaveRefused` as
    :func:`add_edits` does."""
    ver = version(sc)
    current = edits(sc)
    if ver is None or not current:
        return None
    dropped = current[-1]
    _save(sc, current[:-1], t("edit_undo_what", edit=describe(dropped, lang())))
    return dropped


# --- solving -------------------------------------------------------------------------------------


def job() -> SolveJob | None:
    """The solve running (or finished and not adopted yet)."""
    return st.session_state.get(state.JOB)


def start_solve(sc: Scenario, *, reoptimise: bool = False) -> SolveJob:
    """Start a solve in a worker thread; with ``reoptimise`` the edits become locks."""
    short_wait = st.session_state.get(state.SOLVE_SHORT_WAIT)
    config = SolveConfig(
        time_limit=float(st.session_state.get(state.SOLVE_LIMIT) or 20),
        seed=int(st.session_state.get(state.SOLVE_SEED) or 0),
        short_wait_min=float(SolveConfig().short_wait_min if short_wait is None else short_wait),
    )
    locks = None
    parent = None
    if reoptimise:
        base = base_plan(sc)
        ver = version(sc)
        if base is not None and ver is not None:
            locks = locks_for(sc, base, edits(sc))
            parent = ver.id
    new = SolveJob(
        sc,
        config,
        locks=locks,
        kind="reoptimise" if reoptimise else "solve",
        parent=parent,
        lang=lang(),
    )
    st.session_state[state.JOB] = new.start()
    return new


def finish_job(sc: Scenario) -> bool:
    """Work on a finished job's plan (the thread saved it as a version); ``True`` if adopted."""
    running = job()
    if running is None or not running.done:
        return False
    st.session_state[state.JOB] = None
    if running.version is None:
        st.session_state[state.EDIT_FLASH] = ("error", t("view_solve_failed"), running.error or "")
        return False
    open_version(sc, running.version)
    return True
