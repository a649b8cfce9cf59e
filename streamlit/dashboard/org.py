"""Organisation-wide queries and the account filter, for a central deployment.

A central Wallmonitor (wallmonitor:accountRole central) has views ORG_ACCOUNT_DAILY and
ORG_<ROLLUP> that unify the daily rollups of every member account with its own, each row
tagged SOURCE_ACCOUNT. Elsewhere they do not exist and none of this is drawn. As in
queries.py, the SQL text is fixed here: only the identifier-checked qualified view names are
put into it, and every chosen value travels as a `?` bind parameter.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import streamlit as st

from dashboard.session import Connection, identifier

ACCOUNT_DAILY, AGENT_ROLLUP = "ORG_ACCOUNT_DAILY", "ORG_AGENT_DAILY_ROLLUP"
ACCOUNTS_KEY = "wm_accounts"
CACHE_SECONDS = 30


def _plain(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _run(_conn: Connection, cache_key: str, text: str, params: tuple) -> list[dict]:
    rows = _conn.session.sql(text, params=list(params)).collect()
    return [{key: _plain(value) for key, value in row.as_dict().items()} for row in rows]


def _query(conn: Connection, text: str, params=()) -> list[dict]:
    names = {"ACCOUNT_DAILY": conn.qualified(ACCOUNT_DAILY), "AGENT_ROLLUP": conn.qualified(AGENT_ROLLUP)}
    return _run(conn, conn.cache_key, text.format(**names), tuple(params))


def _accounts_clause(accounts: tuple[str, ...], column: str = "SOURCE_ACCOUNT") -> tuple[str, list]:
    if not accounts:
        return "", []
    return f" AND {column} IN ({', '.join('?' for _ in accounts)})", list(accounts)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _central(_conn: Connection, cache_key: str, schema: str) -> bool:
    # SHOW rather than a SELECT that fails: the app's statements read nothing but its views.
    return bool(_conn.session.sql(f"SHOW VIEWS LIKE '{ACCOUNT_DAILY}' IN SCHEMA {schema}").collect())


def is_central(conn: Connection) -> bool:
    """True where the organisation views exist (a central deployment)."""
    return _central(conn, conn.cache_key, f"{identifier(conn.database)}.{identifier(conn.schema)}")


def accounts(conn: Connection) -> list[str]:
    return [row["SOURCE_ACCOUNT"] for row in _query(
        conn, "SELECT DISTINCT SOURCE_ACCOUNT FROM {ACCOUNT_DAILY} ORDER BY SOURCE_ACCOUNT")]


def account_filter(conn: Connection) -> tuple[str, ...]:
    """The sidebar's account filter; its choice follows the viewer from page to page."""
    st.session_state[ACCOUNTS_KEY] = st.session_state.get(ACCOUNTS_KEY, [])
    choices = sorted(set(accounts(conn)) | set(st.session_state[ACCOUNTS_KEY]))
    chosen = st.multiselect("Accounts", choices, key=ACCOUNTS_KEY, placeholder="All accounts")
    st.caption("Accounts apply to the Organisation page; the other pages show this account's own agents "
               "(members share rollups, not events).")
    return tuple(chosen)


def chosen_accounts() -> tuple[str, ...]:
    return tuple(st.session_state.get(ACCOUNTS_KEY) or ())


