"""Alerts: what is firing now, notifications that did not arrive, and every firing, escalation and
recovery with where it was sent and whether it was delivered."""

import pandas as pd
import streamlit as st

from dashboard import alerts, fmt, notices, page

RULES = {
    "error_rate": "Error rate", "latency_p95": "Latency p95", "latency_p99": "Latency p99", "token_spike": "Token spike",
    "runaway_thread_turns": "Runaway thread (turns)", "runaway_thread_steps": "Runaway thread (steps)",
    "runaway_thread_tokens": "Runaway thread (tokens)", "silent_agent": "Silent agent",
    "negative_feedback_rate": "Negative feedback", "ingest_failing": "Ingestion failing", "data_lag": "Data lag",
}
RATES = {"error_rate", "negative_feedback_rate"}
OPEN_COLUMNS = {
    "LEVEL": "Level", "RULE": "Rule", "AGENT_FULL_NAME": "Agent", "SHOWN_VALUE": "Value", "SHOWN_THRESHOLD": "Threshold",
    "FIRST_SEEN": st.column_config.DatetimeColumn("Firing since (UTC)", format="YYYY-MM-DD HH:mm"),
    "LAST_SEEN": st.column_config.DatetimeColumn("Last seen (UTC)", format="YYYY-MM-DD HH:mm"),
    "STATE": "State",
}
HISTORY_COLUMNS = {
    "EVALUATED_AT": st.column_config.DatetimeColumn("When (UTC)", format="YYYY-MM-DD HH:mm"),
    "EVENT_TYPE": "Event", "LEVEL": "Level", "RULE": "Rule", "AGENT_FULL_NAME": "Agent",
    "SHOWN_VALUE": "Value", "SHOWN_THRESHOLD": "Threshold", "WINDOW_MINUTES": st.column_config.NumberColumn("Window (min)"),
    "DETAIL": "Detail", "DELIVERY_STATUS": "Delivery", "NOTIFIED_VIA": "Notified", "MESSAGE": "Message",
}
FAILED_COLUMNS = {
    "EVALUATED_AT": st.column_config.DatetimeColumn("When (UTC)", format="YYYY-MM-DD HH:mm"),
    "EVENT_TYPE": "Event", "LEVEL": "Level", "RULE": "Rule", "AGENT_FULL_NAME": "Agent", "DELIVERY_STATUS": "Delivery",
    "NOTIFIED_VIA": "Per integration", "DELIVERY_ERROR": "Error",
    "DELIVERY_CHECKED_AT": st.column_config.DatetimeColumn("Checked (UTC)", format="YYYY-MM-DD HH:mm"),
}


def shown(rule: str, value) -> str:
    if value is None or pd.isna(value):
        return "–"
    if rule in RATES:
        return fmt.percent(100 * float(value))
    if rule in ("latency_p95", "latency_p99"):
        return fmt.duration_ms(value)
    if rule == "token_spike":
        return f"{float(value):.2f}×"
    return fmt.number(value)


def with_labels(frame: pd.DataFrame) -> pd.DataFrame:
    frame["RULE"] = [RULES.get(rule, rule) for rule in frame["RULE_NAME"]]
    frame["SHOWN_VALUE"] = [shown(rule, value) for rule, value in zip(frame["RULE_NAME"], frame["VALUE"])]
    frame["SHOWN_THRESHOLD"] = [shown(rule, value) for rule, value in zip(frame["RULE_NAME"], frame["THRESHOLD"])]
    return frame


def main() -> None:
    current = page.start("Alerts", "Incidents EVALUATE_ALERTS found: open ones first, then every firing, escalation and "
                                   "recovery in the window. Only the agent filter and the window apply here.",
                         long_windows=True)
    conn, f = current.conn, current.filters
    opened = pd.DataFrame(alerts.open_incidents(conn, f))
    events = pd.DataFrame(alerts.history(conn, f))
    failed = pd.DataFrame(alerts.failed_deliveries(conn, f))
    if opened.empty and events.empty and not alerts.ever_evaluated(conn):
        if not current.status["AGENTS"] or current.status["NEWEST_EVENT"] is None:
            notices.nothing_to_show(current, "alerts")
            return
        st.success("**No alert has fired yet.** Alerting runs when the stack sets `wallmonitor:alertingEnabled` to true; "
                   "the task EVALUATE_ALERTS_TASK then evaluates the rules on its schedule. Evaluate once by hand as the owner role:")
        st.code(f"CALL {conn.database}.{conn.schema}.EVALUATE_ALERTS();", language="sql")
        return
    fired = events[events["EVENT_TYPE"] == "FIRING"] if not events.empty else events
    recovered = events[events["EVENT_TYPE"] == "RECOVERED"] if not events.empty else events
    critical = opened[opened["LEVEL"] == "CRITICAL"] if not opened.empty else opened
    cells = st.columns(5)
    cells[0].metric("Open incidents", fmt.number(len(opened)))
    cells[1].metric("Critical", fmt.number(len(critical)))
    cells[2].metric("Fired", fmt.number(len(fired)), help=f"In the {f.window.label.lower()}")
    cells[3].metric("Recovered", fmt.number(len(recovered)), help=f"In the {f.window.label.lower()}")
    cells[4].metric("Failed deliveries", fmt.number(len(failed)),
                    help=f"Alerts in the {f.window.label.lower()} whose notification did not reach every channel")

    if not failed.empty:
        st.subheader("Failed deliveries")
        st.warning(f"**{fmt.number(len(failed))} alert(s) did not reach every channel.** Snowflake only queues a "
                   "notification; the result comes from INFORMATION_SCHEMA.NOTIFICATION_HISTORY (FAILED: refused or "
                   "given up after retries; UNKNOWN: no result within its 14 days; SENDING: the evaluation stopped "
                   "while sending). Check the integration and its secret; the alert is not sent again.")
        st.dataframe(with_labels(failed)[list(FAILED_COLUMNS)], column_config=FAILED_COLUMNS, hide_index=True)

    st.subheader("Open incidents")
    if opened.empty:
        st.success("Nothing is firing.")
    else:
        opened["STATE"] = ["clearing (in cooldown)" if not pd.isna(clear) else "firing" for clear in opened["CLEAR_SINCE"]]
        st.dataframe(with_labels(opened)[list(OPEN_COLUMNS)], column_config=OPEN_COLUMNS, hide_index=True)

    st.subheader("History")
    if events.empty:
        st.caption(f"No alert fired or recovered in the {f.window.label.lower()}: widen the time window.")
    else:
        if len(events) == alerts.HISTORY_LIMIT:
            st.caption(f"The newest {alerts.HISTORY_LIMIT} events.")
        st.dataframe(with_labels(events)[list(HISTORY_COLUMNS)], column_config=HISTORY_COLUMNS, hide_index=True)


main()
