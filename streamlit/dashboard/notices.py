"""Empty states that say what to check, with the statement to run."""

from __future__ import annotations

import streamlit as st

from dashboard import fmt
from dashboard.page import Page


def nothing_to_show(page: Page, what: str) -> None:
    """Why a page has no ``what``: no agents registered, no events loaded, or only nothing in
    this window and these filters."""
    conn, settings, status = page.conn, page.settings, page.status
    schema = f"{conn.database}.{conn.schema}"
    if not status["AGENTS"]:
        st.info("**No agents registered yet.** Discovery registers Cortex Agents after each refresh; "
                "run it now as the owner role, or register one by hand:")
        st.code(f"CALL {schema}.DISCOVER_AGENTS();\n"
                f"INSERT INTO {schema}.AGENT_REGISTRY (AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME) "
                "VALUES ('MY_DB', 'MY_SCHEMA', 'MY_AGENT');", language="sql")
    elif status["NEWEST_EVENT"] is None:
        task = settings.refresh_task.split(".")[-1]
        st.info(f"**No events yet: is the task running?** Its state should be `started`; "
                f"the Pipeline health page shows each agent's last refresh.")
        st.code(f"SHOW TASKS LIKE '{task}' IN SCHEMA {schema};", language="sql")
    else:
        st.info(f"No {what} in the {page.filters.window.label.lower()} for these filters. "
                f"The newest event arrived {fmt.ago(status['NEWEST_EVENT'], page.filters.now)}: "
                "widen the time window or clear a filter.")


# Shown instead of empty cells when the deployment stores no text a user typed.
TEXT_NOT_STORED = ("**{what} are not stored in this deployment.** Wallmonitor keeps text people typed, or that "
                   "an agent derived from it, only when the stack sets `wallmonitor:storeConversationText: true`; "
                   "the rest of this page is complete without it.")


def text_not_stored(what: str) -> None:
    st.info(TEXT_NOT_STORED.format(what=what))
