"""Agents enter the registry from their own events, and a cycle that cannot read anything says so.

SHOW AGENTS lists only agents the owner role holds OWNERSHIP, USAGE, MODIFY or MONITOR on
(https://docs.snowflake.com/en/sql-reference/sql/show-agents), so an owner that reads the event
table account-wide through SNOWFLAKE.AI_OBSERVABILITY_READER would otherwise keep an empty
registry and ingest nothing. Each REFRESH_AGENT_EVENTS cycle first scans the event table, from
where its last scan started less the overlap, and registers the Cortex Agents it finds that match
the stack's patterns; they are read in the same cycle, from the initial lookback. When nothing can
be read (no event-table access, SHOW AGENTS empty) the cycle's return text and INGEST_CYCLE_STATE
name the condition and the grant that fixes it; a per-agent read refused for lack of MONITOR
records an error naming that grant.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import ingestion  # noqa: E402  (procedures/, put on sys.path by emulator.py)
from emulator import EVENT_TABLE, render_catalog, utc_now  # noqa: E402
from test_ingest_paths import hide_event_table  # noqa: E402
from test_ingestion import HR, OBS, SALES, SUPPORT, agent_events, history_identities, identity, span  # noqa: E402
from traffic import AgentRef, generate  # noqa: E402

SCRATCH = AgentRef("SALES_DB", "SCRATCH", "PROTOTYPE")  # the dev stack excludes %.SCRATCH.%
SHOUTED = AgentRef("OPS_DB", "AGENTS", "OPS_ASSISTANT")  # written with object type CORTEX AGENT


def key(agent: AgentRef) -> tuple:
    return agent.database, agent.schema, agent.name


def refresh(emulator, path: str = "per_agent", lookback=None) -> str:
    lookback = emulator.config["initialLookbackHours"] if lookback is None else lookback
    return ingestion.run_refresh(emulator.session, emulator.handler_statements(), lookback,
                                 emulator.config["historyDays"], path)


def registry(emulator) -> dict[tuple, dict]:
    return {(r["AGENT_DATABASE"], r["AGENT_SCHEMA"], r["AGENT_NAME"]): r
            for r in emulator.query("SELECT * FROM AGENT_REGISTRY")}


def cycle_state(emulator) -> dict:
    rows = emulator.query("SELECT * FROM INGEST_CYCLE_STATE")
    assert len(rows) == 1 and rows[0]["STATE_KEY"] == "REFRESH", rows
    return rows[0]


def shouted(event: dict) -> dict:
    """The event as live accounts also write it: object type `CORTEX AGENT`."""
    return {**event, "RECORD_ATTRIBUTES": {**event["RECORD_ATTRIBUTES"], OBS + "object.type": "CORTEX AGENT"}}


# --- agents enter the registry from their events ----------------------------------------------------
@pytest.mark.parametrize("path", ["per_agent", "event_table", "auto"])
def test_agents_register_from_their_events_and_are_read_in_the_same_cycle(emulator, path):
    now = utc_now()
    events = generate(seed=31, agents=[SALES, HR, SCRATCH], start=now - timedelta(hours=5), end=now,
                      include_noise=True)
    shouting = [shouted(span(SHOUTED, "AgentV2RequestResponseInfo", now - timedelta(hours=2), trace_id="5" * 32))]
    emulator.deliver(events + shouting)
    emulator.set_agents([])  # the owner holds no privilege on any agent: SHOW AGENTS lists nothing
    assert any(e["RECORD_ATTRIBUTES"][OBS + "object.type"] != "Cortex Agent" for e in events), \
        "precondition: Cortex Search and External Agent rows are mixed in"

    summary = refresh(emulator, path)

    rows = registry(emulator)
    assert set(rows) == {key(SALES), key(HR), key(SHOUTED)}, "SCRATCH is excluded by the stack's pattern"
    for row in rows.values():
        assert (row["REGISTERED_BY"], row["IS_ACTIVE"], row["INCLUDE_PATTERN"], row["EXCLUDE_PATTERN"]) == \
            ("EVENTS", True, "%", "%.SCRATCH.%")
    assert "registered 3 agents from their events" in summary and "Refreshed 3 agents: 3 OK" in summary
    expected = agent_events(events, SALES) + agent_events(events, HR)
    assert set(history_identities(emulator)) >= {identity(e) for e in expected}
    # SHOUTED's events load once the ingest statements compare the object type case-insensitively too.
    loaded = {r["AGENT_NAME"] for r in emulator.query("SELECT DISTINCT AGENT_NAME FROM AGENT_EVENTS_HISTORY")}
    assert {SALES.name, HR.name} <= loaded <= {SALES.name, HR.name, SHOUTED.name}
    state = cycle_state(emulator)
    assert (state["CONDITION"], state["EVENTS_DISCOVERY_STATUS"], state["AGENTS_ADDED_FROM_EVENTS"],
            state["ACTIVE_AGENTS"]) == ("OK", "OK", 3, 3)


def test_the_stack_include_pattern_applies_too(emulator):
    from emulator import Emulator

    emulator.close()
    only_sales = Emulator(render_catalog("dev", agentIncludePattern="sales_db.%"), emulator.coverage)
    try:
        now = utc_now()
        only_sales.deliver([span(agent, "AgentV2RequestResponseInfo", now - timedelta(minutes=30), trace_id=str(i) * 32)
                            for i, agent in enumerate([SALES, SUPPORT, HR, SCRATCH], start=1)])
        assert "registered 2 agents from their events" in refresh(only_sales)
        assert set(registry(only_sales)) == {key(SALES), key(SUPPORT)}
    finally:
        only_sales.close()
        emulator.close = lambda: None  # already closed


def test_each_scan_starts_where_the_last_one_did_less_the_overlap(emulator):
    """The scan is bounded: a first cycle reads the initial lookback, every later one only from
    where the previous scan started, less the overlap; an agent whose only events are older than
    that is not found again by scanning (it would have been registered when they arrived)."""
    overlap = timedelta(minutes=emulator.config["ingestOverlapMinutes"])
    lookback = timedelta(hours=emulator.config["initialLookbackHours"])
    now = utc_now()
    emulator.deliver([span(SALES, "AgentV2RequestResponseInfo", now - timedelta(hours=3), trace_id="1" * 32),
                      span(SUPPORT, "AgentV2RequestResponseInfo", now - lookback - timedelta(hours=1), trace_id="2" * 32)])

    refresh(emulator)
    first = cycle_state(emulator)
    assert abs(first["EVENTS_DISCOVERY_READ_FROM"] - (now - lookback)) < timedelta(minutes=1)
    assert set(registry(emulator)) == {key(SALES)}, "SUPPORT's only event is older than the lookback"

    late = span(HR, "AgentV2RequestResponseInfo", first["EVENTS_DISCOVERED_THROUGH"] - overlap / 2, trace_id="3" * 32)
    too_old = span(AgentRef("OLD_DB", "AGENTS", "OLD_AGENT"), "AgentV2RequestResponseInfo",
                   first["EVENTS_DISCOVERED_THROUGH"] - 2 * overlap, trace_id="4" * 32)
    emulator.deliver([late, too_old])
    summary = refresh(emulator)

    second = cycle_state(emulator)
    assert second["EVENTS_DISCOVERY_READ_FROM"] == first["EVENTS_DISCOVERED_THROUGH"] - overlap
    assert second["EVENTS_DISCOVERED_THROUGH"] > first["EVENTS_DISCOVERED_THROUGH"]
    assert set(registry(emulator)) == {key(SALES), key(HR)}, "a late event inside the overlap is found; older is not"
    assert "registered 1 agents from their events" in summary


def test_registration_from_events_keeps_manual_choices_and_show_agents_never_removes(emulator):
    now = utc_now()
    emulator.execute("INSERT INTO AGENT_REGISTRY (AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, IS_ACTIVE, NOTES) "
                     "VALUES (?, ?, ?, FALSE, 'paused by hand')", list(key(SUPPORT)))
    emulator.deliver([span(agent, "AgentV2RequestResponseInfo", now - timedelta(minutes=20), trace_id=str(i) * 32)
                      for i, agent in enumerate([SALES, SUPPORT], start=1)])
    refresh(emulator)
    emulator.set_agents([key(HR)])  # SHOW AGENTS lists HR only

    assert ingestion.run_discovery(emulator.session, emulator.handler_statements(), "%", None, True) == \
        "Found 1 agents; added 1; updated 0"

    rows = registry(emulator)
    assert set(rows) == {key(SALES), key(SUPPORT), key(HR)}
    assert (rows[key(SUPPORT)]["IS_ACTIVE"], rows[key(SUPPORT)]["REGISTERED_BY"], rows[key(SUPPORT)]["NOTES"]) == \
        (False, "MANUAL", "paused by hand")
    assert rows[key(SUPPORT)]["LAST_DISCOVERED"] is not None  # seen in its events, stamped only
    assert (rows[key(SALES)]["REGISTERED_BY"], rows[key(HR)]["REGISTERED_BY"]) == ("EVENTS", "DISCOVERY")
    assert "Refreshed 2 agents" in refresh(emulator)  # SUPPORT stays paused
    assert {r["AGENT_NAME"] for r in emulator.query("SELECT DISTINCT AGENT_NAME FROM AGENT_EVENTS_HISTORY")} == \
        {SALES.name}


# --- an owner that cannot read the event table ----------------------------------------------------------
@pytest.mark.parametrize("path, status", [("auto", "SKIPPED"), ("per_agent", "FAILED")])
def test_an_unreadable_event_table_does_not_fail_the_cycle(emulator, path, status):
    """The per-agent path then reads what SHOW AGENTS (DISCOVER_AGENTS) registered; why agents
    were not registered from their events is in the summary and in INGEST_CYCLE_STATE."""
    now = utc_now()
    events = generate(seed=32, agents=[SALES, HR], start=now - timedelta(hours=3), end=now)
    emulator.deliver(events)
    emulator.set_agents([key(SALES)])
    ingestion.run_discovery(emulator.session, emulator.handler_statements(), "%", None, True)
    hide_event_table(emulator)

    summary = refresh(emulator, path)

    assert "Refreshed 1 agents: 1 OK, 0 failed" in summary and "path PER_AGENT" in summary
    assert f"agents not registered from their events: " in summary and EVENT_TABLE in summary
    assert set(registry(emulator)) == {key(SALES)}
    assert set(history_identities(emulator)) == {identity(e) for e in agent_events(events, SALES)}
    state = cycle_state(emulator)
    assert (state["CONDITION"], state["EVENTS_DISCOVERY_STATUS"], state["INGEST_PATH"]) == ("OK", status, "PER_AGENT")
    assert EVENT_TABLE in state["EVENTS_DISCOVERY_MESSAGE"]
    assert state["EVENTS_DISCOVERED_THROUGH"] is None


def test_a_failed_scan_keeps_the_point_the_last_good_one_reached(emulator):
    now = utc_now()
    emulator.deliver([span(SALES, "AgentV2RequestResponseInfo", now - timedelta(minutes=20), trace_id="1" * 32)])
    refresh(emulator)
    reached = cycle_state(emulator)["EVENTS_DISCOVERED_THROUGH"]
    duck = emulator.conn._duck_conn
    hide_event_table(emulator)
    refresh(emulator)
    assert (cycle_state(emulator)["EVENTS_DISCOVERY_STATUS"], cycle_state(emulator)["EVENTS_DISCOVERED_THROUGH"]) == \
        ("FAILED", reached)

    duck.execute("ALTER TABLE snowflake.local.ai_observability_events_hidden RENAME TO ai_observability_events")
    emulator.point_event_function_at("ai_observability_events")
    refresh(emulator)
    overlap = timedelta(minutes=emulator.config["ingestOverlapMinutes"])
    assert cycle_state(emulator)["EVENTS_DISCOVERY_READ_FROM"] == reached - overlap


# --- never silent zeros --------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["auto", "per_agent", "event_table"])
def test_nothing_visible_is_an_explicit_condition_with_the_fix(emulator, path):
    """No registered agent, no event-table access, SHOW AGENTS empty: on every path the cycle
    says that nothing can be read and which grant fixes it, in its return text and its state."""
    now = utc_now()
    emulator.deliver(generate(seed=33, agents=[SALES], start=now - timedelta(hours=2), end=now))
    emulator.set_agents([])
    hide_event_table(emulator)

    summary = refresh(emulator, path)

    assert "Refreshed 0 agents" in summary and "NO_AGENTS_VISIBLE: no active agent is registered" in summary
    for fix in ("SNOWFLAKE.AI_OBSERVABILITY_READER", "MONITOR", "wallmonitor:agentLocations",
                "SHOW AGENTS lists 0 agents"):
        assert fix in summary, fix
    state = cycle_state(emulator)
    assert (state["CONDITION"], state["ACTIVE_AGENTS"]) == ("NO_AGENTS_VISIBLE", 0)
    assert "SNOWFLAKE.AI_OBSERVABILITY_READER" in state["CONDITION_MESSAGE"]
    assert "wallmonitor:agentLocations" in state["CONDITION_MESSAGE"]
    assert emulator.query("SELECT COUNT(*) AS N FROM AGENT_EVENTS_HISTORY")[0]["N"] == 0


def test_a_readable_table_without_agent_events_says_so(emulator):
    emulator.set_agents([])
    summary = refresh(emulator, "auto")

    assert "NO_ACTIVE_AGENTS: no active agent is registered: the event table holds no Cortex Agent event" in summary
    assert cycle_state(emulator)["CONDITION"] == "NO_ACTIVE_AGENTS"

    emulator.deliver([span(SALES, "AgentV2RequestResponseInfo", utc_now() - timedelta(minutes=5), trace_id="1" * 32)])
    summary = refresh(emulator, "auto")
    assert "NO_ACTIVE" not in summary and cycle_state(emulator)["CONDITION"] == "OK"


def test_a_per_agent_read_refused_for_lack_of_monitor_names_the_grant(emulator):
    """auto falls back to per agent when the event table is unreadable; an agent the owner holds
    no MONITOR on is refused by GET_AI_OBSERVABILITY_EVENTS, and its error says what to grant."""
    now = utc_now()
    emulator.deliver(generate(seed=34, agents=[SALES, HR], start=now - timedelta(hours=2), end=now))
    emulator.set_agents([key(SALES), key(HR)], failing={HR.name})
    ingestion.run_discovery(emulator.session, emulator.handler_statements(), "%", None, True)
    hide_event_table(emulator)

    summary = refresh(emulator, "auto")

    assert "Refreshed 2 agents: 1 OK, 1 failed" in summary and "failed: HR_DB.BOTS.HR_HELPDESK" in summary
    health = {r["AGENT_NAME"]: r for r in emulator.view("PIPELINE_HEALTH")}
    assert health[HR.name]["HEALTH"] == "FAILING"
    error = health[HR.name]["LAST_ERROR_MESSAGE"]
    assert error.startswith("GET_AI_OBSERVABILITY_EVENTS refused HR_DB.BOTS.HR_HELPDESK: the agent is gone, or the "
                            "owner role lacks MONITOR on it")
    assert "wallmonitor:agentLocations" in error and "GRANT MONITOR ON AGENT HR_DB.BOTS.HR_HELPDESK" in error
    assert "Snowflake said: ProgrammingError" in error and "not authorized" in error
    assert health[SALES.name]["HEALTH"] == "HEALTHY"
