"""What each page should show, computed in plain Python from the generated events with the
oracle of the view tests (test/sql/oracle.py), independently of the app's SQL.

The app reads THREAD_TIMELINE(_RECENT), THREAD_ACTIVITY(_RECENT) and AGENT_FEEDBACK(_RECENT);
their rows are the oracle's events with a thread id. The app's semantics, restated here:
a window is [now - hours, now] and the period before it [now - 2 hours, now - hours); a turn is
an AGENT_RUN span, failed when its status is ERROR; the model filter keeps threads that used
one of the models within the window.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

import world  # noqa: F401 (puts test/sql, where the oracle lives, on sys.path)
import oracle


def in_window(history, start: datetime, end: datetime, *, agents=(), users=(), models=(), before=False):
    """Timeline rows in [start, end] (or [start, end) with ``before``), filtered like the sidebar."""
    def inside(e):
        return start <= e.timestamp < end if before else start <= e.timestamp <= end

    events = [e for e in history if e.thread_id is not None and inside(e)]
    if agents:
        events = [e for e in events if e.agent in agents]
    if users:
        events = [e for e in events if e.user in users]
    if models:
        threads = {e.thread_id for e in history if e.model in models and inside(e)}
        events = [e for e in events if e.thread_id in threads]
    return events


def measures(events) -> dict:
    turns = [e for e in events if e.category == "AGENT_RUN"]
    latencies = [e.duration_ms for e in turns]
    return {
        "ACTIVE_THREADS": oracle.distinct(e.thread_id for e in events),
        "ACTIVE_USERS": oracle.distinct(e.user for e in events),
        "ACTIVE_AGENTS": oracle.distinct(e.agent for e in events),
        "TURNS": len(turns),
        "FAILED_TURNS": sum(e.status == "ERROR" for e in turns),
        "TOKENS": oracle.total(e.total_tokens for e in events),
        "P50_TURN_LATENCY_MS": oracle.percentile_cont(latencies, 0.50),
        "P95_TURN_LATENCY_MS": oracle.percentile_cont(latencies, 0.95),
        "P99_TURN_LATENCY_MS": oracle.percentile_cont(latencies, 0.99),
    }


def kpis(history, now: datetime, hours: int, **filters) -> tuple[dict, dict]:
    window = timedelta(hours=hours)
    current = measures(in_window(history, now - window, now, **filters))
    previous = measures(in_window(history, now - 2 * window, now - window, before=True, **filters))
    return current, previous


def by(events, key) -> dict:
    groups = defaultdict(list)
    for e in events:
        groups[key(e)].append(e)
    return groups


def agents(events) -> dict[str, dict]:
    rows = {}
    for agent, rows_of in by(events, lambda e: e.agent).items():
        rows[agent] = {
            **measures(rows_of),
            "LLM_CALLS": sum(e.category == "LLM_CALL" for e in rows_of),
            "TOOL_CALLS": sum(e.category == "TOOL_EXECUTION" for e in rows_of),
            "RETRIEVAL_CALLS": sum(e.category == "RETRIEVAL" for e in rows_of),
            "MODELS_USED": oracle.distinct(e.model for e in rows_of),
        }
    return rows


def users(events) -> dict[str, dict]:
    return {user: measures(rows_of) for user, rows_of in by(events, lambda e: e.user).items() if user is not None}


def error_groups(events) -> dict[tuple, int]:
    failed = [e for e in events if e.status == "ERROR"]
    return {key: len(rows_of) for key, rows_of in
            by(failed, lambda e: (e.agent, e.category, e.tool_name, e.error_message)).items()}


def threads(history, now: datetime, hours: int, realtime_hours: int = 24) -> dict[tuple[str, str], dict]:
    """THREAD_ACTIVITY rows (over the realtime window, or the history beyond it) whose last
    activity lies in the window."""
    source = history if hours > realtime_hours else oracle.realtime(history, now, realtime_hours)
    start = now - timedelta(hours=hours)
    return {key: row for key, row in oracle.thread_activity(source).items()
            if start <= row["THREAD_LAST_ACTIVITY"] <= now}


def feedback(history, now: datetime, hours: int, realtime_hours: int = 24) -> list[dict]:
    source = history if hours > realtime_hours else oracle.realtime(history, now, realtime_hours)
    start = now - timedelta(hours=hours)
    return [row for row in oracle.agent_feedback(source).values() if start <= row["EVENT_TIMESTAMP"] <= now]
