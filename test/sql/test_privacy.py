"""Conversation text stays out of Wallmonitor unless the stack asks for it.

The root span of every turn carries the user's question (`…agent.messages`) and the agent's
answer (`…agent.response`). With storeConversationText off (the dev stack) none of those
strings may appear in any column of any table, dynamic table or view of the Wallmonitor
schema; the scan reads the schema's columns from information_schema rather than a list kept
here, so a column added later is scanned too. The same scan must find the strings when the
stack stores text, which shows the scan can see them.
"""

from __future__ import annotations

import json

import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import fakesnow
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from emulator import Coverage, Emulator, embedded_statements, render_catalog  # noqa: E402
from traffic import AgentRef, generate, is_cortex_agent_event  # noqa: E402
from traffic.generator import FEEDBACK_MESSAGES  # noqa: E402
from traffic.versions import CanaryRollout, agent_key  # noqa: E402

AGENTS = [AgentRef("SALES_DB", "AGENTS", "SALES_ASSISTANT"), AgentRef("HR_DB", "BOTS", "HR_HELPDESK")]
MESSAGES = "snow.ai.observability.agent.messages"
RESPONSE = "snow.ai.observability.agent.response"
# information_schema.columns DATA_TYPE values that can hold text (TEXT is VARCHAR).
TEXT_TYPES = {"TEXT", "VARCHAR", "STRING", "VARIANT", "OBJECT", "ARRAY"}
# Objectives for every agent (wallmonitor:slos; off on the dev stack), so that the SLO views
# hold rows and the scan reads them like every other object.
EVERY_AGENT_SLOS = ('[{"agent":"%","availability":{"target":99,"windowDays":7},'
                    '"latency":{"thresholdMs":10000,"target":90,"windowDays":7}}]')


@pytest.fixture(scope="module")
def catalog():
    """The dev stack, with objectives for every agent: conftest's `emulator` deploys it."""
    return render_catalog("dev", slos=EVERY_AGENT_SLOS)


@pytest.fixture
def emulator_with_text():
    """A stack that stores text and reads it unredacted on either path (readUnredactedEvents)."""
    with fakesnow.patch():
        emu = Emulator(render_catalog("dev", storeConversationText="true", readUnredactedEvents="true",
                                      slos=EVERY_AGENT_SLOS), Coverage())
        yield emu
        emu.close()


@pytest.fixture(params=["per_agent", "event_table"])
def emulator_with_redacted_function(request):
    """A stack that stores text without READ UNREDACTED AI OBSERVABILITY EVENTS TABLE, on each path."""
    catalog = render_catalog("dev", storeConversationText="true", ingestPath=request.param, slos=EVERY_AGENT_SLOS)
    with fakesnow.patch():
        emu = Emulator(catalog, Coverage())
        yield emu
        emu.close()


def ingest_traffic(emulator) -> tuple[set[str], set[str]]:
    """Loads a day of traffic through the tasks, refreshes the dynamic tables, and returns
    the distinct (questions, answers) its root spans carried."""
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    # The first agent runs a canary, so the version views (sql/versions/) have rows to scan too.
    canary = {agent_key(AGENTS[0].database, AGENTS[0].schema, AGENTS[0].name): CanaryRollout()}
    events = generate(seed=99, agents=AGENTS, start=now - timedelta(hours=20), end=now, feedback_rate=0.3, rollouts=canary)
    roots = [e["RECORD_ATTRIBUTES"] for e in events if is_cortex_agent_event(e) and MESSAGES in e["RECORD_ATTRIBUTES"]]
    questions = {attrs[MESSAGES] for attrs in roots if attrs[MESSAGES]}
    answers = {attrs[RESPONSE] for attrs in roots if attrs.get(RESPONSE)}
    assert len(questions) >= 5 and len(answers) >= 5, "precondition: the traffic carries conversation text"
    emulator.deliver(events)
    emulator.set_agents([(a.database, a.schema, a.name) for a in AGENTS])
    for task in ("discover", "refresh", "rollup"):
        emulator.coverage.add(emulator.catalog["tasks"][task]["files"])
        emulator.call(emulator.catalog["tasks"][task]["text"])
    emulator.refresh_dynamic_tables()
    evaluate_alerts(emulator)
    return questions, answers


def evaluate_alerts(emulator) -> None:
    """One alert evaluation with a rule every agent's recent threads reach, so the alerting
    tables and views hold rows (messages, details) for the scan."""
    import alerting

    settings = json.loads(json.dumps(emulator.catalog["alerts"]["settings"]))
    settings["rules"]["defaults"]["runaway_thread_turns"].update(warning=1)
    statements = embedded_statements(emulator.catalog["alerts"]["embedding"])
    alerting.run_evaluation(emulator.session, statements, settings)  # the scan checks that rows arrived


def text_columns(emulator) -> tuple[set[str], dict[str, list[str]]]:
    """Every table and view in the Wallmonitor schema, and every text-capable column of each (an
    object with none, such as ROLLUP_LOAD_STATE's one timestamp, cannot hold text)."""
    rows = emulator.query(
        "SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = ?",
        [emulator.schema])
    columns: dict[str, list[str]] = {}
    for row in rows:
        if row["DATA_TYPE"].upper() in TEXT_TYPES:
            columns.setdefault(row["TABLE_NAME"], []).append(row["COLUMN_NAME"])
    return {row["TABLE_NAME"] for row in rows}, columns


