"""Live-shape signals every ingestion cycle (sql/ingestion/record_shape_coverage.sql), the
AGENT_SHAPE_LATEST view and the schema_drift rule, on the emulator.

Generated traffic loses one attribute Wallmonitor relies on (the planning spans' input token count)
an hour before its end; ingestion runs once before the drop reaches the event table and once after (by either ingest path).
The first cycle's rows show every planning span carrying it, the second none; schema_drift fires
once, critical, naming the column, and stays open rather than firing again.
"""

from __future__ import annotations

import sys
from datetime import timedelta

import pytest

from emulator import Coverage, NotificationService, embedded_statements, standalone_emulator, utc_now
from traffic import AgentRef, generate, is_evaluation_event

import alerting
import ingestion

SALES = AgentRef("SALES_DB", "AGENTS", "SALES_ASSISTANT")
TOKENS_IN = "snow.ai.observability.agent.planning.token_count.input"


def _coverage() -> Coverage:
    return getattr(sys.modules.get("conftest"), "_coverage", None) or Coverage()


def _planning_spans(events: list[dict]) -> list[dict]:
    return [event for event in events if event["RECORD_TYPE"] == "SPAN" and not is_evaluation_event(event)
            and event["RECORD"]["name"].startswith("ReasoningAgentStepPlanning-")
            and event["RECORD_ATTRIBUTES"].get("snow.ai.observability.object.name") == SALES.name]


def _coverage_rows(emulator, cycle) -> dict:
    return {(row["SPAN_KIND"], row["NAME"]): (row["SPANS"], row["MATCHING"])
            for row in emulator.query(f"SELECT * FROM {emulator.database}.{emulator.schema}.AGENT_SHAPE_COVERAGE "
                                      "WHERE SIGNAL = 'COVERAGE'")
            if row["CYCLE_STARTED"] == cycle}


@pytest.mark.parametrize("path", ["per_agent", "event_table"])
def test_a_vanished_attribute_shows_in_the_cycle_rows_and_fires_schema_drift_once(catalog, path):
    now = utc_now().replace(microsecond=0)
    dropped_at = now - timedelta(hours=1)
    events = generate(seed=21, agents=[SALES], start=now - timedelta(hours=4), end=now - timedelta(minutes=5),
                      turns_per_agent_per_hour=12, attributes_dropped_from={TOKENS_IN: dropped_at})
    before = [event for event in events if event["TIMESTAMP"] < dropped_at]
    after = [event for event in events if event["TIMESTAMP"] >= dropped_at]
    assert all(TOKENS_IN in event["RECORD_ATTRIBUTES"] for event in _planning_spans(before))
    assert not any(TOKENS_IN in event["RECORD_ATTRIBUTES"] for event in _planning_spans(events[len(before):]))

    with standalone_emulator(catalog, _coverage()) as emulator:
        emulator.set_agents([(SALES.database, SALES.schema, SALES.name)])
        _coverage().add([file for entry in catalog["alerts"]["statements"].values() for file in entry["files"]])
        texts = embedded_statements(catalog["alerts"]["embedding"])
        session = NotificationService(emulator)
        settings = {**catalog["alerts"]["settings"], "channels": [], "cooldownMinutes": 0}

        def cycle(batch) -> object:
            emulator.deliver(batch)
            ingestion.run_refresh(emulator.session, emulator.handler_statements(), 24 * 40, 60, path)
            return max(row["CYCLE_STARTED"] for row in emulator.query(
                f"SELECT CYCLE_STARTED FROM {emulator.database}.{emulator.schema}.AGENT_SHAPE_COVERAGE"))

        def drift_history() -> list[tuple]:
            return [(row["EVENT_TYPE"], row["LEVEL"], row["VALUE"], row["DETAIL"]) for row in emulator.query(
                f"SELECT * FROM {emulator.database}.{emulator.schema}.ALERT_HISTORY WHERE RULE_NAME = 'schema_drift' "
                "ORDER BY EVALUATED_AT")]

        ingestion.run_discovery(emulator.session, emulator.handler_statements(), "%", None, True)
        first = cycle(before)
        alerting.run_evaluation(session, texts, settings, utc_now())
        assert drift_history() == []
        # The clock cannot move: the first cycle ran as the drop began, before `after` arrived,
        # and the second reads from its start less the overlap (read_from.sql).
        emulator.last_refresh_started(dropped_at)

        second = cycle(after)
        alerting.run_evaluation(session, texts, settings, utc_now())
        alerting.run_evaluation(session, texts, settings, utc_now())

        planned_before = len(_planning_spans(before))
        assert _coverage_rows(emulator, first)[("PLANNING", "PROMPT_TOKENS")] == (planned_before, planned_before)
        rows = _coverage_rows(emulator, second)
        planned_after = rows[("PLANNING", "PROMPT_TOKENS")][0]
        assert planned_after > 0
        assert rows[("PLANNING", "PROMPT_TOKENS")] == (planned_after, 0)
        # Only the one attribute went: the others keep their coverage.
        assert rows[("PLANNING", "COMPLETION_TOKENS")] == (planned_after, planned_after)
        assert rows[("ROOT", "THREAD_ID")][0] == rows[("ROOT", "THREAD_ID")][1] > 0

        latest = {(row["SPAN_KIND"], row["NAME"]): row for row in emulator.view("AGENT_SHAPE_LATEST")
                  if row["SIGNAL"] == "COVERAGE"}
        assert {row["CYCLE_STARTED"] for row in latest.values()} == {second}
        assert latest[("PLANNING", "PROMPT_TOKENS")]["SHARE"] == 0
        assert latest[("PLANNING", "MODEL_NAME")]["SHARE"] == 1

        assert drift_history() == [("FIRING", "CRITICAL", 1.0, "no span carries PROMPT_TOKENS on planning spans")]


def test_unrecognised_span_names_are_counted_with_their_share(catalog):
    now = utc_now().replace(microsecond=0)
    events = generate(seed=22, agents=[SALES], start=now - timedelta(hours=2), end=now - timedelta(minutes=5),
                      turns_per_agent_per_hour=12)
    renamed = 0
    for event in events:
        if event["RECORD_TYPE"] == "SPAN" and event["RECORD"]["name"] == "Guardrails":
            event["RECORD"] = {**event["RECORD"], "name": "SafetyCheckV3"}
            renamed += 1
    assert renamed > 0
    with standalone_emulator(catalog, _coverage()) as emulator:
        emulator.set_agents([(SALES.database, SALES.schema, SALES.name)])
        emulator.deliver(events)
        ingestion.run_discovery(emulator.session, emulator.handler_statements(), "%", None, True)
        ingestion.run_refresh(emulator.session, emulator.handler_statements(), 24 * 40, 60, "per_agent")
        unknown = [row for row in emulator.view("AGENT_SHAPE_LATEST") if row["SIGNAL"] == "UNKNOWN_SPAN_NAME"]
        spans = [event for event in events if event["RECORD_TYPE"] == "SPAN" and not is_evaluation_event(event)
                 and event["RECORD_ATTRIBUTES"].get("snow.ai.observability.object.name") == SALES.name]
        assert [(row["NAME"], row["MATCHING"], row["SPANS"]) for row in unknown] == [("SafetyCheckV3", renamed, len(spans))]
        assert abs(unknown[0]["SHARE"] - renamed / len(spans)) < 1e-9
