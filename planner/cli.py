"""The ``planner`` command: a thin layer over the library.

Every subcommand turns bad input into ``file:row: column: problem`` lines and exit code 1, never a
traceback. Output language: ``--lang zh|en`` (default: ``PLANNER_LANG``, else Chinese).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from planner.capacity import assess, capacity_warnings
from planner.check import check_plan
from planner.messages import Lang, default_lang, text
from planner.model import Scenario
from planner.parse import load_scenario
from planner.plan import Plan
from planner.planfile import PlanError, read_plan, save_kpis, write_plan
from planner.problems import Problem, ScenarioError
from planner.summary import summary_rows

app = typer.Typer(
    name="planner",
    help="Plan mass nucleic-acid screening of a town / 全员核酸筛查规划",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)

ScenarioDir = Annotated[
    Path, typer.Argument(help="Scenario folder (scenario.toml + buildings, sites, staff tables).")
]


@app.callback()
def _options(
    ctx: typer.Context,
    lang: Annotated[
        str | None,
        typer.Option("--lang", help="Output language: zh (default) or en.", show_default=False),
    ] = None,
) -> None:
    if lang is None:
        chosen: Lang = default_lang()
    elif lang.lower().startswith(("en", "zh")):  # en, en_GB, zh-CN, ...
        chosen = "en" if lang.lower().startswith("en") else "zh"
    else:
        # Said in both languages: the user has just told us neither is the one they read.
        message = " / ".join(text("cli_bad_lang", code, value=lang) for code in ("zh", "en"))
        raise typer.BadParameter(message, param_hint="--lang")
    ctx.obj = chosen


def _lang(ctx: typer.Context) -> Lang:
    return ctx.obj if ctx.obj in ("zh", "en") else default_lang()


def _echo_problems(problems: list[Problem], lang: Lang) -> None:
    for problem in problems:
        typer.echo(problem.render(lang), err=problem.severity == "error")


def _load_or_exit(folder: Path, lang: Lang) -> Scenario:
    try:
        return load_scenario(folder)
    except ScenarioError as exc:
        _echo_problems(exc.problems, lang)
        typer.echo(text("cli_invalid", lang, count=len(exc.problems)), err=True)
        raise typer.Exit(1) from None


@app.command()
def validate(ctx: typer.Context, folder: ScenarioDir) -> None:
    """Check every table and cross-reference; list every problem as file:row: column: problem.

    Exit 1 when there is an error. Warnings (the deadline cannot be met with these desks and
    staff) are printed with their numbers but do not fail.
    """
    lang = _lang(ctx)
    scenario = _load_or_exit(folder, lang)
    warnings = capacity_warnings(scenario)
    _echo_problems(warnings, lang)
    typer.echo(text("cli_valid", lang, name=scenario.name))
    if warnings:
        typer.echo(text("cli_warnings", lang, count=len(warnings)))


@app.command()
def summary(ctx: typer.Context, folder: ScenarioDir) -> None:
    """Print residents, buildings, sites, staff, workload and the earliest possible finish."""
    lang = _lang(ctx)
    scenario = _load_or_exit(folder, lang)
    capacity = assess(scenario)
    title = text("sum_title", lang, name=scenario.name)
    if scenario.synthetic:
        title += " " + text("sum_synthetic", lang)
    typer.echo(title)
    for label, value in summary_rows(scenario, lang, capacity):
        typer.echo(f"  {label}: {value}")
    _echo_problems(capacity_warnings(scenario, capacity), lang)


PlanDir = Annotated[Path, typer.Argument(help="Plan folder (desks, calls, visits, roster).")]


def _load_plan_or_exit(folder: Path, scenario: Scenario, lang: Lang) -> Plan:
    try:
        return read_plan(folder, scenario)
    except PlanError as exc:
        _echo_problems(exc.problems, lang)
        typer.echo(text("cli_plan_unreadable", lang, count=len(exc.problems)), err=True)
        raise typer.Exit(1) from None


@app.command()
def check(ctx: typer.Context, scenario_dir: ScenarioDir, plan_dir: PlanDir) -> None:
    """Verify a plan from scratch: every violation as file:row: rule: what, by how much.

    Exit 0 only for a valid plan.
    """
    lang = _lang(ctx)
    scenario = _load_or_exit(scenario_dir, lang)
    plan = _load_plan_or_exit(plan_dir, scenario, lang)
    problems = check_plan(scenario, plan)
    for problem in problems:
        typer.echo(problem.render(lang))
    if problems:
        typer.echo(text("cli_plan_invalid", lang, count=len(problems)), err=True)
        raise typer.Exit(1)
    typer.echo(text("cli_plan_valid", lang))


Reps = Annotated[int, typer.Option("--reps", min=1, help="Replications of the day.")]
Seed = Annotated[int, typer.Option("--seed", help="Random seed (same seed, same results).")]


@app.command()
def simulate(
    ctx: typer.Context,
    scenario_dir: ScenarioDir,
    plan_dir: PlanDir,
    reps: Reps = 10,
    seed: Seed = 0,
    records: Annotated[
        Path | None,
        typer.Option("--records", help="Write per-person, per-site and queue records (Parquet)."),
    ] = None,
    log: Annotated[
        Path | None,
        typer.Option(
            "--log", help="Write the first replication as a sampling log (.csv/.parquet)."
        ),
    ] = None,
) -> None:
    """Predict what the plan does on the day: finish, queues, waits, walking, staff-hours.

    The KPIs are also saved into the plan's kpis.json (next to how the plan was made).
    """
    from planner.compare import kpi_rows
    from planner.simulate import simulate as run

    lang = _lang(ctx)
    scenario = _load_or_exit(scenario_dir, lang)
    plan = _load_plan_or_exit(plan_dir, scenario, lang)
    keep = None if records else (1 if log else 0)
    result = run(scenario, plan, reps=reps, seed=seed, keep_people=keep)
    typer.echo(text("kpi_reps", lang, reps=reps, seed=seed))
    for label, value in kpi_rows(result.kpis, lang):
        typer.echo(f"  {label}: {value}")
    _writing(lambda: save_kpis(plan_dir, plan, result.kpis), lang)
    if records is not None:
        _writing(lambda: result.write(records), lang)
    if log is not None:
        from planner.replay.synth import log_from_people, write_log

        frame = log_from_people(scenario, result.people, rep=0)
        _writing(lambda: write_log(frame, str(log)), lang)
        typer.echo(text("cli_log_written", lang, out=log, rows=len(frame)))


@app.command()
def replay(
    ctx: typer.Context,
    scenario_dir: ScenarioDir,
    log: Annotated[Path, typer.Argument(help="Sampling log of the round (CSV or Parquet).")],
    out: Annotated[Path, typer.Option("--out", help="Report folder to write.")],
    plan_dir: Annotated[
        Path | None, typer.Option("--plan", help="The plan used that day (a plan folder).")
    ] = None,
    salt: Annotated[
        str | None,
        typer.Option(
            "--salt", help="Salt for hashing IDs (default: $PLANNER_REPLAY_SALT, else random)."
        ),
    ] = None,
    salt_file: Annotated[
        Path | None,
        typer.Option("--salt-file", help="File holding the salt (not in the shell history)."),
    ] = None,
    mapping: Annotated[
        Path | None,
        typer.Option("--mapping", help="TOML file mapping column names to log fields."),
    ] = None,
    reps: Reps = 5,
    seed: Seed = 0,
    solve_time: Annotated[
        float,
        typer.Option("--solve-time", min=0.0, help="Seconds to solve a new plan; 0 skips it."),
    ] = 30.0,
    whatif: Annotated[
        bool, typer.Option("--whatif/--no-whatif", help="Re-simulate with calibrated parameters.")
    ] = True,
    tz: Annotated[
        str, typer.Option("--tz", help="Time zone of the round (times with an offset convert).")
    ] = "Asia/Shanghai",
) -> None:
    """Replay a round from its sampling log: what happened, calibration, plan against actual.

    IDs are replaced by salted hashes on import; bad rows are listed and skipped. Writes tables,
    a scenario.toml patch and summary.md into the report folder (docs/replay.md).
    """
    from planner.replay.log import LogError, Salt, read_mapping
    from planner.replay.report import replay as run
    from planner.replay.report import summary_lines, write_report

    lang = _lang(ctx)
    scenario = _load_or_exit(scenario_dir, lang)
    plan = None if plan_dir is None else _load_plan_or_exit(plan_dir, scenario, lang)
    try:
        columns = read_mapping(mapping) if mapping is not None else None
        secret = Salt.from_file(salt_file) if salt_file is not None else Salt.resolve(salt)
        result = run(
            scenario,
            log,
            plan,
            salt=secret,
            mapping=columns,
            reps=reps,
            seed=seed,
            solve_time=solve_time if solve_time > 0 else None,
            whatif=whatif,
            timezone=tz,
        )
    except LogError as exc:
        _echo_problems(exc.problems, lang)
        typer.echo(text("cli_log_unreadable", lang, count=len(exc.problems)), err=True)
        raise typer.Exit(1) from None
    written: list[Path] = []
    _writing(lambda: written.extend(write_report(result, out, lang)), lang)
    for line in summary_lines(result, lang):
        typer.echo(line)
    shown = result.log.problems[:10]
    for problem in shown:
        typer.echo(problem.render(lang), err=True)
    if len(result.log.problems) > len(shown):
        typer.echo(text("rp_more_problems", lang, count=len(result.log.problems)), err=True)
    typer.echo(text("rp_written", lang, out=out, files=len(written)))


@app.command()
def compare(
    ctx: typer.Context,
    scenario_dir: ScenarioDir,
    plan_dirs: Annotated[
        list[Path], typer.Argument(help="Plan folders; the first is the reference.")
    ],
    reps: Reps = 10,
    seed: Seed = 0,
) -> None:
    """Simulate several plans with common random numbers; one table, ratios to the first plan."""
    from planner.compare import compare_plans, format_comparison

    lang = _lang(ctx)
    scenario = _load_or_exit(scenario_dir, lang)
    plans = [
        (name, _load_plan_or_exit(d, scenario, lang))
        for name, d in zip(_plan_names(plan_dirs), plan_dirs, strict=True)
    ]
    comparison = compare_plans(scenario, plans, reps=reps, seed=seed)
    typer.echo(text("kpi_reps", lang, reps=reps, seed=seed))
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        typer.echo(format_comparison(comparison, lang).to_string())


@app.command()
def solve(
    ctx: typer.Context,
    scenario_dir: ScenarioDir,
    out: Annotated[Path, typer.Option("--out", help="Plan folder to write.")],
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=1.0, help="Seconds; the best plan so far is kept.")
    ] = 60.0,
    seed: Seed = 0,
    short_wait: Annotated[
        float,
        typer.Option(
            "--short-wait",
            min=0.0,
            help="Minutes of p95 wait that count as short; among such plans the earlier "
            "finish wins (a minute of wait counts as three of finish).",
        ),
    ] = 10.0,  # SolveConfig's default (the solver is imported only when it runs)
) -> None:
    """Plan the round: sites, desks, calling waves, sweeps, door routes and roster.

    Writes a plan folder (checked and simulated). When the deadline cannot be met, the best plan
    is written anyway, with a diagnosis of what is short and by how much.
    """
    from planner.compare import kpi_rows
    from planner.solver import SolveConfig
    from planner.solver import solve as run

    lang = _lang(ctx)
    scenario = _load_or_exit(scenario_dir, lang)

    def progress(record: dict[str, object]) -> None:
        if record.get("phase") == "start":
            return  # the line comes when the stage ends, with its time
        if record.get("incumbent"):
            objective, bound = float(record["objective"]), float(record["bound"])  # type: ignore[arg-type]
            gap = (objective - bound) / objective if objective > 0 else 0.0
            line = text("stage_incumbent", lang, objective=objective, bound=bound, gap=gap)
            typer.echo(line, err=True)
            return
        stage = text(f"stage_{record['stage']}", lang)
        typer.echo(f"  [{float(record['seconds']):6.1f} s] {stage}", err=True)  # type: ignore[arg-type]

    config = SolveConfig(time_limit=time_limit, seed=seed, short_wait_min=short_wait)
    result = run(scenario, config, progress=progress)
    _writing(lambda: write_plan(result.plan, out, result.kpis), lang)
    typer.echo(text("cli_solved", lang, out=out, seconds=result.plan.made_by.get("seconds", 0)))
    for label, value in kpi_rows(result.kpis, lang):
        typer.echo(f"  {label}: {value}")
    _echo_problems(list(result.diagnosis), lang)
    for problem in result.problems:
        typer.echo(problem.render(lang), err=True)
    if result.problems:
        typer.echo(text("cli_plan_invalid", lang, count=len(result.problems)), err=True)
        raise typer.Exit(1)


@app.command()
def baseline(
    ctx: typer.Context,
    scenario_dir: ScenarioDir,
    kind: Annotated[str, typer.Option("--kind", help="broadcast or stagger.")],
    out: Annotated[Path, typer.Option("--out", help="Plan folder to write.")],
    reps: Reps = 10,
    seed: Seed = 0,
) -> None:
    """Write the plan a command post would make without optimisation, checked and simulated.

    broadcast: all buildings called at once (as fast as sweepers go) to their nearest site;
    stagger: each site's buildings called one after another, spread over the day.
    """
    from planner.baseline import KINDS
    from planner.baseline import baseline as make
    from planner.compare import kpi_rows
    from planner.simulate import simulate as run

    lang = _lang(ctx)
    if kind not in KINDS:
        allowed = ", ".join(KINDS)
        typer.echo(text("cli_unknown_preset", lang, value=kind, allowed=allowed), err=True)
        raise typer.Exit(2)
    scenario = _load_or_exit(scenario_dir, lang)
    result = make(scenario, kind)
    _echo_problems(list(result.notes), lang)
    kpis = run(scenario, result.plan, reps=reps, seed=seed, keep_people=0).kpis
    _writing(lambda: write_plan(result.plan, out, kpis), lang)
    problems = check_plan(scenario, result.plan)
    for problem in problems:
        typer.echo(problem.render(lang), err=True)
    typer.echo(text("cli_baseline_written", lang, kind=kind, out=out))
    typer.echo(text("kpi_reps", lang, reps=reps, seed=seed))
    for label, value in kpi_rows(kpis, lang):
        typer.echo(f"  {label}: {value}")
    if problems:
        typer.echo(text("cli_plan_invalid", lang, count=len(problems)), err=True)
        raise typer.Exit(1)


@app.command("print")
def print_(
    ctx: typer.Context,
    scenario_dir: ScenarioDir,
    plan_dir: PlanDir,
    out: Annotated[Path, typer.Option("--out", help="Folder for the PDFs.")],
    lang: Annotated[
        str | None, typer.Option("--lang", help="zh (default) or en.", show_default=False)
    ] = None,
    site: Annotated[
        list[str] | None, typer.Option("--site", help="Only this site (repeat for more).")
    ] = None,
    font: Annotated[
        Path | None, typer.Option("--font", help="A CJK TrueType font (.ttf/.ttc) to embed.")
    ] = None,
    notice_langs: Annotated[
        str | None,
        typer.Option("--notice-langs", help="Notice languages, comma-separated: zh,en,ja,ko."),
    ] = None,
) -> None:
    """Print A4 sheets: cover, one sheet per site, sweeper and door-team routes, notices."""
    from planner.sheets import FontNotFound, print_sheets

    chosen: Lang = _lang(ctx) if lang is None else ("en" if lang.startswith("en") else "zh")
    scenario = _load_or_exit(scenario_dir, chosen)
    plan = _load_plan_or_exit(plan_dir, scenario, chosen)
    languages = [x.strip() for x in notice_langs.split(",") if x.strip()] if notice_langs else None
    try:
        result = print_sheets(
            scenario,
            plan,
            out,
            lang=chosen,
            sites=site or None,
            font_path=font,
            notice_langs=languages,
        )
    except (FontNotFound, ValueError) as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    except OSError as exc:
        typer.echo(text("cli_cannot_write", chosen, path=out, error=exc.strerror or exc), err=True)
        raise typer.Exit(1) from None
    typer.echo(text("cli_printed", chosen, files=len(result.files), pages=result.pages, out=out))


def _plan_names(folders: list[Path]) -> list[str]:
    """Display names: each folder's name, its path where names clash, #2... for repeats."""
    names: list[str] = []
    for folder in folders:
        same = [f for f in folders if f.name == folder.name]
        name = folder.name if len(same) == 1 else str(folder)
        base, k = name, 2
        while name in names:
            name, k = f"{base} #{k}", k + 1
        names.append(name)
    return names


