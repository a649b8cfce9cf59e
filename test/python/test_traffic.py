"""Tests of the synthetic Cortex Agent traffic generator (package ``traffic``)."""

from __future__ import annotations

import copy
import json
import sys
import time
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from traffic import (  # noqa: E402
    COLUMNS,
    EVENT_TABLE_DDL,
    AgentRef,
    generate,
    is_cortex_agent_event,
    is_evaluation_event,
    load,
    split_late,
    to_rows,
    with_delivery_faults,
)
from traffic.generator import (  # noqa: E402
    DROPPABLE_ATTRIBUTE,
    IDENTITY_KEYS,
    REQUEST_ID,
    ROOT_SPAN,
    THREAD_ID,
    TOKEN_COUNT,
)

AGENTS = [
    AgentRef("SALES_DB", "AGENTS", "SALES_ASSISTANT"),
    AgentRef("SALES_DB", "AGENTS", "SUPPORT_COPILOT"),
    AgentRef("HR_DB", "BOTS", "HR_HELPDESK"),
]
START = datetime(2025, 3, 1)
END = datetime(2025, 3, 2)


@pytest.fixture(scope="module")
def events() -> list[dict]:
    return generate(seed=42, agents=AGENTS, start=START, end=END, feedback_rate=0.3)


@pytest.fixture(scope="module")
def agent_events(events) -> list[dict]:
    return [e for e in events if is_cortex_agent_event(e)]


def spans_by_trace(events: list[dict]) -> dict[str, list[dict]]:
    traces = defaultdict(list)
    for event in events:
        if event["RECORD_TYPE"] == "SPAN":
            traces[event["TRACE"]["trace_id"]].append(event)
    return traces


def roots(events: list[dict]) -> list[dict]:
    return [e for e in events if e["RECORD"].get("name") == ROOT_SPAN]


def ms(delta: timedelta) -> int:
    return delta // timedelta(milliseconds=1)


def test_same_seed_same_events_other_seed_different(events):
    again = generate(seed=42, agents=AGENTS, start=START, end=END, feedback_rate=0.3)
    other = generate(seed=43, agents=AGENTS, start=START, end=END, feedback_rate=0.3)
    assert to_rows(again) == to_rows(events)
    assert to_rows(other) != to_rows(events)


def test_noise_does_not_change_agent_rows(agent_events):
    quiet = generate(seed=42, agents=AGENTS, start=START, end=END, feedback_rate=0.3, include_noise=False)
    assert to_rows(quiet) == to_rows(agent_events)


def test_events_have_the_event_table_columns_and_are_sorted(events):
    assert all(tuple(e) == COLUMNS for e in events)
    stamps = [e["TIMESTAMP"] for e in events]
    assert stamps == sorted(stamps)


def test_every_event_inside_window_with_millisecond_precision(events):
    for event in events:
        for column in ("TIMESTAMP", "START_TIMESTAMP", "OBSERVED_TIMESTAMP"):
            value = event[column]
            if value is not None:
                assert START <= value < END
                assert value.microsecond % 1000 == 0


def test_window_bounds_are_respected_for_odd_bounds():
    start, end = datetime(2025, 3, 1, 10, 0, 0, 123456), datetime(2025, 3, 1, 13, 30, 0, 999)
    for event in generate(seed=5, agents=AGENTS, start=start, end=end, turns_per_agent_per_hour=30):
        assert start <= event["TIMESTAMP"] < end
        assert event["START_TIMESTAMP"] is None or start <= event["START_TIMESTAMP"]


def test_volume_follows_rate(agent_events):
    expected = 6.0 * 24 * len(AGENTS)
    assert 0.7 * expected < len(roots(agent_events)) < 1.3 * expected


def test_tokens_only_on_reasoning_step_spans_and_total_is_input_plus_output(agent_events):
    steps = Counter()
    for event in agent_events:
        attributes = event["RECORD_ATTRIBUTES"]
        has_tokens = any(key.startswith(TOKEN_COUNT) for key in attributes)
        name = event["RECORD"]["name"]
        if name.startswith("ReasoningAgentStep"):
            steps[name.rstrip("0123456789")] += 1
            assert attributes[TOKEN_COUNT + "total"] == (
                attributes[TOKEN_COUNT + "input"] + attributes[TOKEN_COUNT + "output"]
            )
            assert {"cache_read_input", "cache_write_input"} <= {k.removeprefix(TOKEN_COUNT) for k in attributes}
        else:
            assert not has_tokens, name
    assert set(steps) == {"ReasoningAgentStepPlanning-", "ReasoningAgentStepResponseGeneration-"}
    assert any(e["RECORD_ATTRIBUTES"].get(TOKEN_COUNT + "cache_read_input") for e in agent_events)


