"""Threads: the window's conversations, and one thread's turns and spans as a timeline."""

import pandas as pd
import streamlit as st

from dashboard import charts, fmt, notices, page, queries

LIST_COLUMNS = {
    "THREAD_LAST_ACTIVITY": st.column_config.DatetimeColumn("Last activity (UTC)", format="YYYY-MM-DD HH:mm:ss"),
    "AGENT_FULL_NAME": "Agent",
    "THREAD_ID": "Thread",
    "USER_ID": "User",
    "TURNS": st.column_config.NumberColumn("Turns"),
    "FAILED_TURNS": st.column_config.NumberColumn("Failed turns"),
    "TOOL_CALLS": st.column_config.NumberColumn("Tool calls"),
    "RETRIEVAL_CALLS": st.column_config.NumberColumn("Searches"),
    "TOTAL_TOKENS": st.column_config.NumberColumn("Tokens"),
    "THREAD_DURATION_SECONDS": st.column_config.NumberColumn("Duration (s)"),
    "LATEST_STATUS": "Last turn",
    "LATEST_MODEL": "Model",
}
SPAN_COLUMNS = {
    "EVENT_SEQUENCE": st.column_config.NumberColumn("#"),
    "START_TIMESTAMP": st.column_config.DatetimeColumn("Started (UTC)", format="HH:mm:ss.SSS"),
    "SPAN_NAME": "Span",
    "SPAN_CATEGORY": "Category",
    "TOOL_NAME": "Tool",
    "MODEL_NAME": "Model",
    "TOTAL_TOKENS": st.column_config.NumberColumn("Tokens"),
    "SPAN_DURATION_MS": st.column_config.NumberColumn("Duration (ms)"),
    "STATUS": "Status",
    "ERROR_MESSAGE": "Error",
}
# Shown only where the deployment stores text: otherwise every cell would be empty.
QUERY_COLUMN = {"RETRIEVAL_QUERY": "Search query or SQL"}


def thread_label(row: dict) -> str:
    return (f"{row['THREAD_ID']} · {row['AGENT_FULL_NAME']} · {row['USER_ID']} · "
            f"{row['THREAD_LAST_ACTIVITY']:%m-%d %H:%M} · {row['TURNS']} turns")


def span_label(row) -> str:
    name = row["SPAN_NAME"] or row["SPAN_CATEGORY"]
    indent = "" if row["SPAN_CATEGORY"] == "AGENT_RUN" else "   "
    return f"{row['EVENT_SEQUENCE']:>3}. {indent}{name}"


def drill_down(conn, row: dict, stores_text: bool) -> None:
    spans = pd.DataFrame(queries.thread_timeline(conn, row["AGENT_FULL_NAME"], row["THREAD_ID"]))
    if spans.empty:
        st.info("This thread's events are no longer in the history.")
        return
    turns = spans[spans["SPAN_CATEGORY"] == "AGENT_RUN"]
    cells = st.columns(5)
    cells[0].metric("Turns", fmt.number(len(turns)))
    cells[1].metric("Failed turns", fmt.number(int((turns["STATUS"] == "ERROR").sum())))
    cells[2].metric("Tool calls", fmt.number(int(spans["SPAN_CATEGORY"].isin(["TOOL_EXECUTION", "RETRIEVAL"]).sum())))
    cells[3].metric("Tokens", fmt.number(spans["TOTAL_TOKENS"].fillna(0).sum()))
    cells[4].metric("Failed spans", fmt.number(int((spans["STATUS"] == "ERROR").sum())))

    timed = spans[spans["START_TIMESTAMP"].notna()].copy()
    if not timed.empty:
        timed["START"] = timed["START_TIMESTAMP"]
        timed["END"] = timed["EVENT_TIMESTAMP"]
        timed["LABEL"] = timed.apply(span_label, axis=1)
        charts.show(charts.timeline(charts.frame(timed.to_dict("records"), "START", "END")))
    columns = {**SPAN_COLUMNS, **QUERY_COLUMN} if stores_text else SPAN_COLUMNS
    st.dataframe(spans[list(columns)], column_config=columns, hide_index=True)
    if not stores_text:
        notices.text_not_stored("Search queries and Analyst SQL")


def main() -> None:
    current = page.start("Threads", "Conversations in the window, most recent first; pick one to follow its turns.")
    conn, f = current.conn, current.filters
    search = st.text_input("Find a thread", key="wm_thread_search", placeholder="Thread id or user contains…",
                           max_chars=20_000)
    rows = queries.threads(conn, f, search)
    if not rows:
        if search:
            st.info("No thread in the window has an id or user containing that text.")
        else:
            notices.nothing_to_show(current, "threads")
        return
    listed = pd.DataFrame(rows)
    capped = len(listed) >= queries.THREAD_LIST_LIMIT
    cells = st.columns(4)
    if capped and not search:
        # Counted over the whole window, as Overview counts them, not over the capped list.
        window = queries.kpis(conn, f)["current"]
        cells[0].metric("Threads", fmt.number(window["ACTIVE_THREADS"]), help="Threads with any event in the window.")
        cells[1].metric("Turns", fmt.number(window["TURNS"]))
        cells[3].metric("Tokens", fmt.number(window["TOKENS"]))
    else:
        of = " listed" if capped else ""
        cells[0].metric(f"Threads{of}", fmt.number(len(listed)))
        cells[1].metric(f"Turns{of}", fmt.number(listed["TURNS"].sum()))
        cells[3].metric(f"Tokens{of}", fmt.number(listed["TOTAL_TOKENS"].sum()))
    cells[2].metric("Listed threads with a failed turn" if capped else "Threads with a failed turn",
                    fmt.number(int((listed["FAILED_TURNS"] > 0).sum())))
    if capped:
        st.caption(f"The list shows the {queries.THREAD_LIST_LIMIT} most recently active threads: the page loads "
                   "them all at once, so it is capped to stay fast. Search, filter or shorten the window to list the others.")
    st.dataframe(listed[list(LIST_COLUMNS)], column_config=LIST_COLUMNS, hide_index=True, height=320)

    st.subheader("Thread timeline")
    chosen = st.selectbox("Thread", range(len(rows)), format_func=lambda i: thread_label(rows[i]), key="wm_thread")
    drill_down(conn, rows[chosen or 0], current.settings.store_conversation_text)


main()
