"""Every query the dashboard runs.

Each query is fixed text with `?` bind parameters. Only two kinds of text are ever put into
it: a view's qualified name (a name from VIEWS, prefixed with the identifier-checked database
and schema) and fragments fixed in this module (a filter's `IN (?, ?)` placeholders, a time
bucket expression). Values chosen or typed in widgets travel only as bind parameters.

VIEWS holds only views the viewer role may read: rollups, timelines, feedback and pipeline
health; never the per-event views over raw history. It is the model registry's dashboard set
(sql/*/models.yml `dashboard: true`), generated into dashboard/registry_views.py.
Timestamps are naive UTC throughout, as the views store them.

A window longer than the raw history (DASHBOARD_SETTINGS.HISTORY_DAYS) is answered from the
daily rollups (AGENT_DAILY_ACTIVITY, AGENT_DAILY_LATENCY_HISTOGRAM) over whole UTC days: sums
add, distinct users and threads are estimated from the days' merged HyperLogLog states, and
latency percentiles come from the merged histograms (within 2.47 %). Where the periods a query
groups by are whole calendar months (the 12-month window), the histograms of the calendar
months wholly inside the window are read from AGENT_MONTHLY_LATENCY_HISTOGRAM instead of their
days: histograms add exactly, so the percentiles are the same, from about 30 times fewer rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import streamlit as st

from dashboard.registry_views import DASHBOARD_VIEWS
from dashboard.session import Connection

VIEWS = DASHBOARD_VIEWS
CACHE_SECONDS = 30
THREAD_LIST_LIMIT = 500
RECENT_ERRORS_LIMIT = 100
COMMENTS_LIMIT = 200


@dataclass(frozen=True)
class Window:
    label: str
    hours: int
    # Fixed bucket expressions for trend charts, chosen by window, never by a widget value:
    # over raw events, and over the daily rollups' DAY when the window is longer than the history.
    bucket: str
    day_bucket: str = "DAY"
    # Whether day_bucket's periods are whole calendar months, so the histogram of a calendar month
    # wholly inside the window can stand in for its days' (the window's other groupings, the
    # window itself and agents, are unions of whole periods too).
    month_periods: bool = False


WINDOWS = (
    Window("Last hour", 1, "DATE_TRUNC('minute', EVENT_TIMESTAMP)"),
    Window("Last 24 hours", 24, "DATE_TRUNC('hour', EVENT_TIMESTAMP)"),
    Window("Last 7 days", 24 * 7, "DATE_TRUNC('hour', EVENT_TIMESTAMP)"),
    Window("Last 30 days", 24 * 30, "DATE_TRUNC('day', EVENT_TIMESTAMP)"),
    Window("Last 90 days", 24 * 90, "DATE_TRUNC('week', EVENT_TIMESTAMP)", "DATE_TRUNC('week', DAY)"),
    Window("Last 12 months", 24 * 365, "DATE_TRUNC('month', EVENT_TIMESTAMP)", "DATE_TRUNC('month', DAY)", True),
)
DEFAULT_WINDOW = WINDOWS[1]


@dataclass(frozen=True)
class Settings:
    """The stack's windows and schedule as the deployment's DASHBOARD_SETTINGS view states them.
    The dashboard keeps no copy of the stack's config or its defaults (those live in Pulumi.yaml)."""
    realtime_window_hours: int
    history_days: int
    refresh_interval_minutes: int
    refresh_task: str
    # Whether search queries, Analyst SQL and feedback comments are stored (storeConversationText).
    store_conversation_text: bool
    # How far the monthly latency histograms of closed months may trail the daily rollups
    # (dynamicTableTargetLagMinutes: DT_AGENT_MONTHLY_LATENCY's target lag); None where not stated.
    dynamic_table_target_lag_minutes: int | None = None


class MissingSettings(RuntimeError):
    """DASHBOARD_SETTINGS cannot be read: the app runs without the schema it is deployed with."""