def test_each_trace_has_one_root_and_children_nest_inside_it(agent_events):
    """Every span hangs under the root (directly or through a wrapper) and, except the spans an
    evaluation adds after the turn, lies inside the root's and its parent's time."""
    traces = spans_by_trace(agent_events)
    assert traces
    for trace_id, spans in traces.items():
        by_id = {s["TRACE"]["span_id"]: s for s in spans}
        trace_roots = [s for s in spans if s["RECORD"]["name"] == ROOT_SPAN]
        assert len(trace_roots) == 1
        root = trace_roots[0]
        assert "parent_span_id" not in root["RECORD"]
        root_attrs = root["RECORD_ATTRIBUTES"]
        assert root_attrs["snow.ai.observability.agent.duration"] == ms(root["TIMESTAMP"] - root["START_TIMESTAMP"])
        names = [s["RECORD"]["name"] for s in spans]
        assert any(n.startswith("ReasoningAgentStepPlanning-") for n in names)
        for child in spans:
            if child is root:
                continue
            assert child["TRACE"]["trace_id"] == trace_id
            parent = by_id[child["RECORD"]["parent_span_id"]]
            while parent is not root:
                parent = by_id[parent["RECORD"]["parent_span_id"]]
            if is_evaluation_event(child):
                assert child["START_TIMESTAMP"] > root["TIMESTAMP"]
                continue
            direct = by_id[child["RECORD"]["parent_span_id"]]
            assert root["START_TIMESTAMP"] <= child["START_TIMESTAMP"] <= child["TIMESTAMP"] <= root["TIMESTAMP"]
            assert direct["START_TIMESTAMP"] <= child["START_TIMESTAMP"] <= child["TIMESTAMP"] <= direct["TIMESTAMP"]
            for key in (THREAD_ID, REQUEST_ID, "snow.ai.observability.object.name"):
                assert child["RECORD_ATTRIBUTES"][key] == root_attrs[key]


def test_threads_start_with_first_message_and_span_several_turns(agent_events):
    by_thread = defaultdict(list)
    for root in roots(agent_events):
        by_thread[root["RECORD_ATTRIBUTES"][THREAD_ID]].append(root)
    assert max(len(turns) for turns in by_thread.values()) > 1
    for turns in by_thread.values():
        turns.sort(key=lambda r: r["START_TIMESTAMP"])
        flags = [t["RECORD_ATTRIBUTES"]["snow.ai.observability.agent.first_message_in_thread"] for t in turns]
        assert flags[0] is True and not any(flags[1:])
        assert len({t["RESOURCE_ATTRIBUTES"]["snow.user.name"] for t in turns}) == 1


def test_failed_turns_and_failed_tools_in_successful_turns_exist(agent_events):
    failed = [r for r in roots(agent_events) if r["RECORD"]["status"]["code"] == "STATUS_CODE_ERROR"]
    assert failed
    assert all(r["RECORD_ATTRIBUTES"]["snow.ai.observability.agent.status"] == "ERROR" for r in failed)
    ok_traces = {
        r["TRACE"]["trace_id"] for r in roots(agent_events) if r["RECORD"]["status"]["code"] == "STATUS_CODE_OK"
    }
    failed_tools_in_ok_turns = [
        e for e in agent_events
        if e["RECORD_TYPE"] == "SPAN" and e["TRACE"]["trace_id"] in ok_traces
        and e["RECORD"]["status"]["code"] == "STATUS_CODE_ERROR"
    ]
    assert failed_tools_in_ok_turns


def test_noise_rows_exist_and_never_share_a_cortex_thread(events, agent_events):
    noise = [e for e in events if not is_cortex_agent_event(e)]
    types = {e["RECORD_ATTRIBUTES"]["snow.ai.observability.object.type"] for e in noise}
    assert types == {"Cortex Search Service", "External Agent"}
    assert 0.02 < len(noise) / len(events) < 0.1
    cortex_threads = {e["RECORD_ATTRIBUTES"][THREAD_ID] for e in agent_events}
    assert not cortex_threads & {e["RECORD_ATTRIBUTES"].get(THREAD_ID) for e in noise}
    assert all(e["SCOPE"]["name"] != "snow.cortex.agent" for e in noise)


