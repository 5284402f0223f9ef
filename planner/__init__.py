"""Planner for mass nucleic-acid (PCR) screening of a town.

The public entry points are re-exported here; see ``docs/`` for the file formats and the model.
"""

from planner.model import Building, CrewParams, FlowParams, Role, RoundInfo, Scenario, Site, Staff
from planner.parse import load_scenario
from planner.problems import Problem, ScenarioError

__all__ = [
    "Building",
    "CrewParams",
    "FlowParams",
    "Problem",
    "Role",
    "RoundInfo",
    "Scenario",
    "ScenarioError",
    "Site",
    "Staff",
    "load_scenario",
]
