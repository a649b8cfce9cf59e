"""Wallmonitor: monitoring of Snowflake Cortex Agents, on Streamlit in Snowflake.

The main file of the app (Snowflake requires it at the folder's root). It routes to the pages:
Overview here, the others in pages/. Streamlit versions with st.navigation (1.36 and later)
get titled pages; older ones fall back to the pages/ folder, where Overview is this file.
"""

import streamlit as st

from dashboard import overview

PAGES = (
    ("pages/1_Threads.py", "Threads", ":material/forum:"),
    ("pages/2_Agents.py", "Agents", ":material/smart_toy:"),
    ("pages/3_Users.py", "Users", ":material/group:"),
    ("pages/4_Errors.py", "Errors", ":material/error:"),
    ("pages/5_Feedback.py", "Feedback", ":material/thumbs_up_down:"),
    ("pages/6_Pipeline_health.py", "Pipeline health", ":material/monitor_heart:"),
    ("pages/7_Alerts.py", "Alerts", ":material/notifications:"),
    ("pages/8_Cost.py", "Cost", ":material/payments:"),
    ("pages/9_Organisation.py", "Organisation", ":material/domain:"),
    ("pages/10_Versions.py", "Versions", ":material/compare_arrows:"),
    ("pages/11_SLOs.py", "SLOs", ":material/speed:"),
)

if hasattr(st, "navigation"):
    st.navigation([
        st.Page(overview.render, title="Overview", icon=":material/dashboard:", default=True),
        *(st.Page(path, title=title, icon=icon) for path, title, icon in PAGES),
    ]).run()
else:
    overview.render()
