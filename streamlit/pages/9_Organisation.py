"""Organisation: every account's agents side by side, on a central deployment."""

from datetime import timedelta

import pandas as pd
import streamlit as st

from dashboard import charts, fmt, org, page

PERIODS = {"Last 7 days": 7, "Last 30 days": 30, "Last 90 days": 90, "Last 365 days": 365}
ACCOUNT_COLUMNS = {
    "SOURCE_ACCOUNT": "Account",
    "AGENTS": st.column_config.NumberColumn("Agents"),
    "USERS": st.column_config.NumberColumn("Users"),
    "TURNS": st.column_config.NumberColumn("Turns"),
    "FAILED_TURNS": st.column_config.NumberColumn("Failed turns"),
    "TURN_ERROR_RATE_PCT": st.column_config.NumberColumn("Failed %", format="%.1f"),
    "TOKENS": st.column_config.NumberColumn("Tokens"),
    "EVENTS": st.column_config.NumberColumn("Events"),
    "LAST_EVENT": st.column_config.DatetimeColumn("Last event (UTC)", format="YYYY-MM-DD HH:mm"),
}
AGENT_COLUMNS = {
    "SOURCE_ACCOUNT": "Account",
    "AGENT_FULL_NAME": "Agent",
    "TURNS": st.column_config.NumberColumn("Turns"),
    "FAILED_TURNS": st.column_config.NumberColumn("Failed turns"),
    "TOKENS": st.column_config.NumberColumn("Tokens"),
    "LAST_EVENT": st.column_config.DatetimeColumn("Last event (UTC)", format="YYYY-MM-DD HH:mm"),
}


def main() -> None:
    current = page.start("Organisation", "Every account's agents, from the daily rollups each member shares "
                                         "with this central account (UTC days).", long_windows=True)
    conn = current.conn
    if not org.is_central(conn):
        st.info("**This deployment is not the organisation's central account.** Set "
                "`wallmonitor:accountRole` to `central`, list the members in `wallmonitor:orgMembers` and run "
                "`pulumi up` (README, \"Org-wide rollout\").")
        return
    label = st.radio("Period", list(PERIODS), index=1, key="wm_org_period", horizontal=True)
    since = current.filters.now.date() - timedelta(days=PERIODS[label] - 1)
    chosen = org.chosen_accounts()
    totals = pd.DataFrame(org.account_totals(conn, since, chosen))
    if totals.empty:
        st.info(f"No rollups in the {label.lower()} for these accounts. Each account rolls its events up after "
                "every ingestion cycle; a member's rows appear here once its share is mounted.")
        return
    totals["TURN_ERROR_RATE_PCT"] = [fmt.rate(failed, turns) for failed, turns in zip(totals["FAILED_TURNS"], totals["TURNS"])]
    cells = st.columns(4)
    cells[0].metric("Accounts", fmt.number(len(totals)))
    cells[1].metric("Turns", fmt.number(totals["TURNS"].sum()))
    cells[2].metric("Failed turns", fmt.percent(fmt.rate(totals["FAILED_TURNS"].sum(), totals["TURNS"].sum())))
    # Users of different accounts are different people: the organisation's users add up.
    cells[3].metric("Users", fmt.number(totals["USERS"].sum()))
    st.dataframe(totals[list(ACCOUNT_COLUMNS)], column_config=ACCOUNT_COLUMNS, hide_index=True)
    daily = charts.frame(org.daily_turns(conn, since, chosen), "BUCKET")
    charts.show(charts.stacked_over_time(daily, "TURNS", "SOURCE_ACCOUNT", "Turns per day by account", "turns", "day"))
    st.subheader("Agents")
    agents = pd.DataFrame(org.agents(conn, since, chosen))
    st.dataframe(agents[list(AGENT_COLUMNS)], column_config=AGENT_COLUMNS, hide_index=True)


main()
