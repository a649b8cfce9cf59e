"""The two ingest paths on the emulator: the one-pass read of SNOWFLAKE.LOCAL.AI_OBSERVABILITY_EVENTS
(EVENT_TABLE) and the per-agent GET_AI_OBSERVABILITY_EVENTS loop (PER_AGENT).

They load identical history from the same traffic; the event-table pass reads only registered,
active Cortex Agents, each from its own read point (the later of its watermark and its last
successful refresh's start, less the overlap); `auto` picks the event table
when the owner can read it, else per agent, falls back to per agent when the pass fails
mid-cycle, and records the decision and its reason where PIPELINE_HEALTH shows it.
"""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import snowflake.connector

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import ingestion  # noqa: E402  (procedures/, put on sys.path by emulator.py)
from emulator import EVENT_TABLE, render_catalog, utc_now  # noqa: E402
from test_ingestion import (  # noqa: E402
    AGENTS, HR, OBS, SALES, SUPPORT, agent_events, history_count, history_identities, identity, span, state,
)
from traffic import AgentRef, canaries, generate, split_late, with_delivery_faults  # noqa: E402

OPS = AgentRef("OPS_DB", "AGENTS", "OPS_ASSISTANT")


@pytest.fixture(scope="module")
def auto_catalog():
    """The dev stack with the default ingest path, auto (the dev stack itself pins per_agent)."""
    return render_catalog("dev", ingestPath="auto")


# --- helpers ------------------------------------------------------------------------------------
def cycle(emulator, path: str, lookback_hours=None, session=None) -> str:
    """One REFRESH_AGENT_EVENTS run with the given INGEST_PATH argument."""
    lookback = emulator.config["initialLookbackHours"] if lookback_hours is None else lookback_hours
    return ingestion.run_refresh(session or emulator.session, emulator.handler_statements(), lookback,
                                 emulator.config["historyDays"], path)


def discover(emulator, agents, include="%", exclude=None) -> None:
    emulator.set_agents([(a.database, a.schema, a.name) for a in agents])
    ingestion.run_discovery(emulator.session, emulator.handler_statements(), include, exclude, True)


def history_rows(emulator) -> list[dict]:
    """Every history column but LOADED_AT, in a stable order."""
    rows = emulator.query("SELECT * FROM AGENT_EVENTS_HISTORY ORDER BY EVENT_KEY")
    for row in rows:
        del row["LOADED_AT"]
    return rows


def reset(emulator) -> None:
    for table in (EVENT_TABLE, "AGENT_EVENTS_HISTORY", "AGENT_INGEST_STATE", "AGENT_REGISTRY"):
        emulator.execute(f"DELETE FROM {table}")


class FailingSession:
    """The procedure's session, refusing one statement: a pass that fails mid-cycle."""

    def __init__(self, session, statement_text: str):
        self.session, self.fail_on, self.failures = session, statement_text, 0

    def sql(self, text, params=None):
        if text == self.fail_on:
            self.failures += 1
            raise snowflake.connector.errors.ProgrammingError(
                msg="Warehouse ran out of memory (simulated)", errno=100000, sqlstate="XX000")
        return self.session.sql(text, params)


def hide_event_table(emulator) -> None:
    """The owner role cannot read the event table (as without SNOWFLAKE.AI_OBSERVABILITY_READER);
    GET_AI_OBSERVABILITY_EVENTS still answers, so the emulated function is re-pointed."""
    duck = emulator.conn._duck_conn
    duck.execute("ALTER TABLE snowflake.local.ai_observability_events RENAME TO ai_observability_events_hidden")
    emulator.point_event_function_at("ai_observability_events_hidden")


