"""Pipeline health: is every agent read, how did its last refresh go, how far behind is it."""

import pandas as pd
import streamlit as st

from dashboard import charts, fmt, notices, page, queries

COLUMNS = {
    "AGENT_FULL_NAME": "Agent",
    "HEALTH": "Health",
    "LAST_REFRESH": "Last refresh",
    "LAST_REFRESH_STATUS": "Outcome",
    "CONSECUTIVE_FAILURES": st.column_config.NumberColumn("Failures in a row"),
    "LAST_ERROR_MESSAGE": "Last error",
    "LAST_ROWS_LOADED": st.column_config.NumberColumn("Rows last loaded"),
    "LAST_EVENT_TIMESTAMP": st.column_config.DatetimeColumn("Newest event (UTC)", format="YYYY-MM-DD HH:mm:ss"),
    "EVENT_LAG_MINUTES": st.column_config.NumberColumn("Lag (min)"),
    "INGEST_PATH": "Ingest path",
    "INGEST_PATH_REASON": "Why this path",
    "REGISTERED_BY": "Registered by",
}
HEALTH_COLORS = charts.alt.Scale(domain=["HEALTHY", "STALE", "FAILING", "NOT_YET_READ", "INACTIVE"],
                                 range=["#54a24b", "#eeca3b", "#e45756", "#9d9d9d", "#bab0ac"])
INGEST_PATHS = {
    "PER_AGENT": "per agent (GET_AI_OBSERVABILITY_EVENTS)",
    "EVENT_TABLE": "one pass over SNOWFLAKE.LOCAL.AI_OBSERVABILITY_EVENTS",
}


def main() -> None:
    current = page.start("Pipeline health", "Ingestion per registered agent. Only the agent filter applies here.",
                         long_windows=True)
    conn, f, settings = current.conn, current.filters, current.settings
    agents = pd.DataFrame(queries.pipeline(conn, f))
    if agents.empty:
        notices.nothing_to_show(current, "registered agents")
        own_cost(conn, f)
        return
    active = agents[agents["IS_ACTIVE"].astype(bool)]
    failing = agents[agents["HEALTH"] == "FAILING"]
    paths = sorted(active["INGEST_PATH"].dropna().unique())
    newest_refresh = agents["LAST_REFRESH_AT"].dropna().max() if agents["LAST_REFRESH_AT"].notna().any() else None
    cells = st.columns(5)
    cells[0].metric("Active agents", fmt.number(len(active)), help=f"{len(agents)} registered")
    cells[1].metric("Healthy", fmt.number(int((agents["HEALTH"] == "HEALTHY").sum())))
    cells[2].metric("Failing", fmt.number(len(failing)))
    cells[3].metric("Last refresh", fmt.ago(newest_refresh, f.now))
    cells[4].metric("Ingest path", ", ".join(paths) if paths else "none yet")
    st.caption(f"The refresh task runs every {settings.refresh_interval_minutes} min; the realtime views cover "
               f"{settings.realtime_window_hours} h and the history {settings.history_days} days. "
               "An agent is STALE when no refresh reached it for two intervals. "
               + "; ".join(f"{path}: {INGEST_PATHS.get(path, path)}" for path in paths))
    for _, agent in failing.iterrows():
        st.error(f"**{agent['AGENT_FULL_NAME']}** failed {agent['CONSECUTIVE_FAILURES']} refreshes in a row: "
                 f"{agent['LAST_ERROR_MESSAGE']}")

    agents["LAST_REFRESH"] = [fmt.ago(None if pd.isna(at) else at, f.now) for at in agents["LAST_REFRESH_AT"]]
    st.dataframe(agents[list(COLUMNS)], column_config=COLUMNS, hide_index=True)
    lagging = agents[agents["EVENT_LAG_MINUTES"].notna()]
    if not lagging.empty:
        charts.show(charts.bars(charts.short_agent_names(lagging), "AGENT", "EVENT_LAG_MINUTES", "Minutes since each agent's newest event",
                                "minutes", color="HEALTH", scale=HEALTH_COLORS, full_name="AGENT_FULL_NAME"))
    shapes(conn, f)
    own_cost(conn, f)
    with st.expander("Check the tasks yourself"):
        schema = f"{conn.database}.{conn.schema}"
        task = settings.refresh_task.split(".")[-1]
        st.code(f"SHOW TASKS LIKE '{task}' IN SCHEMA {schema};\n"
                f"SELECT NAME, STATE, SCHEDULED_TIME, ERROR_MESSAGE\n"
                f"FROM TABLE({conn.database}.INFORMATION_SCHEMA.TASK_HISTORY(TASK_NAME => '{task}'))\n"
                "ORDER BY SCHEDULED_TIME DESC LIMIT 10;", language="sql")



