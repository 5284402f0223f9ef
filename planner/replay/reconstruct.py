"""What happened at each site, desk, building and committee, rebuilt from a sampling log.

:func:`reconstruct` turns a :class:`~planner.replay.log.SamplingLog` into flat tables (one
:class:`Reconstruction`). The service-time sample is the gaps between consecutive samples at a
desk, kept only where the desk was surely busy in between (see :func:`desk_gaps`): a gap that
includes idle time says how quiet the desk was, not how fast it worked.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.model import Scenario
from planner.replay.log import SamplingLog
from planner.replay.synth import POOL


@dataclass(frozen=True)
class Reconstruction:
    """Tables of one replayed round; times are minutes since midnight of the round's day.

    Attributes
    ----------
    sites
        Per site: ``site_id, name, committee, samples, desks, first, last, per_hour`` (samples per
        hour between first and last), ``busy_gaps, service_mean_s, service_cv`` (from the busy
        gaps), ``peak_in_line`` (people arrived and not yet sampled; NaN without arrivals),
        ``tubes, people_per_tube, tubes_not_full``.
    desks
        Per site and desk: ``samples, first, last, gaps, busy_gaps, gap_median_s,
        service_mean_s, service_cv``.
    throughput
        Per site and time bin: ``bin_start, samples, cumulative``.
    gaps
        One row per gap between consecutive samples at a desk: ``site_id, desk, sampled``
        (the first of the two), ``gap_s``, ``busy`` (kept as a service time) and ``timed``
        (busy was decided from arrival times; otherwise every gap counts as busy, an upper
        bound).
    queue
        Per site and minute (sites with arrivals only): ``minute, in_line``.
    tubes
        Per tube: ``site_id, tube_id, people, full`` (``people >= pool``).
    buildings
        Per building of the scenario: ``committee, compound, residents, mobile, sampled, share``
        (of ``mobile``), ``first, median, last`` sample times (NaN if none).
    committees
        Per committee: ``mobile, sampled, share, first, half, last`` (``half``: when half of
        the committee's mobile residents had been sampled, NaN if never).
    """

    sites: pd.DataFrame
    desks: pd.DataFrame
    throughput: pd.DataFrame
    gaps: pd.DataFrame
    queue: pd.DataFrame
    tubes: pd.DataFrame
    buildings: pd.DataFrame
    committees: pd.DataFrame


def desk_gaps(frame: pd.DataFrame) -> pd.DataFrame:
    """Gaps between consecutive samples at each desk, with the busy ones marked.

    ``sampled`` is when a person's service starts, so the gap from person ``i`` to the next
    person at the same desk is ``i``'s service time exactly when the next person was already
    waiting when ``i``'s service ended. With arrivals known a gap is kept as *busy* when, at
    ``i``'s start, at least as many people were waiting as the site has desks (so somebody was
    surely still waiting when ``i`` finished; a condition fixed before ``i``'s service time is
    known, so it does not favour long or short services) and the next person had waited. This is
    decided per row: at a site with some arrival times, people whose arrival is blank are not
    counted as waiting (so the count is a lower bound and the condition stays sufficient), and a
    gap whose next person has no arrival time is not kept. Such gaps are ``timed``. At a site
    without any arrival time every gap is kept (not ``timed``), and the estimate includes idle
    time: an upper bound. In both cases gaps far above the rest (breaks, a desk closed and
    reopened: more than 4 robust
    standard deviations above the median on the log scale) are dropped.
    """
    has_desk = frame["desk"] != ""
    f = frame.loc[has_desk, ["site_id", "desk", "sampled", "arrived"]].reset_index(drop=True)
    if f.empty:
        empty: dict[str, list[object]] = {
            "site_id": [],
            "desk": [],
            "sampled": [],
            "gap_s": [],
            "busy": [],
            "timed": [],
        }
        types = {"busy": bool, "timed": bool, "gap_s": float, "sampled": float}
        return pd.DataFrame(empty).astype(types)
    f["site_id"] = f["site_id"].astype(str)
    # Per site: arrival times known for some of its people (blank ones are handled per row).
    f["timed"] = f.groupby("site_id")["arrived"].transform(lambda a: a.notna().any())
    f["waiting"] = _waiting_at_start(f)
    desks = f.groupby("site_id")["desk"].transform("nunique")
    f = f.sort_values(["site_id", "desk", "sampled"], kind="stable")
    same = (f["site_id"].to_numpy()[1:] == f["site_id"].to_numpy()[:-1]) & (
        f["desk"].to_numpy()[1:] == f["desk"].to_numpy()[:-1]
    )
    t = f["sampled"].to_numpy()
    gap_s = np.append((t[1:] - t[:-1]) * 60.0, np.nan)
    gap_s[:-1][~same] = np.nan
    timed = f["timed"].to_numpy(dtype=bool)
    # A blank arrival compares False: its gap is not kept as busy.
    nxt_waited = np.append(f["arrived"].to_numpy()[1:] < t[1:], False)
    waiting = f["waiting"].to_numpy()
    busy = np.where(timed, (waiting >= desks.loc[f.index].to_numpy()) & nxt_waited, True)
    valid = ~np.isnan(gap_s) & (gap_s > 0)
    busy &= valid
    for group in (timed, ~timed):  # the upper-bound gaps would shift the median of the others
        mine = busy & group
        if mine.any():
            logs = np.log(gap_s[mine])
            med = float(np.median(logs))
            mad = float(np.median(np.abs(logs - med))) * 1.4826
            far = np.log(np.where(valid, gap_s, 1.0)) > med + 4.0 * max(mad, 1e-9)
            busy &= ~(group & far)
    out = pd.DataFrame(
        {
            "site_id": f["site_id"].to_numpy(),
            "desk": f["desk"].to_numpy(),
            "sampled": t,
            "gap_s": gap_s,
            "busy": busy,
            "timed": timed,
        }
    )
    return out[valid].reset_index(drop=True)


def _waiting_at_start(f: pd.DataFrame) -> np.ndarray:
    """Per row: people of the same site arrived by its start and not yet started (excluding it).

    People without an arrival time are taken to arrive when they were sampled (they had surely
    arrived by then), so they never count as waiting: with blanks this is a lower bound.
    """
    out = np.zeros(len(f), dtype=np.int64)  # f has a 0..n-1 index
    for _, g in f.groupby("site_id", sort=False):
        arrived = g["arrived"].to_numpy()
        arr = np.sort(arrived[~np.isnan(arrived)])
        order = np.argsort(g["sampled"].to_numpy(), kind="stable")
        t = g["sampled"].to_numpy()[order]
        started = np.arange(1, len(t) + 1)
        blank_started = np.cumsum(np.isnan(arrived[order]))
        waiting = np.searchsorted(arr, t, side="right") + blank_started - started
        idx = g.index.to_numpy()[order]
        out[idx] = np.maximum(waiting, 0)
    return out


def reconstruct(
    scenario: Scenario, log: SamplingLog, bin_min: int = 15, pool: int = POOL
) -> Reconstruction:
    """Rebuild per site, desk, building and committee what a sampling log shows.

    Parameters
    ----------
    scenario
        The round's scenario (names, committees, residents).
    log
        The checked log.
    bin_min
        Width of the throughput bins, minutes.
    pool
        People per tube when full (10:1 pooling).
    """
    frame = log.frame
    site_col = frame["site_id"].astype(str)
    gaps = desk_gaps(frame)
    busy = gaps[gaps["busy"]]

    by_site = frame.groupby(site_col, sort=True)
    sites = pd.DataFrame(
        {
            "samples": by_site.size(),
            "desks": by_site["desk"].agg(lambda d: int((d.unique() != "").sum())),
            "first": by_site["sampled"].min(),
            "last": by_site["sampled"].max(),
        }
    )
    span = (sites["last"] - sites["first"]).where(lambda s: s > 0)
    sites["per_hour"] = sites["samples"] / span * 60.0
    fits = busy.groupby("site_id")["gap_s"].agg(["size", "mean", "std"])
    sites["busy_gaps"] = fits["size"].reindex(sites.index).fillna(0).astype(int)
    sites["service_mean_s"] = fits["mean"].reindex(sites.index)
    sites["service_cv"] = (fits["std"] / fits["mean"]).reindex(sites.index)

    queue = _queue(frame, site_col)
    peak = queue.groupby("site_id")["in_line"].max() if len(queue) else pd.Series(dtype=float)
    sites["peak_in_line"] = peak.reindex(sites.index).astype(float)

    tubes = _tubes(frame, site_col, pool)
    per_tube = tubes.groupby("site_id").agg(
        tubes=("people", "size"),
        people_per_tube=("people", "mean"),
        tubes_not_full=("full", lambda s: int((~s).sum())),
    )
    sites = sites.join(per_tube, how="left")
    sites["tubes"] = sites["tubes"].fillna(0).astype(int)
    sites["tubes_not_full"] = sites["tubes_not_full"].fillna(0).astype(int)
    meta = pd.DataFrame(
        [(s.site_id, s.name, s.committee) for s in scenario.sites],
        columns=["site_id", "name", "committee"],
    ).set_index("site_id")
    sites = meta.join(sites, how="inner").rename_axis("site_id").reset_index()

    return Reconstruction(
        sites=sites,
        desks=_desks(frame, site_col, gaps),
        throughput=_throughput(frame, site_col, bin_min),
        gaps=gaps,
        queue=queue,
        tubes=tubes,
        buildings=_buildings(scenario, frame),
        committees=_committees(scenario, frame),
    )


def _desks(frame: pd.DataFrame, site_col: pd.Series, gaps: pd.DataFrame) -> pd.DataFrame:
    named = frame["desk"] != ""
    g = frame[named].groupby([site_col[named], frame.loc[named, "desk"]], sort=True)
    desks = pd.DataFrame(
        {"samples": g.size(), "first": g["sampled"].min(), "last": g["sampled"].max()}
    )
    desks.index.names = ["site_id", "desk"]
    all_gaps = gaps.groupby(["site_id", "desk"])["gap_s"]
    busy = gaps[gaps["busy"]].groupby(["site_id", "desk"])["gap_s"]
    desks["gaps"] = all_gaps.size().reindex(desks.index).fillna(0).astype(int)
    desks["busy_gaps"] = busy.size().reindex(desks.index).fillna(0).astype(int)
    desks["gap_median_s"] = all_gaps.median().reindex(desks.index)
    desks["service_mean_s"] = busy.mean().reindex(desks.index)
    desks["service_cv"] = (busy.std() / busy.mean()).reindex(desks.index)
    return desks.reset_index()


def _throughput(frame: pd.DataFrame, site_col: pd.Series, bin_min: int) -> pd.DataFrame:
    bins = (np.floor(frame["sampled"] / bin_min) * bin_min).astype(int)
    counts = frame.groupby([site_col.rename("site_id"), bins.rename("bin_start")]).size()
    out = counts.rename("samples").reset_index()
    out["cumulative"] = out.groupby("site_id")["samples"].cumsum()
    return out


def _queue(frame: pd.DataFrame, site_col: pd.Series) -> pd.DataFrame:
    """People arrived and not yet sampled, just after each whole minute, per site with arrivals."""
    parts = []
    known = frame["arrived"].notna()
    for site, g in frame[known].groupby(site_col[known], sort=True):
        arr = np.sort(g["arrived"].to_numpy())
        smp = np.sort(g["sampled"].to_numpy())
        minutes = np.arange(math.floor(arr[0]), math.ceil(smp[-1]) + 1)
        line = np.searchsorted(arr, minutes, "right") - np.searchsorted(smp, minutes, "right")
        parts.append(pd.DataFrame({"site_id": site, "minute": minutes, "in_line": line}))
    if not parts:
        return pd.DataFrame({"site_id": [], "minute": [], "in_line": []})
    return pd.concat(parts, ignore_index=True)


def _tubes(frame: pd.DataFrame, site_col: pd.Series, pool: int) -> pd.DataFrame:
    named = frame["tube_id"] != ""
    counts = frame[named].groupby([site_col[named], frame.loc[named, "tube_id"]]).size()
    out = counts.rename("people").reset_index()
    out.columns = ["site_id", "tube_id", "people"]
    out["full"] = out["people"] >= pool
    return out


def _buildings(scenario: Scenario, frame: pd.DataFrame) -> pd.DataFrame:
    rows = pd.DataFrame(
        [
            (b.building_id, b.committee, b.compound, b.residents, b.mobile)
            for b in scenario.buildings
        ],
        columns=["building_id", "committee", "compound", "residents", "mobile"],
    ).set_index("building_id")
    named = frame[frame["building_id"] != ""]
    g = named.groupby("building_id")["sampled"]
    rows["sampled"] = g.size().reindex(rows.index).fillna(0).astype(int)
    rows["share"] = (rows["sampled"] / rows["mobile"]).where(rows["mobile"] > 0)
    rows["first"] = g.min().reindex(rows.index)
    rows["median"] = g.median().reindex(rows.index)
    rows["last"] = g.max().reindex(rows.index)
    return rows.reset_index()


def _committees(scenario: Scenario, frame: pd.DataFrame) -> pd.DataFrame:
    committee_of = {b.building_id: b.committee for b in scenario.buildings}
    mobile = pd.Series(0, index=list(scenario.committees))
    for b in scenario.buildings:
        mobile[b.committee] += b.mobile
    named = frame[frame["building_id"] != ""]
    who = named["building_id"].map(committee_of)
    rows = []
    for committee in scenario.committees:
        times = np.sort(named.loc[who == committee, "sampled"].to_numpy())
        need = math.ceil(mobile[committee] / 2)
        rows.append(
            {
                "committee": committee,
                "mobile": int(mobile[committee]),
                "sampled": int(times.size),
                "share": times.size / mobile[committee] if mobile[committee] else math.nan,
                "first": float(times[0]) if times.size else math.nan,
                "half": float(times[need - 1]) if 0 < need <= times.size else math.nan,
                "last": float(times[-1]) if times.size else math.nan,
            }
        )
    return pd.DataFrame(rows)