def messy_traffic(emulator, seed: int):
    """Two deliveries of three agents' traffic with noise, duplicates, missing attributes and
    late events (within the overlap) that arrive only with the second delivery, after a refresh
    that started as the first delivery's newest event was stamped (`refreshed_after`)."""
    overlap = timedelta(minutes=emulator.config["ingestOverlapMinutes"])
    now = utc_now()
    events = generate(seed=seed, agents=AGENTS, start=now - timedelta(hours=8), end=now, include_noise=True,
                      feedback_rate=0.3, turns_per_agent_per_hour=10)
    on_time, late = split_late(events, seed=seed, late_fraction=0.3, max_delay=overlap)
    first = with_delivery_faults(on_time, seed=seed, duplicate_rate=0.05, drop_attribute_rate=0.2)
    second = with_delivery_faults(late + on_time[:40], seed=seed + 1, duplicate_rate=0.1, drop_attribute_rate=0.2)
    return events, first, second


def refreshed_after(emulator, delivery: list[dict]) -> None:
    """The refresh that read `delivery` started as its newest event was stamped."""
    emulator.last_refresh_started(max(e["TIMESTAMP"] for e in delivery))


def run_scenario(emulator, path: str, first, second) -> tuple[list[dict], list[str]]:
    reset(emulator)
    discover(emulator, AGENTS)
    emulator.deliver(first)
    summaries = [cycle(emulator, path)]
    refreshed_after(emulator, first)
    emulator.deliver(second)
    summaries.append(cycle(emulator, path))
    summaries.append(cycle(emulator, path))  # a re-run adds nothing
    return history_rows(emulator), summaries


# --- the two paths agree -------------------------------------------------------------------------
def test_both_paths_load_identical_history_from_the_same_messy_traffic(emulator):
    events, first, second = messy_traffic(emulator, seed=61)
    assert any(e not in agent_events(events) for e in events), "precondition: noise rows are mixed in"

    per_agent, per_agent_summaries = run_scenario(emulator, "per_agent", first, second)
    event_table, event_table_summaries = run_scenario(emulator, "event_table", first, second)

    assert len(per_agent) == len(agent_events(events))
    # This stack stores no text a user typed: neither path keeps a feedback comment or a search
    # query, though the traffic carries both. Every column but LOADED_AT agrees row for row.
    assert {"FEEDBACK", "SEARCH", "SQL"} <= canaries(agent_events(events)).keys(), "precondition: the traffic carries both"
    for column in ("FEEDBACK_MESSAGE", "RETRIEVAL_QUERY"):
        assert {r[column] for r in per_agent} == {r[column] for r in event_table} == {None}, column
    assert event_table == per_agent
    assert {(r["AGENT_DATABASE"], r["AGENT_SCHEMA"], r["AGENT_NAME"], r["RECORD_TYPE"], r["TRACE_ID"], r["SPAN_ID"],
             r["EVENT_NAME"], r["EVENT_TIMESTAMP"], r["FEEDBACK_REQUEST_ID"]) for r in event_table} == \
        {identity(e) for e in agent_events(events)}
    assert all("path PER_AGENT (ingestPath per_agent)" in s for s in per_agent_summaries)
    assert all("path EVENT_TABLE (ingestPath event_table)" in s for s in event_table_summaries)
    assert "loaded 0 events" in event_table_summaries[-1] and "loaded 0 events" in per_agent_summaries[-1]


@pytest.fixture(scope="module")
def unredacted_catalog():
    """A stack that stores text and lets the owner read it unredacted through the function."""
    return render_catalog("dev", storeConversationText="true", readUnredactedEvents="true")


def both_paths(emulator, catalog, seed: int) -> tuple[list[dict], list[dict]]:
    """History rows (per agent, event table) from the same messy traffic, on a stack of `catalog`."""
    from emulator import Emulator

    emulator.close()
    other = Emulator(catalog, emulator.coverage)
    try:
        _, first, second = messy_traffic(other, seed=seed)
        per_agent, _ = run_scenario(other, "per_agent", first, second)
        event_table, _ = run_scenario(other, "event_table", first, second)
        return per_agent, event_table
    finally:
        other.close()
        emulator.close = lambda: None  # already closed


