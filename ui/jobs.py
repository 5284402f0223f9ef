"""A solve running in a worker thread, so the page never freezes.

The thread calls :func:`planner.solver.solve` with a progress callback that pushes records to a
queue and an event as ``stop``; the page drains the queue on each poll (a fragment re-run every
half second) and adopts the result when the thread is done. Nothing here touches Streamlit: the
object lives in session state and tests drive it directly (``job.wait()``).
"""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from planner import versions
from planner.messages import Lang, text
from planner.model import Scenario
from planner.solver import Locks, SolveConfig, SolveResult, solve


@dataclass
class SolveJob:
    """One solve (or re-optimise) in the background.

    Attributes
    ----------
    kind
        ``"solve"`` or ``"reoptimise"`` (what the page does with the result).
    parent
        For a re-optimise: the version whose edits became the locks.
    records
        Progress records received so far (drained from the queue by :meth:`poll`).
    result, error
        Set when the thread ends: the solver's result, or the exception's text.
    version
        The result saved as a version by the thread itself, so a plan found while nobody
        watches (the tab was closed) is not lost: the next session opens it.
    """

    scenario: Scenario
    config: SolveConfig
    locks: Locks | None = None
    kind: str = "solve"
    parent: str | None = None
    records: list[dict[str, Any]] = field(default_factory=list)
    lang: Lang = "zh"
    result: SolveResult | None = None
    error: str | None = None
    version: versions.Version | None = None
    started: float = 0.0
    _queue: queue.Queue[dict[str, Any]] = field(default_factory=queue.Queue, repr=False)
    _stop: threading.Event = field(default_factory=threading.Event, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)

    def start(self) -> SolveJob:
        """Start the worker thread (daemon: a closed browser tab does not keep the server)."""
        self.started = time.perf_counter()
        self._thread = threading.Thread(target=self._run, name="planner-solve", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            self.result = solve(
                self.scenario,
                self.config,
                locks=self.locks,
                progress=self._queue.put,
                stop=self._stop.is_set,
            )
            self.version = versions.create_version(
                self.scenario, self.result.plan, self.label(), parent=self.parent
            )
        except Exception as exc:  # shown on the page; the page must not die with the thread
            self.error = f"{type(exc).__name__}: {exc}"

    def label(self) -> str:
        """How the version list names the result: solved or re-optimised, seconds, stopped."""
        assert self.result is not None
        seconds = float(self.result.plan.made_by.get("seconds", self.elapsed()))
        out = text(f"ver_label_{self.kind}", self.lang, seconds=f"{seconds:.0f}")
        if self.result.stages and self.result.stages[-1].get("stopped"):
            out += text("ver_label_stopped", self.lang)
        return out

    def poll(self) -> list[dict[str, Any]]:
        """Move the records that arrived into :attr:`records`; return all of them."""
        while True:
            try:
                self.records.append(self._queue.get_nowait())
            except queue.Empty:
                return self.records

    @property
    def done(self) -> bool:
        """The thread has finished (with a result or an error)."""
        return self._thread is not None and not self._thread.is_alive()

    @property
    def stopping(self) -> bool:
        """A stop was requested."""
        return self._stop.is_set()

    def stop(self) -> None:
        """Ask the solver to return its best plan so far."""
        self._stop.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the thread ends (tests); ``True`` if it did."""
        if self._thread is not None:
            self._thread.join(timeout)
        self.poll()
        return self.done

    def elapsed(self) -> float:
        """Seconds since the start."""
        return time.perf_counter() - self.started if self.started else 0.0

    def latest(self) -> dict[str, Any]:
        """What to show: the latest record (its ``stage``) and the best incumbent seen."""
        records = self.poll()
        # Incumbents come from inside a stage: the last record of either kind names the stage
        # the solver is in (a stage's own record comes when it ends).
        stage = records[-1] if records else None
        best = next((r for r in reversed(records) if r.get("incumbent")), None)
        return {"stage": stage, "incumbent": best, "count": len(records)}