def test_feedback_points_to_a_real_turn(agent_events):
    turns = {r["RECORD_ATTRIBUTES"][REQUEST_ID]: r for r in roots(agent_events)}
    feedback = [e for e in agent_events if e["RECORD"]["name"] == "CORTEX_AGENT_FEEDBACK"]
    assert feedback
    for row in feedback:
        assert row["RECORD_TYPE"] == "EVENT" and row["TRACE"] is None
        turn = turns[row["VALUE"]["orig_request_id"]]
        assert row["RECORD_ATTRIBUTES"][THREAD_ID] == turn["RECORD_ATTRIBUTES"][THREAD_ID]
        assert timedelta(seconds=1) < row["TIMESTAMP"] - turn["TIMESTAMP"] <= timedelta(minutes=10)
        assert isinstance(row["VALUE"]["positive"], bool)


def test_delivery_faults(events):
    before = copy.deepcopy(events)
    faulty = with_delivery_faults(events, seed=1, duplicate_rate=0.05, drop_attribute_rate=0.2)
    assert events == before, "input must be left unchanged"
    assert len(faulty) > len(events)
    rows = to_rows(faulty)
    assert max(Counter(rows).values()) >= 2, "exact duplicates expected"
    assert [e["TIMESTAMP"] for e in faulty] != sorted(e["TIMESTAMP"] for e in faulty)

    originals = {(e["TRACE"] or {}).get("span_id"): e for e in events if e["TRACE"]}
    dropped = 0
    for event in faulty:
        if not event["TRACE"]:
            continue
        original = originals[event["TRACE"]["span_id"]]
        assert event["TRACE"] == original["TRACE"] and event["RECORD"] == original["RECORD"]
        missing = set(original["RECORD_ATTRIBUTES"]) - set(event["RECORD_ATTRIBUTES"])
        assert len(missing) <= 1
        for key in missing:
            dropped += 1
            assert key not in IDENTITY_KEYS and DROPPABLE_ATTRIBUTE.fullmatch(key)
            assert original["RECORD"]["name"] != ROOT_SPAN
    assert dropped > 0


def test_split_late_keeps_traces_whole(events):
    max_delay = timedelta(hours=3)
    on_time, late = split_late(events, seed=3, late_fraction=0.3, max_delay=max_delay)
    assert late and len(on_time) + len(late) == len(events)
    newest = max(e["TIMESTAMP"] for e in events)
    assert min(e["TIMESTAMP"] for e in late) >= newest - max_delay

    def trace_ids(rows):
        return {e["TRACE"]["trace_id"] for e in rows if e["TRACE"]}

    assert not trace_ids(on_time) & trace_ids(late)
    late_requests = {r["RECORD_ATTRIBUTES"][REQUEST_ID] for r in roots(late)}
    for row in on_time:
        if row["RECORD"].get("name") == "CORTEX_AGENT_FEEDBACK":
            assert row["VALUE"]["orig_request_id"] not in late_requests


def test_to_rows_formats_columns(events):
    feedback = next(e for e in events if e["RECORD"].get("name") == "CORTEX_AGENT_FEEDBACK")
    row = to_rows([feedback])[0]
    assert len(row) == len(COLUMNS)
    assert len(row[0]) == len("2025-03-01 00:00:00.000")
    assert row[1] is None and row[3] is None
    assert json.loads(row[9]) == feedback["VALUE"]


def test_load_rejects_bad_table_names():
    for bad in ("events; DROP TABLE x", "db.s.t", "A.B.C.D", '"X"'):
        with pytest.raises(ValueError):
            load(None, bad, [])