TEXT_COLUMNS = ("QUESTION_TEXT", "ANSWER_TEXT", "RAW_ATTRIBUTES", "FEEDBACK_MESSAGE", "RETRIEVAL_QUERY")


def test_both_paths_agree_on_conversation_text_when_the_function_is_unredacted(unredacted_catalog, emulator):
    """With storeConversationText and readUnredactedEvents the text and raw-attribute columns are
    filled by both paths: still identical."""
    per_agent, event_table = both_paths(emulator, unredacted_catalog, seed=62)

    for column in TEXT_COLUMNS:
        assert any(r[column] for r in event_table), column
    assert event_table == per_agent


def test_the_per_agent_path_stores_no_redacted_text(catalog_with_text, emulator):
    """Text stored, readUnredactedEvents off: GET_AI_OBSERVABILITY_EVENTS hands text over redacted,
    so the per-agent path stores NULL in every text column (the emulated function even returns
    the real text: the NULLs come from Wallmonitor), while the unredacted event-table read keeps
    it. Every other column is the same on both paths."""
    assert catalog_with_text["config"]["readUnredactedEvents"] is False
    per_agent, event_table = both_paths(emulator, catalog_with_text, seed=64)

    assert len(per_agent) == len(event_table) > 0
    for column in TEXT_COLUMNS:
        assert {r[column] for r in per_agent} == {None}, column
        assert any(r[column] for r in event_table), column
    strip = lambda rows: [{k: v for k, v in r.items() if k not in TEXT_COLUMNS} for r in rows]  # noqa: E731
    assert strip(per_agent) == strip(event_table)


def test_set_based_read_points_agree_with_read_from_for_every_kind_of_agent(emulator):
    """read_points.sql (all agents at once) and read_from.sql (one agent) apply the same rule,
    to rows the previous release wrote (no LAST_READ_STARTED_AT; LAST_REFRESH_AT its read's end) too."""
    now = utc_now()
    busy, ancient, fresh, legacy, legacy_idle = (AgentRef("OLD_DB", "AGENTS", name)
                                                 for name in ("BUSY", "ANCIENT", "FRESH", "LEGACY", "LEGACY_IDLE"))
    agents = [SALES, SUPPORT, HR, OPS, busy, ancient, fresh, legacy, legacy_idle]
    discover(emulator, agents)
    lookback, days = 30, emulator.config["historyDays"]
    states = [  # quiet: refresh later than its watermark; idle after an OK refresh; failing since
        # registration; watermark later than its refresh; failed after events, past history; never
        # tried; the previous release's last OK refresh of an agent with events and of one without
        (SALES, now - timedelta(hours=2), now - timedelta(minutes=3), "OK", now - timedelta(hours=5)),
        (SUPPORT, None, now - timedelta(hours=50), "OK", now - timedelta(hours=70)),
        (HR, None, None, "ERROR", now - timedelta(hours=40)),
        (busy, now - timedelta(minutes=1), now - timedelta(minutes=3), "OK", now - timedelta(minutes=20)),
        (ancient, now - timedelta(days=days + 3), None, "ERROR", None),
        (legacy, now - timedelta(hours=2), None, "OK", now - timedelta(hours=5)),
        (legacy_idle, None, None, "OK", now - timedelta(minutes=40)),
    ]
    for agent, watermark, read_started, status, read_from in states:
        emulator.execute(
            "INSERT INTO AGENT_INGEST_STATE (AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, LAST_EVENT_TIMESTAMP, "
            "LAST_REFRESH_AT, LAST_REFRESH_STATUS, LAST_READ_FROM, LAST_READ_STARTED_AT) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [agent.database, agent.schema, agent.name, watermark, (read_started or now - timedelta(minutes=2)) +
             timedelta(minutes=1), status, read_from, read_started])
    emulator.execute("UPDATE AGENT_REGISTRY SET IS_ACTIVE = FALSE WHERE AGENT_NAME = ?", [OPS.name])

    points = {(r["AGENT_DATABASE"], r["AGENT_SCHEMA"], r["AGENT_NAME"]): r["READ_FROM"]
              for r in emulator.run("read_points_all", {"lookback_hours": lookback, "history_days": days})}

    assert (OPS.database, OPS.schema, OPS.name) not in points, "an inactive agent is not read"
    assert len(points) == 8
    for (database, schema, name), point in points.items():
        single = emulator.run("read_from", {"lookback_hours": lookback, "history_days": days, "agent_database": database,
                                            "agent_schema": schema, "agent_name": name})[0]["READ_FROM"]
        assert abs(point - single) < timedelta(seconds=1), name  # SYSDATE() of two statements
    overlap = timedelta(minutes=emulator.config["ingestOverlapMinutes"])
    key = lambda agent: (agent.database, agent.schema, agent.name)  # noqa: E731
    assert points[key(SALES)] == now - timedelta(minutes=3) - overlap  # the read's start, not the old event
    assert points[key(SUPPORT)] == now - timedelta(hours=50) - overlap
    assert points[key(HR)] == now - timedelta(hours=40)
    assert points[key(busy)] == now - timedelta(minutes=1) - overlap  # the watermark, later than the read's start
    assert abs(points[key(ancient)] - (utc_now() - timedelta(days=days))) < timedelta(minutes=1)
    assert abs(points[key(fresh)] - (utc_now() - timedelta(hours=lookback))) < timedelta(minutes=1)
    # No read start recorded: the watermark less the overlap, or the last read's window, never the
    # refresh's end (a minute ago) less the overlap.
    assert points[key(legacy)] == now - timedelta(hours=2) - overlap
    assert points[key(legacy_idle)] == now - timedelta(minutes=40)


