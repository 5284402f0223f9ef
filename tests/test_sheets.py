"""Printed sheets: the PDFs say what the plan says, embed their font, and render.

Each kind of sheet is printed once per bundled scenario (module fixtures) and read back with pypdf;
the checks compare the extracted text with the plan's tables. Whitespace is removed before
comparing, since the PDF text of a table comes back one cell per line.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import string
import subprocess
from itertools import pairwise
from pathlib import Path

import pytest
from pypdf import PdfReader

from planner import load_scenario
from planner.baseline import baseline
from planner.messages import CATALOGUE
from planner.model import Role, Scenario
from planner.plan import Call, Plan
from planner.sheets import FontNotFound, PrintResult, find_cjk_font, print_sheets
from planner.sheets import fonts as fonts_module
from planner.sheets.facts import CrewShift, seat_crews
from planner.sheets.fonts import load_font, outline_kind
from planner.sheets.notice import NOTICE_KEYS, notice_sample
from planner.timefmt import format_hhmm

SCENARIOS = ("tiny", "compound-103")
ALL_LANGS = ("zh", "en", "ja", "ko")


def flat(value: str) -> str:
    return re.sub(r"\s+", "", value)


def pdf_text(path: Path) -> str:
    return flat("".join(page.extract_text() for page in PdfReader(path).pages))


def page_texts(path: Path) -> list[str]:
    return [flat(page.extract_text()) for page in PdfReader(path).pages]


def in_order(haystack: str, needles: list[str]) -> bool:
    """Each needle occurs after the previous one."""
    at = 0
    for needle in needles:
        found = haystack.find(needle, at)
        if found < 0:
            return False
        at = found + len(needle)
    return True


@dataclasses.dataclass
class Printed:
    scenario: Scenario
    plan: Plan
    result: PrintResult


@pytest.fixture(scope="module", params=SCENARIOS)
def printed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Printed:
    scenario = load_scenario(f"scenarios/{request.param}")
    plan = baseline(scenario, "stagger").plan
    # All four notice languages for tiny only: compound-103's 103 buildings would add seconds.
    langs = ALL_LANGS if request.param == "tiny" else ("zh",)
    out = tmp_path_factory.mktemp(request.param)
    result = print_sheets(scenario, plan, out, lang="zh", notice_langs=langs)
    return Printed(scenario, plan, result)


@pytest.fixture(scope="module")
def tiny_en(tmp_path_factory: pytest.TempPathFactory) -> Printed:
    scenario = load_scenario("scenarios/tiny")
    plan = baseline(scenario, "stagger").plan
    out = tmp_path_factory.mktemp("tiny-en")
    return Printed(scenario, plan, print_sheets(scenario, plan, out, lang="en"))


def names(scenario: Scenario) -> dict[str, str]:
    return {s.staff_id: s.name for s in scenario.staff}


# ------------------------------------------------------------------------------------------
# Site sheets


def test_files_are_laid_out_by_kind(printed: Printed) -> None:
    result, plan = printed.result, printed.plan
    out = result.out_dir
    assert result.cover == out / "cover.pdf"
    assert set(result.sites) == {d.site_id for d in plan.desks} | {c.site_id for c in plan.calls}
    assert all(p == out / "sites" / f"{sid}.pdf" for sid, p in result.sites.items())
    assert set(result.sweepers) == {c.sweeper_id for c in plan.calls}
    assert all(p.name == f"sweeper-{sid}.pdf" for sid, p in result.sweepers.items())
    assert set(result.teams) == {v.team_id for v in plan.visits}
    assert all(p.name == f"team-{tid}.pdf" for tid, p in result.teams.items())
    assert set(result.combined) == {"sites", "routes", "notices"}
    assert all(p.is_file() and p.read_bytes().startswith(b"%PDF") for p in result.files)
    # The combined file holds exactly the single sheets' pages.
    single = sum(len(PdfReader(p).pages) for p in result.sites.values())
    assert len(PdfReader(result.combined["sites"]).pages) == single


def test_site_sheet_shows_the_plan_of_that_site(printed: Printed) -> None:
    scenario, plan, result = printed.scenario, printed.plan, printed.result
    who = names(scenario)
    for site in scenario.sites:
        if site.site_id not in result.sites:
            continue
        body = pdf_text(result.sites[site.site_id])
        assert flat(site.name) in body and site.site_id in body
        calls = sorted(
            (c for c in plan.calls if c.site_id == site.site_id),
            key=lambda c: (c.call_time, c.building_id),
        )
        # Every call, in time order: its time, then its building.
        expected = [x for c in calls for x in (format_hhmm(c.call_time), c.building_id)]
        assert in_order(body, expected), site.site_id
        for call in calls:
            assert flat(who[call.sweeper_id]) in body
        # Buildings called to other sites are not on this sheet.
        others = {c.building_id for c in plan.calls if c.site_id != site.site_id}
        assert not any(b in body for b in others)
        crew = [s for s in plan.roster if s.post == site.site_id]
        assert crew, site.site_id
        for shift in crew:
            assert flat(who[shift.staff_id]) in body
            assert format_hhmm(shift.start) in body and format_hhmm(shift.end) in body
        people = sum(c.people for c in calls)
        # Households spread evenly over floors (docs/formats.md), computed here independently.
        households = 0
        for c in calls:
            b = scenario.buildings[scenario.building_index[c.building_id]]
            households += round(b.households * (c.floor_to - c.floor_from + 1) / b.floors)
        buildings = len({c.building_id for c in calls})
        totals = f"合计{buildings}栋{households:,}{people:,}"
        assert totals in body, (site.site_id, totals)
        assert f"{len(calls)}波，{buildings}栋楼，{households:,}户，约{people:,}人" in body
        spells = [d for d in plan.desks if d.site_id == site.site_id]
        for spell in spells:
            assert f"{format_hhmm(spell.start)}–{format_hhmm(spell.end)}" in body
            assert f"{spell.desks}台" in body
        assert "最长排队约" in body  # the simulated prediction is there and labelled
        assert "合成数据" in body  # both bundled scenarios are synthetic


def test_the_timetable_is_in_call_time_order(tmp_path: Path) -> None:
    scenario = load_scenario("scenarios/tiny")
    plan = baseline(scenario, "stagger").plan
    # Reverse the call times so that time order and building order disagree.
    times = sorted(c.call_time for c in plan.calls)
    ordered = sorted(plan.calls, key=lambda c: c.building_id)
    calls = [dataclasses.replace(c, call_time=t) for c, t in zip(ordered, times[::-1], strict=True)]
    plan = dataclasses.replace(plan, calls=tuple(calls))
    result = print_sheets(scenario, plan, tmp_path, kinds=["sites"], combined=False, reps=0)
    for site_id, path in result.sites.items():
        own = sorted((c for c in calls if c.site_id == site_id), key=lambda c: c.call_time)
        assert len(own) >= 2
        expected = [x for c in own for x in (format_hhmm(c.call_time), c.building_id)]
        assert in_order(pdf_text(path), expected), site_id


def test_a_long_timetable_continues_with_its_header(tmp_path: Path) -> None:
    scenario = load_scenario("scenarios/compound-103")
    plan = baseline(scenario, "stagger").plan
    # Call every building floor by floor: the busiest site gets well over a page of calls.
    calls: list[Call] = []
    for call in plan.calls:
        for floor in range(call.floor_from, call.floor_to + 1):
            calls.append(
                dataclasses.replace(
                    call, floor_from=floor, floor_to=floor, call_time=call.call_time + floor
                )
            )
    long_plan = dataclasses.replace(plan, calls=tuple(calls))
    site = max({c.site_id for c in calls}, key=lambda s: sum(c.site_id == s for c in calls))
    result = print_sheets(
        scenario, long_plan, tmp_path, sites=[site], kinds=["sites"], combined=False, reps=1
    )
    pages = page_texts(result.sites[site])
    assert len(pages) >= 2
    name = flat(scenario.sites[scenario.site_index[site]].name)
    for page in pages[1:]:
        assert "（续）" in page and name in page  # the sheet's title on continuation pages
        assert "序呼叫时间楼栋楼层户数人数扫楼员完成" in page  # the repeated table header
    assert "合计" in pages[-1] and "合计" not in "".join(pages[:-1])
    assert f"第{len(pages)}/{len(pages)}页" in pages[-1]


# ------------------------------------------------------------------------------------------
# Route sheets


def test_sweeper_routes_list_stops_in_order(printed: Printed) -> None:
    scenario, plan, result = printed.scenario, printed.plan, printed.result
    who = names(scenario)
    for sweeper, calls in plan.calls_by_sweeper().items():
        body = pdf_text(result.sweepers[sweeper])
        assert flat(who[sweeper]) in body and sweeper in body
        expected = [x for c in calls for x in (format_hhmm(c.call_time), c.building_id)]
        assert in_order(body, expected), sweeper
        people = sum(c.people for c in calls)
        assert f"{len(calls)}站" in body and f"约{people:,}人" in body


def test_door_team_routes_list_stops_and_members(printed: Printed) -> None:
    scenario, plan, result = printed.scenario, printed.plan, printed.result
    who = names(scenario)
    for team, visits in plan.visits_by_team().items():
        body = pdf_text(result.teams[team])
        spans = [f"{format_hhmm(v.start)}–{format_hhmm(v.end)}" for v in visits]
        assert in_order(
            body, [x for v, s in zip(visits, spans, strict=True) for x in (s, v.building_id)]
        ), team
        members = [s for s in plan.roster if s.post == team]
        assert {s.role for s in members} >= {Role.SAMPLER, Role.REGISTRAR}
        for shift in members:
            assert flat(who[shift.staff_id]) in body
        people = sum(v.people for v in visits)
        assert f"{len(visits)}站，{people:,}人" in body


# ------------------------------------------------------------------------------------------
# Notices and cover


def test_notices_say_where_and_when(printed: Printed) -> None:
    scenario, plan, result = printed.scenario, printed.plan, printed.result
    waves = {b: [c for c in plan.calls if c.building_id == b] for b in plan.site_of_building()}
    visited = {v.building_id for v in plan.visits}
    assert set(result.notices) == set(waves) | visited
    for building in scenario.buildings:
        bid = building.building_id
        first = page_texts(result.notices[bid])[0]
        assert "核酸检测通知" in first and bid in first
        for call in sorted(waves.get(bid, []), key=lambda c: c.floor_from):
            site = scenario.sites[scenario.site_index[call.site_id]]
            assert flat(site.name) in first
            assert f"{format_hhmm(call.call_time)}起" in first
        if building.locked:
            for visit in (v for v in plan.visits if v.building_id == bid):
                assert f"{format_hhmm(visit.start)}–{format_hhmm(visit.end)}" in first
        assert f"{building.committee}居委会" in first


def test_notices_in_four_languages_one_page_each(printed: Printed) -> None:
    call = printed.plan.calls[0]
    pages = page_texts(printed.result.notices[call.building_id])
    if printed.scenario.name.startswith("compound"):
        assert len(pages) == 1  # printed in Chinese only
        return
    assert len(pages) == 4
    zh, en, ja, ko = pages
    when = format_hhmm(call.call_time)
    assert "核酸检测通知" in zh and f"{when}起" in zh
    assert "Notice:PCRscreening" in en and f"from{when}" in en
    assert "PCR検査のお知らせ" in ja and f"{when}から" in ja and "マスクを着用し" in ja
    assert "PCR검사안내" in ko and f"{when}부터" in ko and "마스크를착용하고" in ko


def test_a_notice_always_fits_one_page(tmp_path: Path) -> None:
    scenario = load_scenario("scenarios/compound-103")
    plan = baseline(scenario, "stagger").plan
    tall = max(scenario.buildings, key=lambda b: b.floors if b.mobile else 0)
    first = next(c for c in plan.calls if c.building_id == tall.building_id)
    # One wave per floor: 18 rows of large type would need two pages at full size.
    calls = [c for c in plan.calls if c.building_id != tall.building_id] + [
        dataclasses.replace(first, floor_from=f, floor_to=f, call_time=first.call_time + 5 * f)
        for f in range(1, tall.floors + 1)
    ]
    result = print_sheets(
        scenario,
        dataclasses.replace(plan, calls=tuple(calls)),
        tmp_path,
        kinds=["notices"],
        sites=[first.site_id],
        notice_langs=("zh", "ko"),
        combined=False,
        reps=0,
    )
    pages = page_texts(result.notices[tall.building_id])
    assert len(pages) == 2
    assert f"{format_hhmm(first.call_time + 5 * tall.floors)}起" in pages[0]


def test_cover_sums_up_the_round(printed: Printed) -> None:
    scenario, plan, result = printed.scenario, printed.plan, printed.result
    body = pdf_text(result.cover)  # type: ignore[arg-type]
    assert "指挥部总览" in body and flat(scenario.name) in body
    assert f"{scenario.residents:,}人" in body
    assert f"{len(scenario.buildings)}栋" in body
    opened = len({d.site_id for d in plan.desks})
    assert f"开放{opened}个（候选{len(scenario.sites)}个）" in body
    assert f"{len(plan.calls):,}个呼叫波次" in body
    assert "完成时间下界" in body and "预计完成（模拟）" in body
    for site_id in result.sites:
        assert site_id in body
    total = sum(c.people for c in plan.calls)
    assert f"{total:,}" in body


# ------------------------------------------------------------------------------------------
# Language


def test_english_sheets_have_english_headings(tiny_en: Printed) -> None:
    result = tiny_en.result
    site = pdf_text(next(iter(result.sites.values())))
    assert "Samplingpointsheet" in site and "Callingtimetable" in site and "Total" in site
    assert "呼叫时间表" not in site
    cover = pdf_text(result.cover)  # type: ignore[arg-type]
    assert "Commandpostsummary" in cover and "Expectedfinish(simulated)" in cover
    route = pdf_text(next(iter(result.sweepers.values())))
    assert "Sweeperroute" in route and "扫楼路线" not in route
    notice = pdf_text(next(iter(result.notices.values())))
    assert "Notice:PCRscreening" in notice and "核酸检测通知" not in notice


def test_unknown_site_kind_or_language_is_refused(tmp_path: Path) -> None:
    scenario = load_scenario("scenarios/tiny")
    plan = baseline(scenario, "stagger").plan
    with pytest.raises(ValueError, match="S999"):
        print_sheets(scenario, plan, tmp_path, sites=["S999"], reps=0)
    with pytest.raises(ValueError, match="fr"):
        print_sheets(scenario, plan, tmp_path, notice_langs=["fr"], reps=0)
    with pytest.raises(ValueError, match="posters"):
        print_sheets(scenario, plan, tmp_path, kinds=["posters"], reps=0)


def test_one_site_prints_its_own_sheets_only(tmp_path: Path) -> None:
    scenario = load_scenario("scenarios/compound-103")
    plan = baseline(scenario, "stagger").plan
    site = plan.calls[0].site_id
    result = print_sheets(scenario, plan, tmp_path, sites=[site], reps=0, combined=False)
    assert list(result.sites) == [site]
    assert set(result.sweepers) == {c.sweeper_id for c in plan.calls if c.site_id == site}
    called_here = {c.building_id for c in plan.calls if c.site_id == site}
    assert called_here <= set(result.notices)
    assert not (set(plan.site_of_building()) - called_here) & set(result.notices)
    assert not (tmp_path / "sites.pdf").exists()


# ------------------------------------------------------------------------------------------
# Fonts and rendering


def test_the_cjk_font_is_embedded(printed: Printed) -> None:
    result = printed.result
    samples = [result.cover, next(iter(result.sites.values())), next(iter(result.notices.values()))]
    for path in samples:
        fonts = {}
        for page in PdfReader(path).pages:
            fonts |= {k: v.get_object() for k, v in page["/Resources"]["/Font"].items()}
        assert fonts, path
        for font in fonts.values():
            # Every font used is an embedded TrueType subset: nothing is left to the reader.
            descriptor = font["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor, (path, font["/BaseFont"])
            assert re.match(r"/[A-Z]{6}\+", str(font["/BaseFont"])), font["/BaseFont"]


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils not installed")
def test_pdffonts_reports_every_font_embedded(printed: Printed) -> None:
    out = subprocess.run(
        ["pdffonts", str(printed.result.combined["routes"])],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rows = out.splitlines()[2:]
    assert rows
    for row in rows:
        emb = re.search(r"\s(yes|no)\s+(yes|no)\s+(yes|no)\s", row)
        assert emb and emb.group(1) == "yes", row


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_page_one_of_each_kind_renders(printed: Printed, tmp_path: Path) -> None:
    result = printed.result
    kinds = {
        "cover": result.cover,
        "site": next(iter(result.sites.values())),
        "sweeper": next(iter(result.sweepers.values())),
        "team": next(iter(result.teams.values())),
        "notice": next(iter(result.notices.values())),
    }
    for kind, path in kinds.items():
        prefix = tmp_path / kind
        subprocess.run(
            ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(path), str(prefix)],
            check=True,
            capture_output=True,
        )
        png = next(tmp_path.glob(f"{kind}*.png"))
        assert png.read_bytes().startswith(b"\x89PNG"), kind
        # The page is not blank: a grey map has plenty of dark (text) pixels.
        gray = subprocess.run(
            ["pdftoppm", "-gray", "-r", "50", "-f", "1", "-l", "1", str(path)],
            check=True,
            capture_output=True,
        ).stdout
        width, height = map(int, gray.split(b"\n")[1].split())
        pixels = gray[-width * height :]
        dark = sum(1 for p in pixels if p < 128)
        assert dark > 0.003 * width * height, kind


def test_missing_font_path_gives_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.ttf"
    with pytest.raises(FontNotFound) as err:
        find_cjk_font(missing, lang="en")
    message = str(err.value)
    assert str(missing) in message and "fonts-wqy-microhei" in message
    scenario = load_scenario("scenarios/tiny")
    plan = baseline(scenario, "stagger").plan
    with pytest.raises(FontNotFound, match=r"nope\.ttf"):
        print_sheets(scenario, plan, tmp_path / "out", font_path=missing, reps=0)
    assert not (tmp_path / "out").exists()  # nothing is written before the font is found


def test_no_font_anywhere_names_the_paths_tried(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    nowhere = [tmp_path / "a.ttc", tmp_path / "b.ttf"]
    monkeypatch.setattr(fonts_module, "candidate_paths", lambda: nowhere)
    monkeypatch.delenv(fonts_module.FONT_ENV, raising=False)
    with pytest.raises(FontNotFound) as err:
        find_cjk_font(lang="en")
    message = str(err.value)
    assert all(str(p) in message for p in nowhere)
    assert "apt-get install fonts-wqy-microhei" in message and "--font" in message


def test_cff_fonts_are_detected_and_refused(tmp_path: Path) -> None:
    # A minimal sfnt header: 'OTTO' (CFF outlines) with a table directory naming 'CFF '.
    cff = tmp_path / "cff.otf"
    cff.write_bytes(b"OTTO" + (1).to_bytes(2, "big") + bytes(6) + b"CFF " + bytes(12))
    assert outline_kind(cff) == "cff"
    with pytest.raises(FontNotFound, match="CFF"):
        find_cjk_font(cff, lang="en")
    assert outline_kind(find_cjk_font()) == "truetype"


def test_a_font_without_chinese_is_refused() -> None:
    latin = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if not latin.is_file():
        pytest.skip("DejaVu Sans not installed")
    with pytest.raises(FontNotFound, match="Chinese"):
        find_cjk_font(latin, lang="en")


def test_the_font_has_every_notice_glyph() -> None:
    font = load_font(find_cjk_font())
    for lang in ALL_LANGS:
        assert font.missing(notice_sample(lang)) == "", lang


# ------------------------------------------------------------------------------------------
# Catalogue and helpers


def test_notice_texts_exist_in_four_languages() -> None:
    def fields(template: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name}

    assert len(NOTICE_KEYS) >= 10
    for key in NOTICE_KEYS:
        zh, en = CATALOGUE[key]
        ja, ko = CATALOGUE[f"{key}_ja"][0], CATALOGUE[f"{key}_ko"][0]
        assert fields(zh) == fields(en) == fields(ja) == fields(ko), key
    assert re.search("[\u3040-\u30ff]", notice_sample("ja"))  # kana
    assert re.search("[\uac00-\ud7a3]", notice_sample("ko"))  # hangul


def test_every_sheet_message_key_exists() -> None:
    source = "\n".join(p.read_text(encoding="utf-8") for p in Path("planner/sheets").glob("*.py"))
    used = set(re.findall(r'\bt\(\s*"([a-z_]+)"', source))
    used |= set(re.findall(r'text\(\s*"([a-z_]+)"', source))
    assert len(used) > 40
    assert used <= set(CATALOGUE), used - set(CATALOGUE)


def test_seats_never_double_book_a_desk() -> None:
    def shift(sid: str, start: int, end: int) -> CrewShift:
        return CrewShift(sid, sid, Role.SAMPLER, start, end)

    # b takes desk 1 (it ends first), a desk 2; a comes back at 500 when both desks are free.
    shifts = [
        shift("a", 360, 480),
        shift("b", 360, 400),
        shift("a", 500, 840),
        shift("c", 600, 700),
    ]
    seats = seat_crews(shifts)
    assert len(seats) == 2  # never more than two people at once
    for seat in seats:
        assert all(x.end <= y.start for x, y in pairwise(seat))
    # "a" returns to the desk it left, although desk 1 is free and lower.
    desk_of_a = {k for k, seat in enumerate(seats) for s in seat if s.staff_id == "a"}
    assert desk_of_a == {1}
    key = lambda s: (s.staff_id, s.start)  # noqa: E731
    assert sorted((s for seat in seats for s in seat), key=key) == sorted(shifts, key=key)
