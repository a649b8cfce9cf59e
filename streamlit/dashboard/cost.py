"""The Cost page's queries, over the cost views the viewer role may read (sql/cost/models.yml
readers: viewer, in queries.VIEWS), with the same rules as queries.py: fixed text, `?` binds for every value.

Cost is kept per UTC day: the sidebar's window selects the days it touches, from the day of its
start to today. The agent, user and model filters apply to the cost rows; the reconciliation
is per day for the whole account.
"""

from __future__ import annotations

from dashboard.queries import Filters, run
from dashboard.session import Connection

TOP_THREADS_LIMIT = 25
# Columns a breakdown may group by, each a fixed expression chosen in code, never by a widget.
DIMENSIONS = {
    "TEAM": "TEAM",
    "AGENT": "AGENT_DATABASE || '.' || AGENT_SCHEMA || '.' || AGENT_NAME",
    "USER_NAME": "COALESCE(USER_NAME, '(unknown)')",
    "MODEL_NAME": "MODEL_NAME",
}


def _marks(values) -> str:
    return ", ".join("?" for _ in values)


def _days(f: Filters) -> list[str]:
    return [f.start.date().isoformat(), f.now.date().isoformat()]


def _where(f: Filters, day_column: str = "DAY", models: bool = True) -> tuple[str, list]:
    clauses = [f"{day_column} >= CAST(? AS DATE)", f"{day_column} <= CAST(? AS DATE)"]
    params: list = _days(f)
    if f.agents:
        clauses.append(f"{DIMENSIONS['AGENT']} IN ({_marks(f.agents)})")
        params += f.agents
    if f.users:
        clauses.append(f"USER_NAME IN ({_marks(f.users)})")
        params += f.users
    if f.models and models:
        clauses.append(f"MODEL_NAME IN ({_marks(f.models)})")
        params += f.models
    return " AND ".join(clauses), params


def totals(conn: Connection, f: Filters) -> list[dict]:
    """Credits and money by source (ACTUAL, ESTIMATED), the usage view that made them actual
    (USAGE_VIEW: the Cortex Agents or the CoWork view; NULL when estimated) and team assignment,
    in the window's days."""
    where, params = _where(f)
    return run(conn, f"""
        SELECT COST_SOURCE, USAGE_VIEW, TEAM = 'UNASSIGNED' AS UNASSIGNED, SUM(CREDITS) AS CREDITS,
               SUM(AMOUNT) AS AMOUNT, MAX(CURRENCY) AS CURRENCY
        FROM {{COST_DAILY}} WHERE {where}
        GROUP BY COST_SOURCE, USAGE_VIEW, UNASSIGNED ORDER BY COST_SOURCE, USAGE_VIEW, UNASSIGNED""", params,
               views=("COST_DAILY",))


def daily(conn: Connection, f: Filters) -> list[dict]:
    where, params = _where(f)
    return run(conn, f"""
        SELECT DAY AS BUCKET, COST_SOURCE, SUM(CREDITS) AS CREDITS, SUM(AMOUNT) AS AMOUNT
        FROM {{COST_DAILY}} WHERE {where}
        GROUP BY DAY, COST_SOURCE ORDER BY DAY, COST_SOURCE""", params, views=("COST_DAILY",))


def breakdown(conn: Connection, f: Filters, dimension: str) -> list[dict]:
    """Credits and money per team, agent, user or model (DIMENSIONS), estimated part included."""
    expression = DIMENSIONS[dimension]
    where, params = _where(f)
    return run(conn, f"""
        SELECT {expression} AS NAME, SUM(CREDITS) AS CREDITS, SUM(AMOUNT) AS AMOUNT,
               SUM(IFF(COST_SOURCE = 'ESTIMATED', CREDITS, 0)) AS ESTIMATED_CREDITS
        FROM {{COST_DAILY}} WHERE {where}
        GROUP BY NAME ORDER BY CREDITS DESC, NAME""", params, views=("COST_DAILY",))


def top_threads(conn: Connection, f: Filters) -> list[dict]:
    """The most expensive threads active in the window (their whole cost; threads have no model filter)."""
    where, params = _where(f, day_column="CAST(LAST_REQUEST AS DATE)", models=False)
    return run(conn, f"""
        SELECT THREAD_ID, {DIMENSIONS['AGENT']} AS AGENT, USER_NAME, TEAM, REQUESTS, CREDITS, AMOUNT,
               ESTIMATED_CREDITS, FIRST_REQUEST, LAST_REQUEST, CURRENCY
        FROM {{COST_TOP_THREADS}} WHERE {where}
        ORDER BY CREDITS DESC, THREAD_ID
        LIMIT {TOP_THREADS_LIMIT}""", params, views=("COST_TOP_THREADS",))


def reconciliation(conn: Connection, f: Filters) -> list[dict]:
    return run(conn, """
        SELECT DAY, JOIN_KEY, EVENT_REQUESTS, MATCHED_REQUESTS, MATCHED_COWORK_REQUESTS, MATCH_RATE, ALTERNATE_KEY_MATCH_RATE, PENDING_REQUESTS,
               UNMATCHED_REQUESTS, USAGE_ONLY_REQUESTS, ESTIMATE_TO_ACTUAL, ACTUAL_CREDITS, ESTIMATED_CREDITS,
               TOTAL_CREDITS, ESTIMATED_SHARE, REQUESTS_WITH_UNRATED_MODELS
        FROM {COST_RECONCILIATION}
        WHERE DAY >= CAST(? AS DATE) AND DAY <= CAST(? AS DATE)
        ORDER BY DAY DESC""", _days(f), views=("COST_RECONCILIATION",))


def rollup_months(conn: Connection, f: Filters) -> list[dict]:
    """Estimated credits per month over the daily model rollups, as far back as they are kept (no
    cache classes, no users: the agent and model filters apply)."""
    clauses, params = ["TRUE"], []
    if f.agents:
        clauses.append(f"{DIMENSIONS['AGENT']} IN ({_marks(f.agents)})")
        params += f.agents
    if f.models:
        clauses.append(f"MODEL_NAME IN ({_marks(f.models)})")
        params += f.models
    return run(conn, f"""
        SELECT DATE_TRUNC('month', DAY) AS BUCKET, MODEL_NAME, SUM(ESTIMATED_CREDITS) AS CREDITS,
               SUM(ESTIMATED_AMOUNT) AS AMOUNT
        FROM {{COST_ROLLUP_ESTIMATE}} WHERE {" AND ".join(clauses)}
        GROUP BY BUCKET, MODEL_NAME ORDER BY BUCKET, MODEL_NAME""", params, views=("COST_ROLLUP_ESTIMATE",))


def rates(conn: Connection) -> list[dict]:
    return run(conn, """
        SELECT MODEL_NAME, INPUT_RATE, OUTPUT_RATE, CACHE_READ_RATE, CACHE_WRITE_RATE, RATE_SOURCE
        FROM {COST_MODEL_RATES} ORDER BY MODEL_NAME""", views=("COST_MODEL_RATES",))