# --- what the event-table pass reads ------------------------------------------------------------
def test_event_table_pass_reads_only_active_registered_cortex_agents(emulator):
    now = utc_now()
    events = generate(seed=63, agents=AGENTS + [OPS], start=now - timedelta(hours=6), end=now, include_noise=True)
    emulator.deliver(events)
    discover(emulator, AGENTS + [OPS], exclude="HR_DB.%")  # HR excluded by pattern from SHOW AGENTS ...
    # ... and deactivated by hand, so that registering agents from their events keeps it unread.
    emulator.execute("INSERT INTO AGENT_REGISTRY (AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, IS_ACTIVE) "
                     "VALUES (?, ?, ?, FALSE)", [HR.database, HR.schema, HR.name])
    emulator.execute("UPDATE AGENT_REGISTRY SET IS_ACTIVE = FALSE WHERE AGENT_NAME = ?", [SUPPORT.name])
    # Cortex Search and external-agent objects registered by hand, as if they were agents.
    for name in ("PRODUCT_DOCS_SERVICE", "EXTERNAL_SUPPORT_BOT"):
        emulator.execute("INSERT INTO AGENT_REGISTRY (AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME) VALUES (?, ?, ?)",
                         [SALES.database, SALES.schema, name])
    assert {e["RECORD_ATTRIBUTES"][OBS + "object.name"] for e in events} >= {"PRODUCT_DOCS_SERVICE", HR.name}

    summary = cycle(emulator, "event_table")

    assert set(history_identities(emulator)) == {identity(e) for e in agent_events(events, SALES)
                                                  + agent_events(events, OPS)}
    assert {r["AGENT_NAME"] for r in emulator.query("SELECT DISTINCT AGENT_NAME FROM AGENT_EVENTS_HISTORY")} == \
        {SALES.name, OPS.name}
    assert "Refreshed 4 agents: 4 OK, 0 failed" in summary  # SALES, OPS and the two noise objects
    read = {r["AGENT_NAME"]: r for r in emulator.query("SELECT * FROM AGENT_INGEST_STATE")}
    assert set(read) == {SALES.name, OPS.name, "PRODUCT_DOCS_SERVICE", "EXTERNAL_SUPPORT_BOT"}
    assert read[SALES.name]["LAST_ROWS_LOADED"] == len(agent_events(events, SALES))
    assert read["PRODUCT_DOCS_SERVICE"]["LAST_ROWS_LOADED"] == 0
    assert read["PRODUCT_DOCS_SERVICE"]["LAST_EVENT_TIMESTAMP"] is None
    for row in read.values():
        assert (row["LAST_REFRESH_STATUS"], row["INGEST_PATH"], row["INGEST_PATH_REASON"], row["CONSECUTIVE_FAILURES"]) \
            == ("OK", "EVENT_TABLE", "ingestPath event_table", 0)
    assert read[SALES.name]["LAST_EVENT_TIMESTAMP"] == max(e["TIMESTAMP"] for e in agent_events(events, SALES))

    before = history_count(emulator)
    emulator.deliver(events)  # everything delivered again
    assert "loaded 0 events" in cycle(emulator, "event_table")
    assert history_count(emulator) == before
    assert state(emulator, SALES)["LAST_ROWS_LOADED"] == 0


