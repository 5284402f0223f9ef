"""The page's language switch, backed by the one message catalogue."""

from __future__ import annotations

import streamlit as st

from planner.messages import Lang, text
from ui import state


def lang() -> Lang:
    """The language chosen in the sidebar (Chinese by default)."""
    value = st.session_state.get(state.LANG, "zh")
    return "en" if value == "en" else "zh"


def t(key: str, **values: object) -> str:
    """Catalogue text in the page's language."""
    return text(key, lang(), **values)


def language_switch() -> None:
    """Sidebar radio between 中文 and English; persists in session state."""
    st.sidebar.radio(
        "语言 / Language",
        options=["zh", "en"],
        format_func=lambda code: "中文" if code == "zh" else "English",
        key=state.LANG,
        horizontal=True,
    )
