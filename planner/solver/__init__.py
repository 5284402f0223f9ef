"""The planning core: ``solve(scenario) -> SolveResult`` (see :mod:`planner.solver.pipeline`).

Every OR-Tools object stays inside this package (and :mod:`planner.location`): callers get plain
dataclasses and arrays.
"""

from planner.solver.config import Locks, Progress, SolveConfig
from planner.solver.pipeline import solve
from planner.solver.result import SolveResult

__all__ = ["Locks", "Progress", "SolveConfig", "SolveResult", "solve"]
