"""The doctor's live-shape statements (sql/doctor/), executed over generated traffic.

The protocol fake answers the doctor with scripted rows; here the same statements run on the
emulator over the event table, and what they count is checked against the generated events
themselves: spans per kind, the spans that carry each attribute, and one attribute that
disappears from every planning span.
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
def doctor_sql() -> dict:
    """The statements as the doctor renders them (doctor/renderSql.ts)."""
    output = subprocess.run(
        [str(ROOT / "node_modules" / ".bin" / "ts-node"), "--transpile-only", "doctor/renderSql.ts"],
        cwd=ROOT, check=True, capture_output=True, text=True, env={**os.environ, "TS_NODE_PROJECT": str(ROOT / "tsconfig.json")})
    return {name: statement["text"] for name, statement in json.loads(output.stdout).items()}


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


def test_event_lateness_counts_live_events_later_than_the_allowance(emulator, doctor_sql):
    """sql/doctor/event_lateness.sql over a loaded history whose load times are set: the first
    load (the backfill) is left out, and of the later events those loaded more than the allowed
    30 minutes after they happened are counted, with the longest delay."""
    import ingestion  # procedures/, put on sys.path by emulator.py

    now = utc_now()
    emulator.deliver(generate(seed=11, agents=[SALES], start=now - timedelta(hours=6), end=now - timedelta(minutes=5)))
    emulator.set_agents([(SALES.database, SALES.schema, SALES.name)])
    statements = emulator.handler_statements()
    ingestion.run_discovery(emulator.session, statements, "%", None, True)
    ingestion.run_refresh(emulator.session, statements, 24, emulator.config["historyDays"], "event_table")
    first_load = now - timedelta(hours=4)
    # Backfill: everything up to the first load was loaded then. After it, every seventh event
    # 95 minutes late, the others 7 minutes.
    emulator.execute("UPDATE AGENT_EVENTS_HISTORY SET LOADED_AT = ? WHERE EVENT_TIMESTAMP <= ?", [first_load, first_load])
    emulator.execute("""UPDATE AGENT_EVENTS_HISTORY SET LOADED_AT = DATEADD('minute',
                            IFF(MOD(ABS(HASH(EVENT_KEY)), 7) = 0, 95, 7), EVENT_TIMESTAMP)
                        WHERE EVENT_TIMESTAMP > ?""", [first_load])
    rows = emulator.query("SELECT EVENT_TIMESTAMP, LOADED_AT FROM AGENT_EVENTS_HISTORY")
    live = [(row["LOADED_AT"] - row["EVENT_TIMESTAMP"]).total_seconds() for row in rows if row["EVENT_TIMESTAMP"] > first_load]
    assert len(live) < len(rows) and any(delay > 30 * 60 for delay in live) and any(delay <= 30 * 60 for delay in live)

    [measured] = emulator.query(doctor_sql["event_lateness"])

    assert measured["EVENTS"] == len(live)
    assert measured["LATE_EVENTS"] == sum(1 for delay in live if delay > 30 * 60)
    assert measured["MAX_DELAY_SECONDS"] == max(live) == 95 * 60
