"""Cost: what agent traffic costs in credits and money, by team, agent, user and model, and how
much of it is still estimated."""

import pandas as pd
import streamlit as st

from dashboard import charts, cost, fmt, notices, page

SOURCE_COLORS = charts.alt.Scale(domain=["ACTUAL", "ESTIMATED"], range=["#4c78a8", "#f58518"])
TOP = 15
THREAD_COLUMNS = {
    "THREAD_ID": "Thread",
    "AGENT": "Agent",
    "USER_NAME": "User",
    "TEAM": "Team",
    "REQUESTS": st.column_config.NumberColumn("Requests"),
    "AMOUNT": st.column_config.NumberColumn("Amount", format="%.2f"),
    "CREDITS": st.column_config.NumberColumn("Credits", format="%.4f"),
    "ESTIMATED_PCT": st.column_config.NumberColumn("Estimated", format="%.0f%%"),
    "LAST_REQUEST": st.column_config.DatetimeColumn("Last request (UTC)", format="YYYY-MM-DD HH:mm"),
}
RECONCILIATION_COLUMNS = {
    "DAY": st.column_config.DateColumn("Day (UTC)"),
    "EVENT_REQUESTS": st.column_config.NumberColumn("Requests seen"),
    "MATCH_PCT": st.column_config.NumberColumn("Matched", format="%.1f%%",
                                               help="Requests whose join key found their usage row"),
    "ALTERNATE_PCT": st.column_config.NumberColumn("Matched by the other key", format="%.1f%%"),
    "MATCHED_COWORK_REQUESTS": st.column_config.NumberColumn(
        "Matched in CoWork", help="Requests made in Snowflake CoWork, matched in its own usage view"),
    "PENDING_REQUESTS": st.column_config.NumberColumn("Awaiting usage"),
    "UNMATCHED_REQUESTS": st.column_config.NumberColumn("Never matched"),
    "USAGE_ONLY_REQUESTS": st.column_config.NumberColumn("Usage only"),
    "ESTIMATE_TO_ACTUAL": st.column_config.NumberColumn("Estimate ÷ actual", format="%.2f"),
    "TOTAL_CREDITS": st.column_config.NumberColumn("Credits", format="%.4f"),
    "ESTIMATED_PCT": st.column_config.NumberColumn("Estimated", format="%.0f%%"),
}


def money(amount, currency: str) -> str:
    return fmt.MISSING if amount is None else f"{amount:,.2f} {currency}"


def breakdown_chart(rows: list[dict], title: str, agents: bool = False) -> None:
    if not rows:
        return
    if len(rows) > TOP:
        # The rows come largest first; past TOP the bars would be too thin to read.
        title = f"{title}: the top {TOP} of {len(rows)}"
    df = pd.DataFrame(rows).head(TOP)
    df["FULL_NAME"] = df["NAME"]
    if agents:  # an agent's own name where that is unambiguous
        df["NAME"] = charts.short_agent_names(df, "NAME")["AGENT"]
    df["ACTUAL"] = df["CREDITS"] - df["ESTIMATED_CREDITS"]
    long = df.rename(columns={"ESTIMATED_CREDITS": "ESTIMATED"})[["NAME", "FULL_NAME", "ACTUAL", "ESTIMATED"]].melt(
        id_vars=["NAME", "FULL_NAME"], value_vars=["ACTUAL", "ESTIMATED"], var_name="SOURCE", value_name="CREDITS")
    charts.show(charts.bars(long, "NAME", "CREDITS", title, "credits", color="SOURCE", scale=SOURCE_COLORS,
                            full_name="FULL_NAME"))


