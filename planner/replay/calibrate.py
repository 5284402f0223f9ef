"""Fit the scenario's flow parameters to a sampling log.

:func:`calibrate` estimates ``service_s`` and ``service_cv`` (from the busy gaps at desks,
:func:`planner.replay.reconstruct.desk_gaps`), ``turnout`` (people sampled over people the plan
called) and ``response_min`` (from arrivals after each call), each with its sample size and
standard error, and writes them as a ``scenario.toml`` patch. The methods and their stated
tolerances are in ``docs/replay.md``.
"""

from __future__ import annotations

import dataclasses
import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from planner.geo import haversine_m
from planner.messages import Lang, text
from planner.model import Scenario
from planner.plan import Call, Plan, split_evenly
from planner.replay.log import SamplingLog
from planner.replay.reconstruct import Reconstruction

#: Methods whose value is only an upper bound: reported, but neither applied nor in the patch.
UPPER_BOUNDS = frozenset({"cal_service_all"})

#: Calls of one building closer together than this are not used to fit the response delay
#: (their arrivals cannot be told apart without floors).
WAVE_SEPARATION_MIN = 20.0


@dataclass(frozen=True)
class Estimate:
    """One fitted parameter: ``value`` (NaN when it could not be fitted), how many observations,
    its standard error, and ``method`` (a catalogue key saying how it was fitted)."""

    value: float
    n: int
    se: float
    method: str

    @property
    def fitted(self) -> bool:
        """Whether the log allowed a fit."""
        return math.isfinite(self.value)

    @property
    def applied(self) -> bool:
        """Whether the fit replaces the scenario's value (fitted, and not only an upper bound)."""
        return self.fitted and self.method not in UPPER_BOUNDS


@dataclass(frozen=True)
class Calibration:
    """Flow parameters fitted to a log.

    Attributes
    ----------
    service_s, service_cv, turnout, response_min
        The estimates (``docs/formats.md`` units: s, -, share, min).
    ks
        Kolmogorov-Smirnov distance between the busy gaps and the fitted lognormal service law
        (0 = perfect; NaN without gaps): how well the simulator's law describes the desks.
    """

    service_s: Estimate
    service_cv: Estimate
    turnout: Estimate
    response_min: Estimate
    ks: float

    def estimates(self) -> dict[str, Estimate]:
        """The estimates by ``[flow]`` key."""
        return {
            "service_s": self.service_s,
            "service_cv": self.service_cv,
            "turnout": self.turnout,
            "response_min": self.response_min,
        }

    def apply(self, scenario: Scenario) -> Scenario:
        """``scenario`` with every applied parameter replaced (the others, including upper
        bounds, are kept)."""
        changes: dict[str, Any] = {
            k: _rounded(k, e.value) for k, e in self.estimates().items() if e.applied
        }
        if "turnout" in changes:
            changes["turnout"] = min(1.0, max(0.0, changes["turnout"]))
        return dataclasses.replace(scenario, flow=dataclasses.replace(scenario.flow, **changes))

    def toml_patch(self, lang: Lang | None = None) -> str:
        """A ``[flow]`` table to paste into ``scenario.toml``, one fitted key a line with its fit
        quality as a comment in ``lang`` (unfitted keys are left out; an upper bound is only a
        comment: pasting it would make the simulated desks slower than they were)."""
        lines = ["[flow]"]
        for key, e in self.estimates().items():
            if not e.fitted:
                continue
            if not e.applied:
                bound = _rounded(key, e.value)
                lines.append("# " + text("cal_patch_bound", lang, key=key, value=bound))
                continue
            value = _rounded(key, min(1.0, e.value) if key == "turnout" else e.value)
            note = "# " + text("cal_patch_note", lang, n=e.n, se=e.se)
            if key == "service_s" and math.isfinite(self.ks):
                note += text("cal_patch_ks", lang, ks=self.ks)
            lines.append(f"{key} = {value}  {note}")
        return "\n".join(lines) + "\n"

    def table(self, scenario: Scenario) -> pd.DataFrame:
        """One row per parameter: ``parameter, before, fitted, n, se, method``."""
        return pd.DataFrame(
            [
                {
                    "parameter": key,
                    "before": float(getattr(scenario.flow, key)),
                    "fitted": e.value,
                    "n": e.n,
                    "se": e.se,
                    "method": e.method,
                }
                for key, e in self.estimates().items()
            ]
        )


def _rounded(key: str, value: float) -> float:
    return round(value, 1 if key in ("service_s", "response_min") else 3)


def calibrate(
    scenario: Scenario, log: SamplingLog, recon: Reconstruction, plan: Plan | None = None
) -> Calibration:
    """Fit ``service_s``, ``service_cv``, ``turnout`` and ``response_min`` to a log.

    Parameters
    ----------
    scenario
        The round's scenario: walking speed, detour and stairs are taken from it as they are.
    log, recon
        The log and its reconstruction (for the busy desk gaps).
    plan
        The plan used; without it turnout is taken over all mobile residents and the response
        delay is not fitted.
    """
    # Gaps kept by arrival times where there are any; else every gap, an upper bound (not applied).
    gaps = recon.gaps[recon.gaps["busy"]]
    timed = gaps["timed"].to_numpy(dtype=bool)
    with_arrivals = int(timed.sum()) >= 2
    method = "cal_service_busy" if with_arrivals else "cal_service_all"
    busy = (gaps[timed] if with_arrivals else gaps)["gap_s"].to_numpy(dtype=float)
    if busy.size >= 2:
        mean = float(busy.mean())
        sd = float(busy.std(ddof=1))
        cv = sd / mean
        service = Estimate(mean, int(busy.size), sd / math.sqrt(busy.size), method)
        # Standard error of a CV, normal approximation.
        cv_se = cv * math.sqrt((0.5 + cv * cv) / busy.size)
        service_cv = Estimate(cv, int(busy.size), cv_se, method)
        ks = _ks_lognormal(busy, mean, cv)
    else:
        service = Estimate(math.nan, int(busy.size), math.nan, "cal_not_fitted")
        service_cv = service
        ks = math.nan
    return Calibration(
        service_s=service,
        service_cv=service_cv,
        turnout=_turnout(scenario, log, plan),
        response_min=_response(scenario, log, plan),
        ks=ks,
    )


