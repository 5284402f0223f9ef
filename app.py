"""The command post's page. Routing only: each page lives in ui/ and calls the library.

Run with ``.venv/bin/streamlit run app.py``.
"""

import streamlit as st

from ui.i18n import language_switch

st.set_page_config(page_title="核酸筛查规划 / Screening planner", layout="wide")
language_switch()
page = st.navigation([st.Page("ui/scenario_page.py", title="场景 / Scenario", default=True)])
page.run()
