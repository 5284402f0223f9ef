"""``planner replay``: read a log, rebuild the day, calibrate, compare, and write a report folder.

:func:`replay` runs the steps and returns a :class:`Replay`; :func:`write_report` writes it as
tables (CSV for the small ones, Parquet for the long ones) plus ``summary.md`` in the chosen
language; :func:`summary_lines` is what the CLI prints. Nothing written contains a clear personal
identifier: the log is pseudonymised on import (:mod:`planner.replay.log`) and problem messages
never echo an identifier.
"""

from __future__ import annotations

import math
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from planner.messages import Lang, text
from planner.model import Scenario
from planner.plan import Plan
from planner.replay.calibrate import Calibration, calibrate
from planner.replay.log import DEFAULT_TZ, Salt, SamplingLog, read_log
from planner.replay.reconstruct import Reconstruction, reconstruct
from planner.replay.whatif import WhatIf, plan_vs_actual, what_if
from planner.timefmt import format_hhmm

#: Problems listed in ``summary.md`` (all of them are in ``problems.csv``).
SHOWN_PROBLEMS = 50

#: Everything :func:`write_report` may write into the report folder: removed before writing, so
#: that a folder used again holds no file of an earlier run (other files are left alone).
REPORT_FILES = (
    "sites.csv",
    "desks.csv",
    "throughput.csv",
    "queue.parquet",
    "gaps.parquet",
    "tubes.parquet",
    "buildings.csv",
    "committees.csv",
    "calibration.csv",
    "problems.csv",
    "log.parquet",
    "plan_vs_actual.csv",
    "whatif.csv",
    "calibration.toml",
    "summary.md",
)
REPORT_FOLDERS = ("new_plan",)


@dataclass(frozen=True)
class Replay:
    """Everything a replay found: the log, the reconstruction, the calibration, the comparisons."""

    scenario: Scenario
    log: SamplingLog
    recon: Reconstruction
    calibration: Calibration
    plan_vs_actual: pd.DataFrame | None
    whatif: WhatIf | None


def replay(
    scenario: Scenario,
    log_path: str | Path,
    plan: Plan | None = None,
    *,
    salt: Salt | None = None,
    mapping: dict[str, str] | None = None,
    reps: int = 5,
    seed: int = 0,
    solve_time: float | None = 30.0,
    whatif: bool = True,
    timezone: str = DEFAULT_TZ,
) -> Replay:
    """Replay a round from its sampling log.

    Parameters
    ----------
    scenario
        The round's scenario.
    log_path
        The sampling log (CSV or Parquet, ``docs/replay.md``).
    plan
        The plan used that day, if known: enables plan-vs-actual, the turnout over called
        people, the response-delay fit and the what-if of the plan used.
    salt, mapping
        See :func:`planner.replay.log.read_log`.
    reps, seed
        Replications and seed of the simulations (plan-vs-actual and what-if).
    solve_time
        Seconds for solving a new plan on the calibrated scenario; ``None`` skips the new plan.
    whatif
        ``False`` skips the what-if simulations altogether.
    timezone
        The round's time zone (see :func:`planner.replay.log.read_log`).

    Raises
    ------
    planner.replay.log.LogError
        When the log cannot be read at all.
    """
    log = read_log(log_path, scenario, salt=salt, mapping=mapping, timezone=timezone)
    recon = reconstruct(scenario, log)
    calibration = calibrate(scenario, log, recon, plan)
    versus = None if plan is None else plan_vs_actual(scenario, plan, log, reps=reps, seed=seed)
    change = None
    if whatif and (plan is not None or solve_time is not None):
        change = what_if(
            calibration.apply(scenario), plan, solve_time=solve_time, reps=reps, seed=seed
        )
    return Replay(scenario, log, recon, calibration, versus, change)


def problems_frame(log: SamplingLog, lang: Lang) -> pd.DataFrame:
    """Every problem of the log as a table (``severity, file, row, column, code, problem``)."""
    columns = ["severity", "file", "row", "column", "code", "problem"]
    return pd.DataFrame([p.as_record(lang) for p in log.problems], columns=columns)