@pytest.mark.filterwarnings("ignore:Arrow output")
def test_load_round_trips_through_fakesnow(events):
    fakesnow = pytest.importorskip("fakesnow")
    import snowflake.connector

    table = "SNOWFLAKE.LOCAL.AI_OBSERVABILITY_EVENTS"
    sample = events[:3000]
    with fakesnow.patch():
        conn = snowflake.connector.connect(database="DB", schema="S")
        cur = conn.cursor()
        for sql in ("CREATE DATABASE IF NOT EXISTS DB", "CREATE SCHEMA IF NOT EXISTS DB.S",
                    "CREATE DATABASE IF NOT EXISTS SNOWFLAKE", "CREATE SCHEMA IF NOT EXISTS SNOWFLAKE.LOCAL"):
            cur.execute(sql)
        cur.execute(EVENT_TABLE_DDL.format(table=table))
        started = time.perf_counter()
        assert load(cur, table, sample) == len(sample)
        print(f"loaded {len(sample)} events in {time.perf_counter() - started:.2f}s")
        cur.execute(
            'SELECT RECORD_ATTRIBUTES:"snow.ai.observability.agent.thread_id"::STRING, RECORD:name::STRING, '
            "TRACE:trace_id::STRING, DATEDIFF('millisecond', START_TIMESTAMP, TIMESTAMP), "
            f"VALUE:orig_request_id::STRING, RECORD_TYPE, TIMESTAMP FROM {table}"
        )
        loaded = cur.fetchall()

    def expected(e):
        thread = e["RECORD_ATTRIBUTES"].get(THREAD_ID)
        return (
            None if thread is None else str(thread),
            e["RECORD"].get("name"),
            (e["TRACE"] or {}).get("trace_id"),
            None if e["START_TIMESTAMP"] is None else ms(e["TIMESTAMP"] - e["START_TIMESTAMP"]),
            (e["VALUE"] or {}).get("orig_request_id"),
            e["RECORD_TYPE"],
            e["TIMESTAMP"],
        )

    assert Counter(loaded) == Counter(expected(e) for e in sample)


def test_month_of_traffic_generates_quickly():
    started = time.perf_counter()
    month = generate(
        seed=9, agents=AGENTS, start=datetime(2025, 1, 1), end=datetime(2025, 2, 1), turns_per_agent_per_hour=2
    )
    print(f"generated {len(month)} events for a month of 3 agents in {time.perf_counter() - started:.2f}s")
    assert len(roots(month)) > 3000


def test_cli_writes_json_lines(tmp_path):
    from traffic.__main__ import main

    out = tmp_path / "events.jsonl"
    assert main(["--agents", "2", "--hours", "6", "--seed", "7", "--end", "2025-03-02T00:00:00", "--out", str(out)]) == 0
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert lines and all(set(line) == set(COLUMNS) for line in lines)
    assert min(line["TIMESTAMP"] for line in lines) >= "2025-03-01 18:00:00.000"
    assert max(line["TIMESTAMP"] for line in lines) < "2025-03-02 00:00:00.000"


# --- the live shapes (snowflake-access.md, "Live event shapes") ----------------------------------------
LIVE_SPAN_PREFIXES = (
    "AgentV2RequestResponseInfo", "Agent", "Guardrails", "ReasoningAgentStepPlanning-",
    "ReasoningAgentStepResponseGeneration-", "SemanticContextTool_", "SystemExecuteSQLTool_system_execute_sql",
    "SqlExecution_SystemSQL", "SqlExecution_CortexAnalyst", "CortexSearchService_", "CortexChartToolImpl-data_to_chart",
    "ToolCall-", "ServerSkillTool_", "CodeExecutionTool_", "ServerMCPTool_", "AgentRouterTool_",
)


def test_every_live_span_name_and_both_object_type_spellings_occur(agent_events):
    """Tools beyond analyst and search are optional per agent, so a handful of agents covers them."""
    many = [AgentRef("DB", "S", f"AGENT_{i}") for i in range(8)]
    names = {e["RECORD"]["name"] for e in generate(seed=42, agents=many, start=START, end=END, include_noise=False)
             if e["RECORD_TYPE"] == "SPAN"}
    for prefix in LIVE_SPAN_PREFIXES:
        assert any(name == prefix or (prefix[-1] in "_-" and name.startswith(prefix)) for name in names), prefix
    types = {e["RECORD_ATTRIBUTES"]["snow.ai.observability.object.type"] for e in agent_events}
    assert types == {"Cortex Agent", "CORTEX AGENT"}


