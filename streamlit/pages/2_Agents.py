"""Agents: side by side on volume, turn latency, error rate, tokens, models and tools."""

import pandas as pd
import streamlit as st

from dashboard import charts, fmt, notices, page, queries

COLUMNS = {
    "AGENT_FULL_NAME": "Agent",
    "TURNS": st.column_config.NumberColumn("Turns"),
    "ACTIVE_THREADS": st.column_config.NumberColumn("Threads"),
    "ACTIVE_USERS": st.column_config.NumberColumn("Users"),
    "ERROR_RATE_PCT": st.column_config.NumberColumn("Error rate", format="%.1f%%"),
    "P50_TURN_LATENCY_MS": st.column_config.NumberColumn("p50 (ms)", format="%.0f"),
    "P95_TURN_LATENCY_MS": st.column_config.NumberColumn("p95 (ms)", format="%.0f"),
    "P99_TURN_LATENCY_MS": st.column_config.NumberColumn("p99 (ms)", format="%.0f"),
    "TOKENS": st.column_config.NumberColumn("Tokens"),
    "TOKENS_PER_TURN": st.column_config.NumberColumn("Tokens per turn", format="%.0f"),
    "TOOL_CALLS": st.column_config.NumberColumn("Tool calls"),
    "RETRIEVAL_CALLS": st.column_config.NumberColumn("Searches"),
    "MODELS_USED": st.column_config.NumberColumn("Models"),
}


def main() -> None:
    current = page.start("Agents", "Each agent in the window: how much it is used, how fast and how reliably it answers.",
                         long_windows=True)
    conn, f = current.conn, current.filters
    agents = pd.DataFrame(queries.agents(conn, f))
    if agents.empty:
        notices.nothing_to_show(current, "agent activity")
        return
    agents["ERROR_RATE_PCT"] = [fmt.rate(failed, turns) for failed, turns in zip(agents["FAILED_TURNS"], agents["TURNS"])]
    agents["TOKENS_PER_TURN"] = [None if not turns else tokens / turns for tokens, turns in zip(agents["TOKENS"], agents["TURNS"])]

    turns, tokens = agents["TURNS"].sum(), agents["TOKENS"].sum()
    cells = st.columns(4)
    cells[0].metric("Agents", fmt.number(len(agents)))
    cells[1].metric("Turns", fmt.number(turns))
    cells[2].metric("Tokens per turn", fmt.number(tokens / turns) if turns else fmt.MISSING)
    with cells[3]:
        busiest = agents.iloc[0]
        charts.name_metric("Busiest agent", busiest["AGENT_FULL_NAME"],
                           f"{fmt.number(busiest['TURNS'])} turns, {fmt.percent(fmt.rate(busiest['TURNS'], turns))} of all")
    shown = [column for column in COLUMNS if not (f.from_rollups and column == "MODELS_USED")]
    st.dataframe(agents[shown], column_config=COLUMNS, hide_index=True)

    named = charts.short_agent_names(agents)
    left, right = st.columns(2)
    with left:
        charts.show(charts.bars(named, "AGENT", "TURNS", "Turns", "turns", full_name="AGENT_FULL_NAME"))
    with right:
        latency = named[["AGENT", "AGENT_FULL_NAME", "P50_TURN_LATENCY_MS", "P95_TURN_LATENCY_MS", "P99_TURN_LATENCY_MS"]].copy()
        for column in latency.columns[2:]:
            latency[column] = latency[column].astype(float) / 1000
        charts.show(charts.grouped_bars(latency, "AGENT", {
            "P50_TURN_LATENCY_MS": "p50", "P95_TURN_LATENCY_MS": "p95", "P99_TURN_LATENCY_MS": "p99"},
            "Turn latency", "seconds", full_name="AGENT_FULL_NAME"))
    left, right = st.columns(2)
    with left:
        charts.show(charts.bars(named.fillna({"ERROR_RATE_PCT": 0}), "AGENT", "ERROR_RATE_PCT",
                                "Error rate (failed turns)", "%", full_name="AGENT_FULL_NAME"))
    if f.from_rollups:
        st.caption(f"Models and tools per agent are shown for windows within the {current.settings.history_days}-day history.")
        note = queries.monthly_latency_note(f)
        if note:
            st.caption(note)
        return
    usage = pd.DataFrame(queries.agent_usage(conn, f))
    with right:
        tools = usage[usage["KIND"] == "tool"] if not usage.empty else usage
        if not tools.empty:
            charts.show(charts.bars(charts.short_agent_names(tools), "NAME", "CALLS", "Tool calls", "calls", color="AGENT"))
    st.subheader("Models and tools")
    if usage.empty:
        st.caption("No model or tool calls in the window.")
    else:
        st.dataframe(usage, hide_index=True, column_config={
            "AGENT_FULL_NAME": "Agent", "KIND": "Kind", "NAME": "Name",
            "CALLS": st.column_config.NumberColumn("Calls"), "FAILED": st.column_config.NumberColumn("Failed")})


main()