def test_event_table_pass_captures_late_events_inside_the_overlap(emulator):
    overlap = timedelta(minutes=emulator.config["ingestOverlapMinutes"])
    now = utc_now()
    events = agent_events(generate(seed=11, agents=[SALES], start=now - timedelta(hours=8), end=now,
                                   turns_per_agent_per_hour=30))
    on_time, late = split_late(events, seed=11, late_fraction=0.5, max_delay=overlap)
    emulator.deliver(on_time)
    discover(emulator, [SALES])
    cycle(emulator, "event_table")
    started = max(e["TIMESTAMP"] for e in events)  # the pass ran as the newest event was stamped
    emulator.last_refresh_started(started)
    watermark = state(emulator, SALES)["LAST_EVENT_TIMESTAMP"]
    assert any(e["TIMESTAMP"] < watermark for e in late), "precondition: only the overlap can catch some"
    assert all(e["TIMESTAMP"] >= started - overlap for e in late)

    emulator.deliver(late)
    summary = cycle(emulator, "event_table")

    assert f"loaded {len(late)} events" in summary
    assert set(history_identities(emulator)) == {identity(e) for e in events}
    # Older than the last pass's start less the overlap: the documented trade-off, as on the
    # per-agent path (read_from.sql).
    started = state(emulator, SALES)["LAST_READ_STARTED_AT"]
    assert started > state(emulator, SALES)["LAST_EVENT_TIMESTAMP"], "precondition: the read point is the pass's start"
    just_inside = span(SALES, "ResponseGeneration", started - overlap + timedelta(seconds=30), trace_id="8" * 32)
    too_late = span(SALES, "ResponseGeneration", started - overlap - timedelta(seconds=30), trace_id="9" * 32)
    emulator.deliver([just_inside, too_late])
    assert "loaded 1 events" in cycle(emulator, "event_table")
    assert {r["TRACE_ID"] for r in emulator.query("SELECT TRACE_ID FROM AGENT_EVENTS_HISTORY WHERE TRACE_ID IN (?, ?)",
                                                  ["8" * 32, "9" * 32])} == {"8" * 32}


class ArrivalDuringTheRead:
    """The procedure's session; one event of `agent` reaches the event table while the cycle's
    read runs, after the read statement took its snapshot (here: right after it ran)."""

    def __init__(self, emulator, read_statement: str, agent: AgentRef):
        self.emulator, self.read, self.agent = emulator, read_statement, agent
        self.read_began = None

    def sql(self, text, params=None):
        if text != self.read or self.read_began is not None:
            return self.emulator.session.sql(text, params)
        self.read_began = utc_now()
        result = self.emulator.session.sql(text, params)
        self.emulator.deliver([span(self.agent, "ResponseGeneration", utc_now(), trace_id="7" * 32)])
        return result


