"""Overview: the window's headline numbers against the period before, and their trends."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from dashboard import charts, fmt, notices, page, queries

KPI_HELP = {
    "Active threads": "Conversations with any event in the window.",
    "Users": "People who used an agent in the window.",
    "Agents": "Agents with any event in the window.",
    "Turns": "User messages answered (root spans), successful or not.",
    "Tokens": "Tokens of every planning step (input and output).",
    "p95 latency": "95th percentile of a turn's duration, from question to answer.",
    "Error rate": "Share of turns that failed.",
}


def kpi(column, label: str, value: str, delta: str | None, inverse: bool = False) -> None:
    with column:
        st.metric(label, value, delta, delta_color="inverse" if inverse else "normal", help=KPI_HELP[label])


def render() -> None:
    current_page = page.start("Overview", "Cortex Agent activity in the selected window, against the period before it.",
                              long_windows=True)
    conn, f = current_page.conn, current_page.filters
    numbers = queries.kpis(conn, f)
    now, before = numbers["current"], numbers["previous"]
    error_rate, error_rate_before = fmt.rate(now["FAILED_TURNS"], now["TURNS"]), fmt.rate(before["FAILED_TURNS"], before["TURNS"])

    top = st.columns(4)
    kpi(top[0], "Active threads", fmt.number(now["ACTIVE_THREADS"]), fmt.change(now["ACTIVE_THREADS"], before["ACTIVE_THREADS"]))
    kpi(top[1], "Users", fmt.number(now["ACTIVE_USERS"]), fmt.change(now["ACTIVE_USERS"], before["ACTIVE_USERS"]))
    kpi(top[2], "Agents", fmt.number(now["ACTIVE_AGENTS"]), fmt.change(now["ACTIVE_AGENTS"], before["ACTIVE_AGENTS"]))
    kpi(top[3], "Turns", fmt.number(now["TURNS"]), fmt.change(now["TURNS"], before["TURNS"]))
    bottom = st.columns(4)
    kpi(bottom[0], "Tokens", fmt.number(now["TOKENS"]), fmt.change(now["TOKENS"], before["TOKENS"]))
    kpi(bottom[1], "p95 latency", fmt.duration_ms(now["P95_TURN_LATENCY_MS"]),
        fmt.change(now["P95_TURN_LATENCY_MS"], before["P95_TURN_LATENCY_MS"]), inverse=True)
    kpi(bottom[2], "Error rate", fmt.percent(error_rate), fmt.points(error_rate, error_rate_before), inverse=True)
    with bottom[3]:
        previous = f.window.label.lower().replace('last ', 'previous ')
        if f.from_rollups:
            st.caption(f"Whole UTC days from the daily rollups, {f.first_day:%Y-%m-%d} to today, against the {previous}: "
                       f"{f.previous_first_day:%Y-%m-%d} to {f.first_day - timedelta(days=1):%Y-%m-%d}.")
            note = queries.monthly_latency_note(f)
            if note:
                st.caption(note)
        else:
            st.caption(f"Change against the {previous}: "
                       f"{f.previous_start:%Y-%m-%d %H:%M} to {f.start:%Y-%m-%d %H:%M} UTC.")

    if not now["TURNS"] and not now["ACTIVE_THREADS"]:
        notices.nothing_to_show(current_page, "agent activity")
        return

    unit = charts.bucket_unit(f)
    by_agent = charts.short_agent_names(charts.frame(queries.trend(conn, f), "BUCKET"))
    latency = charts.frame(queries.latency_trend(conn, f), "BUCKET")
    left, right = st.columns(2)
    with left:
        charts.show(charts.stacked_over_time(by_agent, "TURNS", "AGENT", "Turns by agent", "turns", unit,
                                             names="AGENT_FULL_NAME"))
    with right:
        failures = by_agent.groupby("BUCKET", as_index=False)[["TURNS", "FAILED_TURNS"]].sum()
        failures["OK"] = failures["TURNS"] - failures["FAILED_TURNS"]
        failures = failures.rename(columns={"FAILED_TURNS": "ERROR"}).melt(
            id_vars=["BUCKET"], value_vars=["OK", "ERROR"], var_name="STATUS", value_name="COUNT")
        charts.show(charts.stacked_over_time(failures, "COUNT", "STATUS", "Turns by outcome", "turns", unit,
                                             scale=charts.STATUS_COLORS))
    left, right = st.columns(2)
    with left:
        charts.show(charts.stacked_over_time(by_agent, "TOKENS", "AGENT", "Tokens by agent", "tokens", unit,
                                             names="AGENT_FULL_NAME"))
    with right:
        if latency.empty:
            st.caption("No completed turns to measure latency.")
        else:
            latency[["P50_TURN_LATENCY_MS", "P95_TURN_LATENCY_MS"]] = latency[
                ["P50_TURN_LATENCY_MS", "P95_TURN_LATENCY_MS"]].astype(float) / 1000
            charts.show(charts.lines_over_time(latency, {"P50_TURN_LATENCY_MS": "p50", "P95_TURN_LATENCY_MS": "p95"},
                                               "Turn latency", "seconds", unit))