def test_the_sql_wrapper_spans_its_sql_and_repeats_its_time(agent_events):
    spans = {e["TRACE"]["span_id"]: e for e in agent_events if e["RECORD_TYPE"] == "SPAN"}
    inner = [e for e in spans.values() if e["RECORD"]["name"] == "SqlExecution_SystemSQL"]
    assert inner
    for sql in inner:
        wrapper = spans[sql["RECORD"]["parent_span_id"]]
        assert wrapper["RECORD"]["name"] == "SystemExecuteSQLTool_system_execute_sql"
        assert wrapper["START_TIMESTAMP"] < sql["START_TIMESTAMP"] and sql["TIMESTAMP"] < wrapper["TIMESTAMP"]
        assert ms(wrapper["TIMESTAMP"] - wrapper["START_TIMESTAMP"]) < ms(sql["TIMESTAMP"] - sql["START_TIMESTAMP"]) + 100


def test_request_rows_have_no_trace_and_a_response_time(agent_events):
    turns = {r["RECORD_ATTRIBUTES"][REQUEST_ID]: r for r in roots(agent_events)}
    requests = [e for e in agent_events if e["RECORD"].get("name") == "CORTEX_AGENT_REQUEST"]
    assert requests
    for row in requests:
        assert row["TRACE"] is None and row["RECORD_TYPE"] == "EVENT"
        turn = turns[row["RECORD_ATTRIBUTES"][REQUEST_ID]]
        assert row["VALUE"]["snow.ai.observability.response_time_ms"] >= turn["RECORD_ATTRIBUTES"][
            "snow.ai.observability.agent.duration"]


def test_evaluation_runs_are_marked_on_some_rows_of_their_traces(agent_events):
    marked = [e for e in agent_events if is_evaluation_event(e)]
    span_types = {e["RECORD_ATTRIBUTES"].get("ai.observability.span_type") for e in marked}
    assert {"record_root", "eval_root", "eval", "cortex_agent_ground_truth"} <= span_types
    evaluated = {e["TRACE"]["trace_id"] for e in marked if e["TRACE"]}
    unmarked_roots = [r for r in roots(agent_events)
                      if r["TRACE"]["trace_id"] in evaluated and not is_evaluation_event(r)]
    assert unmarked_roots, "some evaluated turns are marked only by the evaluation spans after them"
    assert all(e["RESOURCE_ATTRIBUTES"]["snow.user.name"] == "EVAL_RUNNER"
               for e in agent_events if e["TRACE"] and e["TRACE"]["trace_id"] in evaluated)
    assert any(e["RECORD"].get("name") == "CORTEX_AGENT_REQUEST" for e in marked)


def test_evaluation_runs_change_no_production_row():
    common = {"seed": 42, "agents": AGENTS, "start": START, "end": END, "include_noise": False}
    without = generate(**common, evaluation_runs_per_agent=0)
    with_runs = generate(**common, evaluation_runs_per_agent=2)
    assert len(with_runs) > len(without)
    runner = [e for e in with_runs if e["RESOURCE_ATTRIBUTES"].get("snow.user.name") != "EVAL_RUNNER"]
    assert to_rows(runner) == to_rows(without)


def test_every_typed_text_and_error_text_carries_its_own_canary(agent_events):
    """Search queries, Analyst SQL, feedback comments and error descriptions: each distinct text has
    exactly one canary, and no two texts share one, so a scan that finds a canary knows its source."""
    from traffic import CANARY, canaries
    from traffic.generator import TOOL

    texts = defaultdict(set)
    for event in agent_events:
        attributes, value = event["RECORD_ATTRIBUTES"], event["VALUE"] or {}
        texts["SEARCH"].add(attributes.get(TOOL + "cortex_search.query"))
        texts["SQL"].add(attributes.get(TOOL + "cortex_analyst.sql_query"))
        texts["FEEDBACK"].add(value.get("feedback_message"))
        texts["ERROR"] |= {v for k, v in attributes.items() if k.endswith("status.description") and v != "OK"}
    texts = {kind: found - {None} for kind, found in texts.items()}
    assert all(texts.values()), {kind: len(found) for kind, found in texts.items()}
    by_canary = {}
    for kind, found in texts.items():
        for text in found:
            marks = CANARY.findall(text)
            assert marks == [kind], (kind, text)
            by_canary.setdefault(CANARY.search(text).group(0), set()).add(text)
    assert all(len(sources) == 1 for sources in by_canary.values())
    assert {kind: set(found) for kind, found in canaries(agent_events).items()} == \
        {kind: {CANARY.search(text).group(0) for text in found} for kind, found in texts.items()}