@pytest.mark.parametrize("path", ["per_agent", "event_table"])
def test_an_event_arriving_during_a_read_is_inside_the_next_one(emulator, path):
    """LAST_READ_STARTED_AT is when the read started (record_success_state.sql): the next read
    starts there less the overlap, so an event that reaches the event table while a read runs,
    after its snapshot, is loaded by the next cycle however long the read took. LAST_REFRESH_AT
    is when the refresh ended, as the reference records it."""
    emulator.deliver([span(SALES, "AgentV2RequestResponseInfo", utc_now() - timedelta(minutes=30), trace_id="1" * 32,
                           parent=None)])
    discover(emulator, [SALES])
    read = "insert_agent_events" if path == "per_agent" else "insert_events_from_event_table"
    session = ArrivalDuringTheRead(emulator, emulator.statement(read), SALES)

    cycle(emulator, path, session=session)

    recorded = state(emulator, SALES)
    assert recorded["LAST_READ_STARTED_AT"] <= session.read_began <= recorded["LAST_REFRESH_AT"]
    assert history_count(emulator) == 1, "precondition: the event arrived after the read's snapshot"
    assert "loaded 1 events" in cycle(emulator, path)
    assert {r["TRACE_ID"] for r in emulator.query("SELECT TRACE_ID FROM AGENT_EVENTS_HISTORY")} == {"1" * 32, "7" * 32}


def test_each_agent_is_read_from_its_own_watermark(emulator):
    """A new agent gets the initial lookback while a known one reads only past its watermark."""
    now = utc_now()
    old = span(HR, "ResponseGeneration", now - timedelta(hours=20), trace_id="1" * 32)
    emulator.deliver([span(SALES, "ResponseGeneration", now - timedelta(minutes=30), trace_id="2" * 32)])
    discover(emulator, [SALES])
    cycle(emulator, "event_table")
    sales_old = span(SALES, "ResponseGeneration", now - timedelta(hours=20), trace_id="3" * 32)  # far too late
    emulator.deliver([old, sales_old])
    discover(emulator, [SALES, HR])

    cycle(emulator, "event_table")

    assert {r["TRACE_ID"] for r in emulator.query("SELECT TRACE_ID FROM AGENT_EVENTS_HISTORY")} == {"1" * 32, "2" * 32}
    assert abs(state(emulator, HR)["LAST_READ_FROM"]
               - (now - timedelta(hours=emulator.config["initialLookbackHours"]))) < timedelta(minutes=1)


# --- auto, fallback and failure -------------------------------------------------------------------
def test_auto_uses_the_event_table_when_readable_and_shows_why(emulator, auto_catalog):
    now = utc_now()
    events = generate(seed=65, agents=AGENTS, start=now - timedelta(hours=6), end=now, include_noise=True)
    emulator.deliver(events)
    discover(emulator, AGENTS)
    assert auto_catalog["tasks"]["refresh"]["text"].rstrip().endswith(", 'auto')")

    summary = emulator.call(auto_catalog["tasks"]["refresh"]["text"])

    reason = f"auto: owner role can read {EVENT_TABLE}"
    assert f"path EVENT_TABLE ({reason})" in summary
    assert set(history_identities(emulator)) == {identity(e) for e in agent_events(events)}
    health = {r["AGENT_NAME"]: r for r in emulator.view("PIPELINE_HEALTH")}
    assert {(r["INGEST_PATH"], r["INGEST_PATH_REASON"], r["HEALTH"]) for r in health.values()} == \
        {("EVENT_TABLE", reason, "HEALTHY")}


def test_auto_reads_per_agent_when_the_event_table_is_unreadable(emulator):
    now = utc_now()
    events = generate(seed=66, agents=AGENTS, start=now - timedelta(hours=6), end=now, include_noise=True)
    emulator.deliver(events)
    discover(emulator, AGENTS)
    hide_event_table(emulator)

    summary = cycle(emulator, "auto")

    assert "path PER_AGENT (auto: cannot read SNOWFLAKE.LOCAL.AI_OBSERVABILITY_EVENTS (" in summary
    assert "3 OK, 0 failed" in summary
    assert set(history_identities(emulator)) == {identity(e) for e in agent_events(events)}
    for row in emulator.view("PIPELINE_HEALTH"):
        assert row["INGEST_PATH"] == "PER_AGENT" and row["HEALTH"] == "HEALTHY"
        assert row["INGEST_PATH_REASON"].startswith(f"auto: cannot read {EVENT_TABLE} (")