SHAPE_COLUMNS = {
    "AGENT_FULL_NAME": "Agent",
    "SPAN_KIND": "Spans",
    "NAME": "Column",
    "SHARE": st.column_config.ProgressColumn("Spans carrying it", format="percent", min_value=0, max_value=1),
    "MATCHING": st.column_config.NumberColumn("Carrying"),
    "SPANS": st.column_config.NumberColumn("Of"),
    "CYCLE_STARTED": st.column_config.DatetimeColumn("Cycle (UTC)", format="YYYY-MM-DD HH:mm:ss"),
}
UNKNOWN_COLUMNS = {
    "AGENT_FULL_NAME": "Agent",
    "NAME": "Span name",
    "SHARE": st.column_config.ProgressColumn("Share of spans", format="percent", min_value=0, max_value=1),
    "MATCHING": st.column_config.NumberColumn("Spans"),
    "SPANS": st.column_config.NumberColumn("Of"),
}


def shapes(conn, f) -> None:
    """What the newest ingestion cycle loaded looks like: Snowflake renaming an attribute or a span
    shows here (and fires schema_drift) before a metric silently reads zero."""
    st.subheader("Event shapes (newest cycle)")
    signals = pd.DataFrame(queries.shape_signals(conn, f))
    if signals.empty:
        st.info("No ingestion cycle has loaded spans yet.")
        return
    coverage = signals[signals["SIGNAL"] == "COVERAGE"]
    for _, row in coverage[(coverage["MATCHING"] == 0) & (coverage["SPANS"] > 0)].iterrows():
        st.error(f"**{row['AGENT_FULL_NAME']}**: none of {row['SPANS']} {str(row['SPAN_KIND']).lower()} spans "
                 f"carries {row['NAME']}: Snowflake may have renamed the attribute it is read from.")
    st.dataframe(coverage[list(SHAPE_COLUMNS)], column_config=SHAPE_COLUMNS, hide_index=True)
    unknown = signals[signals["SIGNAL"] == "UNKNOWN_SPAN_NAME"]
    if unknown.empty:
        st.caption("Every span name of the newest cycle is one Wallmonitor categorises.")
    else:
        st.warning(f"{len(unknown)} span names Wallmonitor does not recognise (counted as OTHER).")
        st.dataframe(unknown[list(UNKNOWN_COLUMNS)], column_config=UNKNOWN_COLUMNS, hide_index=True)


OWN_COST_COLUMNS = {
    "COMPONENT": "Component",
    "ESTIMATED_CREDITS": st.column_config.NumberColumn("Estimated credits/day", format="%.3f"),
    "ACTUAL_CREDITS": st.column_config.NumberColumn("Actual credits/day", format="%.3f"),
    "ESTIMATED_RUNS": st.column_config.NumberColumn("Estimated runs/day", format="%.1f"),
    "ACTUAL_RUNS": st.column_config.NumberColumn("Actual runs/day", format="%.1f"),
}


def own_cost(conn, f) -> None:
    """What Wallmonitor itself costs: the estimate the stack was planned with beside what
    ACCOUNT_USAGE reports, per component, so the estimate's model can be checked."""
    st.subheader("What Wallmonitor itself costs")
    rows = pd.DataFrame(queries.own_cost(conn, f.now.date()))
    if rows.empty:
        st.info("No own-cost estimate: the stack has not deployed WALLMONITOR_OWN_COST_ESTIMATE yet.")
        return
    days = int(rows["DAYS"].iloc[0])
    estimated = rows["ESTIMATED_CREDITS"].sum()
    cells = st.columns(2)
    cells[0].metric("Estimated credits/day", f"{estimated:.3f}")
    if days == 0:
        cells[1].metric("Actual credits/day", "-")
        # A caption, not a notice box: a fresh deployment has no usage rows for hours, and that is expected.
        st.caption(f"ACCOUNT_USAGE reports no consumption of Wallmonitor's tasks, dynamic tables or warehouse in the last "
                f"{queries.OWN_COST_DAYS} complete days (its views lag up to three hours).")
    else:
        actual = rows["ACTUAL_CREDITS"].fillna(0).sum()
        cells[1].metric("Actual credits/day", f"{actual:.3f}", help=f"average over {days} day(s) with consumption")
    st.dataframe(rows[list(OWN_COST_COLUMNS)], column_config=OWN_COST_COLUMNS, hide_index=True)
    st.caption("Estimates come from the stack's config and the assumptions the offline plan lists "
               "(`npm run plan`, section 'Estimated daily credits of Wallmonitor itself'). Actuals are daily averages "
               f"over the complete UTC days of the last {queries.OWN_COST_DAYS} with any consumption, from "
               "SERVERLESS_TASK_HISTORY, WAREHOUSE_METERING_HISTORY and DYNAMIC_TABLE_REFRESH_HISTORY. Dynamic-table "
               "refreshes are billed as warehouse time, so their credits are in the warehouse row; a warehouse shared "
               "with other work reports that work too.")


main()
