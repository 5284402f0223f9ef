"""The command post's page. Routing only: each page lives in ui/ and calls the library.

Run with ``.venv/bin/streamlit run app.py``.
"""

import streamlit as st

from ui.i18n import language_switch, t

st.set_page_config(page_title=t("app_title"), layout="wide")
language_switch()
# Titles follow the language; the pages' URLs come from their file names and stay the same.
page = st.navigation(
    [
        st.Page("ui/scenario_page.py", title=t("page_scenario"), default=True),
        st.Page("ui/plan_page.py", title=t("page_plan")),
        st.Page("ui/edit_page.py", title=t("page_edit")),
        st.Page("ui/print_page.py", title=t("page_print")),
        st.Page("ui/progress_page.py", title=t("page_progress")),
    ]
)
page.run()