@pytest.mark.parametrize("failing_statement", ["insert_events_from_event_table", "record_event_table_success"])
def test_auto_falls_back_to_per_agent_when_the_pass_fails_mid_cycle(emulator, failing_statement):
    """Before the insert or after it (rows committed, state not updated): the per-agent fallback
    loads the rest of the cycle, nothing is lost and nothing is loaded twice."""
    events, first, second = messy_traffic(emulator, seed=67)
    discover(emulator, AGENTS)
    emulator.deliver(first)
    cycle(emulator, "auto")
    refreshed_after(emulator, first)
    emulator.deliver(second)
    failing = FailingSession(emulator.session, emulator.statement(failing_statement))

    summary = cycle(emulator, "auto", session=failing)

    assert failing.failures == 1
    assert "path PER_AGENT (auto: event-table pass failed (ProgrammingError: " in summary
    assert "3 OK, 0 failed" in summary
    loaded = history_identities(emulator)
    assert len(loaded) == len(set(loaded)) and set(loaded) == {identity(e) for e in agent_events(events)}
    for agent in AGENTS:
        row = state(emulator, agent)
        assert (row["INGEST_PATH"], row["LAST_REFRESH_STATUS"]) == ("PER_AGENT", "OK")
        assert "event-table pass failed" in row["INGEST_PATH_REASON"]

    # The next cycle is back on the event table and finds nothing new.
    summary = cycle(emulator, "auto")
    assert "path EVENT_TABLE" in summary and "loaded 0 events" in summary
    assert {state(emulator, a)["INGEST_PATH"] for a in AGENTS} == {"EVENT_TABLE"}


def test_a_failed_pass_with_event_table_forced_is_recorded_for_every_agent_and_retried(emulator):
    now = utc_now()
    before = generate(seed=68, agents=AGENTS, start=now - timedelta(hours=6), end=now - timedelta(hours=2))
    after = generate(seed=69, agents=AGENTS, start=now - timedelta(hours=2), end=now)
    emulator.deliver(before)
    discover(emulator, AGENTS)
    cycle(emulator, "event_table")
    watermarks = {a.name: state(emulator, a)["LAST_EVENT_TIMESTAMP"] for a in AGENTS}
    emulator.deliver(after)
    failing = FailingSession(emulator.session, emulator.statement("insert_events_from_event_table"))

    summaries = [cycle(emulator, "event_table", session=failing) for _ in range(2)]

    assert "3 agents: 0 OK, 3 failed" in summaries[0] and "the event-table pass failed" in summaries[0]
    for agent in AGENTS:
        row = state(emulator, agent)
        assert (row["LAST_REFRESH_STATUS"], row["CONSECUTIVE_FAILURES"], row["INGEST_PATH"]) == ("ERROR", 2, "EVENT_TABLE")
        assert "out of memory" in row["LAST_ERROR_MESSAGE"]
        assert row["LAST_EVENT_TIMESTAMP"] == watermarks[agent.name]
    assert {r["HEALTH"] for r in emulator.view("PIPELINE_HEALTH")} == {"FAILING"}

    summary = cycle(emulator, "event_table")
    assert "3 OK, 0 failed" in summary
    assert set(history_identities(emulator)) == {identity(e) for e in agent_events(before + after)}
    assert {state(emulator, a)["CONSECUTIVE_FAILURES"] for a in AGENTS} == {0}


def test_an_unknown_ingest_path_is_refused(emulator):
    with pytest.raises(ValueError, match="not one of auto, event_table, per_agent"):
        cycle(emulator, "eventtable")
    assert "path EVENT_TABLE" in cycle(emulator, None)  # NULL means auto
