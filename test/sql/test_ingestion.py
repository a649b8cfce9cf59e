"""Ingestion on the emulator: REFRESH_AGENT_EVENTS loads each Cortex Agent event exactly once,
catches late and missed events, keeps retention, isolates a failing agent, and parses the
event-table layout into AGENT_EVENTS_HISTORY's columns.

The emulator's clock is real UTC, so every event is generated relative to now (`emulator.utc_now()`).
Where a test needs "a cycle that ran hours ago", it either calls the handler directly with a
longer lookback (the window that cycle would have read) or ages AGENT_INGEST_STATE.
"""

from __future__ import annotations

import re
import sys
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import ingestion  # noqa: E402  (procedures/, put on sys.path by emulator.py)
from emulator import utc_now  # noqa: E402
from traffic import (  # noqa: E402
    AgentRef, generate, is_cortex_agent_event, is_evaluation_event, split_late, with_delivery_faults,
)

SALES = AgentRef("SALES_DB", "AGENTS", "SALES_ASSISTANT")
SUPPORT = AgentRef("SALES_DB", "AGENTS", "SUPPORT_COPILOT")
HR = AgentRef("HR_DB", "BOTS", "HR_HELPDESK")
AGENTS = [SALES, SUPPORT, HR]
OBS = "snow.ai.observability."


# --- helpers ------------------------------------------------------------------------------------
def run_task(emulator, name: str) -> str:
    task = emulator.catalog["tasks"][name]
    emulator.coverage.add(task["files"])  # emulator.call() does not count the task's own file
    return emulator.call(task["text"])


def register(emulator, agents) -> str:
    """What SHOW AGENTS reports, registered by the DISCOVER_AGENTS task."""
    emulator.set_agents([(a.database, a.schema, a.name) for a in agents])
    return run_task(emulator, "discover")


def refresh(emulator) -> str:
    """One REFRESH_AGENT_EVENTS task run (dev stack: lookback 24 h, history 7 days)."""
    return run_task(emulator, "refresh")


def refresh_with(emulator, lookback_hours, history_days=None) -> str:
    days = emulator.config["historyDays"] if history_days is None else history_days
    # The stack's ingest path, as the task passes it (the dev stack reads per agent).
    return ingestion.run_refresh(emulator.session, emulator.handler_statements(), lookback_hours, days,
                                 emulator.config["ingestPath"])


def identity(event: dict) -> tuple:
    """What makes an event distinct: the parts of EVENT_KEY, in generated-event terms."""
    attrs = event["RECORD_ATTRIBUTES"]
    trace = event["TRACE"] or {}
    return (attrs[OBS + "database.name"], attrs[OBS + "schema.name"], attrs[OBS + "object.name"],
            event["RECORD_TYPE"], trace.get("trace_id"), trace.get("span_id"), event["RECORD"].get("name"),
            event["TIMESTAMP"], (event["VALUE"] or {}).get("orig_request_id"))


def history_identities(emulator) -> list[tuple]:
    rows = emulator.query("""
        SELECT AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, RECORD_TYPE, TRACE_ID, SPAN_ID, EVENT_NAME,
               EVENT_TIMESTAMP, FEEDBACK_REQUEST_ID
        FROM AGENT_EVENTS_HISTORY""")
    return [tuple(row.values()) for row in rows]


def agent_events(events, agent: AgentRef | None = None) -> list[dict]:
    chosen = [e for e in events if is_cortex_agent_event(e)]
    if agent is not None:
        chosen = [e for e in chosen if e["RECORD_ATTRIBUTES"][OBS + "object.name"] == agent.name]
    return chosen


def state(emulator, agent: AgentRef) -> dict:
    rows = emulator.query("SELECT * FROM AGENT_INGEST_STATE WHERE AGENT_NAME = ?", [agent.name])
    assert len(rows) == 1, rows
    return rows[0]


def history_count(emulator, agent: AgentRef | None = None) -> int:
    if agent is None:
        return emulator.query("SELECT COUNT(*) AS N FROM AGENT_EVENTS_HISTORY")[0]["N"]
    return emulator.query("SELECT COUNT(*) AS N FROM AGENT_EVENTS_HISTORY WHERE AGENT_NAME = ?", [agent.name])[0]["N"]


_span_ids = iter(range(1, 10**9))