def account_totals(conn: Connection, since: date, chosen: tuple[str, ...]) -> list[dict]:
    """Per account over [since, today]: sums of the days, and distinct agents and users of the period."""
    where, params = _accounts_clause(chosen)
    sums = _query(conn, """
        SELECT SOURCE_ACCOUNT, SUM(TOTAL_EVENTS) AS EVENTS, SUM(TOTAL_TURNS) AS TURNS,
               SUM(FAILED_TURNS) AS FAILED_TURNS, SUM(TOTAL_TOKENS) AS TOKENS,
               SUM(POSITIVE_FEEDBACK) AS POSITIVE_FEEDBACK, SUM(NEGATIVE_FEEDBACK) AS NEGATIVE_FEEDBACK,
               MAX(LAST_EVENT) AS LAST_EVENT
        FROM {ACCOUNT_DAILY}
        WHERE DAY >= CAST(? AS DATE)""" + where + """
        GROUP BY SOURCE_ACCOUNT""", [since.isoformat(), *params])
    agents = _query(conn, """
        SELECT SOURCE_ACCOUNT, COUNT(DISTINCT AGENT_DATABASE || '.' || AGENT_SCHEMA || '.' || AGENT_NAME) AS AGENTS
        FROM {AGENT_ROLLUP}
        WHERE DAY >= CAST(? AS DATE)""" + where + """
        GROUP BY SOURCE_ACCOUNT""", [since.isoformat(), *params])
    # Distinct users: the estimate of the period's merged HyperLogLog states (average relative
    # error 1.62338 %, https://docs.snowflake.com/en/user-guide/querying-approximate-cardinality);
    # a day rolled up before the states existed gets one accumulated from its exact set.
    users = _query(conn, """
        SELECT SOURCE_ACCOUNT, HLL_ESTIMATE(HLL_COMBINE(STATE)) AS USERS
        FROM (
            SELECT SOURCE_ACCOUNT, HLL_COMBINE(HLL_IMPORT(USERS_HLL)) AS STATE
            FROM {AGENT_ROLLUP}
            WHERE USERS_HLL IS NOT NULL AND DAY >= CAST(? AS DATE)""" + where + """
            GROUP BY SOURCE_ACCOUNT
            UNION ALL
            SELECT r.SOURCE_ACCOUNT, HLL_ACCUMULATE(u.VALUE::STRING)
            FROM {AGENT_ROLLUP} AS r, LATERAL FLATTEN(INPUT => r.USERS) AS u
            WHERE r.USERS_HLL IS NULL AND r.DAY >= CAST(? AS DATE)""" + _accounts_clause(chosen, "r.SOURCE_ACCOUNT")[0] + """
            GROUP BY r.SOURCE_ACCOUNT
        ) AS STATES
        GROUP BY SOURCE_ACCOUNT""",
        [since.isoformat(), *params] * 2)
    agents_of = {row["SOURCE_ACCOUNT"]: row["AGENTS"] for row in agents}
    users_of = {row["SOURCE_ACCOUNT"]: row["USERS"] for row in users}
    rows = [{**row, "AGENTS": agents_of.get(row["SOURCE_ACCOUNT"], 0), "USERS": users_of.get(row["SOURCE_ACCOUNT"], 0)}
            for row in sums]
    return sorted(rows, key=lambda row: (-row["TURNS"], row["SOURCE_ACCOUNT"]))


def daily_turns(conn: Connection, since: date, chosen: tuple[str, ...]) -> list[dict]:
    where, params = _accounts_clause(chosen)
    return _query(conn, """
        SELECT DAY AS BUCKET, SOURCE_ACCOUNT, TOTAL_TURNS AS TURNS
        FROM {ACCOUNT_DAILY}
        WHERE DAY >= CAST(? AS DATE)""" + where + """
        ORDER BY DAY, SOURCE_ACCOUNT""", [since.isoformat(), *params])


def agents(conn: Connection, since: date, chosen: tuple[str, ...]) -> list[dict]:
    where, params = _accounts_clause(chosen)
    return _query(conn, """
        SELECT SOURCE_ACCOUNT, AGENT_DATABASE || '.' || AGENT_SCHEMA || '.' || AGENT_NAME AS AGENT_FULL_NAME,
               SUM(TURNS) AS TURNS, SUM(FAILED_TURNS) AS FAILED_TURNS, SUM(TOTAL_TOKENS) AS TOKENS,
               MAX(LAST_EVENT) AS LAST_EVENT
        FROM {AGENT_ROLLUP}
        WHERE DAY >= CAST(? AS DATE)""" + where + """
        GROUP BY SOURCE_ACCOUNT, AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME
        ORDER BY TURNS DESC, SOURCE_ACCOUNT, AGENT_FULL_NAME""", [since.isoformat(), *params])
