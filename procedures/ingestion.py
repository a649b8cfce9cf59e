"""Wallmonitor's ingestion procedures: the Snowpark Python handlers behind
DISCOVER_AGENTS and REFRESH_AGENT_EVENTS.

The control flow lives here, in Python, rather than in Snowflake Scripting so that it runs
unchanged against the Snowflake emulator in the tests. Every statement it executes comes from
sql/ (rendered for the stack by lib/catalog.ts); at deploy time the rendered statements are
appended to this module as STATEMENTS, and the tests pass the same rendered text.

A handler needs only `session.sql(text, params=[...]).collect()`, returning rows that support
`row[i]` and `row.as_dict()`: Snowpark's Session in Snowflake, a thin adapter in the tests.
"""

from __future__ import annotations

STATEMENTS: dict[str, str] = {}

MAX_ERROR_MESSAGE_CHARS = 2000


def discover_agents(session, include_pattern, exclude_pattern, auto_activate):
    """Handler of DISCOVER_AGENTS(INCLUDE_PATTERN, EXCLUDE_PATTERN, AUTO_ACTIVATE)."""
    return run_discovery(session, STATEMENTS, include_pattern, exclude_pattern, auto_activate)


def refresh_agent_events(session, lookback_hours, history_days):
    """Handler of REFRESH_AGENT_EVENTS(LOOKBACK_HOURS, HISTORY_DAYS)."""
    return run_refresh(session, STATEMENTS, lookback_hours, history_days)


def _run(session, statements, name, params=None):
    return session.sql(statements[name], params=list(params or [])).collect()


def _merge_counts(rows):
    """(inserted, updated) from a MERGE result row; a clause that did not run reports nothing."""
    if not rows:
        return 0, 0
    values = [int(value or 0) for value in tuple(rows[0])]
    return (values + [0, 0])[0], (values + [0, 0])[1]


def _inserted_count(rows):
    """Rows an INSERT reports inserting."""
    return int(tuple(rows[0])[0] or 0) if rows else 0


def _agents_from_show(rows):
    for row in rows:
        fields = {str(key).lower(): value for key, value in row.as_dict().items()}
        yield fields["database_name"], fields["schema_name"], fields["name"]


def run_discovery(session, statements, include_pattern, exclude_pattern, auto_activate):
    """Registers the agents SHOW AGENTS reports that match the patterns; keeps every
    existing registration (manual ones and deactivations included) as it is."""
    include_pattern = include_pattern or "%"
    found = list(_agents_from_show(_run(session, statements, "show_agents")))
    _run(session, statements, "create_discovered_agents")
    for agent in found:
        _run(session, statements, "insert_discovered_agent", agent)
    added, updated = _merge_counts(_run(
        session, statements, "merge_discovered_agents",
        [include_pattern, exclude_pattern, bool(auto_activate)]))
    return f"Found {len(found)} agents; added {added}; updated {updated}"


def run_refresh(session, statements, lookback_hours, history_days):
    """One ingestion cycle: retention, then every active agent from its watermark (less the
    overlap) onwards. One agent's failure is recorded in AGENT_INGEST_STATE and the others
    still load; its watermark stays put, so the next cycle retries the same window."""
    expired = _run(session, statements, "apply_retention", [history_days])
    removed = int(tuple(expired[0])[0] or 0) if expired else 0
    agents = [tuple(row)[:3] for row in _run(session, statements, "active_agents")]
    loaded, failures = 0, []
    for database, schema, name in agents:
        read_from = None
        try:
            read_from = tuple(_run(session, statements, "read_from",
                                   [lookback_hours, history_days, database, schema, name])[0])[0]
            inserted = _inserted_count(_run(
                session, statements, "insert_agent_events",
                [database, schema, name, database, schema, name, read_from]))
            _run(session, statements, "record_refresh_success", [database, schema, name, read_from, inserted])
            loaded += inserted
        except Exception as error:  # one agent's failure must not stop the others
            message = f"{type(error).__name__}: {error}"[:MAX_ERROR_MESSAGE_CHARS]
            _run(session, statements, "record_refresh_failure", [database, schema, name, message, read_from])
            failures.append(f"{database}.{schema}.{name}")
    summary = (f"Refreshed {len(agents)} agents: {len(agents) - len(failures)} OK, {len(failures)} failed; "
               f"loaded {loaded} events; removed {removed} expired")
    if failures:
        summary += "; failed: " + ", ".join(failures)
    return summary