def main() -> None:
    current = page.start("Cost", "Credits and money agent traffic costs, by team, agent, user and model; actual where "
                                 "Snowflake's usage view has the request, estimated from the rate table until it does.")
    conn, f = current.conn, current.filters
    totals = pd.DataFrame(cost.totals(conn, f))
    if totals.empty:
        notices.nothing_to_show(current, "cost")
        return
    currency = str(totals["CURRENCY"].iloc[0])
    credits, amount = totals["CREDITS"].sum(), totals["AMOUNT"].sum()
    estimated = totals.loc[totals["COST_SOURCE"] == "ESTIMATED", "CREDITS"].sum()
    unassigned = totals.loc[totals["UNASSIGNED"].astype(bool), "CREDITS"].sum()
    days = pd.DataFrame(cost.reconciliation(conn, f))
    seen = days["EVENT_REQUESTS"].sum() if not days.empty else 0
    matched = days["MATCHED_REQUESTS"].sum() if not days.empty else 0
    st.caption(f"Cost is kept per UTC day: the {f.window.label.lower()} covers {f.start.date()} to {f.now.date()}.")
    cells = st.columns(5)
    cells[0].metric("Spend", money(amount, currency))
    cells[1].metric("Credits", f"{credits:,.4f}")
    cells[2].metric("Estimated", fmt.percent(fmt.rate(estimated, credits)),
                    help="Share of the credits not yet reported by SNOWFLAKE.ACCOUNT_USAGE.CORTEX_AGENT_USAGE_HISTORY "
                         "or, for requests made in Snowflake CoWork, by its own usage view "
                         "(wallmonitor:costCoworkUsageView), estimated from token counts and the rate table.")
    cells[3].metric("Requests matched to usage", fmt.percent(fmt.rate(matched, seen)),
                    help="Of the requests in the event history; a low rate long after the usage view caught up "
                         "points at the join key (wallmonitor:costUsageJoinKey).")
    cells[4].metric("Unassigned", fmt.percent(fmt.rate(unassigned, credits)),
                    help="Share of the credits no team mapping or tag assigns.")

    actual = totals.loc[totals["COST_SOURCE"] == "ACTUAL"].groupby("USAGE_VIEW")["CREDITS"].sum()
    if not actual.empty:
        st.caption("Actual credits by usage view: " +
                   " · ".join(f"{view} {value:,.4f}" for view, value in actual.sort_index().items()) + ".")

    trend = charts.frame(cost.daily(conn, f), "BUCKET")
    # COST_DAILY keeps one row per UTC day, whatever the window.
    charts.show(charts.stacked_over_time(trend, "AMOUNT", "COST_SOURCE", "Spend per day", currency, "day",
                                         scale=SOURCE_COLORS))

    left, right = st.columns(2)
    with left:
        breakdown_chart(cost.breakdown(conn, f, "TEAM"), "By team")
        breakdown_chart(cost.breakdown(conn, f, "MODEL_NAME"), "By model")
    with right:
        breakdown_chart(cost.breakdown(conn, f, "AGENT"), "By agent", agents=True)
        breakdown_chart(cost.breakdown(conn, f, "USER_NAME"), f"Top {TOP} users")

    st.subheader("Most expensive threads")
    threads = pd.DataFrame(cost.top_threads(conn, f))
    if threads.empty:
        st.info("No thread in the window has cost: usage-only requests name no thread.")
    else:
        threads["ESTIMATED_PCT"] = 100 * threads["ESTIMATED_CREDITS"] / threads["CREDITS"].where(threads["CREDITS"] != 0)
        st.dataframe(threads[list(THREAD_COLUMNS)], column_config=THREAD_COLUMNS, hide_index=True)

    st.subheader("Estimated against actual")
    if not days.empty:
        st.caption(f"Join key: {days['JOIN_KEY'].iloc[0]} · all agents and users of the account, per UTC day.")
        days["MATCH_PCT"] = 100 * days["MATCH_RATE"]
        days["ALTERNATE_PCT"] = 100 * days["ALTERNATE_KEY_MATCH_RATE"]
        days["ESTIMATED_PCT"] = 100 * days["ESTIMATED_SHARE"]
        st.dataframe(days[list(RECONCILIATION_COLUMNS)], column_config=RECONCILIATION_COLUMNS, hide_index=True)
    with st.expander("Long-term estimate from the daily rollups"):
        st.caption("Estimated credits per month from input and output tokens in the daily model rollups, kept "
                   "longer than the raw history; cache tokens are not in the rollups, so this is a lower bound.")
        months = charts.frame(cost.rollup_months(conn, f), "BUCKET")
        if not months.empty:
            charts.show(charts.stacked_over_time(months, "CREDITS", "MODEL_NAME", "Estimated credits per month", "credits",
                                                 "month"))
    with st.expander("Rate table (credits per million tokens)"):
        st.dataframe(pd.DataFrame(cost.rates(conn)), hide_index=True)


main()