def scan(emulator, needles: set[str]) -> set[tuple[str, str, str]]:
    """(object, column, needle) for every needle found in any text column of the schema."""
    objects, columns = text_columns(emulator)
    everything = (set(emulator.catalog["tables"]) | set(emulator.catalog["views"])
                  | set(emulator.catalog["dynamicTables"]))
    assert everything <= objects, f"not in the schema: {everything - objects}"
    found = set()
    for table, names in columns.items():
        select = ", ".join(f'TO_VARCHAR("{name}") AS "{name}"' for name in names)
        rows = emulator.query(f'SELECT {select} FROM {emulator.database}.{emulator.schema}."{table}"')
        assert table not in everything or rows, f"precondition: {table} has rows"
        for row in rows:
            for name, value in row.items():
                if value:
                    found |= {(table, name, needle) for needle in needles if needle in value}
    return found


def test_dev_stack_stores_no_question_or_answer_anywhere(emulator):
    assert emulator.config["storeConversationText"] is False
    questions, answers = ingest_traffic(emulator)

    assert scan(emulator, questions | answers) == set()
    # The metadata is all there: the scan looked at real rows.
    history = emulator.query("""
        SELECT COUNT_IF(SPAN_CATEGORY = 'AGENT_RUN') AS RUNS, SUM(TOTAL_TOKENS) AS TOKENS,
               COUNT(QUESTION_TEXT) AS Q, COUNT(ANSWER_TEXT) AS A, COUNT(RAW_ATTRIBUTES) AS RAW
        FROM AGENT_EVENTS_HISTORY""")[0]
    assert history["RUNS"] > 0 and history["TOKENS"] > 0
    assert (history["Q"], history["A"], history["RAW"]) == (0, 0, 0)


def test_text_stack_stores_question_and_answer(emulator_with_text):
    emulator = emulator_with_text
    assert emulator.config["storeConversationText"] is True
    questions, answers = ingest_traffic(emulator)

    stored = emulator.query("""
        SELECT QUESTION_TEXT, ANSWER_TEXT FROM AGENT_EVENTS_HISTORY WHERE SPAN_CATEGORY = 'AGENT_RUN'""")
    assert {r["QUESTION_TEXT"] for r in stored} == questions
    assert {r["ANSWER_TEXT"] for r in stored} - {""} == answers
    hits = scan(emulator, questions | answers)
    assert {needle for _, _, needle in hits} == questions | answers
    assert {(table, column) for table, column, _ in hits} >= {
        ("AGENT_EVENTS_HISTORY", "QUESTION_TEXT"), ("AGENT_EVENTS_HISTORY", "ANSWER_TEXT"),
        ("AGENT_EVENTS_HISTORY", "RAW_ATTRIBUTES")}
    # The text lands only in columns the model registry classifies as conversation text
    # (sql/*/models.yml), none of which the viewer role may read.
    models = {model["name"]: model for model in emulator.catalog["registry"]["models"]}
    classification = {(model["name"], column["name"]): column["classification"]
                      for model in models.values() for column in model["columns"]}
    assert {classification[(table, column)] for table, column, _ in hits} == {"conversation_text"}
    assert not {table for table, _, _ in hits if "viewer" in models[table]["readers"]}


def test_text_is_never_stored_from_redacted_function_results(emulator_with_redacted_function):
    """storeConversationText without readUnredactedEvents: GET_AI_OBSERVABILITY_EVENTS returns
    tool inputs and outputs, conversation history and feedback text redacted, so the per-agent
    path stores none of it (no placeholder passes for text); the event-table path reads the
    table directly, unredacted, and keeps it."""
    emulator = emulator_with_redacted_function
    path = emulator.config["ingestPath"]
    assert (emulator.config["storeConversationText"], emulator.config["readUnredactedEvents"]) == (True, False)
    questions, answers = ingest_traffic(emulator)
    feedback = set(FEEDBACK_MESSAGES) - {None}

    history = emulator.query("""
        SELECT COUNT(QUESTION_TEXT) AS Q, COUNT(ANSWER_TEXT) AS A, COUNT(RAW_ATTRIBUTES) AS RAW,
               COUNT(FEEDBACK_MESSAGE) AS FEEDBACK, COUNT_IF(SPAN_CATEGORY = 'FEEDBACK') AS FEEDBACK_ROWS
        FROM AGENT_EVENTS_HISTORY""")[0]
    assert history["FEEDBACK_ROWS"] > 0, "precondition: feedback was given"
    hits = {needle for _, _, needle in scan(emulator, questions | answers | feedback)}
    if path == "per_agent":
        assert (history["Q"], history["A"], history["RAW"], history["FEEDBACK"]) == (0, 0, 0, 0)
        assert hits == set()
    else:
        assert min(history["Q"], history["A"], history["RAW"], history["FEEDBACK"]) > 0
        assert questions | answers <= hits and hits & feedback