@dataclass(frozen=True)
class Filters:
    window: Window
    now: datetime
    settings: Settings
    agents: tuple[str, ...] = ()
    users: tuple[str, ...] = ()
    models: tuple[str, ...] = ()

    @property
    def start(self) -> datetime:
        return self.now - timedelta(hours=self.window.hours)

    @property
    def previous_start(self) -> datetime:
        return self.now - timedelta(hours=2 * self.window.hours)

    @property
    def from_rollups(self) -> bool:
        """The window reaches past the raw history: answer it from the daily rollups."""
        return self.window.hours > self.settings.history_days * 24

    @property
    def first_day(self) -> date:
        """A rollup window's first UTC day: the window is its last hours/24 days, today included."""
        return self.now.date() - timedelta(days=self.window.hours // 24 - 1)

    @property
    def previous_first_day(self) -> date:
        return self.now.date() - timedelta(days=2 * (self.window.hours // 24) - 1)

    def view(self, base: str, reach_hours: int | None = None) -> str:
        """The realtime view when the query reaches no further back than the realtime
        window, else its *_RECENT twin over the whole history."""
        reach = self.window.hours if reach_hours is None else reach_hours
        name = base if reach <= self.settings.realtime_window_hours else f"{base}_RECENT"
        if name not in VIEWS:
            raise ValueError(f"{name} is not a view the dashboard may read")
        return name


def utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


def _timestamp(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


def _marks(values) -> str:
    return ", ".join("?" for _ in values)


def _agents_where(f: Filters) -> tuple[str, list]:
    """A WHERE clause keeping the sidebar's agents (none when it names none), and its binds."""
    if not f.agents:
        return "", []
    return f"WHERE AGENT_FULL_NAME IN ({_marks(f.agents)})", list(f.agents)


def _plain(value):
    """NUMBER results as int or float, so pandas and formatting treat them as numbers."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _execute(conn: Connection, text: str, params: tuple) -> list[dict]:
    rows = conn.session.sql(text, params=list(params)).collect()
    return [{key: _plain(value) for key, value in row.as_dict().items()} for row in rows]


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _cached(_conn: Connection, cache_key: str, text: str, params: tuple) -> list[dict]:
    return _execute(_conn, text, params)


def run(conn: Connection, text: str, params=(), views: tuple[str, ...] = ()) -> list[dict]:
    """Runs ``text`` with ``{VIEW}``-style placeholders replaced by the qualified names of
    ``views`` (each must be in VIEWS) and ``params`` bound to its `?` marks."""
    names = {}
    for view in views:
        if view not in VIEWS:
            raise ValueError(f"{view} is not a view the dashboard may read")
        names[view] = conn.qualified(view)
    return _cached(conn, conn.cache_key, text.format(**names), tuple(params))


# --- filters ------------------------------------------------------------------------------------
def _where(f: Filters, timeline: str, since: datetime, time_column: str = "EVENT_TIMESTAMP",
           search: str = "", search_columns: tuple[str, ...] = ()) -> tuple[str, list]:
    """The WHERE clause of the sidebar's filters: [since, now], agents, users, and threads
    that used one of the models (a model is a property of planning spans, so filtering rows
    by it would drop each turn's other spans). ``timeline`` is the view the model test reads."""
    clauses = [f"{time_column} >= CAST(? AS TIMESTAMP_NTZ)", f"{time_column} <= CAST(? AS TIMESTAMP_NTZ)"]
    params: list = [_timestamp(since), _timestamp(f.now)]
    if f.agents:
        clauses.append(f"AGENT_FULL_NAME IN ({_marks(f.agents)})")
        params += f.agents
    if f.users:
        clauses.append(f"USER_ID IN ({_marks(f.users)})")
        params += f.users
    if f.models:
        clauses.append(
            f"THREAD_ID IN (SELECT m.THREAD_ID FROM {{{timeline}}} AS m WHERE m.MODEL_NAME IN ({_marks(f.models)}) "
            "AND m.EVENT_TIMESTAMP >= CAST(? AS TIMESTAMP_NTZ) AND m.EVENT_TIMESTAMP <= CAST(? AS TIMESTAMP_NTZ))")
        params += [*f.models, _timestamp(since), _timestamp(f.now)]
    if search:
        # CONTAINS matches the text as typed: % and _ are not wildcards.
        clauses.append("(" + " OR ".join(f"CONTAINS({column}, ?)" for column in search_columns) + ")")
        params += [search] * len(search_columns)
    return " AND ".join(clauses), params


# --- what every page needs -----------------------------------------------------------------------
def settings(conn: Connection) -> Settings:
    """The deployment's settings; MissingSettings when its view cannot be read, since any value
    guessed here could disagree with the deployed views (which window is realtime, how many days
    the raw history keeps)."""
    fix = ("Deploy the stack with `pulumi up`, which creates the view and grants the viewer role SELECT on it, "
           "then reload this page.")
    try:
        rows = run(conn, "SELECT * FROM {DASHBOARD_SETTINGS}", views=("DASHBOARD_SETTINGS",))
    except Exception as error:
        raise MissingSettings(f"The dashboard reads the stack's settings from {conn.qualified('DASHBOARD_SETTINGS')}, "
                              f"which cannot be read here ({error}). {fix}") from error
    if len(rows) != 1:
        raise MissingSettings(f"{conn.qualified('DASHBOARD_SETTINGS')} holds {len(rows)} rows instead of the "
                              f"stack's one. {fix}")
    row = rows[0]
    return Settings(realtime_window_hours=int(row["REALTIME_WINDOW_HOURS"]), history_days=int(row["HISTORY_DAYS"]),
                    refresh_interval_minutes=int(row["REFRESH_INTERVAL_MINUTES"]), refresh_task=row["REFRESH_TASK"],
                    store_conversation_text=bool(row["STORE_CONVERSATION_TEXT"]),
                    dynamic_table_target_lag_minutes=int(row["DYNAMIC_TABLE_TARGET_LAG_MINUTES"]))


def pipeline_status(conn: Connection) -> dict:
    """Registered agents, the newest event loaded and the latest refresh, for empty states."""
    rows = run(conn, """
        SELECT COUNT(*) AS AGENTS,
               COUNT_IF(HEALTH = 'HEALTHY') AS HEALTHY_AGENTS,
               MAX(LAST_EVENT_TIMESTAMP) AS NEWEST_EVENT,
               MAX(LAST_REFRESH_AT) AS LAST_REFRESH_AT
        FROM {PIPELINE_HEALTH}""", views=("PIPELINE_HEALTH",))
    return rows[0]


def filter_options(conn: Connection, f: Filters) -> dict[str, list[str]]:
    """Agents, users and models seen in the window, for the sidebar's choices."""
    if f.from_rollups:  # only the agent filter reaches the rollups
        days = run(conn, """
            SELECT DISTINCT AGENT_FULL_NAME FROM {AGENT_DAILY_ACTIVITY}
            WHERE DAY >= CAST(? AS DATE) AND DAY <= CAST(? AS DATE)""",
                   [f.first_day.isoformat(), f.now.date().isoformat()], views=("AGENT_DAILY_ACTIVITY",))
        return {"agents": sorted(r["AGENT_FULL_NAME"] for r in days), "users": [], "models": []}
    activity, timeline = f.view("THREAD_ACTIVITY"), f.view("THREAD_TIMELINE")
    since, now = _timestamp(f.start), _timestamp(f.now)
    pairs = run(conn, f"""
        SELECT DISTINCT AGENT_FULL_NAME, USER_ID FROM {{{activity}}}
        WHERE THREAD_LAST_ACTIVITY >= CAST(? AS TIMESTAMP_NTZ) AND THREAD_LAST_ACTIVITY <= CAST(? AS TIMESTAMP_NTZ)
    """, [since, now], views=(activity,))
    models = run(conn, f"""
        SELECT DISTINCT MODEL_NAME FROM {{{timeline}}}
        WHERE MODEL_NAME IS NOT NULL
          AND EVENT_TIMESTAMP >= CAST(? AS TIMESTAMP_NTZ) AND EVENT_TIMESTAMP <= CAST(? AS TIMESTAMP_NTZ)
    """, [since, now], views=(timeline,))
    return {
        "agents": sorted({r["AGENT_FULL_NAME"] for r in pairs if r["AGENT_FULL_NAME"] is not None}),
        "users": sorted({r["USER_ID"] for r in pairs if r["USER_ID"] is not None}),
        "models": sorted({r["MODEL_NAME"] for r in models}),
    }


# --- overview -------------------------------------------------------------------------------------
_TURN_MEASURES = """
    COUNT(DISTINCT THREAD_ID) AS ACTIVE_THREADS,
    COUNT(DISTINCT USER_ID) AS ACTIVE_USERS,
    COUNT(DISTINCT AGENT_FULL_NAME) AS ACTIVE_AGENTS,
    COUNT_IF(SPAN_CATEGORY = 'AGENT_RUN') AS TURNS,
    COUNT_IF(SPAN_CATEGORY = 'AGENT_RUN' AND STATUS = 'ERROR') AS FAILED_TURNS,
    COALESCE(SUM(TOTAL_TOKENS), 0) AS TOKENS,
    PERCENTILE_CONT(0.50) WITHIN GROUP (ORDER BY IFF(SPAN_CATEGORY = 'AGENT_RUN', SPAN_DURATION_MS, NULL)) AS P50_TURN_LATENCY_MS,
    PERCENTILE_CONT(0.95) WITHIN GROUP (ORDER BY IFF(SPAN_CATEGORY = 'AGENT_RUN', SPAN_DURATION_MS, NULL)) AS P95_TURN_LATENCY_MS,
    PERCENTILE_CONT(0.99) WITHIN GROUP (ORDER BY IFF(SPAN_CATEGORY = 'AGENT_RUN', SPAN_DURATION_MS, NULL)) AS P99_TURN_LATENCY_MS
"""
_EMPTY_KPIS = {"ACTIVE_THREADS": 0, "ACTIVE_USERS": 0, "ACTIVE_AGENTS": 0, "TURNS": 0, "FAILED_TURNS": 0, "TOKENS": 0,
               "P50_TURN_LATENCY_MS": None, "P95_TURN_LATENCY_MS": None, "P99_TURN_LATENCY_MS": None}


def kpis(conn: Connection, f: Filters) -> dict[str, dict]:
    """The window's headline numbers and the same for the period before it."""
    if f.from_rollups:
        return rollup_kpis(conn, f)
    timeline = f.view("THREAD_TIMELINE", reach_hours=2 * f.window.hours)
    where, params = _where(f, timeline, f.previous_start)
    rows = run(conn, f"""
        SELECT IFF(EVENT_TIMESTAMP >= CAST(? AS TIMESTAMP_NTZ), 'CURRENT', 'PREVIOUS') AS PERIOD, {_TURN_MEASURES}
        FROM {{{timeline}}} WHERE {where}
        GROUP BY PERIOD""", [_timestamp(f.start), *params], views=(timeline,))
    by_period = {row["PERIOD"]: row for row in rows}
    return {period: {**_EMPTY_KPIS, **by_period.get(period.upper(), {})} for period in ("current", "previous")}


def trend(conn: Connection, f: Filters) -> list[dict]:
    """Turns, failed turns and tokens per time bucket and agent."""
    if f.from_rollups:
        return rollup_trend(conn, f)
    timeline = f.view("THREAD_TIMELINE")
    where, params = _where(f, timeline, f.start)
    return run(conn, f"""
        SELECT {f.window.bucket} AS BUCKET, AGENT_FULL_NAME,
               COUNT_IF(SPAN_CATEGORY = 'AGENT_RUN') AS TURNS,
               COUNT_IF(SPAN_CATEGORY = 'AGENT_RUN' AND STATUS = 'ERROR') AS FAILED_TURNS,
               COALESCE(SUM(TOTAL_TOKENS), 0) AS TOKENS
        FROM {{{timeline}}} WHERE {where}
        GROUP BY BUCKET, AGENT_FULL_NAME ORDER BY BUCKET, AGENT_FULL_NAME""", params, views=(timeline,))


def latency_trend(conn: Connection, f: Filters) -> list[dict]:
    """Turn latency percentiles per time bucket."""
    if f.from_rollups:
        return rollup_latency_trend(conn, f)
    timeline = f.view("THREAD_TIMELINE")
    where, params = _where(f, timeline, f.start)
    return run(conn, f"""
        SELECT {f.window.bucket} AS BUCKET,
               PERCENTILE_CONT(0.50) WITHIN GROUP (ORDER BY SPAN_DURATION_MS) AS P50_TURN_LATENCY_MS,
               PERCENTILE_CONT(0.95) WITHIN GROUP (ORDER BY SPAN_DURATION_MS) AS P95_TURN_LATENCY_MS
        FROM {{{timeline}}} WHERE {where} AND SPAN_CATEGORY = 'AGENT_RUN'
        GROUP BY BUCKET ORDER BY BUCKET""", params, views=(timeline,))


# --- agents and users ---------------------------------------------------------------------------------
def agents(conn: Connection, f: Filters) -> list[dict]:
    """Per agent: volume, turn latency percentiles, error rate, tokens, tool and model use."""
    if f.from_rollups:
        return rollup_agents(conn, f)
    timeline = f.view("THREAD_TIMELINE")
    where, params = _where(f, timeline, f.start)
    return run(conn, f"""
        SELECT AGENT_FULL_NAME, {_TURN_MEASURES},
               COUNT_IF(SPAN_CATEGORY = 'LLM_CALL') AS LLM_CALLS,
               COUNT_IF(SPAN_CATEGORY = 'TOOL_EXECUTION') AS TOOL_CALLS,
               COUNT_IF(SPAN_CATEGORY = 'RETRIEVAL') AS RETRIEVAL_CALLS,
               COUNT(DISTINCT MODEL_NAME) AS MODELS_USED,
               MAX(EVENT_TIMESTAMP) AS LAST_EVENT
        FROM {{{timeline}}} WHERE {where}
        GROUP BY AGENT_FULL_NAME ORDER BY TURNS DESC, AGENT_FULL_NAME""", params, views=(timeline,))


def agent_usage(conn: Connection, f: Filters) -> list[dict]:
    """Per agent, each model (planning calls) and each tool (calls, failures) it used."""
    timeline = f.view("THREAD_TIMELINE")
    where, params = _where(f, timeline, f.start)
    return run(conn, f"""
        SELECT AGENT_FULL_NAME, 'model' AS KIND, MODEL_NAME AS NAME, COUNT(*) AS CALLS, COUNT_IF(STATUS = 'ERROR') AS FAILED
        FROM {{{timeline}}} WHERE {where} AND MODEL_NAME IS NOT NULL
        GROUP BY AGENT_FULL_NAME, MODEL_NAME
        UNION ALL
        SELECT AGENT_FULL_NAME, 'tool' AS KIND, TOOL_NAME AS NAME, COUNT(*) AS CALLS, COUNT_IF(STATUS = 'ERROR') AS FAILED
        FROM {{{timeline}}} WHERE {where} AND TOOL_NAME IS NOT NULL
        GROUP BY AGENT_FULL_NAME, TOOL_NAME
        ORDER BY AGENT_FULL_NAME, KIND, CALLS DESC""", [*params, *params], views=(timeline,))


def users(conn: Connection, f: Filters, search: str = "") -> list[dict]:
    """Per user: threads, agents, turns, failures, tokens, latency and when last seen."""
    timeline = f.view("THREAD_TIMELINE")
    where, params = _where(f, timeline, f.start, search=search, search_columns=("USER_ID",))
    return run(conn, f"""
        SELECT USER_ID, {_TURN_MEASURES}, MAX(EVENT_TIMESTAMP) AS LAST_SEEN
        FROM {{{timeline}}} WHERE {where} AND USER_ID IS NOT NULL
        GROUP BY USER_ID ORDER BY TURNS DESC, USER_ID""", params, views=(timeline,))


# --- threads ---------------------------------------------------------------------------------------------
def threads(conn: Connection, f: Filters, search: str = "") -> list[dict]:
    """The window's threads, most recently active first (at most THREAD_LIST_LIMIT)."""
    activity, timeline = f.view("THREAD_ACTIVITY"), f.view("THREAD_TIMELINE")
    where, params = _where(f, timeline, f.start, time_column="THREAD_LAST_ACTIVITY",
                           search=search, search_columns=("THREAD_ID", "USER_ID"))
    return run(conn, f"""
        SELECT AGENT_FULL_NAME, THREAD_ID, USER_ID, THREAD_START_TIME, THREAD_LAST_ACTIVITY, THREAD_DURATION_SECONDS,
               TURNS, FAILED_TURNS, LLM_CALLS, TOOL_CALLS, RETRIEVAL_CALLS, TOTAL_TOKENS, ERROR_COUNT,
               LATEST_STATUS, LATEST_MODEL
        FROM {{{activity}}} WHERE {where}
        ORDER BY THREAD_LAST_ACTIVITY DESC, AGENT_FULL_NAME, THREAD_ID
        LIMIT {THREAD_LIST_LIMIT}""", params, views=(activity, timeline))


def thread_timeline(conn: Connection, agent: str, thread_id: str) -> list[dict]:
    """Every span and event of one thread, in order, from the whole history."""
    return run(conn, """
        SELECT EVENT_SEQUENCE, EVENT_TIMESTAMP, START_TIMESTAMP, SECONDS_SINCE_THREAD_START, TRACE_ID, SPAN_ID,
               PARENT_SPAN_ID, SPAN_NAME, SPAN_CATEGORY, MODEL_NAME, TOOL_NAME, PROMPT_TOKENS, COMPLETION_TOKENS,
               TOTAL_TOKENS, SPAN_DURATION_MS, RETRIEVAL_QUERY, STATUS, ERROR_MESSAGE
        FROM {THREAD_TIMELINE_RECENT}
        WHERE AGENT_FULL_NAME = ? AND THREAD_ID = ?
        ORDER BY EVENT_SEQUENCE""", [agent, thread_id], views=("THREAD_TIMELINE_RECENT",))


# --- errors ------------------------------------------------------------------------------------------------
def error_groups(conn: Connection, f: Filters) -> list[dict]:
    """Failed spans grouped by agent, where they failed (span category and tool) and why."""
    timeline = f.view("THREAD_TIMELINE")
    where, params = _where(f, timeline, f.start)
    return run(conn, f"""
        SELECT AGENT_FULL_NAME, SPAN_CATEGORY, TOOL_NAME, ERROR_MESSAGE,
               COUNT(*) AS ERRORS, COUNT(DISTINCT THREAD_ID) AS THREADS, MAX(EVENT_TIMESTAMP) AS LAST_SEEN
        FROM {{{timeline}}} WHERE {where} AND STATUS = 'ERROR'
        GROUP BY AGENT_FULL_NAME, SPAN_CATEGORY, TOOL_NAME, ERROR_MESSAGE
        ORDER BY ERRORS DESC, LAST_SEEN DESC""", params, views=(timeline,))


def recent_errors(conn: Connection, f: Filters) -> list[dict]:
    timeline = f.view("THREAD_TIMELINE")
    where, params = _where(f, timeline, f.start)
    return run(conn, f"""
        SELECT EVENT_TIMESTAMP, AGENT_FULL_NAME, THREAD_ID, USER_ID, SPAN_CATEGORY, SPAN_NAME, TOOL_NAME, ERROR_MESSAGE
        FROM {{{timeline}}} WHERE {where} AND STATUS = 'ERROR'
        ORDER BY EVENT_TIMESTAMP DESC, AGENT_FULL_NAME, THREAD_ID, EVENT_SEQUENCE
        LIMIT {RECENT_ERRORS_LIMIT}""", params, views=(timeline,))


# --- feedback ---------------------------------------------------------------------------------------------
def feedback_by_agent(conn: Connection, f: Filters) -> list[dict]:
    feedback, timeline = f.view("AGENT_FEEDBACK"), f.view("THREAD_TIMELINE")
    where, params = _where(f, timeline, f.start)
    return run(conn, f"""
        SELECT AGENT_FULL_NAME,
               COUNT_IF(FEEDBACK_POSITIVE) AS POSITIVE,
               COUNT_IF(NOT FEEDBACK_POSITIVE) AS NEGATIVE,
               COUNT_IF(NOT FEEDBACK_POSITIVE AND TURN_STATUS = 'ERROR') AS NEGATIVE_ON_FAILED_TURNS,
               COUNT_IF(FEEDBACK_MESSAGE IS NOT NULL AND FEEDBACK_MESSAGE <> '') AS COMMENTS
        FROM {{{feedback}}} WHERE {where}
        GROUP BY AGENT_FULL_NAME ORDER BY AGENT_FULL_NAME""", params, views=(feedback, timeline))


def feedback_trend(conn: Connection, f: Filters) -> list[dict]:
    feedback, timeline = f.view("AGENT_FEEDBACK"), f.view("THREAD_TIMELINE")
    where, params = _where(f, timeline, f.start)
    return run(conn, f"""
        SELECT {f.window.bucket} AS BUCKET, COUNT_IF(FEEDBACK_POSITIVE) AS POSITIVE, COUNT_IF(NOT FEEDBACK_POSITIVE) AS NEGATIVE
        FROM {{{feedback}}} WHERE {where}
        GROUP BY BUCKET ORDER BY BUCKET""", params, views=(feedback, timeline))


def feedback_comments(conn: Connection, f: Filters) -> list[dict]:
    feedback, timeline = f.view("AGENT_FEEDBACK"), f.view("THREAD_TIMELINE")
    where, params = _where(f, timeline, f.start)
    return run(conn, f"""
        SELECT EVENT_TIMESTAMP, AGENT_FULL_NAME, USER_ID, THREAD_ID, FEEDBACK_POSITIVE, FEEDBACK_MESSAGE, TURN_STATUS
        FROM {{{feedback}}} WHERE {where} AND FEEDBACK_MESSAGE IS NOT NULL AND FEEDBACK_MESSAGE <> ''
        ORDER BY EVENT_TIMESTAMP DESC, AGENT_FULL_NAME, THREAD_ID
        LIMIT {COMMENTS_LIMIT}""", params, views=(feedback, timeline))


# --- long windows, from the daily rollups -----------------------------------------------------------------
def _day_where(f: Filters, since: date) -> tuple[str, list]:
    """Days [since, today] of the selected agents; user and model filters do not reach the rollups."""
    clauses = ["DAY >= CAST(? AS DATE)", "DAY <= CAST(? AS DATE)"]
    params: list = [since.isoformat(), f.now.date().isoformat()]
    if f.agents:
        clauses.append(f"AGENT_FULL_NAME IN ({_marks(f.agents)})")
        params += f.agents
    return " AND ".join(clauses), params


def monthly_latency_note(f: Filters) -> str | None:
    """What the page says where its percentiles read the monthly histograms: how far behind the
    daily rollups closed months may be (DT_AGENT_MONTHLY_LATENCY's target lag)."""
    if not (f.from_rollups and f.window.month_periods):
        return None
    lag = f.settings.dynamic_table_target_lag_minutes
    behind = f"up to {lag} minutes" if lag is not None else "up to the dynamic tables' target lag"
    return (f"Latency percentiles of whole calendar months come from monthly histograms refreshed on their own "
            f"schedule: a closed month may be {behind} behind the daily rollups; the current month and partial "
            f"months are read day by day.")


def _month_after(day: date) -> date:
    """The first day of the calendar month after ``day``'s."""
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _latency_rows(f: Filters, segments: tuple[tuple[date, date], ...], by_month: bool) -> tuple[str, list]:
    """A SELECT of (DAY, AGENT_FULL_NAME, LATENCY_MS, TURNS) histogram rows of the selected
    agents covering each of ``segments`` (inclusive day ranges), and its binds. ``by_month``: the
    caller groups by nothing finer than a segment or a calendar month, so the calendar months
    wholly inside a segment come from AGENT_MONTHLY_LATENCY_HISTOGRAM (DAY is the month's first
    day) and only the days at its edges from the daily histograms. Each part is a plain range,
    so every scan reads just its rows."""
    agents = f" AND AGENT_FULL_NAME IN ({_marks(f.agents)})" if f.agents else ""
    daily = ("SELECT DAY, AGENT_FULL_NAME, LATENCY_MS, TURNS FROM {AGENT_DAILY_LATENCY_HISTOGRAM} "
             "WHERE DAY >= CAST(? AS DATE) AND DAY <= CAST(? AS DATE)" + agents)
    monthly = ("SELECT MONTH AS DAY, AGENT_FULL_NAME, LATENCY_MS, TURNS FROM {AGENT_MONTHLY_LATENCY_HISTOGRAM} "
               "WHERE MONTH >= CAST(? AS DATE) AND MONTH <= CAST(? AS DATE)" + agents)
    parts: list[tuple[str, date, date]] = []
    for first, last in segments:
        # Months wholly inside [first, last]: from months_start up to, not including, months_end.
        months_start = first if first.day == 1 else _month_after(first)
        months_end = _month_after(last) if _month_after(last) - timedelta(days=1) == last else last.replace(day=1)
        if not by_month or months_end <= months_start:
            parts.append((daily, first, last))
            continue
        if first < months_start:
            parts.append((daily, first, months_start - timedelta(days=1)))
        parts.append((monthly, months_start, months_end - timedelta(days=1)))
        if months_end <= last:
            parts.append((daily, months_end, last))
    params: list = []
    for _, low, high in parts:
        params += [low.isoformat(), high.isoformat(), *f.agents]
    return "\n            UNION ALL ".join(text for text, _, _ in parts), params


def _percentile_ctes(group: str, rows: str) -> str:
    """CTEs ending in PERCENTILES (GRP, P50/P95/P99_TURN_LATENCY_MS): per ``group`` (an expression
    over DAY and AGENT_FULL_NAME), the histogram ``rows`` (_latency_rows) merged, and each
    percentile the smallest bucket whose cumulative turns reach p x turns. GRP, not BUCKET: the
    histogram views have a BUCKET column of their own."""
    return f"""LATENCY_ROWS AS (
            {rows}
        ),
        LATENCY_PERIODS AS (
            SELECT {group} AS GRP, LATENCY_MS, SUM(TURNS) AS TURNS
            FROM LATENCY_ROWS GROUP BY GRP, LATENCY_MS
        ),
        CUMULATIVE AS (
            SELECT GRP, LATENCY_MS,
                   SUM(TURNS) OVER (PARTITION BY GRP ORDER BY LATENCY_MS ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS AT_OR_BELOW,
                   SUM(TURNS) OVER (PARTITION BY GRP) AS ALL_TURNS
            FROM LATENCY_PERIODS
        ),
        PERCENTILES AS (
            SELECT GRP,
                   MIN(IFF(AT_OR_BELOW >= 0.50 * ALL_TURNS, LATENCY_MS, NULL)) AS P50_TURN_LATENCY_MS,
                   MIN(IFF(AT_OR_BELOW >= 0.95 * ALL_TURNS, LATENCY_MS, NULL)) AS P95_TURN_LATENCY_MS,
                   MIN(IFF(AT_OR_BELOW >= 0.99 * ALL_TURNS, LATENCY_MS, NULL)) AS P99_TURN_LATENCY_MS
            FROM CUMULATIVE WHERE ALL_TURNS > 0 GROUP BY GRP
        )"""


def _rollup_measures(f: Filters, group: str, group_params: list,
                     segments: tuple[tuple[date, date], ...]) -> tuple[str, list]:
    """Per ``group`` (an expression over DAY and AGENT_FULL_NAME, with its binds, constant over
    each of ``segments``) over the days of ``segments``: turns, failures, tokens, calls,
    distinct users and threads estimated from the days' merged HyperLogLog states (average relative
    error 1.62338 %, https://docs.snowflake.com/en/user-guide/querying-approximate-cardinality),
    and latency percentiles from the merged histograms (the smallest bucket whose cumulative
    turns reach p x turns). The text and its binds."""
    where, params = _day_where(f, segments[0][0])
    latency, latency_params = _latency_rows(f, segments, by_month=f.window.month_periods)
    text = f"""
        WITH DAYS AS (
            SELECT {group} AS GRP, d.* FROM {{AGENT_DAILY_ACTIVITY}} AS d WHERE {where}
        ),
        TOTALS AS (
            SELECT GRP, COUNT(DISTINCT AGENT_FULL_NAME) AS ACTIVE_AGENTS, SUM(TURNS) AS TURNS,
                   SUM(FAILED_TURNS) AS FAILED_TURNS, SUM(TOTAL_TOKENS) AS TOKENS, SUM(LLM_CALLS) AS LLM_CALLS,
                   SUM(TOOL_CALLS) AS TOOL_CALLS, SUM(RETRIEVAL_CALLS) AS RETRIEVAL_CALLS, MAX(LAST_EVENT) AS LAST_EVENT
            FROM DAYS GROUP BY GRP
        ),
        USERS AS (
            SELECT GRP, HLL_ESTIMATE(HLL_COMBINE(HLL_IMPORT(USERS_HLL))) AS ACTIVE_USERS
            FROM DAYS WHERE USERS_HLL IS NOT NULL GROUP BY GRP
        ),
        THREADS AS (
            SELECT GRP, HLL_ESTIMATE(HLL_COMBINE(HLL_IMPORT(THREADS_HLL))) AS ACTIVE_THREADS
            FROM DAYS WHERE THREADS_HLL IS NOT NULL GROUP BY GRP
        ),
        {_percentile_ctes(group, latency)}
        SELECT t.GRP, t.ACTIVE_AGENTS, t.TURNS, t.FAILED_TURNS, t.TOKENS, t.LLM_CALLS, t.TOOL_CALLS, t.RETRIEVAL_CALLS,
               t.LAST_EVENT, COALESCE(u.ACTIVE_USERS, 0) AS ACTIVE_USERS, COALESCE(th.ACTIVE_THREADS, 0) AS ACTIVE_THREADS,
               p.P50_TURN_LATENCY_MS, p.P95_TURN_LATENCY_MS, p.P99_TURN_LATENCY_MS
        FROM TOTALS AS t
        LEFT JOIN USERS AS u ON u.GRP = t.GRP
        LEFT JOIN THREADS AS th ON th.GRP = t.GRP
        LEFT JOIN PERCENTILES AS p ON p.GRP = t.GRP"""
    return text, [*group_params, *params, *latency_params, *group_params]


_ROLLUP_VIEWS = ("AGENT_DAILY_ACTIVITY", "AGENT_DAILY_LATENCY_HISTOGRAM", "AGENT_MONTHLY_LATENCY_HISTOGRAM")


def rollup_kpis(conn: Connection, f: Filters) -> dict[str, dict]:
    """kpis() for a window longer than the history: its whole days against the days before."""
    period = "IFF(DAY >= CAST(? AS DATE), 'CURRENT', 'PREVIOUS')"
    segments = ((f.previous_first_day, f.first_day - timedelta(days=1)), (f.first_day, f.now.date()))
    text, params = _rollup_measures(f, period, [f.first_day.isoformat()], segments)
    rows = run(conn, text, params, views=_ROLLUP_VIEWS)
    by_period = {row["GRP"]: row for row in rows}
    return {period: {**_EMPTY_KPIS, **by_period.get(period.upper(), {})} for period in ("current", "previous")}


def rollup_trend(conn: Connection, f: Filters) -> list[dict]:
    """trend() from the rollups: turns, failed turns and tokens per period and agent."""
    where, params = _day_where(f, f.first_day)
    return run(conn, f"""
        SELECT {f.window.day_bucket} AS BUCKET, AGENT_FULL_NAME,
               SUM(TURNS) AS TURNS, SUM(FAILED_TURNS) AS FAILED_TURNS, SUM(TOTAL_TOKENS) AS TOKENS
        FROM {{AGENT_DAILY_ACTIVITY}} WHERE {where}
        GROUP BY BUCKET, AGENT_FULL_NAME ORDER BY BUCKET, AGENT_FULL_NAME""", params, views=("AGENT_DAILY_ACTIVITY",))


def rollup_latency_trend(conn: Connection, f: Filters) -> list[dict]:
    """latency_trend() from the merged histograms, per period (per calendar month from the
    monthly histograms where the window's periods are months)."""
    latency, params = _latency_rows(f, ((f.first_day, f.now.date()),), by_month=f.window.month_periods)
    day_bucket = f.window.day_bucket
    return run(conn, f"""
        WITH {_percentile_ctes(day_bucket, latency)}
        SELECT GRP AS BUCKET, P50_TURN_LATENCY_MS, P95_TURN_LATENCY_MS
        FROM PERCENTILES ORDER BY GRP""", params, views=("AGENT_DAILY_LATENCY_HISTOGRAM", "AGENT_MONTHLY_LATENCY_HISTOGRAM"))


def rollup_agents(conn: Connection, f: Filters) -> list[dict]:
    """agents() from the rollups (models used are not in the daily agent rollup: None)."""
    text, params = _rollup_measures(f, "AGENT_FULL_NAME", [], ((f.first_day, f.now.date()),))
    rows = run(conn, text, params, views=_ROLLUP_VIEWS)
    agents = [{**row, "AGENT_FULL_NAME": row.pop("GRP"), "MODELS_USED": None} for row in rows]
    return sorted(agents, key=lambda row: (-row["TURNS"], row["AGENT_FULL_NAME"]))


# --- pipeline ------------------------------------------------------------------------------------------------
def pipeline(conn: Connection, f: Filters) -> list[dict]:
    """PIPELINE_HEALTH for the selected agents (all when none is selected)."""
    where, params = _agents_where(f)
    return run(conn, f"""
        SELECT AGENT_FULL_NAME, HEALTH, IS_ACTIVE, REGISTERED_BY, INGEST_PATH, INGEST_PATH_REASON, LAST_REFRESH_AT, LAST_REFRESH_STATUS,
               LAST_ERROR_MESSAGE, LAST_ROWS_LOADED, CONSECUTIVE_FAILURES, LAST_EVENT_TIMESTAMP, EVENT_LAG_MINUTES,
               MINUTES_SINCE_REFRESH, ADDED_AT, LAST_DISCOVERED
        FROM {{PIPELINE_HEALTH}} {where}
        ORDER BY AGENT_FULL_NAME""", params, views=("PIPELINE_HEALTH",))


def shape_signals(conn: Connection, f: Filters) -> list[dict]:
    """AGENT_SHAPE_LATEST for the selected agents: the newest ingestion cycle's attribute coverage
    and unrecognised span names per agent (schema drift)."""
    where, params = _agents_where(f)
    return run(conn, f"""
        SELECT AGENT_FULL_NAME, CYCLE_STARTED, SIGNAL, SPAN_KIND, NAME, SPANS, MATCHING, SHARE
        FROM {{AGENT_SHAPE_LATEST}} {where}
        ORDER BY AGENT_FULL_NAME, SIGNAL, SPAN_KIND, NAME""", params, views=("AGENT_SHAPE_LATEST",))


# --- what Wallmonitor itself costs ----------------------------------------------------------------------
OWN_COST_DAYS = 7


def own_cost(conn: Connection, today: date) -> list[dict]:
    """Per component, the estimated daily credits and runs (WALLMONITOR_OWN_COST_ESTIMATE, rendered
    from the stack's config) beside the actual daily average over the complete UTC days of the
    last OWN_COST_DAYS (WALLMONITOR_OWN_COST, from ACCOUNT_USAGE). The average is over the days
    with any consumption of Wallmonitor's objects, so a stack deployed two days ago is not
    diluted over a week. Today is left out: it is incomplete, and the usage views lag hours."""
    since = today - timedelta(days=OWN_COST_DAYS)
    window = [since.isoformat(), today.isoformat()]
    return run(conn, """
        WITH actual AS (
            SELECT COMPONENT, SUM(CREDITS) AS CREDITS, SUM(RUNS) AS RUNS
            FROM {WALLMONITOR_OWN_COST}
            WHERE DAY >= CAST(? AS DATE) AND DAY < CAST(? AS DATE)
            GROUP BY COMPONENT),
        active AS (
            SELECT COUNT(DISTINCT DAY) AS DAYS
            FROM {WALLMONITOR_OWN_COST}
            WHERE DAY >= CAST(? AS DATE) AND DAY < CAST(? AS DATE)),
        estimate AS (
            SELECT COMPONENT, SUM(ESTIMATED_DAILY_CREDITS) AS ESTIMATED_CREDITS, SUM(ESTIMATED_DAILY_RUNS) AS ESTIMATED_RUNS
            FROM {WALLMONITOR_OWN_COST_ESTIMATE}
            GROUP BY COMPONENT)
        SELECT e.COMPONENT, e.ESTIMATED_CREDITS, e.ESTIMATED_RUNS, d.DAYS,
               a.CREDITS / NULLIF(d.DAYS, 0) AS ACTUAL_CREDITS, a.RUNS / NULLIF(d.DAYS, 0) AS ACTUAL_RUNS
        FROM estimate AS e
        CROSS JOIN active AS d
        LEFT JOIN actual AS a ON a.COMPONENT = e.COMPONENT
        ORDER BY e.COMPONENT""", window + window, views=("WALLMONITOR_OWN_COST", "WALLMONITOR_OWN_COST_ESTIMATE"))


# --- service level objectives ----------------------------------------------------------------------------------
def slo_status(conn: Connection, f: Filters) -> list[dict]:
    """SLO_STATUS for the selected agents: each agent objective's attainment, budget and burn rates now."""
    where, params = _agents_where(f)
    return run(conn, f"""
        SELECT AGENT_FULL_NAME, OBJECTIVE, TARGET, THRESHOLD_MS, WINDOW_DAYS, WINDOW_START, EVALUATED_AT, WINDOW_TURNS,
               GOOD_TURNS, BAD_TURNS, ATTAINMENT, ERROR_BUDGET_TURNS, BUDGET_REMAINING,
               BURN_RATE_5M, BURN_RATE_30M, BURN_RATE_1H, BURN_RATE_6H, TURNS_1H
        FROM {{SLO_STATUS}} {where}
        ORDER BY AGENT_FULL_NAME, OBJECTIVE""", params, views=("SLO_STATUS",))


def slo_budget_daily(conn: Connection, f: Filters) -> list[dict]:
    """SLO_BUDGET_DAILY for the selected agents: the budget left at the end of each day of the window."""
    where, params = _agents_where(f)
    return run(conn, f"""
        SELECT AGENT_FULL_NAME, OBJECTIVE, DAY, SOURCE, TURNS, BAD_TURNS, BURN_RATE, BUDGET_REMAINING
        FROM {{SLO_BUDGET_DAILY}} {where}
        ORDER BY AGENT_FULL_NAME, OBJECTIVE, DAY""", params, views=("SLO_BUDGET_DAILY",))


# --- versions and canary comparisons (sql/versions/) -----------------------------------------------------
def version_agents(conn: Connection, f: Filters) -> list[str]:
    """The agents with a known version, among the sidebar's agents when it names some; those with
    two versions to compare first."""
    where, params = ("h.AGENT_FULL_NAME IN (" + _marks(f.agents) + ")", list(f.agents)) if f.agents else ("TRUE", [])
    rows = run(conn, f"""
        SELECT h.AGENT_FULL_NAME, MAX(IFF(c.AGENT_FULL_NAME IS NULL, 0, 1)) AS COMPARED
        FROM {{VERSION_HISTORY}} AS h
        LEFT JOIN (SELECT DISTINCT AGENT_FULL_NAME FROM {{VERSION_COMPARISON}}) AS c ON c.AGENT_FULL_NAME = h.AGENT_FULL_NAME
        WHERE {where}
        GROUP BY h.AGENT_FULL_NAME
        ORDER BY COMPARED DESC, h.AGENT_FULL_NAME""", params, views=("VERSION_HISTORY", "VERSION_COMPARISON"))
    return [row["AGENT_FULL_NAME"] for row in rows]


def version_history(conn: Connection, agent: str) -> list[dict]:
    return run(conn, """
        SELECT VERSION_NAME, SOURCE, ALIASES, IS_DEFAULT, FIRST_SEEN, LAST_SEEN, TURNS, ERROR_RATE, MODELS, TOOLS,
               SPEC_HASH, PREVIOUS_VERSION, CHANGED_PARTS
        FROM {VERSION_HISTORY} WHERE AGENT_FULL_NAME = ?
        ORDER BY COALESCE(VERSION_CREATED_ON, FIRST_SEEN), VERSION_NAME""", (agent,), views=("VERSION_HISTORY",))


def version_traffic(conn: Connection, agent: str) -> list[dict]:
    return run(conn, """
        SELECT DAY AS BUCKET, VERSION_NAME, TURNS, TRAFFIC_SHARE
        FROM {VERSION_DAILY_TRAFFIC} WHERE AGENT_FULL_NAME = ?
        ORDER BY DAY, VERSION_NAME""", (agent,), views=("VERSION_DAILY_TRAFFIC",))


def version_pairs(conn: Connection, agent: str) -> list[dict]:
    """The pairs the comparison view holds for ``agent``, the default pair first."""
    return run(conn, """
        SELECT DISTINCT BASELINE_VERSION, CANDIDATE_VERSION, IS_DEFAULT_PAIR, PAIR_BASIS
        FROM {VERSION_COMPARISON} WHERE AGENT_FULL_NAME = ?
        ORDER BY IS_DEFAULT_PAIR DESC, CANDIDATE_VERSION DESC, BASELINE_VERSION DESC""", (agent,), views=("VERSION_COMPARISON",))


def version_comparison(conn: Connection, agent: str, baseline: str, candidate: str) -> list[dict]:
    return run(conn, """
        SELECT METRIC, TEST, BASELINE_SAMPLE, CANDIDATE_SAMPLE, BASELINE_VALUE, CANDIDATE_VALUE, Z_SCORE, CRITICAL_Z,
               FAMILY_CONFIDENCE, MIN_SAMPLE, VERDICT, OVERALL_VERDICT, BASELINE_TURNS, CANDIDATE_TURNS,
               WINDOW_START, WINDOW_END
        FROM {VERSION_COMPARISON}
        WHERE AGENT_FULL_NAME = ? AND BASELINE_VERSION = ? AND CANDIDATE_VERSION = ?
        ORDER BY METRIC_ORDER""", (agent, baseline, candidate), views=("VERSION_COMPARISON",))


def version_tool_mix(conn: Connection, agent: str, versions: tuple[str, ...]) -> list[dict]:
    return run(conn, f"""
        SELECT VERSION_NAME, TOOL_KIND, CALLS, CALLS_PER_TURN, ERRORS, ERROR_RATE
        FROM {{VERSION_TOOL_MIX}} WHERE AGENT_FULL_NAME = ? AND VERSION_NAME IN ({_marks(versions)})
        ORDER BY TOOL_KIND, VERSION_NAME""", (agent, *versions), views=("VERSION_TOOL_MIX",))