def _ks_lognormal(x: np.ndarray, mean: float, cv: float, limit: int = 20000) -> float:
    """KS distance between ``x`` (subsampled evenly to ``limit``) and a lognormal law."""
    if cv <= 0:
        return math.nan
    xs = np.sort(x[x > 0])
    if xs.size > limit:
        xs = xs[np.linspace(0, xs.size - 1, limit).astype(int)]
    sigma2 = math.log1p(cv * cv)
    mu, sigma = math.log(mean) - sigma2 / 2, math.sqrt(sigma2)
    z = (np.log(xs) - mu) / (sigma * math.sqrt(2.0))
    cdf = 0.5 * (1.0 + np.array([math.erf(v) for v in z.tolist()]))
    k = np.arange(1, xs.size + 1) / xs.size
    return float(max(np.max(k - cdf), np.max(cdf - (k - 1.0 / xs.size))))


def _turnout(scenario: Scenario, log: SamplingLog, plan: Plan | None) -> Estimate:
    """People sampled over people called (a lower bound when somebody came but was not sampled).

    People are counted once: rows with the same identifier hash (a re-test) are one person; rows
    without an identifier count one each. With a plan, people of buildings the plan did not call
    are left out of the count, people with a blank building are kept (they came to a site of the
    plan; the log cannot say from where).
    """
    frame = log.frame
    named = frame["person"] != ""
    frame = frame[~named | ~frame["person"].duplicated()]
    if plan is not None and plan.calls:
        called: dict[str, int] = defaultdict(int)
        for call in plan.calls:
            called[call.building_id] += call.people
        building = frame["building_id"]
        sampled = int((building.isin(list(called)) | (building == "")).sum())
        total = sum(called.values())
        method = "cal_turnout_plan"
    else:
        sampled, total = len(frame), scenario.mobile_residents
        method = "cal_turnout_residents"
    if total <= 0:
        return Estimate(math.nan, 0, math.nan, "cal_not_fitted")
    share = sampled / total
    return Estimate(share, total, math.sqrt(max(share * (1 - share), 0.0) / total), method)


def _response(scenario: Scenario, log: SamplingLog, plan: Plan | None) -> Estimate:
    """``response_min`` from people of stairs-only calls: twice their mean delay after the call.

    A person of a stairs-only call arrives at ``call + U x response_min + stairs + walk`` with
    ``U`` uniform on [0, 1]; stairs and walk are known from the scenario, the mean stairs time of
    the call from how its people spread over its floors. Only calls with no other call of the
    same building within :data:`WAVE_SEPARATION_MIN` minutes are used, so that arrivals are
    assigned to the right call.
    """
    none = Estimate(math.nan, 0, math.nan, "cal_not_fitted")
    if plan is None or not log.has("arrived_at") or not log.has("building_id"):
        return none
    flow = scenario.flow
    waves: dict[str, list[Call]] = defaultdict(list)
    for call in plan.calls:
        waves[call.building_id].append(call)
    frame = log.frame[(log.frame["building_id"] != "") & log.frame["arrived"].notna()]
    residuals: list[np.ndarray] = []
    for building_id, rows in frame.groupby("building_id", sort=False):
        calls = sorted(waves.get(str(building_id), []), key=lambda c: c.call_time)
        if not calls:
            continue
        b = scenario.buildings[scenario.building_index[str(building_id)]]
        times = np.array([c.call_time for c in calls], dtype=float)
        which = np.searchsorted(times, rows["arrived"].to_numpy(), side="right") - 1
        arrived = rows["arrived"].to_numpy()
        site_of = rows["site_id"].astype(str).to_numpy()
        for k, call in enumerate(calls):
            lift = b.lift and call.floor_to >= flow.lift_from_floor
            gap_before = times[k] - times[k - 1] if k > 0 else math.inf
            gap_after = times[k + 1] - times[k] if k + 1 < len(calls) else math.inf
            if lift or min(gap_before, gap_after) < WAVE_SEPARATION_MIN:
                continue
            mine = (which == k) & (site_of == call.site_id)
            if not mine.any():
                continue
            s = scenario.sites[scenario.site_index[call.site_id]]
            walk = float(haversine_m(b.lat, b.lon, s.lat, s.lon)) * flow.detour
            walk_min = walk / flow.walk_m_per_s / 60.0
            floors = list(range(call.floor_from, max(call.floor_from, call.floor_to) + 1))
            counts = split_evenly(call.people, len(floors))
            stairs = sum(n * (f - 1) for n, f in zip(counts, floors, strict=True))
            stairs_min = stairs / max(call.people, 1) * flow.stairs_s_per_floor / 60.0
            residuals.append(arrived[mine] - call.call_time - walk_min - stairs_min)
    if not residuals:
        return none
    r = np.concatenate(residuals)
    if r.size < 2:
        return none
    return Estimate(
        2.0 * float(r.mean()),
        int(r.size),
        2.0 * float(r.std(ddof=1)) / math.sqrt(r.size),
        "cal_response_calls",
    )
