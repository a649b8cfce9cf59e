"""Evaluation runs and the live span shapes on the emulator: evaluation traffic is left out of
every production view and rollup yet counted by EVALUATION_RUNS, including when a trace's marks
arrive in a later cycle than its turn (and on another day); wrapper spans never add their time
to tool time. Expected values come from oracle.py, computed from the generated events.
"""

from __future__ import annotations

import copy
import sys
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

import fakesnow
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import oracle  # noqa: E402
from emulator import Emulator, render_catalog, utc_now  # noqa: E402
from test_ingestion import run_task  # noqa: E402
from test_rollups import check_view_against_events  # noqa: E402
from test_views import actual, assert_rows, expected  # noqa: E402
from traffic import AgentRef, generate, is_evaluation_event  # noqa: E402

AGENTS = [AgentRef("SALES_DB", "AGENTS", "SALES_ASSISTANT"), AgentRef("HR_DB", "BOTS", "HR_HELPDESK")]
TRIPLES = [(a.database, a.schema, a.name) for a in AGENTS]
PRODUCTION_VIEWS = ("AGENT_METRICS", "AGENT_METRICS_RECENT", "THREAD_ACTIVITY", "THREAD_ACTIVITY_RECENT",
                    "HOURLY_THREAD_ACTIVITY_RECENT", "THREAD_TIMELINE_RECENT", "AGENT_FEEDBACK_RECENT")


@pytest.fixture
def emu():
    from conftest import _coverage

    with fakesnow.patch():
        emulator = Emulator(render_catalog("dev", historyDays="90", initialLookbackHours="2160"), _coverage)
        yield emulator
        emulator.close()


def cycle(emulator, events) -> None:
    """Events arrive; discovery, one ingestion cycle, the dynamic tables and one rollup run follow."""
    emulator.deliver(events)
    emulator.set_agents(TRIPLES)
    run_task(emulator, "discover")
    run_task(emulator, "refresh")
    emulator.refresh_dynamic_tables()
    run_task(emulator, "rollup")


def evaluation_rows(emulator) -> dict:
    return {(r["AGENT_FULL_NAME"], r["RUN_NAME"]): r for r in emulator.view("EVALUATION_RUNS")}


def check_production_and_evaluation(emulator, history: list[oracle.Event]) -> None:
    recent = history
    assert_rows(emulator.view("AGENT_METRICS_RECENT"), oracle.agent_metrics(recent), key=lambda r: r["AGENT_FULL_NAME"])
    assert_rows(emulator.view("THREAD_ACTIVITY_RECENT"), oracle.thread_activity(recent),
                key=lambda r: (r["AGENT_FULL_NAME"], r["THREAD_ID"]))
    assert_rows(emulator.view("HOURLY_THREAD_ACTIVITY_RECENT"), oracle.hourly_thread_activity(recent, estimated=True),
                key=lambda r: (r["EVENT_HOUR"], r["AGENT_FULL_NAME"]))
    assert_rows(emulator.view("AGENT_FEEDBACK_RECENT"), oracle.agent_feedback(recent),
                key=lambda r: (r["AGENT_FULL_NAME"], r["REQUEST_ID"], r["EVENT_TIMESTAMP"]))
    want = oracle.evaluation_runs(history)
    got = evaluation_rows(emulator)
    assert sorted(got, key=str) == sorted(want, key=str)
    for key, row in want.items():
        assert actual(got[key], row) == expected(row), key
    check_view_against_events(emulator, oracle.production(history), "day", "AGENT_ROLLUP_DAILY")


def test_evaluation_is_left_out_of_production_and_counted_apart(emu):
    now = utc_now()
    events = generate(seed=61, agents=AGENTS, start=now - timedelta(hours=20), end=now - timedelta(minutes=10),
                      turns_per_agent_per_hour=4, feedback_rate=0.3, evaluation_runs_per_agent=2)
    cycle(emu, events)
    history = oracle.ingest(events, TRIPLES, without_free_text=oracle.stores_no_free_text(emu.config))
    evaluation = [e for e in history if e.is_evaluation]
    assert {e.category for e in evaluation} >= {"AGENT_RUN", "LLM_CALL", "EVALUATION", "REQUEST"}
    assert any(e.run_name is None for e in evaluation if e.category == "AGENT_RUN"), \
        "precondition: turns marked only by their trace's evaluation spans"
    check_production_and_evaluation(emu, history)
    users = {r["USER_ID"] for r in emu.view("THREAD_ACTIVITY_RECENT")}
    assert "EVAL_RUNNER" not in users
    tokens = emu.query("SELECT SUM(TOTAL_TOKENS) AS T FROM AGENT_EVENTS_RECENT WHERE IS_EVALUATION")[0]["T"]
    assert tokens == sum(r["TOTAL_TOKENS"] for r in evaluation_rows(emu).values()) > 0
    # The per-user rollup never holds the evaluation user either.
    assert emu.query("SELECT COUNT(*) AS N FROM USER_DAILY_ROLLUP WHERE USER_NAME = 'EVAL_RUNNER'")[0]["N"] == 0


