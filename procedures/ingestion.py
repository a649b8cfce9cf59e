"""Wallmonitor's ingestion procedures: the Snowpark Python handlers behind
DISCOVER_AGENTS and REFRESH_AGENT_EVENTS.

The control flow lives here, in Python, rather than in Snowflake Scripting so that it runs
unchanged against the Snowflake emulator in the tests. Every statement it executes comes from
sql/ (rendered for the stack by lib/sql/catalog.ts); at deploy time the rendered statements, their
bind names and the generated statement-name groups are appended to this module (STATEMENTS, BINDS,
NAMES), and the tests pass the same embedded data (test/sql/emulator.py).

A handler needs only `session.sql(text, params=[...]).collect()`, returning rows that support
`row[i]` and `row.as_dict()`: Snowpark's Session in Snowflake, a thin adapter in the tests.
Values are passed to a statement by bind name (procedures/sql_binds.py).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from datetime import timedelta
from decimal import Decimal

from sql_binds import Statements, run

# Filled at deploy time (lib/sql/procedures.ts ingestionEmbedding): statement texts, their bind
# names, and the generated statement-name groups (rollupSteps).
STATEMENTS: dict[str, str] = {}
BINDS: dict[str, list[str]] = {}
NAMES: dict = {}
EMBEDDED = Statements(STATEMENTS, BINDS, NAMES)

MAX_ERROR_MESSAGE_CHARS = 2000

# What a CALL may pass. They contain the ranges lib/config.ts accepts for the values the tasks
# pass (historyDays 1-90, rollupRetentionDays 30-3650, initialLookbackHours 1-2160; a test runs
# the tasks of a stack at those limits) and are wider where a wider value harms nothing, so an
# operator can re-read or keep a longer span by hand. Zero or negative days would delete history.
HISTORY_DAYS_RANGE = (1, 3650)
ROLLUP_RETENTION_DAYS_RANGE = (30, 3650)
MAX_LOOKBACK_HOURS = 3650 * 24
# Snowflake identifiers are at most 255 characters, so DATABASE.SCHEMA.NAME at most 767.
MAX_PATTERN_CHARS = 767


class ArgumentError(ValueError):
    """A procedure argument that cannot be used. Raised before any statement runs, so a bad
    CALL changes nothing (a negative HISTORY_DAYS once made retention delete every row)."""

    def __init__(self, procedure: str, argument: str, problem: str):
        super().__init__(f"{procedure}: {argument} {problem}. Nothing was changed.")


def _whole_number(procedure, argument, value, low, high):
    """An integral NUMBER argument within [low, high]; floats and decimals that are whole pass."""
    accepted = f"must be a whole number from {low} to {high}"
    if value is None:
        raise ArgumentError(procedure, argument, f"is NULL; it {accepted}")
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise ArgumentError(procedure, argument, f"{accepted}, got {value!r} ({type(value).__name__})")
    if isinstance(value, (float, Decimal)) and (not math.isfinite(value) or value != int(value)):
        raise ArgumentError(procedure, argument, f"{accepted}, got {value!r}")
    if not low <= int(value) <= high:
        raise ArgumentError(procedure, argument, f"{accepted}, got {value!r}")
    return int(value)


def _lookback_hours(procedure, value):
    """LOOKBACK_HOURS: a finite number of hours above 0 (reads are cut at the history kept)."""
    most = MAX_LOOKBACK_HOURS
    accepted = f"must be a number of hours above 0 and at most {most}"
    if value is None:
        raise ArgumentError(procedure, "LOOKBACK_HOURS", f"is NULL; it {accepted}")
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)) or not math.isfinite(value) \
            or not 0 < value <= most:
        raise ArgumentError(procedure, "LOOKBACK_HOURS", f"{accepted}, got {value!r}")
    return float(value)


def _pattern(procedure, argument, value, nullable):
    """A LIKE pattern over DATABASE.SCHEMA.NAME. It is bound, never spliced into SQL, so only
    its type and length are checked; an empty pattern would silently match nothing."""
    if value is None:
        if nullable:
            return None
        raise ArgumentError(procedure, argument, "is NULL; pass '%' to match every agent")
    if not isinstance(value, str) or not 0 < len(value) <= MAX_PATTERN_CHARS:
        raise ArgumentError(procedure, argument,
                            f"must be a LIKE pattern of 1 to {MAX_PATTERN_CHARS} characters, got {value!r}")
    return value


def _flag(procedure, argument, value):
    if not isinstance(value, bool):
        raise ArgumentError(procedure, argument, f"must be TRUE or FALSE, got {value!r}")
    return value


def discover_agents(session, include_pattern, exclude_pattern, auto_activate):
    """Handler of DISCOVER_AGENTS(INCLUDE_PATTERN, EXCLUDE_PATTERN, AUTO_ACTIVATE)."""
    return run_discovery_cycle(session, EMBEDDED, include_pattern, exclude_pattern, auto_activate)


def refresh_agent_events(session, lookback_hours, history_days, ingest_path="auto"):
    """Handler of REFRESH_AGENT_EVENTS(LOOKBACK_HOURS, HISTORY_DAYS, INGEST_PATH)."""
    return run_refresh(session, EMBEDDED, lookback_hours, history_days, ingest_path)


def rollup_agent_events(session, history_days, rollup_retention_days):
    """Handler of ROLLUP_AGENT_EVENTS(HISTORY_DAYS, ROLLUP_RETENTION_DAYS)."""
    return run_rollup(session, EMBEDDED, history_days, rollup_retention_days)


DISCOVER, REFRESH, ROLLUP = "DISCOVER_AGENTS", "REFRESH_AGENT_EVENTS", "ROLLUP_AGENT_EVENTS"


def _merge_counts(rows):
    """(inserted, updated) from a MERGE result row; a clause that did not run reports nothing."""
    if not rows:
        return 0, 0
    values = [int(value or 0) for value in tuple(rows[0])]
    return (values + [0, 0])[0], (values + [0, 0])[1]


def _inserted_count(rows):
    """Rows an INSERT reports inserting."""
    return int(tuple(rows[0])[0] or 0) if rows else 0


def _window(lookback_hours, history_days):
    """The binds of every statement that computes where reading starts (read_from.sql, read_points.sql)."""
    return {"lookback_hours": lookback_hours, "history_days": history_days}


def _agents_from_show(rows):
    for row in rows:
        fields = {str(key).lower(): value for key, value in row.as_dict().items()}
        yield {"agent_database": fields["database_name"], "agent_schema": fields["schema_name"], "agent_name": fields["name"]}


def run_discovery(session, statements, include_pattern, exclude_pattern, auto_activate):
    """Registers the agents SHOW AGENTS reports that match the patterns; keeps every
    existing registration (manual ones and deactivations included) as it is."""
    include_pattern = _pattern(DISCOVER, "INCLUDE_PATTERN", include_pattern, nullable=False)
    exclude_pattern = _pattern(DISCOVER, "EXCLUDE_PATTERN", exclude_pattern, nullable=True)
    auto_activate = _flag(DISCOVER, "AUTO_ACTIVATE", auto_activate)
    found = list(_agents_from_show(run(session, statements, "show_agents")))
    run(session, statements, "create_discovered_agents")
    for agent in found:
        run(session, statements, "insert_discovered_agent", agent)
    added, updated = _merge_counts(run(session, statements, "merge_discovered_agents", {
        "include_pattern": include_pattern, "exclude_pattern": exclude_pattern, "auto_activate": auto_activate}))
    return f"Found {len(found)} agents; added {added}; updated {updated}"


def run_discovery_cycle(session, statements, include_pattern, exclude_pattern, auto_activate):
    """What DISCOVER_AGENTS does each cycle: registers agents (run_discovery), then snapshots the
    active agents' versions (snapshot_versions)."""
    registered = run_discovery(session, statements, include_pattern, exclude_pattern, auto_activate)
    return f"{registered}; {snapshot_versions(session, statements)}"


