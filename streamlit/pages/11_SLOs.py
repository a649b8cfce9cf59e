"""SLOs: each agent's service level objectives (wallmonitor:slos), how well they are met over
their window, how much error budget is left, how fast it burns now, and the budget day by day
over the window. The objectives' windows are fixed by config, so only the agent filter applies."""

import pandas as pd
import streamlit as st

from dashboard import charts, fmt, notices, page, queries

COLUMNS = {
    "AGENT_FULL_NAME": "Agent",
    "SHOWN_OBJECTIVE": "Objective",
    "SHOWN_TARGET": "Target",
    "SHOWN_WINDOW": "Window",
    "SHOWN_ATTAINMENT": "Attained",
    "SHOWN_BUDGET": "Budget left",
    "BURN_5M": "Burn 5 min",
    "BURN_30M": "Burn 30 min",
    "BURN_1H": "Burn 1 h",
    "BURN_6H": "Burn 6 h",
    "WINDOW_TURNS": st.column_config.NumberColumn("Turns in window"),
}
EXAMPLE = ('[{"agent": "SALES_DB.AGENTS.SALES_BOT", "availability": {"target": 99.5, "windowDays": 28}, '
           '"latency": {"thresholdMs": 8000, "target": 99, "windowDays": 28}}]')


def objective_label(objective: str, threshold_ms) -> str:
    if objective == "latency":
        return f"latency under {fmt.duration_ms(threshold_ms)}"
    return "availability (turns without error)"


def burn(value) -> str:
    """A burn rate as the alert rules read it (format multiple); a dash when the window had no turns."""
    return fmt.MISSING if value is None or pd.isna(value) else f"{float(value):.2f}×"


def budget_chart(daily: pd.DataFrame) -> None:
    daily = charts.short_agent_names(daily)
    labels = {(row.AGENT_FULL_NAME, row.OBJECTIVE): f"{agent} · {row.OBJECTIVE}"
              for row, agent in zip(daily.itertuples(), daily["AGENT"])}
    daily["SERIES"] = [labels[(agent, objective)] for agent, objective in zip(daily["AGENT_FULL_NAME"], daily["OBJECTIVE"])]
    daily["BUDGET_LEFT"] = 100 * daily["BUDGET_REMAINING"].astype(float)
    wide = daily.pivot_table(index="DAY", columns="SERIES", values="BUDGET_LEFT", aggfunc="first").reset_index()
    wide = wide.rename(columns={"DAY": "BUCKET"})
    wide["BUCKET"] = pd.to_datetime(wide["BUCKET"]).dt.tz_localize("UTC")
    series = sorted(set(labels.values()))
    charts.show(charts.lines_over_time(wide, {name: name for name in series}, "Error budget left over the window",
                                       "budget left (%)", "day"))
    st.caption("At the end of each UTC day, the share of the budget the window so far allows that is left: "
               "100 % is untouched, 0 % spent, below 0 overspent. Whole days come from the daily rollups, today "
               "from the raw history up to now.")


def main() -> None:
    current = page.start("SLOs", "Service level objectives per agent (wallmonitor:slos): attainment and error budget over "
                                 "each objective's window, and how fast the budget burns now. Only the agent filter applies here.",
                         long_windows=True)
    conn, f = current.conn, current.filters
    if not current.status["AGENTS"] or current.status["NEWEST_EVENT"] is None:
        notices.nothing_to_show(current, "service level objectives")
        return
    status = pd.DataFrame(queries.slo_status(conn, f))
    if status.empty:
        if f.agents:
            st.info("None of the chosen agents has a service level objective. Clear the agent filter to see every objective.")
            return
        st.info("**No service level objective is set.** Objectives are off by default. Give an agent (or a LIKE "
                "pattern over DATABASE.SCHEMA.AGENT) an availability and/or latency objective, then run `pulumi up`:")
        st.code(f"pulumi config set wallmonitor:slos '{EXAMPLE}'", language="bash")
        st.caption("An objective whose pattern matches no active agent shows nothing either: check the names on "
                   "Pipeline health.")
        return
    met = status[status["ATTAINMENT"].astype(float) >= status["TARGET"].astype(float)]
    spent = status[status["BUDGET_REMAINING"].astype(float) <= 0]
    cells = st.columns(3)
    cells[0].metric("Objectives", fmt.number(len(status)), help="Agent objectives in force (an agent has at most one of each kind)")
    cells[1].metric("Meeting target", fmt.number(len(met)), help="Attainment over the objective's window at or above its target")
    cells[2].metric("Out of budget", fmt.number(len(spent)), help="No error budget left for the rest of the window")

    status["SHOWN_OBJECTIVE"] = [objective_label(o, t) for o, t in zip(status["OBJECTIVE"], status["THRESHOLD_MS"])]
    status["SHOWN_TARGET"] = [fmt.percent(100 * float(t)) for t in status["TARGET"]]
    status["SHOWN_WINDOW"] = [f"{int(d)} days" for d in status["WINDOW_DAYS"]]
    status["SHOWN_ATTAINMENT"] = [fmt.MISSING if pd.isna(a) else f"{100 * float(a):.2f}%" for a in status["ATTAINMENT"]]
    status["SHOWN_BUDGET"] = [fmt.MISSING if pd.isna(b) else fmt.percent(100 * float(b)) for b in status["BUDGET_REMAINING"]]
    for window in ("5M", "30M", "1H", "6H"):
        status[f"BURN_{window}"] = [burn(v) for v in status[f"BURN_RATE_{window}"]]
    st.subheader("Objectives")
    st.dataframe(status[list(COLUMNS)], column_config=COLUMNS, hide_index=True)
    st.caption("Burn rate: the share of bad turns over the share the target allows; at 1× the budget lasts exactly the "
               "window. The SLO fast burn alert fires at 14.4× over 1 hour confirmed over 5 minutes, SLO slow burn "
               "at 6× over 6 hours confirmed over 30 minutes (see Alerts).")

    daily = pd.DataFrame(queries.slo_budget_daily(conn, f))
    st.subheader("Budget burn")
    if daily.empty:
        st.caption("No turn of these agents in their objectives' windows yet.")
        return
    budget_chart(daily)


main()
