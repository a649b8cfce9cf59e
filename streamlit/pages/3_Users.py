"""Users: who uses the agents, how much, and how their turns go."""

import pandas as pd
import streamlit as st

from dashboard import charts, fmt, notices, page, queries

COLUMNS = {
    "USER_ID": "User",
    "TURNS": st.column_config.NumberColumn("Turns"),
    "ACTIVE_THREADS": st.column_config.NumberColumn("Threads"),
    "ACTIVE_AGENTS": st.column_config.NumberColumn("Agents"),
    "FAILED_TURNS": st.column_config.NumberColumn("Failed turns"),
    "TOKENS": st.column_config.NumberColumn("Tokens"),
    "P95_TURN_LATENCY_MS": st.column_config.NumberColumn("p95 latency (ms)", format="%.0f"),
    "LAST_SEEN": st.column_config.DatetimeColumn("Last seen (UTC)", format="YYYY-MM-DD HH:mm"),
}
TOP = 15


def main() -> None:
    current = page.start("Users", "People using the agents in the window.")
    conn, f = current.conn, current.filters
    search = st.text_input("Find a user", key="wm_user_search", placeholder="User name contains…", max_chars=20_000)
    users = pd.DataFrame(queries.users(conn, f, search))
    if users.empty:
        if search:
            st.info("No user in the window has a name containing that text.")
        else:
            notices.nothing_to_show(current, "users")
        return
    cells = st.columns(4)
    cells[0].metric("Users", fmt.number(len(users)))
    cells[1].metric("Turns per user", fmt.number(users["TURNS"].sum() / len(users)))
    with cells[2]:
        charts.name_metric("Most active", str(users.iloc[0]["USER_ID"]), f"{fmt.number(users.iloc[0]['TURNS'])} turns")
    cells[3].metric("Users with a failed turn", fmt.number(int((users["FAILED_TURNS"] > 0).sum())))
    top = users.head(TOP).copy()
    top["OK_TURNS"] = top["TURNS"] - top["FAILED_TURNS"]
    outcome = top.melt(id_vars=["USER_ID"], value_vars=["OK_TURNS", "FAILED_TURNS"], var_name="STATUS", value_name="N")
    outcome["STATUS"] = outcome["STATUS"].map({"OK_TURNS": "OK", "FAILED_TURNS": "ERROR"})
    charts.show(charts.bars(outcome, "USER_ID", "N", f"Turns of the {min(TOP, len(users))} most active users", "turns",
                            color="STATUS", scale=charts.STATUS_COLORS))
    st.dataframe(users[list(COLUMNS)], column_config=COLUMNS, hide_index=True)


main()
