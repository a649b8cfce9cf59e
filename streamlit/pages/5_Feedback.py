"""Feedback: how people rate the agents' answers, and what they wrote."""

import pandas as pd
import streamlit as st

from dashboard import charts, fmt, notices, page, queries

COMMENT_COLUMNS = {
    "EVENT_TIMESTAMP": st.column_config.DatetimeColumn("When (UTC)", format="YYYY-MM-DD HH:mm"),
    "AGENT_FULL_NAME": "Agent",
    "USER_ID": "User",
    "RATING": "Rating",
    "FEEDBACK_MESSAGE": "Comment",
    "TURN_STATUS": "Rated turn",
}


def main() -> None:
    current = page.start("Feedback", "Thumbs up and down on the agents' answers, with the comments people left.")
    conn, f = current.conn, current.filters
    by_agent = pd.DataFrame(queries.feedback_by_agent(conn, f))
    if by_agent.empty:
        if queries.kpis(conn, f)["current"]["ACTIVE_THREADS"]:
            st.info(f"No feedback in the {f.window.label.lower()}. People rate answers with the thumbs "
                    "in Snowflake Intelligence or through the agent's feedback API.")
        else:
            notices.nothing_to_show(current, "feedback")
        return
    positive, negative = by_agent["POSITIVE"].sum(), by_agent["NEGATIVE"].sum()
    cells = st.columns(5)
    cells[0].metric("Ratings", fmt.number(positive + negative))
    cells[1].metric("Positive", fmt.percent(fmt.rate(positive, positive + negative)))
    cells[2].metric("Negative", fmt.percent(fmt.rate(negative, positive + negative)))
    cells[3].metric("Negative on failed turns", fmt.number(by_agent["NEGATIVE_ON_FAILED_TURNS"].sum()),
                    help="Negative ratings of turns that failed: fixing the failure may fix the rating.")
    stores_text = current.settings.store_conversation_text
    cells[4].metric("Comments", fmt.number(by_agent["COMMENTS"].sum()) if stores_text else fmt.MISSING,
                    help=None if stores_text else "Comments are not stored in this deployment.")

    left, right = st.columns(2)
    with left:
        ratings = charts.short_agent_names(by_agent).rename(columns={"POSITIVE": "Positive", "NEGATIVE": "Negative"}).melt(
            id_vars=["AGENT", "AGENT_FULL_NAME"], value_vars=["Positive", "Negative"], var_name="RATING", value_name="N")
        charts.show(charts.bars(ratings, "AGENT", "N", "Ratings by agent", "ratings", color="RATING",
                                scale=charts.FEEDBACK_COLORS, full_name="AGENT_FULL_NAME"))
    with right:
        trend = charts.frame(queries.feedback_trend(conn, f), "BUCKET")
        ratings = trend.rename(columns={"POSITIVE": "Positive", "NEGATIVE": "Negative"}).melt(
            id_vars=["BUCKET"], value_vars=["Positive", "Negative"], var_name="RATING", value_name="N")
        charts.show(charts.stacked_over_time(ratings, "N", "RATING", "Ratings over time", "ratings",
                                             charts.bucket_unit(f), scale=charts.FEEDBACK_COLORS))

    st.subheader("Comments")
    if not stores_text:
        notices.text_not_stored("Feedback comments")
        return
    comments = pd.DataFrame(queries.feedback_comments(conn, f))
    if comments.empty:
        st.caption("No comments in the window.")
        return
    # The word carries the meaning; the emoji only decorates it (a machine without an emoji font
    # draws an empty box).
    comments["RATING"] = comments["FEEDBACK_POSITIVE"].map({True: "👍 positive", False: "👎 negative"})
    st.dataframe(comments[list(COMMENT_COLUMNS)], column_config=COMMENT_COLUMNS, hide_index=True)


main()
