"""The command post's page. Routing only: each page lives in ui/ and calls the library.

Run with ``.venv/bin/streamlit run app.py``.
"""

import streamlit as st

from ui.i18n import language_switch

st.set_page_config(page_title="核酸筛查规划 / Screening planner", layout="wide")
language_switch()
page = st.navigation(
    [
        st.Page("ui/scenario_page.py", title="场景 / Scenario", default=True),
        st.Page("ui/plan_page.py", title="方案 / Plan"),
        st.Page("ui/edit_page.py", title="修改 / Edit"),
        st.Page("ui/print_page.py", title="打印 / Print"),
        st.Page("ui/progress_page.py", title="进度看板 / Progress"),
    ]
)
page.run()
