"""``print_sheets``: turn a scenario and its plan into the PDF sheets a round needs.

Files written under ``out_dir`` (each sheet also in a combined file per kind, for printing all at
once)::

    cover.pdf                     command post summary
    sites/<site_id>.pdf           one sheet per sampling point      sites.pdf    all of them
    routes/sweeper-<id>.pdf       one route per sweeper             routes.pdf   all routes
    routes/team-<id>.pdf          one route per door team
    notices/<building_id>.pdf     one notice per building           notices.pdf  all notices
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from planner.capacity import assess
from planner.messages import Lang, Ref, default_lang, text
from planner.model import Scenario
from planner.plan import Call, Plan, Visit
from planner.sheets.context import Context
from planner.sheets.cover import cover_sheet
from planner.sheets.facts import building_visits, building_waves, forecasts, site_facts
from planner.sheets.fonts import FontNotFound, find_cjk_font, load_font
from planner.sheets.layout import Sheet, make_styles, write_pdf
from planner.sheets.notice import NoticeLang, notice_languages, notice_sample, notice_sheet
from planner.sheets.routes import sweeper_sheet, team_sheet
from planner.sheets.site_sheet import site_sheet
from planner.simulate import SimResult, simulate

#: The kinds of sheet, in the order they are printed.
KINDS: tuple[str, ...] = ("cover", "sites", "routes", "notices")

#: Replications simulated for the "expected" figures when no simulation is passed in: enough for
#: a stable mean peak queue and finish per site, and well under a second for a town.
DEFAULT_REPS = 5


@dataclass(frozen=True)
class PrintResult:
    """What :func:`print_sheets` wrote.

    Attributes
    ----------
    out_dir
        The output folder.
    font
        The CJK font file embedded in every PDF.
    cover
        ``cover.pdf`` (``None`` when not printed).
    sites, sweepers, teams, notices
        One file per site, sweeper, door team and building, by id, in print order.
    combined
        ``{"sites": sites.pdf, "routes": routes.pdf, "notices": notices.pdf}`` for the kinds
        printed.
    pages
        Pages written over all files (combined files included).
    kpis
        The simulation's KPIs behind the "expected" figures (empty without simulation).
    """

    out_dir: Path
    font: Path
    cover: Path | None = None
    sites: dict[str, Path] = field(default_factory=dict)
    sweepers: dict[str, Path] = field(default_factory=dict)
    teams: dict[str, Path] = field(default_factory=dict)
    notices: dict[str, Path] = field(default_factory=dict)
    combined: dict[str, Path] = field(default_factory=dict)
    pages: int = 0
    kpis: dict[str, Any] = field(default_factory=dict)

    @property
    def files(self) -> list[Path]:
        """Every file written: cover, combined files, then the single sheets by kind."""
        out = [self.cover] if self.cover else []
        out += list(self.combined.values())
        for group in (self.sites, self.sweepers, self.teams, self.notices):
            out += list(group.values())
        return out


def file_stem(ident: str) -> str:
    """``ident`` made safe as a file name on every system (ids are free text)."""
    return re.sub(r"[^\w.-]+", "_", ident.strip()) or "_"


def print_sheets(
    scenario: Scenario,
    plan: Plan,
    out_dir: str | Path,
    *,
    lang: Lang | None = None,
    sites: Iterable[str] | None = None,
    font_path: str | Path | None = None,
    notice_langs: Sequence[str] | None = None,
    kinds: Iterable[str] = KINDS,
    simulation: SimResult | None = None,
    reps: int = DEFAULT_REPS,
    seed: int = 0,
    combined: bool = True,
    generated_at: dt.datetime | None = None,
) -> PrintResult:
    """Write the printed sheets of ``plan`` as A4 PDFs under ``out_dir``.

    Parameters
    ----------
    scenario, plan
        What to print; the plan need not be valid, but its ids must exist in the scenario.
    out_dir
        Output folder, created if needed; files of the same name are overwritten.
    lang
        Language of the sheets (``zh`` default via ``PLANNER_LANG``, or ``en``).
    sites
        Print only these sites' sheets, the routes of sweepers calling to them, the door teams
        working in their committees and the notices of their buildings (the cover is always
        the whole round). ``None`` or empty: everything.
    font_path
        A TrueType/TTC CJK font to embed (``--font``); default: :func:`find_cjk_font`.
    notice_langs
        Languages of the notices, each on its own page: any of ``zh``, ``en``, ``ja``, ``ko``.
        Default: ``(lang,)``.
    kinds
        Which kinds to print, from :data:`KINDS`.
    simulation
        A simulation of ``plan`` for the expected queues and finish times; default: simulate
        ``reps`` replications with ``seed`` (``reps=0``: print no predictions).
    combined
        Also write ``sites.pdf``, ``routes.pdf`` and ``notices.pdf`` with every sheet of a kind.
    generated_at
        Time printed in the footers (default: now).

    Returns
    -------
    PrintResult
        The files written.

    Raises
    ------
    FontNotFound
        When no usable CJK font is found, or the font lacks glyphs a notice language needs.
    ValueError
        For an unknown site, kind or notice language.
    """
    lang = lang or default_lang()
    wanted = _kinds(kinds, lang)
    languages = notice_languages(notice_langs, lang)
    font = load_font(find_cjk_font(font_path, lang=lang), lang)
    if "notices" in wanted:
        for code in languages:
            missing = font.missing(notice_sample(code))
            if missing:
                raise FontNotFound(
                    text(
                        "sheet_font_lacks_lang",
                        lang,
                        path=font.path,
                        language=Ref(f"sheet_lang_{code}"),
                        chars=missing[:8],
                    )
                )
    chosen = _chosen_sites(scenario, sites, lang)

    sim = simulation
    # Only the cover and the site sheets show predictions: routes and notices need no simulation.
    if sim is None and reps > 0 and wanted & {"cover", "sites"}:
        sim = simulate(scenario, plan, reps=reps, seed=seed, keep_people=0)
    kpis = dict(sim.kpis) if sim is not None else {}
    ctx = Context(
        scenario=scenario,
        plan=plan,
        lang=lang,
        styles=make_styles(font.name, lang == "zh"),
        reps=int(kpis.get("reps", 0)),
        seed=int(kpis.get("seed", seed)),
    )
    facts = site_facts(scenario, plan, forecasts(sim))
    when = (generated_at or dt.datetime.now()).strftime("%Y-%m-%d %H:%M")
    footer = text(
        "sheet_footer", lang, scenario=scenario.name, kind=plan.made_by.get("kind", "-"), when=when
    )
    if scenario.synthetic:
        footer += " " + text("sum_synthetic", lang)

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    pages = 0

    def write(target: Path, sheets: Sequence[Sheet], title: str) -> Path:
        nonlocal pages
        target.parent.mkdir(parents=True, exist_ok=True)
        pages += write_pdf(target, sheets, font=font.name, footer=footer, lang=lang, title=title)
        return target

    def write_group(sheets: dict[str, Sheet], folder: str, stem: str = "{}") -> dict[str, Path]:
        return {
            key: write(out / folder / f"{stem.format(file_stem(key))}.pdf", [sheet], sheet.title)
            for key, sheet in sheets.items()
        }

    result: dict[str, Any] = {}
    if "cover" in wanted:
        cover = cover_sheet(ctx, facts, kpis, assess(scenario))
        result["cover"] = write(out / "cover.pdf", [cover], cover.title)
    combined_files: dict[str, Path] = {}
    if "sites" in wanted:
        sheets = {
            sid: site_sheet(ctx, f) for sid, f in facts.items() if chosen is None or sid in chosen
        }
        result["sites"] = write_group(sheets, "sites")
        if combined and sheets:
            combined_files["sites"] = write(
                out / "sites.pdf", list(sheets.values()), text("sheet_site_kind", lang)
            )
    if "routes" in wanted:
        sweeps = {
            sid: sweeper_sheet(ctx, sid, calls)
            for sid, calls in _sweeper_calls(scenario, plan, chosen).items()
        }
        teams = {
            tid: team_sheet(ctx, tid, visits)
            for tid, visits in _team_visits(scenario, plan, chosen).items()
        }
        result["sweepers"] = write_group(sweeps, "routes", "sweeper-{}")
        result["teams"] = write_group(teams, "routes", "team-{}")
        if combined and (sweeps or teams):
            combined_files["routes"] = write(
                out / "routes.pdf",
                [*sweeps.values(), *teams.values()],
                text("sheet_route", lang),
            )
    if "notices" in wanted:
        notices = _notices(ctx, chosen, languages)
        result["notices"] = {
            bid: write(out / "notices" / f"{file_stem(bid)}.pdf", group, bid)
            for bid, group in notices.items()
        }
        if combined and notices:
            every = [sheet for group in notices.values() for sheet in group]
            combined_files["notices"] = write(
                out / "notices.pdf", every, text("sheet_notice_title", lang)
            )
    return PrintResult(
        out_dir=out, font=font.path, combined=combined_files, pages=pages, kpis=kpis, **result
    )


def _kinds(kinds: Iterable[str], lang: Lang) -> set[str]:
    chosen = set(kinds)
    for kind in chosen - set(KINDS):
        raise ValueError(text("sheet_unknown_kind", lang, value=kind, allowed=", ".join(KINDS)))
    return chosen


def _chosen_sites(scenario: Scenario, sites: Iterable[str] | None, lang: Lang) -> set[str] | None:
    chosen = set(sites or ())
    if not chosen:
        # No selection (None, or an empty --site list from a CLI) means every site.
        return None
    for value in sorted(chosen - set(scenario.site_index)):
        raise ValueError(text("unknown_ref", lang, kind=Ref("ref_site"), value=value))
    return chosen


def _committees(scenario: Scenario, chosen: set[str]) -> set[str]:
    return {scenario.sites[scenario.site_index[s]].committee for s in chosen}


def _sweeper_calls(
    scenario: Scenario, plan: Plan, chosen: set[str] | None
) -> dict[str, list[Call]]:
    """Sweepers' calls in the roster's order; with ``chosen``, sweepers calling to those sites."""
    by_sweeper = plan.calls_by_sweeper()
    order = {sid: k for k, sid in enumerate(scenario.staff_index)}
    out: dict[str, list[Call]] = {}
    for sid in sorted(by_sweeper, key=lambda s: (order.get(s, len(order)), s)):
        calls = by_sweeper[sid]
        if chosen is None or any(c.site_id in chosen for c in calls):
            out[sid] = calls
    return out


def _team_visits(scenario: Scenario, plan: Plan, chosen: set[str] | None) -> dict[str, list[Visit]]:
    """Door teams' visits; with ``chosen``, teams visiting those sites' committees."""
    by_team = plan.visits_by_team()
    if chosen is None:
        return by_team
    committees = _committees(scenario, chosen)
    return {
        tid: visits
        for tid, visits in by_team.items()
        if any(
            scenario.buildings[scenario.building_index[v.building_id]].committee in committees
            for v in visits
        )
    }


def _notices(
    ctx: Context, chosen: set[str] | None, languages: Sequence[NoticeLang]
) -> dict[str, list[Sheet]]:
    """Each building's notice pages (one per language), for buildings anybody calls or visits.

    With ``chosen`` sites: the buildings called to them, and the buildings of their committees
    that nobody calls (locked-down buildings, visited at the door).
    """
    scenario = ctx.scenario
    waves = building_waves(ctx.plan)
    visits = building_visits(ctx.plan)
    committees = _committees(scenario, chosen) if chosen is not None else set()
    out: dict[str, list[Sheet]] = {}
    for building in scenario.buildings:
        bid = building.building_id
        own_waves, own_visits = waves.get(bid, []), visits.get(bid, [])
        if not own_waves and not own_visits:
            continue
        if chosen is not None:
            if own_waves and not any(c.site_id in chosen for c in own_waves):
                continue
            if not own_waves and building.committee not in committees:
                continue
        out[bid] = [notice_sheet(ctx, building, own_waves, own_visits, code) for code in languages]
    return out
