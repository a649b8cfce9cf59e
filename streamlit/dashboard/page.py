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


def start(title: str, caption: str) -> Page:
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
    settings = queries.settings(conn)
    status = queries.pipeline_status(conn)
    chosen = filters.sidebar(conn, settings, queries.utc_now(), status)
    return Page(conn, chosen, settings, status)
