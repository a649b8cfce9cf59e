"""The filter sidebar every page shares: time window, agents, users, models.

Choices live in session state under fixed keys, so they follow the viewer from page to page.
Options come from the data in the window; a value is only ever passed to a query as a bind.
"""

from __future__ import annotations

import streamlit as st

from dashboard import fmt, org, queries
from dashboard.queries import DEFAULT_WINDOW, WINDOWS, Filters, Settings
from dashboard.session import Connection

WINDOW_KEY, AGENTS_KEY, USERS_KEY, MODELS_KEY = "wm_window", "wm_agents", "wm_users", "wm_models"
_DEFAULTS = {WINDOW_KEY: DEFAULT_WINDOW.label, AGENTS_KEY: [], USERS_KEY: [], MODELS_KEY: []}


def _keep_choices() -> None:
    """Streamlit forgets a widget's value on a page that does not draw it; re-assigning the
    value at the top of every page keeps the choices while the viewer moves between pages."""
    for key, default in _DEFAULTS.items():
        st.session_state[key] = st.session_state.get(key, default)


def sidebar(conn: Connection, settings: Settings, now, status: dict) -> Filters:
    _keep_choices()
    labels = [window.label for window in WINDOWS]
    if st.session_state[WINDOW_KEY] not in labels:
        st.session_state[WINDOW_KEY] = DEFAULT_WINDOW.label
    with st.sidebar:
        st.markdown("### Filters")
        label = st.radio("Time window", labels, key=WINDOW_KEY, horizontal=True)
        window = next(w for w in WINDOWS if w.label == label)
        unfiltered = Filters(window=window, now=now, settings=settings)
        if unfiltered.from_rollups:
            st.caption(f"Longer than the {settings.history_days}-day history: whole UTC days from the daily "
                       "rollups. User and model filters apply within the history only.")
        elif window.hours > settings.realtime_window_hours:
            st.caption("Beyond the realtime window, thread rollups lag by the dynamic tables' target lag.")
        options = queries.filter_options(conn, unfiltered)
        chosen = {}
        for key, name, label_text in ((AGENTS_KEY, "agents", "Agents"), (USERS_KEY, "users", "Users"),
                                      (MODELS_KEY, "models", "Models")):
            if unfiltered.from_rollups and name != "agents":
                continue  # kept in session state for the shorter windows
            # Keep what is chosen even when the new window no longer shows it.
            choices = sorted(set(options[name]) | set(st.session_state[key]))
            chosen[name] = tuple(st.multiselect(label_text, choices, key=key, placeholder=f"All {name}"))
        if org.is_central(conn):  # a central deployment: the organisation's accounts
            org.account_filter(conn)
        if st.button("Refresh data", help="Read the views again now instead of within 30 seconds"):
            st.cache_data.clear()
        st.divider()
        st.caption(f"Reading `{conn.database}.{conn.schema}` · times in UTC")
        st.caption(f"Newest event {fmt.ago(status['NEWEST_EVENT'], now)} · "
                   f"last refresh {fmt.ago(status['LAST_REFRESH_AT'], now)}")
    return Filters(window=window, now=now, settings=settings, **chosen)
