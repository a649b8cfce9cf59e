"""The doctor's statements over the event table and Wallmonitor's tables (sql/doctor/), executed
over generated traffic.

The protocol fake answers the doctor with scripted rows; here the same statements run on the
emulator over the event table, and what they count is checked against the generated events
themselves: spans per kind, the spans that carry each attribute, one attribute that disappears
from every planning span, stored events' delays, and events ingestion missed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from emulator import utc_now  # noqa: E402
from traffic import AgentRef, generate  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SALES = AgentRef("SALES_DB", "AGENTS", "SALES_ASSISTANT")
TOKENS_IN = "snow.ai.observability.agent.planning.token_count.input"
THREAD = "snow.ai.observability.agent.thread_id"


@pytest.fixture(scope="module")
def rendered() -> dict:
    """The statements as the doctor renders them, and its HLL assumption (doctor/renderSql.ts)."""
    output = subprocess.run(
        [str(ROOT / "node_modules" / ".bin" / "ts-node"), "--transpile-only", "doctor/renderSql.ts"],
        cwd=ROOT, check=True, capture_output=True, text=True, env={**os.environ, "TS_NODE_PROJECT": str(ROOT / "tsconfig.json")})
    return json.loads(output.stdout)


@pytest.fixture(scope="module")
def doctor_sql(rendered) -> dict:
    return {name: statement["text"] for name, statement in rendered["statements"].items()}


def kind(event: dict) -> str:
    name = event["RECORD"]["name"]
    return "ROOT" if name == "AgentV2RequestResponseInfo" else "PLANNING" if name.startswith("ReasoningAgentStepPlanning-") else "OTHER"


def agent_spans(events: list[dict]) -> list[dict]:
    """What the doctor samples: spans of the window that name an object type."""
    return [event for event in events if event["RECORD_TYPE"] == "SPAN"
            and event["RECORD_ATTRIBUTES"].get("snow.ai.observability.object.type") is not None]


def traffic() -> list[dict]:
    now = utc_now()
    return generate(seed=7, agents=[SALES], start=now - timedelta(hours=3), end=now - timedelta(minutes=5))


def by_kind(rows: list[dict], key: str | None = None) -> Counter:
    counts: Counter = Counter()
    for row in rows:
        if row["AGENT"] == "SALES_DB.AGENTS.SALES_ASSISTANT" and (key is None or row["ATTRIBUTE_KEY"] == key):
            counts[row["SPAN_KIND"]] += row["SPANS"]
    return counts


def test_counts_spans_per_kind_and_the_spans_that_carry_each_attribute(emulator, doctor_sql):
    events = traffic()
    emulator.deliver(events)
    spans = [event for event in agent_spans(events)
             if event["RECORD_ATTRIBUTES"].get("snow.ai.observability.object.name") == SALES.name]
    expected_spans = Counter(kind(event) for event in spans)
    expected_tokens = Counter(kind(event) for event in spans if TOKENS_IN in event["RECORD_ATTRIBUTES"])
    expected_threads = Counter(kind(event) for event in spans if THREAD in event["RECORD_ATTRIBUTES"])

    names = emulator.query(doctor_sql["shape_names"])
    keys = emulator.query(doctor_sql["shape_keys"])

    assert by_kind(names) == expected_spans
    assert expected_spans["PLANNING"] > 0 and expected_spans["ROOT"] > 0
    assert by_kind(keys, TOKENS_IN) == expected_tokens
    assert by_kind(keys, THREAD) == expected_threads
    # Evaluation runs are marked, so the doctor can count them apart.
    assert any(row["HAS_RUN_NAME"] or row["SPAN_TYPE"] in ("eval_root", "eval", "record_root", "cortex_agent_ground_truth") for row in names)

    seen = emulator.query(doctor_sql["agents_in_events"])
    assert ("SALES_DB", "AGENTS", "SALES_ASSISTANT") in {(row["AGENT_DATABASE"], row["AGENT_SCHEMA"], row["AGENT_NAME"]) for row in seen}
    newest = emulator.query(doctor_sql["newest_event"])[0]
    assert newest["NEWEST_EVENT"] == max(event["TIMESTAMP"] for event in events
                                         if str(event["RECORD_ATTRIBUTES"].get("snow.ai.observability.object.type", "")).upper() == "CORTEX AGENT")


def test_an_attribute_that_disappears_leaves_no_span_carrying_it(emulator, doctor_sql):
    events = traffic()
    for event in events:
        event["RECORD_ATTRIBUTES"].pop(TOKENS_IN, None)
    emulator.deliver(events)

    keys = emulator.query(doctor_sql["shape_keys"])
    names = emulator.query(doctor_sql["shape_names"])

    assert by_kind(names)["PLANNING"] > 0
    assert by_kind(keys, TOKENS_IN) == Counter()
    assert by_kind(keys, THREAD)["PLANNING"] == by_kind(names)["PLANNING"]


def load_with_first_load(emulator, now, first_load):
    """Three hours of SALES traffic loaded by a real refresh, then given load times: everything up to
    `first_load` was the backfill, loaded then; every later event 7 minutes after it happened,
    every seventh 95 minutes after (it reached the event table late)."""
    import ingestion  # procedures/, put on sys.path by emulator.py

    events = generate(seed=11, agents=[SALES], start=now - timedelta(hours=3), end=now - timedelta(minutes=5), turns_per_agent_per_hour=20)
    emulator.deliver(events)
    emulator.set_agents([(SALES.database, SALES.schema, SALES.name)])
    statements = emulator.handler_statements()
    ingestion.run_discovery(emulator.session, statements, "%", None, True)
    ingestion.run_refresh(emulator.session, statements, 24, emulator.config["historyDays"], "event_table")
    emulator.execute("UPDATE AGENT_EVENTS_HISTORY SET LOADED_AT = ? WHERE EVENT_TIMESTAMP <= ?", [first_load, first_load])
    emulator.execute("""UPDATE AGENT_EVENTS_HISTORY SET LOADED_AT = DATEADD('minute',
                            IFF(MOD(ABS(HASH(EVENT_KEY)), 7) = 0, 95, 7), EVENT_TIMESTAMP)
                        WHERE EVENT_TIMESTAMP > ?""", [first_load])
    return events


def test_stored_event_delays_and_missed_events(emulator, doctor_sql):
    """One loaded history, two measures (one emulator, one load: the CI budget).

    sql/doctor/event_lateness.sql: the first load (the backfill) is left out, and of the later
    events those loaded more than the refresh interval (15 minutes) after they happened are
    counted, with the longest delay.

    sql/doctor/missed_events.sql: events in the event table whose key the history lacks are
    missed when they happened after the agent's first load and before its read point (the later
    of its newest stored event and its last successful refresh, less the 10-minute overlap).
    Unstored events newer than the read point (the next cycle reads them), backfill events, and
    the events of an agent still in its initial backfill are not counted."""
    now = utc_now()
    first_load = now - timedelta(hours=2)
    events = load_with_first_load(emulator, now, first_load)
    rows = emulator.query("SELECT EVENT_TIMESTAMP, LOADED_AT FROM AGENT_EVENTS_HISTORY")
    live = [(row["LOADED_AT"] - row["EVENT_TIMESTAMP"]).total_seconds() for row in rows if row["EVENT_TIMESTAMP"] > first_load]
    assert len(live) < len(rows) and any(delay > 15 * 60 for delay in live) and any(delay <= 15 * 60 for delay in live)

    [measured] = emulator.query(doctor_sql["event_lateness"])

    assert measured["EVENTS"] == len(live)
    assert measured["EVENTS_NEEDING_OVERLAP"] == sum(1 for delay in live if delay > 15 * 60)
    assert measured["MAX_DELAY_SECONDS"] == max(live) == 95 * 60

    # Two more agents, none of whose events is stored: IDLE_AGENT was read successfully 3 minutes
    # ago from 90 minutes back (its events in between, older than its read point, were missed);
    # NEW_AGENT has never been read successfully (still in its initial backfill: left out).
    import ingestion  # procedures/, put on sys.path by emulator.py

    idle, newcomer = AgentRef("SALES_DB", "AGENTS", "IDLE_AGENT"), AgentRef("SALES_DB", "AGENTS", "NEW_AGENT")
    others = generate(seed=12, agents=[idle, newcomer], start=now - timedelta(minutes=100), end=now - timedelta(minutes=5), turns_per_agent_per_hour=20)
    emulator.deliver(others)
    emulator.set_agents([(agent.database, agent.schema, agent.name) for agent in (SALES, idle, newcomer)])
    ingestion.run_discovery(emulator.session, emulator.handler_statements(), "%", None, True)
    for agent, status, read_from in ((idle, "OK", now - timedelta(minutes=90)), (newcomer, "ERROR", now - timedelta(hours=24))):
        emulator.execute("""INSERT INTO AGENT_INGEST_STATE (AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, LAST_REFRESH_AT, LAST_REFRESH_STATUS, LAST_READ_FROM,
                                                        LAST_READ_STARTED_AT)
                            VALUES (?, ?, ?, ?, ?, ?, ?)""", [agent.database, agent.schema, agent.name, now - timedelta(minutes=2), status, read_from,
                                                              now - timedelta(minutes=3) if status == "OK" else None])
    assert emulator.query("SELECT COUNT(*) AS N FROM AGENT_REGISTRY WHERE AGENT_NAME IN (?, ?) AND IS_ACTIVE", [idle.name, newcomer.name])[0]["N"] == 2
    stored = emulator.query("SELECT EVENT_KEY, EVENT_TIMESTAMP FROM AGENT_EVENTS_HISTORY ORDER BY EVENT_TIMESTAMP")
    # The last refresh started after the newest event (traffic ends 5 minutes ago): the read point
    # is 10 minutes before it, whatever the newest stored event.
    last_refresh = now - timedelta(minutes=3)
    read_point = last_refresh - timedelta(minutes=10)
    # Lost from the history: a third of the events between the first load and an hour ago (missed),
    # every event newer than the read point (the next cycle reads them), some of the backfill.
    lost = [row for index, row in enumerate(stored)
            if (first_load < row["EVENT_TIMESTAMP"] < now - timedelta(hours=1) and index % 3 == 0)
            or row["EVENT_TIMESTAMP"] >= read_point
            or (row["EVENT_TIMESTAMP"] < first_load - timedelta(minutes=30) and index % 4 == 0)]
    for row in lost:
        emulator.execute("DELETE FROM AGENT_EVENTS_HISTORY WHERE EVENT_KEY = ?", [row["EVENT_KEY"]])
    newest_stored = emulator.query("SELECT MAX(EVENT_TIMESTAMP) AS NEWEST FROM AGENT_EVENTS_HISTORY")[0]["NEWEST"]
    emulator.execute("""UPDATE AGENT_INGEST_STATE SET LAST_EVENT_TIMESTAMP = ?, LAST_READ_STARTED_AT = ?, LAST_REFRESH_STATUS = 'OK'
                        WHERE AGENT_NAME = ?""", [newest_stored, last_refresh, SALES.name])
    read_basis = max(newest_stored, last_refresh)
    assert read_basis == last_refresh
    # The doctor's read basis (doctor/read_points.sql) is ingestion's (ingestion/read_points.sql):
    # the next cycle starts reading each agent read successfully there, less the stack's overlap
    # (the emulator's stack has its own; the doctor's statements here are rendered with 10 min).
    next_reads = {row["AGENT_NAME"]: row["READ_FROM"] for row in emulator.run(
        "read_points_all", {"lookback_hours": 24, "history_days": emulator.config["historyDays"]})}
    stack_overlap = timedelta(minutes=emulator.config["ingestOverlapMinutes"])
    assert next_reads[SALES.name] == next_reads[idle.name] == read_basis - stack_overlap
    missed = [row["EVENT_TIMESTAMP"] for row in lost if first_load < row["EVENT_TIMESTAMP"] < read_point]
    assert missed and any(row["EVENT_TIMESTAMP"] >= read_point for row in lost) and any(row["EVENT_TIMESTAMP"] < first_load for row in lost)
    assert len(events) > len(stored)  # the event table holds rows ingestion never stores (other object types)

    # What ingestion would store of IDLE_AGENT's events: Cortex Agent rows, one per key.
    parsed_idle = emulator.query("""SELECT MIN(EVENT_TIMESTAMP) AS OLDEST, COUNT(*) AS EVENTS FROM (
            SELECT DISTINCT e.TIMESTAMP AS EVENT_TIMESTAMP, e.TRACE:trace_id::STRING AS TRACE_ID, e.TRACE:span_id::STRING AS SPAN_ID, e.RECORD:name::STRING AS NAME,
                   e.RECORD_TYPE, e.VALUE:orig_request_id::STRING AS REQUEST
            FROM SNOWFLAKE.LOCAL.AI_OBSERVABILITY_EVENTS AS e
            WHERE e.RECORD_ATTRIBUTES:"snow.ai.observability.object.name"::STRING = ?
              AND UPPER(e.RECORD_ATTRIBUTES:"snow.ai.observability.object.type"::STRING) = 'CORTEX AGENT'
              AND e.TIMESTAMP >= ? AND e.TIMESTAMP < ?)""", [idle.name, now - timedelta(minutes=90), read_point])[0]
    assert parsed_idle["EVENTS"] > 0

    rows = emulator.query(doctor_sql["missed_events"])

    assert [(row["AGENT_NAME"], row["MISSED_EVENTS"]) for row in rows] == [(idle.name, parsed_idle["EVENTS"]), (SALES.name, len(missed))]
    assert rows[0]["OLDEST_MISSED_EVENT"] == parsed_idle["OLDEST"]
    assert rows[1]["OLDEST_MISSED_EVENT"] == min(missed)
    # DATEDIFF('second') counts the second boundaries crossed.
    assert rows[1]["MAX_DELAY_SECONDS"] == int((read_basis.replace(microsecond=0) - min(missed).replace(microsecond=0)).total_seconds())


def test_hll_export_form_matches_the_sparse_limit_the_doctor_assumes(emulator, rendered):
    """The doctor's HLL check on the emulator passes: each sampled state is sparse exactly when
    fewer registers than the doctor's EMULATOR_HLL_SPARSE_LIMIT are set, and the samples straddle
    the switch. So the doctor's constant is the emulator's, and a live account that differs warns."""
    from emulator import HLL_SPARSE_LIMIT

    limit = rendered["EMULATOR_HLL_SPARSE_LIMIT"]
    assert limit == HLL_SPARSE_LIMIT
    samples = [emulator.query(statement["text"])[0] for name, statement in rendered["statements"].items() if name.startswith("hll_export_form_")]

    assert len(samples) >= 4
    assert all((row["FORM"] == "SPARSE") == (row["REGISTERS_SET"] < limit) for row in samples), samples
    assert {row["FORM"] for row in samples} == {"SPARSE", "DENSE"}


def test_trace_spans_measures_how_far_apart_a_traces_rows_lie(emulator, rendered, doctor_sql):
    """sql/doctor/trace_spans.sql over stored traffic whose traces are stretched after loading: one
    trace's first row moved 30 hours back (beyond TRACE_MARGIN_DAYS, one day), one's 20 hours back
    (within it), and one's 8 days back (before the 7-day lookback: only its rows inside count).
    The counts are checked against the stored rows themselves."""
    import ingestion  # procedures/, put on sys.path by emulator.py

    now = utc_now()
    emulator.deliver(traffic())
    emulator.set_agents([(SALES.database, SALES.schema, SALES.name)])
    statements = emulator.handler_statements()
    ingestion.run_discovery(emulator.session, statements, "%", None, True)
    ingestion.run_refresh(emulator.session, statements, 24, emulator.config["historyDays"], "event_table")
    traces = [row["TRACE_ID"] for row in emulator.query(
        "SELECT TRACE_ID FROM AGENT_EVENTS_HISTORY WHERE TRACE_ID IS NOT NULL GROUP BY TRACE_ID HAVING COUNT(*) > 1 ORDER BY TRACE_ID")]
    assert len(traces) >= 3, "precondition: traces of several rows"
    for trace, hours in zip(traces, (30, 20, 8 * 24)):
        emulator.execute("""UPDATE AGENT_EVENTS_HISTORY SET EVENT_TIMESTAMP = DATEADD('hour', ?, EVENT_TIMESTAMP)
                            WHERE EVENT_KEY = (SELECT MIN(EVENT_KEY) FROM AGENT_EVENTS_HISTORY WHERE TRACE_ID = ?)""", [-hours, trace])
    rows = emulator.query("SELECT AGENT_NAME, TRACE_ID, EVENT_TIMESTAMP FROM AGENT_EVENTS_HISTORY WHERE TRACE_ID IS NOT NULL")
    since = now - timedelta(days=7)
    spans: dict = {}
    for row in rows:
        if row["EVENT_TIMESTAMP"] >= since:
            stamp = row["EVENT_TIMESTAMP"].replace(microsecond=0)  # DATEDIFF('second') counts second boundaries
            first, last = spans.get(row["TRACE_ID"], (stamp, stamp))
            spans[row["TRACE_ID"]] = (min(first, stamp), max(last, stamp))
    seconds = {trace: int((last - first).total_seconds()) for trace, (first, last) in spans.items()}
    margin = rendered["TRACE_MARGIN_DAYS"] * 86400
    longest = max(seconds, key=seconds.get)
    assert longest == traces[0] and sum(1 for value in seconds.values() if value > margin) == 1, "precondition"
    assert seconds[traces[1]] < margin and seconds[traces[2]] < margin, "precondition: the 8-day row is outside the lookback"

    [measured] = emulator.query(doctor_sql["trace_spans"])

    assert measured["TRACES"] == len(seconds)
    assert measured["TRACES_BEYOND_MARGIN"] == 1
    assert measured["LONGEST_TRACE_SECONDS"] == seconds[longest]
    assert measured["LONGEST_TRACE"] == f"{SALES.database}.{SALES.schema}.{SALES.name} trace {longest}"


def test_missed_events_follow_ingestion_on_a_row_the_previous_release_wrote(emulator, doctor_sql):
    """sql/doctor/missed_events.sql after an upgrade: SALES's row holds, in LAST_REFRESH_AT, when
    the previous release's last read ended, and no LAST_READ_STARTED_AT. Ingestion reads it from
    its watermark less the overlap once (test_upgrade_read_point.py), so an unstored event after
    that point is not missed (the next cycle reads it), however much earlier than the read's end
    it happened; one before it is."""
    import ingestion  # procedures/, put on sys.path by emulator.py
    from test_ingestion import span

    now = utc_now()
    ended = now - timedelta(minutes=2)
    watermark = ended - timedelta(minutes=45)
    first = span(SALES, "AgentV2RequestResponseInfo", watermark - timedelta(hours=1), trace_id="1" * 32, parent=None)
    last = span(SALES, "AgentV2RequestResponseInfo", watermark, trace_id="2" * 32, parent=None)
    emulator.deliver([first, last])
    emulator.set_agents([(SALES.database, SALES.schema, SALES.name)])
    statements = emulator.handler_statements()
    ingestion.run_discovery(emulator.session, statements, "%", None, True)
    ingestion.run_refresh(emulator.session, statements, 24, emulator.config["historyDays"], "event_table")
    emulator.execute("UPDATE AGENT_EVENTS_HISTORY SET LOADED_AT = DATEADD('minute', 1, EVENT_TIMESTAMP)")
    emulator.execute("UPDATE AGENT_INGEST_STATE SET LAST_REFRESH_AT = ?, LAST_READ_STARTED_AT = NULL", [ended])
    # Never stored: one before the watermark less the doctor's 10-minute overlap, one after it
    # but more than 10 minutes before the old read's end.
    missed = span(SALES, "ResponseGeneration", watermark - timedelta(minutes=20), trace_id="3" * 32)
    next_read = span(SALES, "ResponseGeneration", watermark + timedelta(minutes=5), trace_id="4" * 32)
    assert first["TIMESTAMP"] + timedelta(minutes=1) < missed["TIMESTAMP"] and next_read["TIMESTAMP"] < ended - timedelta(minutes=10)
    emulator.deliver([missed, next_read])

    rows = emulator.query(doctor_sql["missed_events"])

    assert [(row["AGENT_NAME"], row["MISSED_EVENTS"], row["OLDEST_MISSED_EVENT"]) for row in rows] == \
        [(SALES.name, 1, missed["TIMESTAMP"])]
