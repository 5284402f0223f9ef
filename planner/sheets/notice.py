"""Notices for residents, one per building, to post at the building's door.

Large type, one A4 page per language: which sampling point to go to, when each floor group is
called, what to bring, and whom to ask. Chinese by default; English, Japanese and Korean on
request (seed 004: a committee with many foreign residents posted notices in all four). The
texts live in the message catalogue: ``zh`` and ``en`` under each ``sheet_notice_*`` key, ``ja``
and ``ko`` under the same key with a ``_ja`` or ``_ko`` suffix.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from functools import partial
from typing import Literal, cast, get_args

from reportlab.platypus import Flowable, KeepInFrame, Spacer

from planner.messages import CATALOGUE, Lang, text
from planner.model import Building
from planner.plan import Call, Visit
from planner.sheets.context import Context
from planner.sheets.layout import BODY_H, BODY_W, Sheet, grid, make_styles, para
from planner.timefmt import format_hhmm

NoticeLang = Literal["zh", "en", "ja", "ko"]
NOTICE_LANGS: tuple[NoticeLang, ...] = get_args(NoticeLang)

#: Marks each instruction; a solid square prints well in black and white.
BULLET = "■ "

#: Notice keys: each has ``zh``/``en`` texts and ``_ja``/``_ko`` variants in the catalogue.
NOTICE_KEYS = tuple(
    key for key in CATALOGUE if key.startswith("sheet_notice_") and not key.endswith(("_ja", "_ko"))
)


def notice_text(key: str, lang: NoticeLang, /, **values: object) -> str:
    """The notice message ``key`` in any of the four notice languages."""
    if lang in ("zh", "en"):
        return text(key, lang, **values)
    # The ja/ko entries hold the same text in both catalogue slots; read the first.
    return text(f"{key}_{lang}", "zh", **values)


def notice_sample(lang: NoticeLang) -> str:
    """Every character the notice templates of ``lang`` print, data aside (for a font check)."""
    parts = [BULLET]
    for key in NOTICE_KEYS:
        parts += [literal for literal, *_ in string.Formatter().parse(_template(key, lang))]
    return "".join(parts)


def _template(key: str, lang: NoticeLang) -> str:
    zh, en = CATALOGUE[key if lang in ("zh", "en") else f"{key}_{lang}"]
    return en if lang == "en" else zh


def _wraps_anywhere(lang: NoticeLang) -> bool:
    # Chinese and Japanese lines break between any characters; English and Korean at spaces.
    return lang in ("zh", "ja")


def notice_sheet(
    ctx: Context,
    building: Building,
    waves: Sequence[Call],
    visits: Sequence[Visit],
    lang: NoticeLang,
) -> Sheet:
    """The notice of ``building`` in ``lang``: one page, shrunk only if it would not fit."""
    title = f"{building.building_id} · {ctx.t('sheet_lang_' + lang)}"
    return Sheet(title=title, build=partial(_story, ctx, building, waves, visits, lang))


def _story(
    ctx: Context,
    building: Building,
    waves: Sequence[Call],
    visits: Sequence[Visit],
    lang: NoticeLang,
) -> list[Flowable]:
    st = make_styles(ctx.styles.font, _wraps_anywhere(lang))
    scenario = ctx.scenario

    def t(key: str, **values: object) -> str:
        return notice_text(key, lang, **values)

    def floors(lo: int, hi: int) -> str:
        if lo == hi:
            return t("sheet_notice_floor", floor=lo)
        return t("sheet_notice_floors", lo=lo, hi=hi)

    def table(time_heading: str, rows: list[list[str]]) -> Flowable:
        head = [[t("sheet_notice_col_floors"), time_heading]]
        return grid(head + rows, [BODY_W / 2, BODY_W / 2], st, size=24, padding=8)

    story: list[Flowable] = [
        para(t("sheet_notice_title"), st.big_title),
        para(
            t("sheet_notice_building", building=building.building_id, compound=building.compound),
            st.big,
        ),
    ]
    if waves:
        site = scenario.sites[scenario.site_index[waves[0].site_id]]
        story += [
            para(t("sheet_notice_site", site=site.name), st.big_box),
            para(t("sheet_notice_when"), st.big),
        ]
        rows = [
            [
                floors(c.floor_from, c.floor_to),
                t("sheet_notice_from", time=format_hhmm(c.call_time)),
            ]
            for c in waves
        ]
        story.append(table(t("sheet_notice_col_time"), rows))
    if visits and building.locked:
        story += [para(t("sheet_notice_locked"), st.big_box)]
        rows = [
            [floors(v.floor_from, v.floor_to), ctx.span(v.start, v.end)]
            for v in sorted(visits, key=lambda v: (v.start, v.floor_from))
        ]
        story.append(table(t("sheet_notice_col_door"), rows))
    elif visits:
        start = min(v.start for v in visits)
        end = max(v.end for v in visits)
        immobile = t("sheet_notice_immobile", start=format_hhmm(start), end=format_hhmm(end))
        story += [Spacer(1, 8), para(immobile, st.big)]
    story += [
        Spacer(1, 10),
        para(BULLET + t("sheet_notice_bring"), st.big),
        para(BULLET + t("sheet_notice_mask"), st.big),
        Spacer(1, 10),
        para(t("sheet_notice_contact", committee=building.committee), st.big),
    ]
    if ctx.synthetic_note:
        story += [Spacer(1, 12), para(ctx.synthetic_note, ctx.styles.banner)]
    # A building with many floor groups would run over the page: shrink it to fit instead,
    # since a notice is posted as one sheet.
    return [KeepInFrame(BODY_W, BODY_H - 4, story, mode="shrink")]


def notice_languages(values: Sequence[str] | None, lang: Lang) -> tuple[NoticeLang, ...]:
    """Validated notice languages, in the order given; the run's language when ``None``."""
    if values is None:
        return (lang,)
    out: list[NoticeLang] = []
    for value in values:
        if value not in NOTICE_LANGS:
            allowed = ", ".join(NOTICE_LANGS)
            raise ValueError(text("sheet_unknown_notice_lang", lang, value=value, allowed=allowed))
        if value not in out:
            out.append(cast(NoticeLang, value))
    return tuple(out)
