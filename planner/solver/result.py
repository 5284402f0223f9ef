"""What :func:`planner.solver.solve` returns: plain data, no OR-Tools object."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from planner.plan import Plan
from planner.problems import Problem


@dataclass(frozen=True)
class SolveResult:
    """A solved plan with its evaluation.

    Attributes
    ----------
    plan
        The plan (canonical order); ``made_by`` records the settings and total seconds.
    kpis
        The simulator's KPIs for the plan (:func:`planner.simulate.simulate`).
    problems
        Violations :func:`planner.check.check_plan` finds (empty for a valid plan).
    diagnosis
        Warnings when the deadline is out of reach: what is short and by how much, and the
        deadline that would be met. Empty when the plan finishes in time.
    stages
        The progress records of each stage, in order.
    lower_bound
        The finish lower bound of the scenario (minutes), ``None`` if never reachable.
    """

    plan: Plan
    kpis: dict[str, Any]
    problems: tuple[Problem, ...]
    diagnosis: tuple[Problem, ...]
    stages: tuple[dict[str, Any], ...]
    lower_bound: float | None

    @property
    def valid(self) -> bool:
        """The plan passes every check."""
        return not self.problems
