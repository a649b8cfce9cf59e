"""Alerts: what is firing now, notifications that did not arrive, every firing, escalation and
recovery with where it was sent and whether it was delivered, and the rules in force. Each rule's
label and value format come from the deployed ALERT_RULES view (its record in
sql/alerts/rules/): this page names no rule."""

import pandas as pd
import streamlit as st

from dashboard import alerts, fmt, notices, page

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
RULE_COLUMNS = {
    "RULE": "Rule", "MEASURES": "Measures", "AGENT": "Agent", "STATE": "State",
    "SHOWN_WARNING": "Warning", "SHOWN_CRITICAL": "Critical", "WINDOW": "Window", "MIN_VOLUME": "Min. volume",
}
FAILED_COLUMNS = {
    "EVALUATED_AT": st.column_config.DatetimeColumn("When (UTC)", format="YYYY-MM-DD HH:mm"),
    "EVENT_TYPE": "Event", "LEVEL": "Level", "RULE": "Rule", "AGENT_FULL_NAME": "Agent", "DELIVERY_STATUS": "Delivery",
    "NOTIFIED_VIA": "Per integration", "DELIVERY_ERROR": "Error",
    "DELIVERY_CHECKED_AT": st.column_config.DatetimeColumn("Checked (UTC)", format="YYYY-MM-DD HH:mm"),
}


def shown(value_format: str, value) -> str:
    """A value as its rule's format reads (lib/sql/alertRules.ts VALUE_FORMATS)."""
    if value is None or pd.isna(value):
        return "–"
    if value_format == "percent":
        return fmt.percent(100 * float(value))
    if value_format == "duration_ms":
        return fmt.duration_ms(value)
    if value_format == "multiple":
        return f"{float(value):.2f}×"
    return fmt.number(value)


def with_labels(frame: pd.DataFrame, rules: pd.DataFrame) -> pd.DataFrame:
    """The rule's label, and the value and threshold as people read them; a rule no longer deployed keeps its name."""
    stack_rules = rules[rules["AGENT_FULL_NAME"].isna()].set_index("RULE_NAME")
    labels, formats = stack_rules["LABEL"].to_dict(), stack_rules["VALUE_FORMAT"].to_dict()
    frame["RULE"] = [labels.get(rule, rule) for rule in frame["RULE_NAME"]]
    frame["SHOWN_VALUE"] = [shown(formats.get(rule, "number"), value) for rule, value in zip(frame["RULE_NAME"], frame["VALUE"])]
    frame["SHOWN_THRESHOLD"] = [shown(formats.get(rule, "number"), value)
                                for rule, value in zip(frame["RULE_NAME"], frame["THRESHOLD"])]
    return frame


def show_rules(rules: pd.DataFrame) -> None:
    """The rules in force: each as the stack sets it, then what differs for an agent."""
    st.subheader("Rules")
    rules = rules.copy()
    rules["RULE"] = rules["LABEL"]
    rules["AGENT"] = ["every agent" if pd.isna(agent) else agent for agent in rules["AGENT_FULL_NAME"]]
    rules["STATE"] = ["on" if enabled else "off" for enabled in rules["ENABLED"]]
    rules["SHOWN_WARNING"] = [shown(f, v) for f, v in zip(rules["VALUE_FORMAT"], rules["WARNING_THRESHOLD"])]
    rules["SHOWN_CRITICAL"] = [shown(f, v) for f, v in zip(rules["VALUE_FORMAT"], rules["CRITICAL_THRESHOLD"])]
    rules["WINDOW"] = [f"{int(minutes)} min" if windowed else "–"
                       for minutes, windowed in zip(rules["WINDOW_MINUTES"], rules["IS_WINDOWED"])]
    st.dataframe(rules[list(RULE_COLUMNS)], column_config=RULE_COLUMNS, hide_index=True)


def main() -> None:
    current = page.start("Alerts", "Incidents EVALUATE_ALERTS found: open ones first, then every firing, escalation and "
                                   "recovery in the window. Only the agent filter and the window apply here.",
                         long_windows=True)
    conn, f = current.conn, current.filters
    opened = pd.DataFrame(alerts.open_incidents(conn, f))
    events = pd.DataFrame(alerts.history(conn, f))
    failed = pd.DataFrame(alerts.failed_deliveries(conn, f))
    rules = pd.DataFrame(alerts.rules(conn, f))
    if opened.empty and events.empty and not alerts.ever_evaluated(conn):
        if not current.status["AGENTS"] or current.status["NEWEST_EVENT"] is None:
            notices.nothing_to_show(current, "alerts")
            return
        st.success("**No alert has fired yet.** Alerting runs when the stack sets `wallmonitor:alertingEnabled` to true; "
                   "the task EVALUATE_ALERTS_TASK then evaluates the rules on its schedule. Evaluate once by hand as the owner role:")
        st.code(f"CALL {conn.database}.{conn.schema}.EVALUATE_ALERTS();", language="sql")
        show_rules(rules)
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
        st.dataframe(with_labels(failed, rules)[list(FAILED_COLUMNS)], column_config=FAILED_COLUMNS, hide_index=True)

    st.subheader("Open incidents")
    if opened.empty:
        st.success("Nothing is firing.")
    else:
        opened["STATE"] = ["clearing (in cooldown)" if not pd.isna(clear) else "firing" for clear in opened["CLEAR_SINCE"]]
        st.dataframe(with_labels(opened, rules)[list(OPEN_COLUMNS)], column_config=OPEN_COLUMNS, hide_index=True)

    st.subheader("History")
    if events.empty:
        st.caption(f"No alert fired or recovered in the {f.window.label.lower()}: widen the time window.")
    else:
        if len(events) == alerts.HISTORY_LIMIT:
            st.caption(f"The newest {alerts.HISTORY_LIMIT} events.")
        st.dataframe(with_labels(events, rules)[list(HISTORY_COLUMNS)], column_config=HISTORY_COLUMNS, hide_index=True)
    show_rules(rules)


main()
