"""Files the print page offers: PDFs from :func:`planner.sheets.print_sheets` and the plan folder
as a zip, built in a temporary folder and returned as bytes."""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from planner.messages import Lang
from planner.model import Scenario
from planner.plan import Plan
from planner.planfile import write_plan
from planner.sheets import PrintResult, print_sheets
from planner.sheets.fonts import FontNotFound
from planner.sheets.render import file_stem

PDF = "application/pdf"


@dataclass(frozen=True)
class Download:
    """A file ready to download."""

    name: str
    data: bytes
    mime: str


Maker = Callable[[], Download]


class PrintFailed(RuntimeError):
    """The sheets could not be made (no CJK font on this machine); the message says why."""


def _print(
    sc: Scenario,
    plan: Plan,
    lang: Lang,
    kinds: tuple[str, ...],
    sites: list[str] | None,
    notice_langs: Sequence[str] | None = None,
) -> PrintResult:
    folder = Path(tempfile.mkdtemp(prefix="planner-print-"))
    try:
        return print_sheets(
            sc, plan, folder, lang=lang, kinds=kinds, sites=sites, notice_langs=notice_langs
        )
    except FontNotFound as exc:
        raise PrintFailed(str(exc)) from None


def site_pdf(sc: Scenario, plan: Plan, site_id: str, lang: Lang) -> Download:
    """The one-page sheet of ``site_id``."""
    result = _print(sc, plan, lang, ("sites",), [site_id])
    path = result.sites[site_id]
    return Download(f"site-{file_stem(site_id)}.pdf", path.read_bytes(), PDF)


def kind_pdf(
    sc: Scenario,
    plan: Plan,
    kind: str,
    lang: Lang,
    site_id: str | None = None,
    notice_langs: Sequence[str] | None = None,
) -> Download:
    """Every sheet of one kind in one file: ``sites``, ``routes``, ``notices`` or ``cover``;
    with ``site_id``, only that site's share (its sweepers' and door teams' routes, its
    buildings' notices)."""
    result = _print(sc, plan, lang, (kind,), [site_id] if site_id else None, notice_langs)
    path = result.cover if kind == "cover" else result.combined.get(kind)
    if path is None:
        raise PrintFailed(kind)
    where = f"-{file_stem(site_id)}" if site_id else ""
    return Download(f"{file_stem(sc.name)}{where}-{kind}.pdf", path.read_bytes(), PDF)


def plan_zip(sc: Scenario, plan: Plan) -> Download:
    """The plan folder (desks, calls, visits, roster, kpis.json) zipped."""
    folder = Path(tempfile.mkdtemp(prefix="planner-plan-")) / "plan"
    write_plan(plan, folder)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, f"plan/{path.name}")
    return Download(f"{file_stem(sc.name)}-plan.zip", buffer.getvalue(), "application/zip")
