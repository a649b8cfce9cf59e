"""Errors: what failed in the window, grouped by agent, where it failed and why."""

import pandas as pd
import streamlit as st

from dashboard import charts, fmt, notices, page, queries

WHERE = {"AGENT_RUN": "turn", "LLM_CALL": "model call", "TOOL_EXECUTION": "tool", "RETRIEVAL": "search", "OTHER": "other"}
GROUP_COLUMNS = {
    "AGENT_FULL_NAME": "Agent",
    "WHERE": "Failed in",
    "TOOL_NAME": "Tool",
    "ERROR_MESSAGE": "Status description",
    "ERRORS": st.column_config.NumberColumn("Errors"),
    "THREADS": st.column_config.NumberColumn("Threads"),
    "LAST_SEEN": st.column_config.DatetimeColumn("Last seen (UTC)", format="YYYY-MM-DD HH:mm"),
}
RECENT_COLUMNS = {
    "EVENT_TIMESTAMP": st.column_config.DatetimeColumn("When (UTC)", format="YYYY-MM-DD HH:mm:ss"),
    "AGENT_FULL_NAME": "Agent",
    "THREAD_ID": "Thread",
    "USER_ID": "User",
    "WHERE": "Failed in",
    "TOOL_NAME": "Tool",
    "ERROR_MESSAGE": "Status description",
}


def main() -> None:
    current = page.start("Errors", "Failed turns, model calls, tools and searches in the window.")
    conn, f = current.conn, current.filters
    groups = pd.DataFrame(queries.error_groups(conn, f))
    if groups.empty:
        if queries.kpis(conn, f)["current"]["ACTIVE_THREADS"]:
            st.success(f"No failures in the {f.window.label.lower()}.")
        else:
            notices.nothing_to_show(current, "agent activity")
        return
    groups["WHERE"] = groups["SPAN_CATEGORY"].map(WHERE).fillna(groups["SPAN_CATEGORY"])
    turns = groups[groups["SPAN_CATEGORY"] == "AGENT_RUN"]
    components = groups[groups["SPAN_CATEGORY"] != "AGENT_RUN"]
    cells = st.columns(4)
    cells[0].metric("Failed turns", fmt.number(turns["ERRORS"].sum()))
    cells[1].metric("Failed tool and model calls", fmt.number(components["ERRORS"].sum()))
    cells[2].metric("Failing tools", fmt.number(components["TOOL_NAME"].dropna().nunique()))
    cells[3].metric("Distinct causes", fmt.number(groups["ERROR_MESSAGE"].nunique()))

    left, right = st.columns(2)
    with left:
        by_agent = charts.short_agent_names(groups).groupby(["AGENT", "AGENT_FULL_NAME", "WHERE"], as_index=False)["ERRORS"].sum()
        charts.show(charts.bars(by_agent, "AGENT", "ERRORS", "Errors by agent", "errors", color="WHERE",
                                full_name="AGENT_FULL_NAME"))
    with right:
        causes = groups.groupby("ERROR_MESSAGE", as_index=False)["ERRORS"].sum().nlargest(10, "ERRORS")
        charts.show(charts.bars(causes, "ERROR_MESSAGE", "ERRORS", "Most frequent causes", "errors"))

    st.subheader("Grouped by agent, tool and status description")
    st.dataframe(groups[list(GROUP_COLUMNS)], column_config=GROUP_COLUMNS, hide_index=True)
    st.subheader("Most recent")
    recent = pd.DataFrame(queries.recent_errors(conn, f))
    recent["WHERE"] = recent["SPAN_CATEGORY"].map(WHERE).fillna(recent["SPAN_CATEGORY"])
    st.dataframe(recent[list(RECENT_COLUMNS)], column_config=RECENT_COLUMNS, hide_index=True)


main()
