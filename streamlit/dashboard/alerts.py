"""The Alerts page's queries: ALERT_STATUS (each rule and agent that fired, open or not),
ALERT_HISTORY_VIEW (every firing, escalation and recovery, with what became of its
notifications) and ALERT_RULES (the deployed rules: label, value format, thresholds in force).
Fixed text, `?` binds only, through queries.run, like every dashboard query."""

from __future__ import annotations

from dashboard import queries
from dashboard.queries import Filters
from dashboard.session import Connection

HISTORY_LIMIT = 500


def _timestamp(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


def _agents(f: Filters) -> tuple[str, list]:
    if not f.agents:
        return "", []
    return f" AND AGENT_FULL_NAME IN ({', '.join('?' for _ in f.agents)})", list(f.agents)


def open_incidents(conn: Connection, f: Filters) -> list[dict]:
    """Incidents still open (firing, or clear but within the cooldown), critical first."""
    where, params = _agents(f)
    return queries.run(conn, f"""
        SELECT RULE_NAME, AGENT_FULL_NAME, LEVEL, VALUE, THRESHOLD, FIRST_SEEN, LAST_SEEN, CLEAR_SINCE, NOTIFIED_LEVEL,
               LAST_NOTIFIED_AT, INCIDENT_ID
        FROM {{ALERT_STATUS}}
        WHERE IS_OPEN{where}
        ORDER BY IFF(LEVEL = 'CRITICAL', 0, 1), FIRST_SEEN, RULE_NAME, AGENT_FULL_NAME""", params, views=("ALERT_STATUS",))


def history(conn: Connection, f: Filters) -> list[dict]:
    """Firings, escalations and recoveries evaluated in the window, newest first."""
    where, params = _agents(f)
    return queries.run(conn, f"""
        SELECT EVALUATED_AT, EVENT_TYPE, LEVEL, RULE_NAME, AGENT_FULL_NAME, VALUE, THRESHOLD, WINDOW_MINUTES, VOLUME,
               BASELINE, DETAIL, FIRST_SEEN, LAST_SEEN, NOTIFIED_VIA, MESSAGE, INCIDENT_ID, DELIVERY_STATUS
        FROM {{ALERT_HISTORY_VIEW}}
        WHERE EVALUATED_AT >= CAST(? AS TIMESTAMP_NTZ) AND EVALUATED_AT <= CAST(? AS TIMESTAMP_NTZ){where}
        ORDER BY EVALUATED_AT DESC, RULE_NAME, AGENT_FULL_NAME, EVENT_TYPE
        LIMIT {HISTORY_LIMIT}""", [_timestamp(f.start), _timestamp(f.now), *params],
        views=("ALERT_HISTORY_VIEW",))


# FAILED: an integration refused the message or NOTIFICATION_HISTORY reports its last attempt failed;
# UNKNOWN: no result before NOTIFICATION_HISTORY's window closed; SENDING: the evaluation stopped while sending.
UNDELIVERED = ("FAILED", "UNKNOWN", "SENDING")


def failed_deliveries(conn: Connection, f: Filters) -> list[dict]:
    """Alerts in the window whose notifications did not (or may not) reach every channel, newest first."""
    where, params = _agents(f)
    return queries.run(conn, f"""
        SELECT EVALUATED_AT, EVENT_TYPE, LEVEL, RULE_NAME, AGENT_FULL_NAME, VALUE, THRESHOLD, DELIVERY_STATUS, NOTIFIED_VIA,
               DELIVERY_ERROR, DELIVERY_CHECKED_AT, INCIDENT_ID
        FROM {{ALERT_HISTORY_VIEW}}
        WHERE DELIVERY_STATUS IN ({', '.join('?' for _ in UNDELIVERED)})
          AND EVALUATED_AT >= CAST(? AS TIMESTAMP_NTZ) AND EVALUATED_AT <= CAST(? AS TIMESTAMP_NTZ){where}
        ORDER BY EVALUATED_AT DESC, RULE_NAME, AGENT_FULL_NAME, EVENT_TYPE
        LIMIT {HISTORY_LIMIT}""", [*UNDELIVERED, _timestamp(f.start), _timestamp(f.now), *params],
        views=("ALERT_HISTORY_VIEW",))


def rules(conn: Connection, f: Filters) -> list[dict]:
    """Every deployed rule as the stack sets it, then its overrides for the agents in the filter (all without one)."""
    where, params = _agents(f)
    return queries.run(conn, f"""
        SELECT RULE_NAME, LABEL, MEASURES, VALUE_FORMAT, AGENT_FULL_NAME, ENABLED, WARNING_THRESHOLD, CRITICAL_THRESHOLD,
               WINDOW_MINUTES, IS_WINDOWED, MIN_VOLUME
        FROM {{ALERT_RULES}}
        WHERE AGENT_FULL_NAME IS NULL OR (TRUE{where})
        ORDER BY RULE_NAME, AGENT_FULL_NAME NULLS FIRST""", params, views=("ALERT_RULES",))


def ever_evaluated(conn: Connection) -> bool:
    """Whether EVALUATE_ALERTS has recorded anything: no row at all means alerting is off or never fired."""
    rows = queries.run(conn, "SELECT COUNT(*) AS N FROM {ALERT_STATUS}", views=("ALERT_STATUS",))
    return bool(rows and rows[0]["N"])
