"""Replay for analysts: sampling logs of past rounds, what happened, calibration, what-if.

Modules: :mod:`~planner.replay.log` (read, check, pseudonymise), :mod:`~planner.replay.synth`
(logs from the simulator), :mod:`~planner.replay.reconstruct` (per site, desk, building,
committee), :mod:`~planner.replay.calibrate` (flow parameters), :mod:`~planner.replay.whatif`
(plan against actual, re-simulation), :mod:`~planner.replay.report` (the report folder) and
:mod:`~planner.replay.progress` (the progress board during a round). See ``docs/replay.md``.
"""
