"""Altair charts of the plan views (Vega-Lite: drawn in the browser, no tiles, no token, offline).

Data come from :mod:`planner.views` as DataFrames; these functions only map columns to marks.
Times are minutes since midnight; they are turned into timestamps of the round's day for the axes.
"""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd

from ui.i18n import t

# Town-size layers (1,538 buildings, ~5,000 waves) go to the browser whole.
alt.data_transformers.disable_max_rows()


def _clock(day: dt.date, minutes: pd.Series) -> pd.Series:
    return pd.Timestamp(day) + pd.to_timedelta(minutes.astype(float), unit="min")


#: Name of the map's click selection (a building): ``event.selection[PICK]``.
PICK = "pick"


def map_chart(
    layers: dict[str, pd.DataFrame], height: int = 650, pickable: bool = False
) -> alt.LayerChart:
    """Buildings coloured by their site (grey: door visits only), sites as squares sized by
    desks in their buildings' colour (white: closed), door-team routes as dashed lines; a
    Mercator projection of longitude and latitude. ``pickable``: clicking a building selects
    it (a point selection named :data:`PICK` on ``building_id``)."""
    buildings = layers["buildings"]
    sites = layers["sites"]
    routes = layers["routes"]
    few = sites["open"].sum() <= 20
    colour = alt.Color(
        "site_id:N",
        title=t("view_site"),
        legend=alt.Legend(orient="right") if few else None,
        scale=alt.Scale(scheme="tableau20"),
    )
    dots = (
        alt.Chart(buildings)
        .mark_circle(opacity=0.85, size=110 if len(buildings) <= 200 else 35)
        .encode(
            longitude="lon:Q",
            latitude="lat:Q",
            color=alt.condition("datum.site_id == ''", alt.value("#9e9e9e"), colour),
            tooltip=[
                alt.Tooltip("building_id:N", title=t("view_building")),
                alt.Tooltip("committee:N", title=t("view_committee")),
                alt.Tooltip("residents:Q", title=t("view_residents")),
                alt.Tooltip("site_id:N", title=t("view_site")),
            ],
        )
    )
    if pickable:
        dots = dots.add_params(alt.selection_point(name=PICK, fields=["building_id"]))
    top = max(1, int(sites["max_desks"].max())) if len(sites) else 1
    site_marks = (
        alt.Chart(sites)
        .mark_square(filled=True, stroke="black", strokeWidth=1.5, opacity=1.0)
        .encode(
            longitude="lon:Q",
            latitude="lat:Q",
            size=alt.Size(
                "desks:Q",
                title=t("view_desks"),
                scale=alt.Scale(domain=[0, top], range=[40, 900]),
            ),
            color=alt.condition("datum.open", colour, alt.value("white")),
            tooltip=[
                alt.Tooltip("site_id:N", title=t("view_site")),
                alt.Tooltip("name:N", title=t("view_name")),
                alt.Tooltip("desks:Q", title=t("view_desks")),
                alt.Tooltip("max_desks:Q", title=t("view_max_desks")),
            ],
        )
    )
    charts: list[alt.Chart] = [dots, site_marks]
    if few:
        charts.append(
            alt.Chart(sites[sites["open"]])
            .mark_text(dy=-18, fontSize=11, fontWeight="bold")
            .encode(longitude="lon:Q", latitude="lat:Q", text="site_id:N")
        )
    if len(routes):
        charts.append(
            alt.Chart(routes)
            .mark_line(color="black", strokeDash=[4, 3], strokeWidth=1.2)
            .encode(
                longitude="lon:Q",
                latitude="lat:Q",
                detail="team_id:N",
                order="seq:Q",
                tooltip=[alt.Tooltip("team_id:N", title=t("view_team"))],
            )
        )
    return alt.layer(*charts).project(type="mercator").properties(height=height)


def site_chart(
    day: dt.date, desks: pd.DataFrame, queue: pd.DataFrame, capacity: int
) -> tuple[alt.Chart, alt.LayerChart]:
    """Two charts on one time axis: desks open over time (steps); the queue's mean with its
    p10-p90 band over the replications, and the site's queue capacity as a red dashed rule."""
    d = desks.assign(time=_clock(day, desks["minute"]))
    q = queue.assign(time=_clock(day, queue["minute"]))
    times = pd.concat([d["time"], q["time"]])
    domain = [times.min().isoformat(), times.max().isoformat()] if len(times) else None
    x = alt.X(
        "time:T",
        title=t("view_time"),
        axis=alt.Axis(format="%H:%M"),
        scale=alt.Scale(domain=domain) if domain else alt.Undefined,
    )
    desk_chart = (
        alt.Chart(d)
        .mark_line(interpolate="step-after", color="#1f77b4")
        .encode(x=x, y=alt.Y("desks:Q", title=t("view_desks")))
        .properties(height=140)
    )
    band = (
        alt.Chart(q)
        .mark_area(opacity=0.3, color="#ff7f0e")
        .encode(x=x, y=alt.Y("p10:Q", title=t("view_queue")), y2="p90:Q")
    )
    mean = alt.Chart(q).mark_line(color="#d62728").encode(x=x, y="mean:Q")
    cap = (
        alt.Chart(pd.DataFrame({"capacity": [capacity]}))
        .mark_rule(color="red", strokeDash=[6, 3])
        .encode(y="capacity:Q")
    )
    return desk_chart, alt.layer(band, mean, cap).properties(height=220)


def timeline_chart(day: dt.date, rows: pd.DataFrame, by: str = "sweeper_id") -> alt.Chart:
    """Calling waves as bars from the call to the last household called, one row per ``by``."""
    frame = rows.assign(t0=_clock(day, rows["start"]), t1=_clock(day, rows["end"]))
    height = max(160, min(1600, 14 * frame[by].nunique()))
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("t0:T", title=t("view_time"), axis=alt.Axis(format="%H:%M")),
            x2="t1:T",
            y=alt.Y(f"{by}:N", title=t(f"view_{by}"), sort="x"),
            color=alt.Color(
                "site_id:N",
                title=t("view_site"),
                legend=None,
                scale=alt.Scale(scheme="tableau20"),
            ),
            tooltip=[
                alt.Tooltip("building_id:N", title=t("view_building")),
                alt.Tooltip("floors:N", title=t("view_floors")),
                alt.Tooltip("people:Q", title=t("view_people")),
                alt.Tooltip("site_id:N", title=t("view_site")),
                alt.Tooltip("sweeper_id:N", title=t("view_sweeper_id")),
                alt.Tooltip("t0:T", title=t("view_call_time"), format="%H:%M"),
            ],
        )
        .properties(height=height)
    )