def write_report(result: Replay, out: str | Path, lang: Lang) -> list[Path]:
    """Write the report folder; returns the files written (``docs/replay.md`` lists them)."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    for name in REPORT_FILES:
        (folder / name).unlink(missing_ok=True)
    for name in REPORT_FOLDERS:
        if (folder / name).is_dir():
            shutil.rmtree(folder / name)
    recon = result.recon
    written: list[Path] = []

    def put(name: str, frame: pd.DataFrame) -> None:
        path = folder / name
        assert name in REPORT_FILES, name  # the list of what a new run removes
        if name.endswith(".parquet"):
            frame.to_parquet(path, index=False)
        else:
            frame.to_csv(path, index=False, encoding="utf-8")
        written.append(path)

    put("sites.csv", recon.sites)
    put("desks.csv", recon.desks)
    put("throughput.csv", recon.throughput)
    put("queue.parquet", recon.queue)
    put("gaps.parquet", recon.gaps)
    put("tubes.parquet", recon.tubes)
    put("buildings.csv", recon.buildings)
    put("committees.csv", recon.committees)
    put("calibration.csv", result.calibration.table(result.scenario))
    put("problems.csv", problems_frame(result.log, lang))
    # The pseudonymised log: hashes only, so analysts can go on from here.
    put("log.parquet", result.log.frame)
    if result.plan_vs_actual is not None:
        put("plan_vs_actual.csv", result.plan_vs_actual)
    if result.whatif is not None and len(result.whatif.table):
        put("whatif.csv", result.whatif.table.reset_index())
    patch = folder / "calibration.toml"
    patch.write_text(result.calibration.toml_patch(lang), encoding="utf-8")
    written.append(patch)
    if result.whatif is not None and result.whatif.new_plan is not None:
        from planner.planfile import write_plan

        written.append(write_plan(result.whatif.new_plan, folder / "new_plan"))
    summary = folder / "summary.md"
    summary.write_text(summary_markdown(result, lang), encoding="utf-8")
    written.append(summary)
    return written


def summary_lines(result: Replay, lang: Lang) -> list[str]:
    """The few lines the CLI prints: rows, problems, privacy, span, calibration."""
    log, recon, cal = result.log, result.recon, result.calibration
    errors = sum(p.severity == "error" for p in log.problems)
    lines = [
        text("rp_rows", lang, rows=log.rows, kept=len(log.frame), skipped=log.skipped),
        text("rp_problems", lang, errors=errors, warnings=len(log.problems) - errors),
        text("rp_hashed", lang, count=log.hashed) + " " + text(f"rp_salt_{log.salt_source}", lang),
    ]
    if len(log.frame):
        lines.append(
            text(
                "rp_span",
                lang,
                sites=len(recon.sites),
                desks=len(recon.desks),
                first=format_hhmm(float(log.frame["sampled"].min())),
                last=format_hhmm(float(log.frame["sampled"].max())),
            )
        )
    for key, e in cal.estimates().items():
        shown = "—" if not e.fitted else f"{e.value:.3g}"
        lines.append(
            text("rp_fitted", lang, key=key, value=shown, n=e.n, method=text(e.method, lang))
        )
    return lines


def _md_table(frame: pd.DataFrame, headers: dict[str, str]) -> str:
    """A markdown table of ``frame``'s ``headers`` columns, renamed; times already formatted."""
    cols = [c for c in headers if c in frame.columns]
    head = "| " + " | ".join(headers[c] for c in cols) + " |"
    rule = "|" + "---|" * len(cols)
    body = ["| " + " | ".join(_cell(v) for v in row) + " |" for row in frame[cols].to_numpy()]
    return "\n".join([head, rule, *body])


def _cell(value: object) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "—"
        return f"{value:,.2f}" if abs(value) < 10 else f"{value:,.0f}"
    return str(value).replace("|", "/")