def test_marks_arriving_in_a_later_cycle_move_the_whole_trace_out_of_production(emu):
    """The turns of an evaluation run arrive first, unmarked, and count as production; the spans
    and rows that mark them arrive in the next cycle, and from then on every view and rollup
    leaves the whole traces out. One trace's marks land on the next day, which the day's own row
    count would not reveal."""
    now = utc_now()
    events = generate(seed=62, agents=AGENTS, start=now - timedelta(days=3), end=now - timedelta(days=1),
                      turns_per_agent_per_hour=2, evaluation_runs_per_agent=3)
    marks = [e for e in events if is_evaluation_event(e) and e["TRACE"]]
    first = [e for e in events if not (is_evaluation_event(e) and e["TRACE"])]
    # Every mark of the traces whose turn lies on one day moves to the next day, so that day
    # gets no new row in the second cycle: only the marks elsewhere tell that it changed.
    turn_day_of = {e["TRACE"]["trace_id"]: e["TIMESTAMP"].date() for e in first if e["TRACE"]}
    moved_trace = marks[0]["TRACE"]["trace_id"]
    turn_day = turn_day_of[moved_trace]
    later = []
    for e in marks:
        if turn_day_of.get(e["TRACE"]["trace_id"]) == turn_day or e["TIMESTAMP"].date() == turn_day:
            e = copy.deepcopy(e)
            e["START_TIMESTAMP"] += timedelta(days=1)
            e["TIMESTAMP"] += timedelta(days=1)
        later.append(e)
    assert turn_day not in {e["TIMESTAMP"].date() for e in later}

    cycle(emu, first)
    unmarked = oracle.ingest(first, TRIPLES, without_free_text=oracle.stores_no_free_text(emu.config))
    assert any(not e.is_evaluation and e.user == "EVAL_RUNNER" for e in unmarked), "precondition"
    check_production_and_evaluation(emu, unmarked)
    turns_before = emu.query("SELECT TURNS FROM AGENT_DAILY_ROLLUP WHERE DAY = ? AND AGENT_NAME = ?",
                             [turn_day, next(e.name for e in unmarked if e.trace_id == moved_trace)])[0]["TURNS"]

    # The next cycle re-reads far enough back to load the marks (as with a wide overlap).
    emu.execute("UPDATE AGENT_INGEST_STATE SET LAST_EVENT_TIMESTAMP = DATEADD('day', -4, SYSDATE()), "
                "LAST_READ_STARTED_AT = DATEADD('day', -4, SYSDATE())")
    cycle(emu, later)
    history = oracle.ingest(first + later, TRIPLES, without_free_text=oracle.stores_no_free_text(emu.config))
    assert all(e.is_evaluation for e in history if e.user == "EVAL_RUNNER")
    check_production_and_evaluation(emu, history)
    agent = next(e.name for e in history if e.trace_id == moved_trace)
    turns_after = emu.query("SELECT TURNS FROM AGENT_DAILY_ROLLUP WHERE DAY = ? AND AGENT_NAME = ?",
                            [turn_day, agent])[0]["TURNS"]
    assert turns_after < turns_before
    for view in PRODUCTION_VIEWS:
        columns = {c[0] for c in emu.execute(f"SELECT * FROM {view} LIMIT 0").description}
        if "USER_ID" in columns:
            assert not [r for r in emu.view(view) if r["USER_ID"] == "EVAL_RUNNER"], view


def test_wrapper_time_is_never_added_to_tool_time(emu):
    """SystemExecuteSQLTool_system_execute_sql repeats the time of the SqlExecution_SystemSQL span
    inside it, and Agent that of the whole turn: tool time and tool calls count the inner span
    once, in the views and in the tool rollup."""
    now = utc_now()
    events = generate(seed=63, agents=AGENTS, start=now - timedelta(hours=30), end=now - timedelta(minutes=10),
                      turns_per_agent_per_hour=6)
    cycle(emu, events)
    history = oracle.production(oracle.ingest(events, TRIPLES, without_free_text=oracle.stores_no_free_text(emu.config)))
    inner = [e for e in history if e.event_name == "SqlExecution_SystemSQL"]
    wrappers = [e for e in history if e.event_name == "SystemExecuteSQLTool_system_execute_sql"]
    assert inner and len(wrappers) == len(inner), "precondition: system SQL calls with their wrappers"
    rows = emu.query("SELECT SUM(CALLS) AS CALLS, SUM(DURATION_MS_SUM) AS MS FROM TOOL_DAILY_ROLLUP "
                     "WHERE TOOL_KIND = 'sql_execution' AND TOOL_NAME = 'SqlExecution_SystemSQL'")[0]
    assert (rows["CALLS"], rows["MS"]) == (len(inner), sum(e.duration_ms for e in inner))
    assert emu.query("SELECT COUNT(*) AS N FROM TOOL_DAILY_ROLLUP WHERE TOOL_NAME LIKE 'SystemExecuteSQLTool%' "
                     "OR TOOL_NAME = 'Agent'")[0]["N"] == 0
    by_thread = defaultdict(list)
    for e in history:
        if e.category == "TOOL_EXECUTION":
            by_thread[(e.agent, e.thread_id)].append(e.duration_ms)
    got = {(r["AGENT_FULL_NAME"], r["THREAD_ID"]): r for r in emu.view("THREAD_ACTIVITY_RECENT")}
    for key, durations in by_thread.items():
        assert got[key]["TOOL_CALLS"] == len(durations)
        assert got[key]["AVG_TOOL_LATENCY_MS"] == pytest.approx(sum(durations) / len(durations))
    # Every live span name lands in a category of its own, none in OTHER.
    assert emu.query("SELECT COUNT(*) AS N FROM AGENT_EVENTS_RECENT WHERE SPAN_CATEGORY = 'OTHER'")[0]["N"] == 0
    categories = {r["SPAN_CATEGORY"] for r in emu.query("SELECT DISTINCT SPAN_CATEGORY FROM AGENT_EVENTS_RECENT")}
    assert categories >= {"AGENT_RUN", "LLM_CALL", "TOOL_EXECUTION", "RETRIEVAL", "WRAPPER", "GUARDRAIL", "REQUEST",
                          "EVALUATION"}
