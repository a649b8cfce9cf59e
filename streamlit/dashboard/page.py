"""What every page does first: the layout, the session, the deployment's settings, the sidebar."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from streamlit.errors import StreamlitAPIException

from dashboard import filters, queries
from dashboard.queries import Filters, Settings
from dashboard.session import Connection, NoSession, connection


@dataclass(frozen=True)
class Page:
    conn: Connection
    filters: Filters
    settings: Settings
    status: dict


def start(title: str, caption: str, long_windows: bool = False) -> Page:
    """Lays out the page and reads the filters. A page that reads the raw history only
    (``long_windows`` false) says so, and stops, when the window is longer than the history."""
    try:
        # Only the layout: Streamlit in Snowflake ignores page_title and page_icon.
        st.set_page_config(layout="wide")
    except StreamlitAPIException:
        pass  # Streamlit before 1.44 allows it once per run, as the first command
    st.title(title)
    st.caption(caption)
    try:
        conn = connection()
    except NoSession as error:
        st.error(str(error))
        st.stop()
    try:
        settings = queries.settings(conn)
    except queries.MissingSettings as error:
        st.error(str(error))
        st.stop()
    status = queries.pipeline_status(conn)
    chosen = filters.sidebar(conn, settings, queries.utc_now(), status)
    if chosen.from_rollups and not long_windows:
        st.info(f"This page reads the raw history, which keeps {settings.history_days} days. "
                f"Choose a window of {settings.history_days} days or less; Overview and Agents answer the "
                f"{chosen.window.label.lower()} from the daily rollups.")
        st.stop()
    return Page(conn, chosen, settings, status)