# The parts of an agent spec whose changes the version history names, by the spec's top-level keys
# (https://docs.snowflake.com/en/sql-reference/sql/create-agent): budget lives under orchestration.
SPEC_PARTS = {
    "instructions_hash": ("instructions",),
    "tools_hash": ("tools", "tool_resources"),
    "models_hash": ("models",),
    "budget_hash": ("orchestration",),
}
_TOP_LEVEL_KEY = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*:")


def _sha256(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _spec_sections(spec):
    """The spec's top-level sections as text, by key. DESCRIBE AGENT reports the spec as YAML (JSON is
    YAML too); a block-style document is cut at its unindented keys, so no YAML library is needed."""
    try:
        document = json.loads(spec)
    except ValueError:
        document = None
    if isinstance(document, dict):
        return {key: json.dumps(value, sort_keys=True) for key, value in document.items()}
    sections, key = {}, None
    for line in spec.splitlines():
        match = _TOP_LEVEL_KEY.match(line)
        if match:
            key = match.group(1)
            sections[key] = [line[match.end():].strip()]
        elif key is not None and line.strip() and not line.lstrip().startswith("#"):
            sections[key].append(line.rstrip())
    return {key: "\n".join(lines).strip() for key, lines in sections.items()}


def spec_hashes(spec):
    """SHA-256 of the whole spec and of each part in SPEC_PARTS ('' hashed for an absent part);
    all None without a spec."""
    if spec is None or not str(spec).strip():
        return {"spec_hash": None, **{name: None for name in SPEC_PARTS}}
    sections = _spec_sections(str(spec))
    parts = {name: _sha256("\n".join(sections.get(key, "") for key in keys)) for name, keys in SPEC_PARTS.items()}
    return {"spec_hash": _sha256(str(spec).strip()), **parts}


def _aliases(value):
    """SHOW VERSIONS' aliases as upper-case, comma-separated text: a JSON array or a plain list."""
    if value is None:
        return ""
    try:
        items = json.loads(value) if isinstance(value, str) else value
    except ValueError:
        items = str(value).split(",")
    if isinstance(items, str):
        items = items.split(",")
    names = sorted({str(item).strip().strip('"').upper() for item in items if str(item).strip()})
    return ",".join(names)


def _flag_value(value):
    return str(value).strip().lower() in ("true", "y", "yes", "1")


def _quoted(database, schema, name):
    """The agent's name for IDENTIFIER(?): each part double-quoted, as SHOW AGENTS reported it."""
    return ".".join('"' + part.replace('"', '""') + '"' for part in (database, schema, name))


def snapshot_versions(session, statements):
    """Snapshots every active agent's versions, aliases and default-version spec hashes
    (sql/ingestion/show_agent_versions.sql, describe_agent.sql). An agent whose versions cannot
    be listed (a missing privilege, an account without versioning) is counted and skipped, so the
    discovery of agents never fails on it."""
    agents = [tuple(row)[:3] for row in run(session, statements, "active_agents")]
    run(session, statements, "create_version_snapshot_scratch")
    versions, failed = 0, []
    for database, schema, name in agents:
        agent = {"agent": _quoted(database, schema, name)}
        try:
            rows = [{str(k).lower(): v for k, v in row.as_dict().items()} for row in run(session, statements, "show_agent_versions", agent)]
        except Exception as error:  # noqa: BLE001 - reported in the result, never fatal to discovery
            failed.append(f"{database}.{schema}.{name} ({_error_text(error, 200)})")
            continue
        try:
            described = [{str(k).lower(): v for k, v in row.as_dict().items()} for row in run(session, statements, "describe_agent", agent)]
            spec = described[0].get("agent_spec") if described else None
        except Exception:  # noqa: BLE001 - the versions are still worth keeping without their spec
            spec = None
        for row in rows:
            # LIVE is the mutable working copy; SHOW VERSIONS lists it without a committed name.
            version = str(row.get("name") or "").strip() or "LIVE"
            is_default = _flag_value(row.get("is_default"))
            hashes = spec_hashes(spec) if is_default else spec_hashes(None)
            run(session, statements, "insert_version_snapshot", {
                "agent_database": database, "agent_schema": schema, "agent_name": name,
                "version_name": version, "aliases": _aliases(row.get("aliases")), "is_default": is_default,
                "version_created_on": None if row.get("created_on") is None else str(row.get("created_on")),
                **hashes})
            versions += 1
    stored = _inserted_count(run(session, statements, "record_version_snapshots"))
    note = f"; versions not listed for {len(failed)} agents: {'; '.join(failed)}" if failed else ""
    return f"snapshot {versions} versions of {len(agents) - len(failed)} agents, {stored} changed{note}"


INGEST_PATHS = ("auto", "event_table", "per_agent")
EVENT_TABLE = "SNOWFLAKE.LOCAL.AI_OBSERVABILITY_EVENTS"
MAX_REASON_CHARS = 500


def _error_text(error, limit=MAX_ERROR_MESSAGE_CHARS):
    return f"{type(error).__name__}: {error}"[:limit]


def run_refresh(session, statements, lookback_hours, history_days, ingest_path="auto"):
    """One ingestion cycle: retention, then registering the agents whose events newly appear in
    the event table, then every active agent from the later of its watermark and the start of its
    last successful refresh, less the overlap (read_from.sql, which states the late-event
    trade-off), by one of two paths:

    * EVENT_TABLE: one pass over SNOWFLAKE.LOCAL.AI_OBSERVABILITY_EVENTS for all active agents,
      then one set-based state update. One pass cannot fail for one agent: a failure fails the
      pass, and no watermark moves.
    * PER_AGENT: GET_AI_OBSERVABILITY_EVENTS agent by agent. One agent's failure is recorded in
      AGENT_INGEST_STATE and the others still load; its watermark stays put and the next cycle
      reads from it less the overlap, which covers the failed window.

    `ingest_path` chooses: `per_agent`, `event_table` (a failed pass is recorded against every
    active agent; the next cycle retries), or `auto` (NULL too): the event table when the owner
    role can read it (probe_event_table), else per agent; a pass that fails mid-cycle falls back
    to per agent for the cycle, which loses and duplicates nothing (inserts dedupe by EVENT_KEY).
    The path and its reason are recorded per agent (INGEST_PATH, INGEST_PATH_REASON) and named
    in the summary.

    Agents are registered from their events here, at the start of the cycle, rather than in
    DISCOVER_AGENTS (chained after the refresh): a new agent's first events are then read in
    the same cycle, from the initial lookback, and the very first cycle after a deploy already
    reads something. SHOW AGENTS lists only agents the owner holds a privilege on, so without
    this the registry of an owner that reads the event table account-wide stays empty. When the
    owner cannot read the table, the scan is skipped or fails without failing the cycle; the
    reason is recorded and the per-agent path relies on what DISCOVER_AGENTS registers.

    The cycle ends by recording itself in INGEST_CYCLE_STATE: with no active agent the condition
    says why nothing was read and what to grant, and the summary repeats it; never silent zeros.
    Just before, it records the shape of what it loaded (AGENT_SHAPE_COVERAGE: per agent, the spans
    carrying each relied-on column and the unrecognised span names; kept history_days like the events)."""
    history_days = _whole_number(REFRESH, "HISTORY_DAYS", history_days, *HISTORY_DAYS_RANGE)
    lookback_hours = _lookback_hours(REFRESH, lookback_hours)
    if ingest_path is not None and not isinstance(ingest_path, str):
        raise ArgumentError(REFRESH, "INGEST_PATH", f"must be one of {', '.join(INGEST_PATHS)}, got {ingest_path!r}")
    requested = (ingest_path or "auto").strip().lower()
    if requested not in INGEST_PATHS:
        raise ArgumentError(REFRESH, "INGEST_PATH", f"{ingest_path!r} is not one of {', '.join(INGEST_PATHS)}")
    started = tuple(run(session, statements, "cycle_started")[0])[0]
    expired = run(session, statements, "apply_retention", {"history_days": history_days})
    removed = int(tuple(expired[0])[0] or 0) if expired else 0
    run(session, statements, "expire_shape_coverage", {"history_days": history_days})

    unreadable = None
    if requested == "per_agent":
        path, reason = "PER_AGENT", "ingestPath per_agent"
    elif requested == "event_table":
        path, reason = "EVENT_TABLE", "ingestPath event_table"
    else:
        try:
            run(session, statements, "probe_event_table")
            path, reason = "EVENT_TABLE", f"auto: owner role can read {EVENT_TABLE}"
        except Exception as error:  # not granted (or not there): the per-agent function still works
            unreadable = _error_text(error, 300)
            path = "PER_AGENT"
            reason = f"auto: cannot read {EVENT_TABLE} ({unreadable})"[:MAX_REASON_CHARS]

    discovery = _discover_from_events(session, statements, lookback_hours, history_days, unreadable)
    path, reason, agents, summary = _ingest(session, statements, requested, path, reason, lookback_hours,
                                            history_days, removed)
    # What Snowflake wrote this cycle, per agent: a renamed attribute or new span names show here (schema_drift).
    run(session, statements, "record_shape_coverage", {"cycle_started": started})
    condition, message = _cycle_condition(session, statements, agents, discovery)
    run(session, statements, "record_cycle_state", {
        "cycle_started": started, "ingest_path": path, "ingest_path_reason": reason, "active_agents": agents,
        "condition": condition, "condition_message": message, "events_discovery_status": discovery.status,
        "events_discovery_message": discovery.message, "events_discovery_read_from": discovery.read_from,
        "events_discovered_through": discovery.scanned_through, "agents_added_from_events": discovery.added})
    if discovery.added:
        summary += f"; registered {discovery.added} agents from their events"
    elif discovery.status != "OK":
        summary += f"; agents not registered from their events: {discovery.message}"
    if condition != "OK":
        summary += f"; {condition}: {message}"
    return summary


def _ingest(session, statements, requested, path, reason, lookback_hours, history_days, removed):
    """Reads every active agent by `path` (falling back as run_refresh describes).
    Returns (path, reason, active agents, summary)."""
    if path == "EVENT_TABLE":
        try:
            agents, loaded = _refresh_from_event_table(session, statements, lookback_hours, history_days, reason)
            return path, reason, agents, _summary(agents, [], loaded, removed, path, reason)
        except Exception as error:
            message = _error_text(error)
            if requested == "event_table":
                run(session, statements, "record_event_table_failure", {
                    **_window(lookback_hours, history_days), "error_message": message, "reason": reason})
                agents = len(run(session, statements, "active_agents"))
                return path, reason, agents, (_summary(agents, [], 0, removed, path, reason, failed=agents)
                                              + f"; the event-table pass failed: {message[:300]}")
            path = "PER_AGENT"
            reason = f"auto: event-table pass failed ({_error_text(error, 300)}); per agent for this cycle"[
                :MAX_REASON_CHARS]

    agents = [tuple(row)[:3] for row in run(session, statements, "active_agents")]
    loaded, failures = _refresh_per_agent(session, statements, agents, lookback_hours, history_days, reason)
    return path, reason, len(agents), _summary(len(agents), failures, loaded, removed, path, reason)


class _EventsDiscovery:
    """How registering agents from their events went in one cycle (see record_cycle_state.sql)."""

    def __init__(self, status, message, read_from=None, scanned_through=None, added=0):
        self.status, self.message = status, message[:MAX_REASON_CHARS]
        self.read_from, self.scanned_through, self.added = read_from, scanned_through, added


def _discover_from_events(session, statements, lookback_hours, history_days, unreadable):
    """Registers the agents whose Cortex Agent events appear in the event table since the last
    scan (less the overlap), matching the stack's patterns. Never fails the cycle: an owner
    that cannot read the table still reads per agent what SHOW AGENTS registered."""
    if unreadable is not None:
        return _EventsDiscovery("SKIPPED", f"the owner role cannot read {EVENT_TABLE} ({unreadable})")
    try:
        read_from, scan_started = tuple(run(session, statements, "events_discovery_read_from",
                                            _window(lookback_hours, history_days))[0])[:2]
        added, _stamped = _merge_counts(run(session, statements, "merge_agents_from_events", {"read_from": read_from}))
    except Exception as error:  # typically not authorized: no SNOWFLAKE.AI_OBSERVABILITY_READER
        return _EventsDiscovery("FAILED", f"cannot scan {EVENT_TABLE} ({_error_text(error, 300)})")
    return _EventsDiscovery("OK", f"scanned {EVENT_TABLE} from {read_from}; added {added}",
                            read_from, scan_started, added)


# What to grant when nothing can be read; agentLocations is the per-agent path's config key.
GRANT_FIX = ("grant the owner role the application role SNOWFLAKE.AI_OBSERVABILITY_READER (the event-table "
             "path; agents then register from their events), or MONITOR on the agents' databases or schemas "
             "(wallmonitor:agentLocations; the per-agent path, through SHOW AGENTS and DISCOVER_AGENTS)")


def _cycle_condition(session, statements, agents, discovery):
    """OK when the cycle read at least one active agent; otherwise why not, and the fix."""
    if agents:
        return "OK", f"{agents} active agents registered"
    try:
        visible = len(run(session, statements, "show_agents"))
    except Exception as error:
        visible, shown = 0, f"SHOW AGENTS failed ({_error_text(error, 200)})"
    else:
        shown = f"SHOW AGENTS lists {visible} agents to the owner role"
    if visible == 0 and discovery.status != "OK":
        return "NO_AGENTS_VISIBLE", (f"no active agent is registered and the owner role can see none: "
                                     f"{discovery.message}, and {shown}. Nothing is ingested until you {GRANT_FIX}")[
            :MAX_ERROR_MESSAGE_CHARS]
    events = (f"the event table holds no Cortex Agent event matching the patterns since {discovery.read_from}"
              if discovery.status == "OK" else f"agents are not registered from their events: {discovery.message}")
    return "NO_ACTIVE_AGENTS", (f"no active agent is registered: {events}; {shown} (DISCOVER_AGENTS registers "
                                f"those matching the patterns after each refresh); deactivated agents are not read")[
        :MAX_ERROR_MESSAGE_CHARS]


def _refresh_from_event_table(session, statements, lookback_hours, history_days, reason):
    """One pass over the event table for every active agent, then one state update.
    Returns (agents read, rows loaded)."""
    cycle_started = tuple(run(session, statements, "cycle_started")[0])[0]
    window = _window(lookback_hours, history_days)
    # The earliest read-from point bounds both scans as a constant (see the statement).
    points = [tuple(row)[3] for row in run(session, statements, "read_points_all", window)]
    loaded = 0
    if points:
        loaded = _inserted_count(run(session, statements, "insert_events_from_event_table",
                                     {**window, "earliest_read_from": min(points)}))
    inserted, updated = _merge_counts(run(session, statements, "record_event_table_success",
                                          {**window, "cycle_started": cycle_started, "reason": reason}))
    return inserted + updated, loaded


def _refresh_per_agent(session, statements, agents, lookback_hours, history_days, reason):
    loaded, failures = 0, []
    for database, schema, name in agents:
        agent = {"agent_database": database, "agent_schema": schema, "agent_name": name}
        read_from = None
        try:
            read_from, read_started = tuple(run(session, statements, "read_from",
                                                {**_window(lookback_hours, history_days), **agent})[0])[:2]
            inserted = _inserted_count(run(session, statements, "insert_agent_events", {**agent, "read_from": read_from}))
            run(session, statements, "record_refresh_success", {
                **agent, "read_from": read_from, "read_started": read_started, "rows_loaded": inserted,
                "reason": reason})
            loaded += inserted
        except Exception as error:  # one agent's failure must not stop the others
            run(session, statements, "record_refresh_failure", {
                **agent, "error_message": _per_agent_error(error, database, schema, name), "read_from": read_from,
                "reason": reason})
            failures.append(f"{database}.{schema}.{name}")
    return loaded, failures


def _per_agent_error(error, database, schema, name):
    """The error recorded for one agent. GET_AI_OBSERVABILITY_EVENTS needs MONITOR on the agent
    (and SNOWFLAKE.CORTEX_USER), and Snowflake reports a missing privilege like a missing agent:
    https://docs.snowflake.com/en/sql-reference/functions/get_ai_observability_events-snowflake-local
    so that error names the grant that fixes it."""
    text = _error_text(error)
    if "not authorized" in text.lower() or "insufficient privileges" in text.lower():
        text = (f"GET_AI_OBSERVABILITY_EVENTS refused {database}.{schema}.{name}: the agent is gone, or the owner "
                f"role lacks MONITOR on it (grant it for the agent's database or schema with "
                f"wallmonitor:agentLocations, or GRANT MONITOR ON AGENT {database}.{schema}.{name} TO ROLE "
                f"<owner role>) or the database role SNOWFLAKE.CORTEX_USER. Snowflake said: {text}")
    return text[:MAX_ERROR_MESSAGE_CHARS]


def _summary(agents, failures, loaded, removed, path, reason, failed=None):
    failed = len(failures) if failed is None else failed
    summary = (f"Refreshed {agents} agents: {agents - failed} OK, {failed} failed; "
               f"loaded {loaded} events; removed {removed} expired; path {path} ({reason})")
    if failures:
        summary += "; failed: " + ", ".join(failures)
    return summary


def run_rollup(session, statements, history_days, rollup_retention_days):
    """One rollup run, chained after each ingestion cycle:

    1. expire rollup days older than `rollup_retention_days` (raw-history retention never
       touches the rollups);
    2. read how far the history is merged (ROLLUP_LOAD_STATE). Without that point (the first
       run), recompute in full the stale days (rollups/find_days.sql: days of history rows loaded
       since the last run, less an overlap, whose row count differs from what they were last
       rolled up from), then set the point at the newest row and record the traces up to it
       (ROLLUP_MERGED_TRACES, where the mark lookups of later runs find them);
    3. otherwise merge: take the traces of the rows loaded after the point
       (rollups/find_new_traces.sql) and aggregate the rows once (rollups/find_delta.sql, marks
       looked up among those traces and ROLLUP_MERGED_TRACES), recompute in full only the days a
       merge cannot bring up to date (another rollup definition, production rows a new
       evaluation mark turns into evaluation: find_full_days.sql), and merge the new rows into
       every rollup's rows of the keys they touch (stage_*.sql: agent and day, and user, model,
       tool or latency bucket);
    4. in one transaction, swap in every rollup's recomputed days and merged rows, record
       each day's row count and the new rows' traces, and move the point. A failure rolls all
       of it back (https://docs.snowflake.com/en/sql-reference/transactions), so the next run
       redoes it, and a re-run finds nothing new and changes nothing.

    Days retention may have cut into (older than history_days - 1 whole days) are never
    recomputed; late rows are still merged into them. The work follows the new rows and the
    rollup rows they touch, not the size of a day, the history or the number of agents."""
    history_days = _whole_number(ROLLUP, "HISTORY_DAYS", history_days, *HISTORY_DAYS_RANGE)
    rollup_retention_days = _whole_number(ROLLUP, "ROLLUP_RETENTION_DAYS", rollup_retention_days,
                                          *ROLLUP_RETENTION_DAYS_RANGE)
    started = tuple(run(session, statements, "cycle_started")[0])[0]
    # The daily rollups in the order they are maintained, with their statements (lib/sql/catalog.ts ROLLUP_STEPS).
    steps = statements.names["rollupSteps"]
    retention = {"rollup_retention_days": rollup_retention_days}
    expired = 0
    for step in steps:
        expired += _inserted_count(run(session, statements, step["expire"], retention))
    run(session, statements, "rollup_expire_day_state", retention)
    run(session, statements, "rollup_expire_traces", {"history_days": history_days})
    loaded_through = tuple(run(session, statements, "rollup_load_state")[0])[0]
    if loaded_through is None:
        days = _recompute_stale_days(session, statements, steps, started, history_days, retention)
    else:
        if not tuple(run(session, statements, "rollup_traces_started")[0])[0]:
            # Merged before ROLLUP_MERGED_TRACES existed: filled from the history up to the point
            # first, since the mark lookups read it instead of the history (find_full_days.sql).
            run(session, statements, "rollup_start_traces", {"history_days": history_days})
        days = _merge_new_rows(session, statements, steps, started, loaded_through, history_days, retention)
    listed = ", ".join(str(day) for day in days[:10]) + (" ..." if len(days) > 10 else "")
    return (f"Rolled up {len(days)} days" + (f" ({listed})" if days else "")
            + f"; removed {expired} expired rollup rows")


def _days(rows):
    return [tuple(row)[0] for row in rows]


def _recompute_stale_days(session, statements, steps, started, history_days, retention):
    """The full recompute of find_days.sql's days, which then starts the load state. Returns the days."""
    run(session, statements, "rollup_find_days", {"history_days": history_days, **retention})
    days = _days(run(session, statements, "rollup_stale_days"))
    run(session, statements, "rollup_begin")
    try:
        _replace_full_days(session, statements, steps, started, days)
        run(session, statements, "rollup_start_load_state", {"rollup_started": started})
        run(session, statements, "rollup_start_traces", {"history_days": history_days})
        run(session, statements, "rollup_commit")
    except Exception:
        run(session, statements, "rollup_rollback")
        raise
    return days


def _replace_full_days(session, statements, steps, started, days):
    if not days:
        return
    for step in steps:
        run(session, statements, step["delete"])
        run(session, statements, step["insert"])
    run(session, statements, "rollup_delete_day_state")
    run(session, statements, "rollup_record_days", {"rollup_started": started})


class ConcurrentRollupError(RuntimeError):
    """Another rollup run moved the load state while this one ran; this one changed nothing."""


def _merge_new_rows(session, statements, steps, started, loaded_through, history_days, retention):
    """Merges the rows loaded after `loaded_through` and recomputes the days a merge cannot
    bring up to date. Returns the days changed, oldest first."""
    point = {"loaded_through": loaded_through}
    # Temporary tables are staged before the transaction and only DML runs inside it: a DDL
    # statement commits the open transaction
    # (https://docs.snowflake.com/en/sql-reference/transactions#ddl).
    run(session, statements, "rollup_find_new_traces", point)
    near_from, near_until = tuple(run(session, statements, "rollup_new_days")[0])[:2]
    run(session, statements, "rollup_find_delta", {**point, "near_from": near_from, "near_until": near_until})
    run(session, statements, "rollup_summarize_delta")
    marks_from, marks_until, first_new_day, new_rows = tuple(run(session, statements, "rollup_delta_days")[0])[:4]
    run(session, statements, "rollup_find_full_days", {
        "history_days": history_days, **retention, "marks_from": marks_from, "marks_until": marks_until})
    candidates = _days(run(session, statements, "rollup_full_candidates"))
    # Constant bounds for the count's scan (NULL: nothing to count, nothing read).
    run(session, statements, "rollup_count_full_days", {
        "first_day": min(candidates) if candidates else None,
        "after_last_day": max(candidates) + timedelta(days=1) if candidates else None})
    full_days = _days(run(session, statements, "rollup_stale_days"))
    run(session, statements, "rollup_find_merge_days", {**retention, "first_new_day": first_new_day})
    merged_days = _days(run(session, statements, "rollup_merge_days"))
    if merged_days:
        for step in steps:
            run(session, statements, step["stage"])
    # New rows only of days nothing is merged into (find_merge_days.sql leaves them out) leave the
    # point where it is: they are read again, and passed over again, until newer rows move it.
    if not full_days and not merged_days:
        return []
    run(session, statements, "rollup_begin")
    try:
        run(session, statements, "rollup_record_traces")
        moved = _inserted_count(run(session, statements, "rollup_advance_load_state",
                                    {"rollup_started": started, "new_rows": new_rows}))
        if moved != 1:
            raise ConcurrentRollupError(f"{ROLLUP}: another run merged the rows loaded after {loaded_through} "
                                        "first; this run was rolled back and changed nothing")
        _replace_full_days(session, statements, steps, started, full_days)
        if merged_days:
            for step in steps:
                run(session, statements, step["mergeDelete"])
                run(session, statements, step["mergeInsert"])
            run(session, statements, "rollup_delete_merge_day_state")
            run(session, statements, "rollup_record_merge_days", {"rollup_started": started})
        run(session, statements, "rollup_commit")
    except Exception:
        run(session, statements, "rollup_rollback")
        raise
    return sorted(set(full_days) | set(merged_days))