def _writing(action: Callable[[], object], lang: Lang) -> None:
    """Run a write; a path that cannot be written becomes a message and exit 1, not a traceback."""
    try:
        action()
    except OSError as exc:
        where = exc.filename or ""
        typer.echo(text("cli_cannot_write", lang, path=where, error=exc.strerror or exc), err=True)
        raise typer.Exit(1) from None


@app.command()
def generate(
    ctx: typer.Context,
    out: Annotated[Path, typer.Argument(help="Folder to write the scenario into.")],
    preset: Annotated[
        str, typer.Option("--preset", help="tiny, compound-103, town or district.")
    ] = "tiny",
    seed: Annotated[int, typer.Option("--seed", help="Random seed; same seed, same files.")] = 0,
    fmt: Annotated[str, typer.Option("--format", help="csv or parquet.")] = "csv",
    force: Annotated[bool, typer.Option("--force", help="Overwrite a non-empty folder.")] = False,
) -> None:
    """Write a synthetic scenario built from published figures (docs/scenarios.md)."""
    from planner.generate import PRESETS
    from planner.generate import generate as make

    lang = _lang(ctx)
    if preset not in PRESETS:
        allowed = ", ".join(PRESETS)
        typer.echo(text("cli_unknown_preset", lang, value=preset, allowed=allowed), err=True)
        raise typer.Exit(2)
    if fmt not in ("csv", "parquet"):
        raise typer.BadParameter("csv or parquet", param_hint="--format")
    if out.exists() and any(out.iterdir()) and not force:
        typer.echo(text("cli_out_exists", lang, path=out), err=True)
        raise typer.Exit(2)
    make(preset, seed).write(out, fmt=fmt)  # type: ignore[arg-type]
    typer.echo(text("cli_generated", lang, preset=preset, seed=seed, out=out))


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except BrokenPipeError:  # `planner ... | head` closes the pipe early: not an error
        sys.exit(0)


if __name__ == "__main__":
    main()
