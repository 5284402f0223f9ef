"""Synthetic sampling logs from the simulator (``planner simulate --log``).

A simulated day becomes the log a registration system would have exported, in the format
:func:`planner.replay.log.read_log` reads, so synthetic rounds can be replayed and the replay
checked against the truth that made them.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from planner.model import Scenario

#: People per tube (10:1 pooling, the usual practice of 2022).
POOL = 10


def log_from_people(
    scenario: Scenario, people: pd.DataFrame, rep: int = 0, pool: int = POOL
) -> pd.DataFrame:
    """One log row per person served at a site in replication ``rep`` of a simulation.

    Parameters
    ----------
    scenario
        The simulated scenario (its round date dates the timestamps).
    people
        :attr:`planner.simulate.SimResult.people` (with its ``desk`` column).
    rep
        Which kept replication to export.
    pool
        People per tube: each desk fills tubes of ``pool`` in the order it samples.

    Returns
    -------
    pandas.DataFrame
        Columns ``site_id, desk, sampled_at, arrived_at, building_id, person, tube_id``, sorted
        by ``sampled_at``. ``sampled_at`` is the start of service (when the tube is registered),
        ``arrived_at`` when the person joined the queue, both timestamps to the second.
        ``person`` is a synthetic identifier (``building_id`` + number) that replay hashes like a
        real one. People who stayed home, were never served or were sampled at their door are
        not in a site log.
    """
    rows = people[(people["rep"] == rep) & people["came"] & np.isfinite(people["start"])]
    rows = rows.sort_values(["start", "arrived"], kind="stable")
    midnight = pd.Timestamp(dt.datetime.combine(scenario.round.date, dt.time()))

    def stamp(minutes: pd.Series) -> pd.DatetimeIndex:
        return (midnight + pd.to_timedelta(minutes.to_numpy() * 60.0, unit="s")).round("s")

    site = rows["site_id"].astype(str)
    desk = site + "-D" + (rows["desk"].astype(int) + 1).astype(str)
    # Tubes fill desk by desk in sampling order: person k of a desk goes into tube k // pool.
    nth = rows.groupby(desk.to_numpy(), sort=False).cumcount()
    tube = desk + "-T" + (nth // pool + 1).astype(str).str.zfill(4)
    building = rows["building_id"].astype(str)
    return pd.DataFrame(
        {
            "site_id": site.to_numpy(),
            "desk": desk.to_numpy(),
            "sampled_at": stamp(rows["start"]).to_numpy(),
            "arrived_at": stamp(rows["arrived"]).to_numpy(),
            "building_id": building.to_numpy(),
            "person": (building + "-P" + rows["person"].astype(str).str.zfill(4)).to_numpy(),
            "tube_id": tube.to_numpy(),
        }
    )


def write_log(frame: pd.DataFrame, path: str) -> None:
    """Write a log as Parquet (``.parquet``) or CSV (times as ``YYYY-MM-DD HH:MM:SS``)."""
    if str(path).lower().endswith(".parquet"):
        frame.to_parquet(path, index=False)
        return
    out = frame.copy()
    for column in ("sampled_at", "arrived_at"):
        if column in out.columns and pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].dt.strftime("%Y-%m-%d %H:%M:%S")
    out.to_csv(path, index=False, encoding="utf-8")