def span(agent: AgentRef, name: str, end: datetime, *, trace_id="a" * 32, parent="0" * 16, duration_ms=100,
         failed=False, attrs=None, resource=None) -> dict:
    """One hand-made span row in the event-table layout (millisecond timestamps, as delivered)."""
    end = end.replace(microsecond=end.microsecond // 1000 * 1000)
    identity_attrs = {OBS + "object.name": agent.name, OBS + "object.type": "Cortex Agent",
                      OBS + "database.name": agent.database, OBS + "schema.name": agent.schema,
                      OBS + "agent.thread_id": 4242, OBS + "agent.request_id": "req-1"}
    record = {"name": name, "kind": "SPAN_KIND_INTERNAL",
              "status": {"code": "STATUS_CODE_ERROR" if failed else "STATUS_CODE_OK"}}
    if parent is not None:
        record["parent_span_id"] = parent
    return {
        "TIMESTAMP": end, "START_TIMESTAMP": end - timedelta(milliseconds=duration_ms), "OBSERVED_TIMESTAMP": None,
        "TRACE": {"trace_id": trace_id, "span_id": f"{next(_span_ids):016x}"},
        "RESOURCE_ATTRIBUTES": {"snow.user.name": "ALICE", "snow.user.id": 1000} if resource is None else resource,
        "SCOPE": {"name": "snow.cortex.agent"}, "RECORD_TYPE": "SPAN", "RECORD": record,
        "RECORD_ATTRIBUTES": {**identity_attrs, **(attrs or {})}, "VALUE": None,
    }


# --- exactly once -----------------------------------------------------------------------------
def test_every_cortex_agent_event_lands_exactly_once(emulator):
    now = utc_now()
    events = generate(seed=7, agents=AGENTS, start=now - timedelta(hours=12), end=now, feedback_rate=0.3)
    delivered = with_delivery_faults(events, seed=7, duplicate_rate=0.05)
    expected = {identity(e) for e in agent_events(events)}
    assert len(delivered) > len(events), "precondition: some events are delivered twice"
    assert len(agent_events(events)) < len(events), "precondition: noise rows are mixed in"

    emulator.deliver(delivered)
    register(emulator, AGENTS)
    summary = refresh(emulator)

    loaded = history_identities(emulator)
    assert len(loaded) == len(set(loaded)) == len(expected)
    assert set(loaded) == expected
    keys = emulator.query("SELECT COUNT(*) AS N, COUNT(DISTINCT EVENT_KEY) AS D FROM AGENT_EVENTS_HISTORY")[0]
    assert keys["N"] == keys["D"] == len(expected)
    assert f"loaded {len(expected)} events" in summary


def test_rerunning_a_cycle_adds_nothing(emulator):
    now = utc_now()
    events = generate(seed=8, agents=AGENTS, start=now - timedelta(hours=6), end=now)
    emulator.deliver(events)
    register(emulator, AGENTS)
    refresh(emulator)
    before = history_count(emulator)
    watermarks = {a.name: state(emulator, a)["LAST_EVENT_TIMESTAMP"] for a in AGENTS}
    assert before == len(agent_events(events))

    assert "loaded 0 events" in refresh(emulator)
    emulator.deliver(events)  # the whole window delivered a second time
    assert "loaded 0 events" in refresh(emulator)

    assert history_count(emulator) == before
    assert {a.name: state(emulator, a)["LAST_EVENT_TIMESTAMP"] for a in AGENTS} == watermarks
    assert all(state(emulator, a)["LAST_ROWS_LOADED"] == 0 for a in AGENTS)


# --- late and missed events -------------------------------------------------------------------
def test_late_events_inside_the_overlap_window_are_captured(emulator):
    """The guarantee: an event that reaches the event table at most ingestOverlapMinutes after a
    successful refresh started reading (so stamped no earlier than that start less the overlap)
    is loaded by the next cycle."""
    overlap = timedelta(minutes=emulator.config["ingestOverlapMinutes"])
    now = utc_now()
    events = agent_events(generate(seed=11, agents=[SALES], start=now - timedelta(hours=8), end=now,
                                   turns_per_agent_per_hour=30))
    on_time, late = split_late(events, seed=11, late_fraction=0.5, max_delay=overlap)
    assert late

    emulator.deliver(on_time)
    register(emulator, [SALES])
    refresh(emulator)
    started = max(e["TIMESTAMP"] for e in events)  # the refresh ran as the newest event was stamped
    emulator.last_refresh_started(started)
    watermark = state(emulator, SALES)["LAST_EVENT_TIMESTAMP"]
    assert any(e["TIMESTAMP"] < watermark for e in late), \
        "precondition: some late events are older than the watermark, so only the overlap can catch them"
    assert all(e["TIMESTAMP"] >= started - overlap for e in late)

    emulator.deliver(late)  # they arrive after the cycle that set the watermark
    summary = refresh(emulator)

    assert f"loaded {len(late)} events" in summary
    assert set(history_identities(emulator)) == {identity(e) for e in events}


def test_late_event_older_than_the_last_refresh_start_minus_overlap_is_not_captured(emulator):
    """The documented trade-off (read_from.sql): each cycle re-reads only `ingestOverlapMinutes`
    before the later of the watermark and the last successful refresh's start, for a quiet agent
    (here its last event is 3 hours old) as for a busy one (test_ingest_paths.py's late-event test).
    An event that reaches the event table later than that is never read, even when it is newer
    than the quiet agent's last event. Raise ingestOverlapMinutes if the pipeline is that late."""
    overlap = timedelta(minutes=emulator.config["ingestOverlapMinutes"])
    now = utc_now()
    register(emulator, [SALES])
    emulator.deliver([span(SALES, "AgentV2RequestResponseInfo", now - timedelta(hours=3), trace_id="1" * 32,
                           parent=None)])
    refresh(emulator)
    read = state(emulator, SALES)
    started = read["LAST_READ_STARTED_AT"]
    assert read["LAST_EVENT_TIMESTAMP"] < started <= read["LAST_REFRESH_AT"] <= utc_now(), \
        "precondition: the refresh started after the event"

    just_inside = span(SALES, "ResponseGeneration", started - overlap + timedelta(seconds=30), trace_id="2" * 32)
    too_late = span(SALES, "ResponseGeneration", started - overlap - timedelta(seconds=30), trace_id="3" * 32)
    emulator.deliver([just_inside, too_late])
    refresh(emulator)

    traces = {row["TRACE_ID"] for row in emulator.query("SELECT TRACE_ID FROM AGENT_EVENTS_HISTORY")}
    assert "2" * 32 in traces
    assert "3" * 32 not in traces
    assert state(emulator, SALES)["LAST_READ_FROM"] == started - overlap


def test_outage_of_several_hours_is_caught_up_on_the_next_run(emulator):
    now = utc_now()
    before = generate(seed=12, agents=AGENTS, start=now - timedelta(hours=10), end=now - timedelta(hours=6))
    during = generate(seed=13, agents=AGENTS, start=now - timedelta(hours=6), end=now)
    emulator.deliver(before)
    register(emulator, AGENTS)
    refresh(emulator)
    emulator.last_refresh_started(now - timedelta(hours=6))
    assert history_count(emulator) == len(agent_events(before))

    # Six hours of traffic arrive while ~24 cycles are missed; then one cycle runs.
    emulator.deliver(during)
    refresh(emulator)

    assert set(history_identities(emulator)) == {identity(e) for e in agent_events(before + during)}
    assert history_count(emulator) == len(agent_events(before + during))


def test_outage_longer_than_the_lookback_is_caught_up_from_the_watermark(emulator):
    """The lookback only bounds an agent's first read; afterwards the watermark decides."""
    now = utc_now()
    before = generate(seed=14, agents=[SALES], start=now - timedelta(hours=40), end=now - timedelta(hours=30),
                      turns_per_agent_per_hour=12)
    during = generate(seed=15, agents=[SALES], start=now - timedelta(hours=30), end=now, turns_per_agent_per_hour=12)
    assert any(e["TIMESTAMP"] < now - timedelta(hours=emulator.config["initialLookbackHours"]) for e in during)
    emulator.deliver(before)
    register(emulator, [SALES])
    refresh_with(emulator, lookback_hours=48)  # the last cycle before a 30-hour outage
    emulator.last_refresh_started(now - timedelta(hours=30))

    emulator.deliver(during)
    refresh(emulator)  # the task again, lookback 24 h

    assert set(history_identities(emulator)) == {identity(e) for e in agent_events(before + during)}


def test_idle_agent_outage_longer_than_the_lookback_loses_nothing(emulator):
    """An agent with no events yet has no watermark. Its last successful cycle ran 48 h ago
    (the clock cannot move, so the state is aged); traffic started 40 h ago while the task
    was suspended. The next cycle must read on from that last cycle, not only the last 24 h."""
    overlap = timedelta(minutes=emulator.config["ingestOverlapMinutes"])
    now = utc_now()
    register(emulator, [SALES])
    refresh(emulator)
    assert state(emulator, SALES)["LAST_EVENT_TIMESTAMP"] is None
    emulator.execute("UPDATE AGENT_INGEST_STATE SET LAST_READ_STARTED_AT = ?, LAST_READ_FROM = ?",
                     [now - timedelta(hours=48), now - timedelta(hours=72)])

    traffic = generate(seed=16, agents=[SALES], start=now - timedelta(hours=40), end=now)
    assert any(e["TIMESTAMP"] < now - timedelta(hours=30) for e in agent_events(traffic))
    emulator.deliver(traffic)
    refresh(emulator)

    assert set(history_identities(emulator)) == {identity(e) for e in agent_events(traffic)}
    assert state(emulator, SALES)["LAST_READ_FROM"] == now - timedelta(hours=48) - overlap


def test_idle_agent_reads_only_since_its_last_cycle(emulator):
    """An idle agent is not re-read over the whole lookback every cycle: its next read starts
    at its last successful refresh less the overlap, like an agent's watermark."""
    overlap = timedelta(minutes=emulator.config["ingestOverlapMinutes"])
    register(emulator, [SALES])
    refresh(emulator)
    first = state(emulator, SALES)

    refresh(emulator)

    assert state(emulator, SALES)["LAST_READ_FROM"] == first["LAST_READ_STARTED_AT"] - overlap


# --- retention --------------------------------------------------------------------------------
def _insert_history_row(emulator, agent: AgentRef, key: str, at: datetime) -> None:
    emulator.execute(
        "INSERT INTO AGENT_EVENTS_HISTORY (EVENT_KEY, AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, EVENT_TIMESTAMP) "
        "VALUES (?, ?, ?, ?, ?)", [key, agent.database, agent.schema, agent.name, at])


def test_retention_removes_only_rows_older_than_history_days(emulator):
    days = emulator.config["historyDays"]
    now = utc_now()
    rows = {
        "expired_by_an_hour": now - timedelta(days=days, hours=1),
        "expired_long_ago": now - timedelta(days=days + 20),
        "kept_by_an_hour": now - timedelta(days=days, hours=-1),
        "kept_yesterday": now - timedelta(days=1),
    }
    for key, at in rows.items():
        _insert_history_row(emulator, SALES, key, at)

    summary = refresh(emulator)

    kept = {row["EVENT_KEY"] for row in emulator.query("SELECT EVENT_KEY FROM AGENT_EVENTS_HISTORY")}
    assert kept == {"kept_by_an_hour", "kept_yesterday"}
    assert "removed 2 expired" in summary

    # The configured number of days, not a constant: a 1-day history drops the day-old row too.
    refresh_with(emulator, lookback_hours=24, history_days=1)
    kept = {row["EVENT_KEY"] for row in emulator.query("SELECT EVENT_KEY FROM AGENT_EVENTS_HISTORY")}
    assert kept == set()


def test_events_older_than_history_days_are_never_loaded(emulator):
    """Even with a lookback longer than the history, a cycle does not load what retention
    would delete on the next one."""
    days = emulator.config["historyDays"]
    now = utc_now()
    old = span(SALES, "ResponseGeneration", now - timedelta(days=days, hours=2), trace_id="0" * 31 + "1")
    recent = span(SALES, "ResponseGeneration", now - timedelta(days=days, hours=-2), trace_id="0" * 31 + "2")
    emulator.deliver([old, recent])
    register(emulator, [SALES])

    refresh_with(emulator, lookback_hours=24 * (days + 3))

    assert [row["TRACE_ID"] for row in emulator.query("SELECT TRACE_ID FROM AGENT_EVENTS_HISTORY")] == ["0" * 31 + "2"]


# --- a failing agent ---------------------------------------------------------------------------
def _failing_agent_scenario(emulator):
    """Three agents load; then SUPPORT's event function fails for two cycles while traffic goes on."""
    now = utc_now()
    first = generate(seed=21, agents=AGENTS, start=now - timedelta(hours=6), end=now - timedelta(hours=2))
    emulator.deliver(first)
    register(emulator, AGENTS)
    refresh(emulator)
    emulator.last_refresh_started(now - timedelta(hours=2))
    before = {a.name: state(emulator, a) for a in AGENTS}

    second = generate(seed=22, agents=AGENTS, start=now - timedelta(hours=2), end=now)
    emulator.deliver(second)
    emulator.set_agents([(a.database, a.schema, a.name) for a in AGENTS], failing=[SUPPORT.name])
    summaries = [refresh(emulator), refresh(emulator)]
    return first, second, before, summaries


def test_failing_agent_is_recorded_as_error_while_the_others_load(emulator):
    first, second, before, summaries = _failing_agent_scenario(emulator)

    failed = state(emulator, SUPPORT)
    assert failed["LAST_REFRESH_STATUS"] == "ERROR"
    assert "does not exist or not authorized" in failed["LAST_ERROR_MESSAGE"]
    assert failed["CONSECUTIVE_FAILURES"] == 2
    assert failed["LAST_EVENT_TIMESTAMP"] == before[SUPPORT.name]["LAST_EVENT_TIMESTAMP"]
    assert failed["LAST_ROWS_LOADED"] == 0
    assert history_count(emulator, SUPPORT) == len(agent_events(first, SUPPORT))
    assert "1 failed" in summaries[0] and "SALES_DB.AGENTS.SUPPORT_COPILOT" in summaries[0]

    for agent in (SALES, HR):
        ok = state(emulator, agent)
        assert ok["LAST_REFRESH_STATUS"] == "OK" and ok["CONSECUTIVE_FAILURES"] == 0
        assert ok["LAST_ERROR_MESSAGE"] is None
        assert history_count(emulator, agent) == len(agent_events(first + second, agent))


def test_failing_agent_recovers_and_loads_what_it_missed(emulator):
    first, second, _, _ = _failing_agent_scenario(emulator)

    emulator.set_agents([(a.database, a.schema, a.name) for a in AGENTS])  # grants fixed
    summary = refresh(emulator)

    recovered = state(emulator, SUPPORT)
    assert recovered["LAST_REFRESH_STATUS"] == "OK"
    assert recovered["CONSECUTIVE_FAILURES"] == 0
    assert recovered["LAST_ERROR_MESSAGE"] is None
    assert recovered["LAST_ROWS_LOADED"] == len(agent_events(second, SUPPORT))
    assert "0 failed" in summary
    assert set(history_identities(emulator)) == {identity(e) for e in agent_events(first + second)}


def test_agent_failing_since_registration_loads_its_first_window_on_recovery(emulator):
    """An agent that failed from its first cycle has no watermark. When it recovers (here
    simulated 48 h later: the first attempt used a 72 h lookback) it reads from where the
    first attempt would have, not only the last 24 h: nothing it missed is lost."""
    now = utc_now()
    traffic = generate(seed=23, agents=[SALES], start=now - timedelta(hours=40), end=now)
    assert any(e["TIMESTAMP"] < now - timedelta(hours=30) for e in agent_events(traffic))
    # Delivered up front: the emulated function only raises for an agent that has rows.
    emulator.deliver(traffic)
    emulator.set_agents([(SALES.database, SALES.schema, SALES.name)], failing=[SALES.name])
    run_task(emulator, "discover")
    refresh_with(emulator, lookback_hours=72)
    assert state(emulator, SALES)["LAST_REFRESH_STATUS"] == "ERROR"

    emulator.set_agents([(SALES.database, SALES.schema, SALES.name)])
    refresh(emulator)

    assert state(emulator, SALES)["LAST_REFRESH_STATUS"] == "OK"
    assert set(history_identities(emulator)) == {identity(e) for e in agent_events(traffic)}


# --- what is ignored, what is incomplete --------------------------------------------------------
def test_ignored_object_types_never_reach_history(emulator):
    """Cortex Search request logs and External Agent traces share the event table (and the
    agents' schemas) but never reach the history, even with their objects registered."""
    now = utc_now()
    events = generate(seed=31, agents=AGENTS, start=now - timedelta(hours=12), end=now, include_noise=True)
    noise = [e for e in events if not is_cortex_agent_event(e)]
    noise_types = {e["RECORD_ATTRIBUTES"][OBS + "object.type"] for e in noise}
    assert noise_types == {"Cortex Search Service", "External Agent"}, "precondition: both kinds of noise"
    emulator.deliver(events)
    register(emulator, AGENTS)
    # Someone also registers the noise objects by hand, as if they were agents.
    for name in ("PRODUCT_DOCS_SERVICE", "EXTERNAL_SUPPORT_BOT"):
        emulator.execute("INSERT INTO AGENT_REGISTRY (AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME) VALUES (?, ?, ?)",
                         [SALES.database, SALES.schema, name])

    refresh(emulator)

    leaked = emulator.query("""
        SELECT COUNT(*) AS N FROM AGENT_EVENTS_HISTORY
        WHERE AGENT_NAME IN ('PRODUCT_DOCS_SERVICE', 'EXTERNAL_SUPPORT_BOT')
           OR RECORD_TYPE = 'LOG' OR EVENT_NAME IN ('external_agent_run', 'llm_call')""")[0]["N"]
    assert leaked == 0
    noise_threads = {str(e["RECORD_ATTRIBUTES"].get(OBS + "agent.thread_id")) for e in noise} - {"None"}
    threads = {row["THREAD_ID"] for row in emulator.query("SELECT DISTINCT THREAD_ID FROM AGENT_EVENTS_HISTORY")}
    assert not threads & noise_threads
    assert set(history_identities(emulator)) == {identity(e) for e in agent_events(events)}


# The column each droppable attribute fills; None: the attribute has no column of its own.
_DROPPED_COLUMN = {
    "planning.model": "MODEL_NAME",
    "planning.token_count.input": "PROMPT_TOKENS",
    "planning.token_count.output": "COMPLETION_TOKENS",
    "planning.token_count.cache_read_input": "CACHE_READ_TOKENS",
    "planning.token_count.cache_write_input": "CACHE_WRITE_TOKENS",
}


def test_events_with_missing_attributes_land_with_nulls(emulator):
    now = utc_now()
    events = agent_events(generate(seed=32, agents=[SALES, HR], start=now - timedelta(hours=6), end=now))
    damaged = with_delivery_faults(events, seed=32, duplicate_rate=0, shuffle=False, drop_attribute_rate=1.0)
    dropped = {}  # span id -> attribute key removed
    for original, delivered in zip(events, damaged):
        missing = set(original["RECORD_ATTRIBUTES"]) - set(delivered["RECORD_ATTRIBUTES"])
        if missing:
            (key,) = missing
            dropped[delivered["TRACE"]["span_id"]] = key.removeprefix(OBS + "agent.")
    assert set(_DROPPED_COLUMN) <= set(dropped.values()), "precondition: every mapped attribute went missing"
    # A root span without thread id, user or start time.
    bare = span(SALES, "AgentV2RequestResponseInfo", now - timedelta(minutes=3), trace_id="b" * 32, parent=None,
                resource={})
    del bare["RECORD_ATTRIBUTES"][OBS + "agent.thread_id"]
    bare["START_TIMESTAMP"] = None
    emulator.deliver(damaged + [bare])
    register(emulator, [SALES, HR])

    refresh(emulator)

    assert history_count(emulator) == len(events) + 1
    rows = {row["SPAN_ID"]: row for row in emulator.query("SELECT * FROM AGENT_EVENTS_HISTORY")}
    for span_id, key in dropped.items():
        row = rows[span_id]
        if key in _DROPPED_COLUMN:
            assert row[_DROPPED_COLUMN[key]] is None, (key, row)
        if key == "planning.token_count.total":  # derived from input + output instead
            assert row["TOTAL_TOKENS"] == row["PROMPT_TOKENS"] + row["COMPLETION_TOKENS"]
    planning = [r for r in rows.values() if (r["SPAN_NAME"] or "").startswith("ReasoningAgentStepPlanning-")]
    for key, column in _DROPPED_COLUMN.items():  # the same column is filled where its attribute was kept
        kept = [r for r in planning if dropped.get(r["SPAN_ID"]) != key]
        assert kept and all(r[column] is not None for r in kept), column
    bare_row = rows[bare["TRACE"]["span_id"]]
    assert bare_row["THREAD_ID"] is None and bare_row["USER_NAME"] is None and bare_row["USER_ID"] is None
    assert bare_row["SPAN_DURATION_MS"] is None and bare_row["START_TIMESTAMP"] is None
    assert bare_row["SPAN_CATEGORY"] == "AGENT_RUN" and bare_row["REQUEST_ID"] == "req-1"


def test_first_cycle_of_a_new_agent_reads_only_the_initial_lookback(emulator):
    lookback = emulator.config["initialLookbackHours"]
    args = re.search(r"\((.*)\)", emulator.catalog["tasks"]["refresh"]["text"]).group(1).split(",")
    assert [float(a) for a in args[:2]] == [lookback, emulator.config["historyDays"]]
    assert [a.strip() for a in args[2:]] == [f"'{emulator.config['ingestPath']}'"]
    now = utc_now()
    before_lookback = span(SALES, "ResponseGeneration", now - timedelta(hours=lookback, minutes=10), trace_id="c" * 32)
    inside_lookback = span(SALES, "ResponseGeneration", now - timedelta(hours=lookback, minutes=-10), trace_id="d" * 32)
    emulator.deliver([before_lookback, inside_lookback])
    register(emulator, [SALES])

    refresh(emulator)

    assert [row["TRACE_ID"] for row in emulator.query("SELECT TRACE_ID FROM AGENT_EVENTS_HISTORY")] == ["d" * 32]
    read_from = state(emulator, SALES)["LAST_READ_FROM"]
    assert abs(read_from - (now - timedelta(hours=lookback))) < timedelta(minutes=1)

    # A handler called with another lookback reads that far for a new agent.
    register(emulator, [SALES, HR])
    emulator.deliver([span(HR, "ResponseGeneration", now - timedelta(hours=3), trace_id="e" * 32),
                      span(HR, "ResponseGeneration", now - timedelta(hours=1), trace_id="f" * 32)])
    refresh_with(emulator, lookback_hours=2)
    hr_traces = {row["TRACE_ID"] for row in emulator.query(
        "SELECT TRACE_ID FROM AGENT_EVENTS_HISTORY WHERE AGENT_NAME = ?", [HR.name])}
    assert hr_traces == {"f" * 32}


# --- parsing ------------------------------------------------------------------------------------
def _hand_checked_turn(agent: AgentRef, end: datetime) -> dict[str, dict]:
    """One turn's rows, written out by hand, by a label; timestamps one second apart."""
    end = end.replace(microsecond=0)
    at = iter(end - timedelta(seconds=60 - i) for i in range(60))
    tool = OBS + "agent.tool."
    plan = OBS + "agent.planning."
    rows = {
        "planning": span(agent, "ReasoningAgentStepPlanning-0", next(at), duration_ms=1500, attrs={
            plan + "model": "claude-4-sonnet", plan + "status": "SUCCESS", plan + "status.code": "200",
            plan + "token_count.input": 1200, plan + "token_count.output": 80, plan + "token_count.total": 1280,
            plan + "token_count.cache_read_input": 300, plan + "token_count.cache_write_input": 50}),
        "planning_without_total": span(agent, "ReasoningAgentStepPlanning-1", next(at), attrs={
            plan + "model": "llama3.3-70b", plan + "token_count.input": 100, plan + "token_count.output": 20}),
        "failed_planning": span(agent, "ReasoningAgentStepPlanning-2", next(at), failed=True, attrs={
            plan + "model": "claude-4-sonnet", plan + "status": "ERROR", plan + "status.code": "429",
            plan + "token_count.input": 10, plan + "token_count.output": 0, plan + "token_count.total": 10}),
        "analyst": span(agent, "CortexAnalystTool_SALES_MODEL", next(at), duration_ms=2500, attrs={
            tool + "cortex_analyst.name": "SALES_MODEL", tool + "cortex_analyst.status": "SUCCESS",
            tool + "cortex_analyst.status.code": "200", tool + "cortex_analyst.duration": 2500,
            tool + "cortex_analyst.sql_query": "SELECT region, SUM(amount) FROM sales GROUP BY region"}),
        "analyst_sql": span(agent, "SqlExecution_CortexAnalyst", next(at), attrs={
            tool + "sql_execution.status": "SUCCESS", tool + "sql_execution.status.code": "200",
            tool + "sql_execution.query_id": "01b2-0000-aaaa"}),
        "failed_search": span(agent, "CortexSearchService_PRODUCT_DOCS", next(at), failed=True, attrs={
            tool + "cortex_search.name": "PRODUCT_DOCS", tool + "cortex_search.status": "ERROR",
            tool + "cortex_search.status.code": "504",
            tool + "cortex_search.status.description": "Cortex Search request timed out"}),
        "custom_tool_unnamed": span(agent, "ToolCall-CREATE_TICKET", next(at), attrs={
            tool + "custom_tool.status": "SUCCESS", tool + "custom_tool.duration": 300}),
        "chart": span(agent, "CortexChartToolImpl", next(at), attrs={
            tool + "chart_generation.status": "SUCCESS", tool + "chart_generation.duration": 90}),
        "web_search": span(agent, "WebSearch", next(at), attrs={
            tool + "web_search.name": "BRAVE", tool + "web_search.duration": 700,
            tool + "web_search.status": "SUCCESS"}),
        "response": span(agent, "ResponseGeneration", next(at), duration_ms=3000),
        # The live names (snowflake-access.md, "Live event shapes").
        "response_step": span(agent, "ReasoningAgentStepResponseGeneration-3", next(at), duration_ms=2000, attrs={
            plan + "model": "claude-4-sonnet", plan + "token_count.input": 900, plan + "token_count.output": 300,
            plan + "token_count.total": 1200, plan + "token_count.cache_read_input": 700,
            plan + "token_count.cache_write_input": 20}),
        # A wrapper that repeated token counts must not add them again.
        "agent_wrapper": span(agent, "Agent", next(at), duration_ms=8000, attrs={
            plan + "token_count.input": 900, plan + "token_count.output": 300, plan + "token_count.total": 1200}),
        "guardrails": span(agent, "Guardrails", next(at), duration_ms=40),
        "semantic_view": span(agent, "SemanticContextTool_SALES_VIEW", next(at), duration_ms=1800),
        # A failed wrapper is not a second failure: the span inside it is the one that failed.
        "sql_wrapper": span(agent, "SystemExecuteSQLTool_system_execute_sql", next(at), duration_ms=620, failed=True),
        "system_sql": span(agent, "SqlExecution_SystemSQL", next(at), duration_ms=600, attrs={
            tool + "sql_execution.status": "SUCCESS", tool + "sql_execution.duration": 600}),
        "live_chart": span(agent, "CortexChartToolImpl-data_to_chart", next(at)),
        "skill": span(agent, "ServerSkillTool_PDF_REPORT", next(at)),
        "code": span(agent, "CodeExecutionTool_python", next(at), failed=True),
        "mcp": span(agent, "ServerMCPTool_JIRA_SEARCH", next(at)),
        "router": span(agent, "AgentRouterTool_FINANCE_AGENT", next(at)),
        "eval_span": span(agent, "EvalRoot_correctness", next(at), attrs={"ai.observability.span_type": "eval_root"}),
        "unknown": span(agent, "SomethingNew", next(at)),
        "failed_root": span(agent, "AgentV2RequestResponseInfo", next(at), parent=None, failed=True,
                            duration_ms=9000, attrs={
                                OBS + "agent.status": "ERROR", OBS + "agent.status.code": "399504",
                                OBS + "agent.status.description": "Request timed out while waiting for Cortex Search",
                                OBS + "object.version.id": 3, "ai.observability.record_id": "rec-1"}),
    }
    feedback_at = next(at)
    rows["feedback"] = {
        "TIMESTAMP": feedback_at, "START_TIMESTAMP": None, "OBSERVED_TIMESTAMP": feedback_at, "TRACE": None,
        "RESOURCE_ATTRIBUTES": {"snow.user.name": "ALICE", "snow.user.id": 1000},
        "SCOPE": {"name": "snow.cortex.agent"}, "RECORD_TYPE": "EVENT", "RECORD": {"name": "CORTEX_AGENT_FEEDBACK"},
        "RECORD_ATTRIBUTES": {OBS + "object.name": agent.name, OBS + "object.type": "Cortex Agent",
                              OBS + "database.name": agent.database, OBS + "schema.name": agent.schema,
                              OBS + "agent.thread_id": 4242},
        "VALUE": {"positive": False, "feedback_message": "Took too long",
                  "categories": ["too_slow", "incorrect_answer"], "orig_request_id": "req-1"},
    }
    request_at = next(at)
    rows["request"] = {
        "TIMESTAMP": request_at, "START_TIMESTAMP": None, "OBSERVED_TIMESTAMP": request_at, "TRACE": None,
        "RESOURCE_ATTRIBUTES": {"snow.user.name": "ALICE", "snow.user.id": 1000},
        "SCOPE": {"name": "snow.cortex.agent"}, "RECORD_TYPE": "EVENT", "RECORD": {"name": "CORTEX_AGENT_REQUEST"},
        "RECORD_ATTRIBUTES": {OBS + "object.name": agent.name, OBS + "object.type": "CORTEX AGENT",
                              OBS + "database.name": agent.database, OBS + "schema.name": agent.schema,
                              OBS + "agent.thread_id": 4242, OBS + "agent.request_id": "req-1"},
        "VALUE": {"snow.ai.observability.response_time_ms": 9120},
    }
    return rows


# label -> SPAN_CATEGORY, TOOL_KIND, TOOL_NAME, STATUS, STATUS_CODE, ERROR_MESSAGE
_EXPECTED = {
    "planning": ("LLM_CALL", None, None, "OK", "200", None),
    "planning_without_total": ("LLM_CALL", None, None, "OK", "STATUS_CODE_OK", None),
    "failed_planning": ("LLM_CALL", None, None, "ERROR", "429", "429"),
    "analyst": ("TOOL_EXECUTION", "cortex_analyst", "SALES_MODEL", "OK", "200", None),
    "analyst_sql": ("TOOL_EXECUTION", "sql_execution", "SqlExecution_CortexAnalyst", "OK", "200", None),
    "failed_search": ("RETRIEVAL", "cortex_search", "PRODUCT_DOCS", "ERROR", "504", "Cortex Search request timed out"),
    "custom_tool_unnamed": ("TOOL_EXECUTION", "custom_tool", "CREATE_TICKET", "OK", "STATUS_CODE_OK", None),
    "chart": ("TOOL_EXECUTION", "chart_generation", "CortexChartToolImpl", "OK", "STATUS_CODE_OK", None),
    "web_search": ("TOOL_EXECUTION", "web_search", "BRAVE", "OK", "STATUS_CODE_OK", None),
    "response": ("LLM_CALL", None, None, "OK", "STATUS_CODE_OK", None),
    "response_step": ("LLM_CALL", None, None, "OK", "STATUS_CODE_OK", None),
    "agent_wrapper": ("WRAPPER", None, None, None, "STATUS_CODE_OK", None),
    "guardrails": ("GUARDRAIL", None, None, "OK", "STATUS_CODE_OK", None),
    "semantic_view": ("TOOL_EXECUTION", "cortex_analyst", "SALES_VIEW", "OK", "STATUS_CODE_OK", None),
    "sql_wrapper": ("WRAPPER", None, None, None, "STATUS_CODE_ERROR", None),
    "system_sql": ("TOOL_EXECUTION", "sql_execution", "SqlExecution_SystemSQL", "OK", "STATUS_CODE_OK", None),
    "live_chart": ("TOOL_EXECUTION", "chart_generation", "CortexChartToolImpl-data_to_chart", "OK", "STATUS_CODE_OK",
                   None),
    "skill": ("TOOL_EXECUTION", "server_skill", "PDF_REPORT", "OK", "STATUS_CODE_OK", None),
    "code": ("TOOL_EXECUTION", "code_execution", "python", "ERROR", "STATUS_CODE_ERROR", "STATUS_CODE_ERROR"),
    "mcp": ("TOOL_EXECUTION", "mcp_tool", "JIRA_SEARCH", "OK", "STATUS_CODE_OK", None),
    "router": ("TOOL_EXECUTION", "agent_router", "FINANCE_AGENT", "OK", "STATUS_CODE_OK", None),
    "eval_span": ("EVALUATION", None, None, "OK", "STATUS_CODE_OK", None),
    "unknown": ("OTHER", None, None, "OK", "STATUS_CODE_OK", None),
    "request": ("REQUEST", None, None, None, None, None),
    "failed_root": ("AGENT_RUN", None, None, "ERROR", "399504", "Request timed out while waiting for Cortex Search"),
    "feedback": ("FEEDBACK", None, None, None, None, None),
}


def _ingest_hand_checked_turn(emulator) -> dict[str, dict]:
    turn = _hand_checked_turn(SALES, utc_now() - timedelta(minutes=5))
    emulator.deliver(list(turn.values()))
    register(emulator, [SALES])
    refresh(emulator)
    rows = emulator.query("SELECT * FROM AGENT_EVENTS_HISTORY")
    by_key = {}
    for label, event in turn.items():
        match = [r for r in rows if r["EVENT_NAME"] == event["RECORD"]["name"]
                 and r["EVENT_TIMESTAMP"] == event["TIMESTAMP"]]
        assert len(match) == 1, label
        by_key[label] = match[0]
    assert len(rows) == len(turn)
    return by_key


def test_span_category_tool_kind_status_and_error_of_hand_checked_events(emulator):
    rows = _ingest_hand_checked_turn(emulator)

    parsed = {label: (r["SPAN_CATEGORY"], r["TOOL_KIND"], r["TOOL_NAME"], r["STATUS"], r["STATUS_CODE"],
                      r["ERROR_MESSAGE"]) for label, r in rows.items()}
    assert parsed == _EXPECTED
    # The dev stack stores no conversation text, and Analyst SQL is derived from the question.
    assert rows["analyst"]["RETRIEVAL_QUERY"] is None
    assert rows["analyst"]["SPAN_DURATION_MS"] == 2500
    root = rows["failed_root"]
    assert (root["SPAN_DURATION_MS"], root["AGENT_ID"], root["RECORD_ID"], root["PARENT_SPAN_ID"]) == \
        (9000, "3", "rec-1", None)
    assert (root["THREAD_ID"], root["REQUEST_ID"], root["USER_NAME"], root["USER_ID"]) == \
        ("4242", "req-1", "ALICE", "1000")
    assert rows["response"]["PARENT_SPAN_ID"] == "0" * 16
    assert rows["feedback"]["SPAN_NAME"] is None and rows["feedback"]["SPAN_DURATION_MS"] is None


def test_feedback_fields_of_a_hand_checked_event(emulator):
    import json

    feedback = _ingest_hand_checked_turn(emulator)["feedback"]

    assert feedback["RECORD_TYPE"] == "EVENT"
    assert feedback["FEEDBACK_POSITIVE"] is False
    # The dev stack stores no text a user typed, on either path (the comment is in the event).
    assert feedback["FEEDBACK_MESSAGE"] is None
    for table in ("AGENT_EVENTS_HISTORY", "AGENT_INGEST_STATE"):
        emulator.execute(f"DELETE FROM {table}")
    ingestion.run_refresh(emulator.session, emulator.handler_statements(), 24, 7, "event_table")
    assert [r["FEEDBACK_MESSAGE"] for r in emulator.query(
        "SELECT FEEDBACK_MESSAGE FROM AGENT_EVENTS_HISTORY WHERE SPAN_CATEGORY = 'FEEDBACK'")] == [None]
    assert json.loads(feedback["FEEDBACK_CATEGORIES"]) == ["too_slow", "incorrect_answer"]
    assert feedback["FEEDBACK_REQUEST_ID"] == "req-1"
    assert feedback["THREAD_ID"] == "4242" and feedback["TRACE_ID"] is None


@pytest.fixture
def emulator_storing_text():
    """A stack that stores conversation text and reads it unredacted on either path."""
    import fakesnow
    from conftest import _coverage
    from emulator import Emulator, render_catalog

    with fakesnow.patch():
        emu = Emulator(render_catalog("dev", storeConversationText="true", readUnredactedEvents="true"), _coverage)
        yield emu
        emu.close()


def test_free_text_of_a_hand_checked_turn_where_the_stack_stores_text(emulator_storing_text):
    rows = _ingest_hand_checked_turn(emulator_storing_text)

    assert rows["analyst"]["RETRIEVAL_QUERY"] == "SELECT region, SUM(amount) FROM sales GROUP BY region"
    assert rows["feedback"]["FEEDBACK_MESSAGE"] == "Took too long"


def test_tokens_are_read_from_planning_spans_only(emulator):
    rows = _ingest_hand_checked_turn(emulator)

    tokens = {label: (r["MODEL_NAME"], r["PROMPT_TOKENS"], r["COMPLETION_TOKENS"], r["TOTAL_TOKENS"],
                      r["CACHE_READ_TOKENS"], r["CACHE_WRITE_TOKENS"]) for label, r in rows.items()}
    assert tokens.pop("planning") == ("claude-4-sonnet", 1200, 80, 1280, 300, 50)
    assert tokens.pop("planning_without_total") == ("llama3.3-70b", 100, 20, 120, None, None)
    assert tokens.pop("failed_planning") == ("claude-4-sonnet", 10, 0, 10, None, None)
    assert tokens.pop("response_step") == ("claude-4-sonnet", 900, 300, 1200, 700, 20)
    assert all(values == (None,) * 6 for values in tokens.values()), tokens


def test_request_rows_are_kept_apart_with_their_response_time(emulator):
    """CORTEX_AGENT_REQUEST rows (no trace id) land once, as REQUEST events: never a turn or a
    span, their response time in RESPONSE_TIME_MS; two requests ending in the same instant are two
    events, and a re-read adds neither again."""
    rows = _ingest_hand_checked_turn(emulator)
    request = rows["request"]
    assert (request["TRACE_ID"], request["SPAN_ID"], request["SPAN_NAME"], request["SPAN_DURATION_MS"]) == \
        (None, None, None, None)
    assert (request["RESPONSE_TIME_MS"], request["REQUEST_ID"], request["THREAD_ID"]) == (9120, "req-1", "4242")
    twin = _hand_checked_turn(SALES, utc_now() - timedelta(minutes=5))["request"]
    twin["TIMESTAMP"] = request["EVENT_TIMESTAMP"]
    twin["RECORD_ATTRIBUTES"][OBS + "agent.request_id"] = "req-2"
    emulator.last_refresh_started(request["EVENT_TIMESTAMP"])  # the twin arrives inside the overlap
    emulator.deliver([twin])
    refresh(emulator)
    refresh(emulator)
    requests = emulator.query("SELECT REQUEST_ID, COUNT(*) AS N FROM AGENT_EVENTS_HISTORY "
                              "WHERE SPAN_CATEGORY = 'REQUEST' GROUP BY REQUEST_ID ORDER BY REQUEST_ID")
    assert requests == [{"REQUEST_ID": "req-1", "N": 1}, {"REQUEST_ID": "req-2", "N": 1}]
    turns = emulator.query("SELECT COUNT(*) AS N FROM AGENT_EVENTS_HISTORY WHERE SPAN_CATEGORY = 'AGENT_RUN'")
    assert turns == [{"N": 1}]


@pytest.mark.parametrize("path", ["per_agent", "event_table"])
def test_both_object_type_spellings_are_ingested_on_both_paths(emulator, path):
    """Live accounts write 'Cortex Agent' and 'CORTEX AGENT'; both paths load both, and still
    nothing of another type."""
    now = utc_now()
    events = generate(seed=51, agents=[SALES], start=now - timedelta(hours=3), end=now)
    spellings = Counter(e["RECORD_ATTRIBUTES"][OBS + "object.type"] for e in agent_events(events))
    assert set(spellings) == {"Cortex Agent", "CORTEX AGENT"}, "precondition: both spellings"
    emulator.deliver(events)
    register(emulator, [SALES])
    ingestion.run_refresh(emulator.session, emulator.handler_statements(), 24, 7, path)
    assert set(history_identities(emulator)) == {identity(e) for e in agent_events(events)}


def test_evaluation_marks_are_parsed_from_span_type_and_run_name(emulator):
    now = utc_now()
    events = agent_events(generate(seed=52, agents=[SALES], start=now - timedelta(hours=6), end=now))
    emulator.deliver(events)
    register(emulator, [SALES])
    refresh(emulator)
    rows = emulator.query("SELECT SPAN_ID, EVENT_NAME, EVENT_TIMESTAMP, OBSERVABILITY_SPAN_TYPE, RUN_NAME, "
                          "IS_EVALUATION_EVENT FROM AGENT_EVENTS_HISTORY")
    by_identity = {(r["SPAN_ID"], r["EVENT_NAME"], r["EVENT_TIMESTAMP"]): r for r in rows}
    marked = 0
    for e in events:
        row = by_identity[((e["TRACE"] or {}).get("span_id"), e["RECORD"]["name"], e["TIMESTAMP"])]
        attrs = e["RECORD_ATTRIBUTES"]
        assert row["OBSERVABILITY_SPAN_TYPE"] == attrs.get("ai.observability.span_type")
        assert row["RUN_NAME"] == attrs.get(OBS + "run.name")
        assert row["IS_EVALUATION_EVENT"] is is_evaluation_event(e)
        marked += row["IS_EVALUATION_EVENT"]
    assert 0 < marked < len(events)


def test_generated_token_totals_match_the_planning_spans(emulator):
    now = utc_now()
    events = agent_events(generate(seed=41, agents=AGENTS, start=now - timedelta(hours=6), end=now))
    emulator.deliver(events)
    register(emulator, AGENTS)
    refresh(emulator)

    expected = defaultdict(int)
    for e in events:
        total = e["RECORD_ATTRIBUTES"].get(OBS + "agent.planning.token_count.total")
        if total is not None:
            expected[e["RECORD_ATTRIBUTES"][OBS + "object.name"]] += total
    rows = emulator.query("""
        SELECT AGENT_NAME, SUM(TOTAL_TOKENS) AS TOKENS,
               COUNT_IF(TOTAL_TOKENS IS NOT NULL AND SPAN_NAME NOT LIKE 'ReasoningAgentStep%') AS ELSEWHERE,
               COUNT_IF(TOTAL_TOKENS IS NULL AND SPAN_NAME LIKE 'ReasoningAgentStep%') AS MISSING
        FROM AGENT_EVENTS_HISTORY GROUP BY AGENT_NAME""")
    assert {r["AGENT_NAME"]: r["TOKENS"] for r in rows} == dict(expected)
    assert all(r["ELSEWHERE"] == 0 and r["MISSING"] == 0 for r in rows)
