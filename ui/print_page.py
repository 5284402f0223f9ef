"""Print page: the field sheets as PDFs (one site, all sites, building notices, the cover) and the
plan folder as a zip, for the plan being worked on (edits included)."""

from __future__ import annotations

import json

import streamlit as st

from planner.edits import to_record
from planner.sheets import NOTICE_LANGS
from ui import downloads, session, state
from ui.i18n import lang, t

#: Notice languages by their own names (as a resident would look for them).
NOTICE_NAMES = {"zh": "中文", "en": "English", "ja": "日本語", "ko": "한국어"}


def _offer(key: tuple[str, ...], label: str, make: downloads.Maker) -> None:
    """A "prepare" button, then the download button once the file exists."""
    store: dict[tuple[str, ...], downloads.Download] = st.session_state.setdefault(
        state.DOWNLOADS, {}
    )
    ready = store.get(key)
    a, b = st.columns([1, 2], vertical_alignment="center")
    if ready is None:
        if a.button(t("print_prepare", what=label), key=f"{state.PREPARE}_" + "_".join(key[-2:])):
            with st.spinner(t("print_working")):
                try:
                    store[key] = make()
                except downloads.PrintFailed as exc:
                    st.error(str(exc))
                    return
            st.rerun()
        return
    a.download_button(
        t("print_download", what=label),
        data=ready.data,
        file_name=ready.name,
        mime=ready.mime,
        key=f"{state.DOWNLOAD}_" + "_".join(key[-2:]),
    )
    b.caption(t("print_ready", name=ready.name, size=f"{len(ready.data) / 1024:,.0f}"))


def render() -> None:
    st.title(t("print_title"))
    sc = session.scenario()
    if sc is None:
        return
    working = session.working_plan(sc)
    if working is None:
        st.info(t("view_no_plan"))
        return
    plan, ver, edits = working
    st.caption(t("view_version_line", label=ver.label, id=ver.id, edits=len(edits)))
    plan_key = ver.id + json.dumps([to_record(e) for e in edits], sort_keys=True)
    language = lang()
    # Files of other plans (before an edit, another version) are not offered: let them go.
    store = st.session_state.setdefault(state.DOWNLOADS, {})
    for old in [k for k in store if k[0] != plan_key]:
        del store[old]

    st.subheader(t("print_sheets"))
    used = sorted({d.site_id for d in plan.desks}, key=lambda s: sc.site_index[s])
    names = {s.site_id: f"{s.site_id} {s.name}" for s in sc.sites}
    notice_langs = st.multiselect(
        t("print_notice_langs"),
        list(NOTICE_LANGS),
        default=[language],
        key=state.PRINT_NOTICE_LANGS,
        format_func=lambda code: NOTICE_NAMES.get(code, code),
    ) or [language]
    langs_key = "+".join(notice_langs)
    if used:
        site = st.selectbox(t("view_site"), used, key=state.PRINT_SITE, format_func=names.get)
        _offer(
            (plan_key, language, "site", site),
            t("print_one_site", site=site),
            lambda: downloads.site_pdf(sc, plan, site, language),
        )
        _offer(
            (plan_key, language, "routes", site),
            t("print_site_routes", site=site),
            lambda: downloads.kind_pdf(sc, plan, "routes", language, site),
        )
        _offer(
            (plan_key, language, langs_key, "notices", site),
            t("print_site_notices", site=site),
            lambda: downloads.kind_pdf(sc, plan, "notices", language, site, notice_langs),
        )
    st.divider()
    _offer(
        (plan_key, language, "sites", "all"),
        t("print_all_sites"),
        lambda: downloads.kind_pdf(sc, plan, "sites", language),
    )
    _offer(
        (plan_key, language, "routes", "all"),
        t("print_all_routes"),
        lambda: downloads.kind_pdf(sc, plan, "routes", language),
    )
    _offer(
        (plan_key, language, langs_key, "notices", "all"),
        t("print_notices"),
        lambda: downloads.kind_pdf(sc, plan, "notices", language, None, notice_langs),
    )
    _offer(
        (plan_key, language, "cover", "all"),
        t("print_cover"),
        lambda: downloads.kind_pdf(sc, plan, "cover", language),
    )
    st.subheader(t("print_plan_folder"))
    _offer(
        (plan_key, language, "plan", "zip"),
        t("print_plan_zip"),
        lambda: downloads.plan_zip(sc, plan),
    )


render()