def _clock(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    out = frame.copy()
    for c in columns:
        if c in out.columns:
            out[c] = [format_hhmm(v) if pd.notna(v) else "—" for v in out[c]]
    return out


def summary_markdown(result: Replay, lang: Lang) -> str:
    """``summary.md``: the report for a reader, in ``lang``."""
    recon, cal, log = result.recon, result.calibration, result.log

    def h(key: str) -> str:
        return text(key, lang)

    parts = [f"# {text('rp_title', lang, name=result.scenario.name)}", ""]
    parts += [f"- {line}" for line in summary_lines(result, lang)]
    parts += ["", f"## {h('rp_h_sites')}", ""]
    sites = _clock(recon.sites, "first", "last")
    parts.append(
        _md_table(
            sites,
            {
                "site_id": h("rp_c_site"),
                "name": h("rp_c_name"),
                "samples": h("rp_c_samples"),
                "desks": h("rp_c_desks"),
                "first": h("rp_c_first"),
                "last": h("rp_c_last"),
                "per_hour": h("rp_c_per_hour"),
                "service_mean_s": h("rp_c_service"),
                "peak_in_line": h("rp_c_peak"),
                "tubes": h("rp_c_tubes"),
                "people_per_tube": h("rp_c_per_tube"),
                "tubes_not_full": h("rp_c_not_full"),
            },
        )
    )
    parts += ["", f"## {h('rp_h_committees')}", ""]
    parts.append(
        _md_table(
            _clock(recon.committees, "first", "half", "last"),
            {
                "committee": h("rp_c_committee"),
                "mobile": h("rp_c_mobile"),
                "sampled": h("rp_c_samples"),
                "share": h("rp_c_share"),
                "first": h("rp_c_first"),
                "half": h("rp_c_half"),
                "last": h("rp_c_last"),
            },
        )
    )
    parts += ["", f"## {h('rp_h_calibration')}", ""]
    table = cal.table(result.scenario)
    table["method"] = [text(m, lang) for m in table["method"]]
    parts.append(
        _md_table(
            table,
            {
                "parameter": h("rp_c_parameter"),
                "before": h("rp_c_before"),
                "fitted": h("rp_c_fitted"),
                "n": h("rp_c_n"),
                "se": h("rp_c_se"),
                "method": h("rp_c_method"),
            },
        )
    )
    parts += ["", h("rp_patch"), "", "```toml", cal.toml_patch(lang).rstrip(), "```"]
    if result.plan_vs_actual is not None:
        parts += ["", f"## {h('rp_h_versus')}", ""]
        parts.append(
            _md_table(
                _clock(result.plan_vs_actual, "planned_last", "actual_last"),
                {
                    "site_id": h("rp_c_site"),
                    "called": h("rp_c_called"),
                    "planned_arrivals": h("rp_c_planned_arrivals"),
                    "actual_samples": h("rp_c_samples"),
                    "planned_last": h("rp_c_planned_last"),
                    "actual_last": h("rp_c_last"),
                    "late_min": h("rp_c_late"),
                },
            )
        )
    if result.whatif is not None and len(result.whatif.table):
        note = "rp_whatif_note" if result.whatif.new_plan is not None else "rp_whatif_note_used"
        parts += ["", f"## {h('rp_h_whatif')}", "", h(note), ""]
        wt = result.whatif.table.reset_index()
        wt["plan"] = [text(f"rp_plan_{p}", lang) for p in wt["plan"]]
        finish = wt["plan"] != text("rp_plan_change", lang)
        wt["finish"] = [
            format_hhmm(v) if ok and pd.notna(v) else _cell(v)
            for v, ok in zip(wt["finish"], finish, strict=True)
        ]
        wt["done_by_deadline"] = [
            f"{v:+.1%}" if not ok else f"{v:.1%}" if pd.notna(v) else "—"
            for v, ok in zip(wt["done_by_deadline"], finish, strict=True)
        ]
        parts.append(
            _md_table(
                wt,
                {
                    "plan": h("kpi_plan"),
                    "finish": h("kpi_finish"),
                    "done_by_deadline": h("kpi_done_by_deadline"),
                    "peak_queue": h("kpi_peak_queue"),
                    "wait_p95_min": h("kpi_wait_p95_min"),
                    "walking_km": h("kpi_walking_km"),
                    "staff_hours": h("kpi_staff_hours"),
                },
            )
        )
    parts += ["", f"## {h('rp_h_problems')}", ""]
    if log.problems:
        shown = log.problems[:SHOWN_PROBLEMS]
        parts += [f"- {p.render(lang)}" for p in shown]
        if len(log.problems) > len(shown):
            parts.append(f"- {text('rp_more_problems', lang, count=len(log.problems))}")
    else:
        parts.append(h("rp_no_problems"))
    return "\n".join(parts) + "\n"
