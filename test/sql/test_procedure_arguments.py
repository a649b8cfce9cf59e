"""Every ingestion procedure refuses a bad argument before it touches data (issue 15 item 8).

`REFRESH_AGENT_EVENTS(24, -1)` once deleted the whole history: retention ran with a negative
number of days. Each handler now checks its arguments' type, range and NULL first, and the
error names the procedure and the argument. The stack's own values, at the limits lib/config.ts
accepts, still pass.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import fakesnow
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import ingestion  # noqa: E402  (procedures/, put on sys.path by emulator.py)
from emulator import Coverage, Emulator, render_catalog, utc_now  # noqa: E402
from traffic import AgentRef, generate, is_cortex_agent_event  # noqa: E402

SALES = AgentRef("SALES_DB", "AGENTS", "SALES_ASSISTANT")


def loaded_history(emulator, rolled_up=True) -> int:
    """Registers SALES, loads six hours of its events, rolls them up; returns the history rows."""
    now = utc_now()
    emulator.deliver([e for e in generate(seed=8, agents=[SALES], start=now - timedelta(hours=6), end=now)
                      if is_cortex_agent_event(e)])
    emulator.set_agents([(SALES.database, SALES.schema, SALES.name)])
    for task in ("discover", "refresh", "rollup"):
        emulator.call(emulator.catalog["tasks"][task]["text"])
    rows = count(emulator, "AGENT_EVENTS_HISTORY")
    assert rows > 0, "precondition: history holds rows"
    assert not rolled_up or count(emulator, "AGENT_DAILY_ROLLUP") > 0, "precondition: the rollups hold rows"
    return rows


def count(emulator, table: str) -> int:
    return emulator.query(f"SELECT COUNT(*) AS N FROM {table}")[0]["N"]


def snapshot(emulator) -> dict:
    tables = ("AGENT_EVENTS_HISTORY", "AGENT_INGEST_STATE", "AGENT_REGISTRY", "AGENT_DAILY_ROLLUP", "ROLLUP_DAY_STATE")
    return {table: sorted(map(repr, emulator.query(f"SELECT * FROM {table}"))) for table in tables}


REFRESH_CASES = [
    # (lookback hours, history days, ingest path, argument named, words in the message)
    (24, -1, "per_agent", "HISTORY_DAYS", "whole number from 1 to 3650, got -1"),
    (24, 0, "per_agent", "HISTORY_DAYS", "from 1 to 3650, got 0"),
    (24, 3651, "per_agent", "HISTORY_DAYS", "got 3651"),
    (24, None, "per_agent", "HISTORY_DAYS", "is NULL"),
    (24, 2.5, "per_agent", "HISTORY_DAYS", "got 2.5"),
    (24, "7", "per_agent", "HISTORY_DAYS", "(str)"),
    (24, True, "per_agent", "HISTORY_DAYS", "(bool)"),
    (-24, 7, "per_agent", "LOOKBACK_HOURS", "above 0"),
    (0, 7, "per_agent", "LOOKBACK_HOURS", "above 0"),
    (None, 7, "per_agent", "LOOKBACK_HOURS", "is NULL"),
    (float("nan"), 7, "per_agent", "LOOKBACK_HOURS", "got nan"),
    (float("inf"), 7, "per_agent", "LOOKBACK_HOURS", "got inf"),
    (87601, 7, "per_agent", "LOOKBACK_HOURS", "at most 87600"),
    (24, 7, "eventtable", "INGEST_PATH", "not one of auto, event_table, per_agent"),
    (24, 7, 3, "INGEST_PATH", "got 3"),
]


@pytest.mark.parametrize("lookback, days, path, argument, words", REFRESH_CASES)
def test_refresh_refuses_a_bad_argument_and_changes_nothing(emulator, lookback, days, path, argument, words):
    loaded_history(emulator)
    before = snapshot(emulator)

    with pytest.raises(ValueError) as refused:
        ingestion.run_refresh(emulator.session, emulator.handler_statements(), lookback, days, path)

    message = str(refused.value)
    assert message.startswith(f"REFRESH_AGENT_EVENTS: {argument} ") and words in message, message
    assert message.endswith("Nothing was changed.")
    assert snapshot(emulator) == before


ROLLUP_CASES = [
    (-1, 400, "HISTORY_DAYS", "got -1"),
    (None, 400, "HISTORY_DAYS", "is NULL"),
    (7, -5, "ROLLUP_RETENTION_DAYS", "from 30 to 3650, got -5"),
    (7, 29, "ROLLUP_RETENTION_DAYS", "got 29"),
    (7, 3651, "ROLLUP_RETENTION_DAYS", "got 3651"),
    (7, None, "ROLLUP_RETENTION_DAYS", "is NULL"),
    (7, "400", "ROLLUP_RETENTION_DAYS", "(str)"),
]


@pytest.mark.parametrize("days, retention, argument, words", ROLLUP_CASES)
def test_rollup_refuses_a_bad_argument_and_changes_nothing(emulator, days, retention, argument, words):
    loaded_history(emulator)
    before = snapshot(emulator)

    with pytest.raises(ValueError) as refused:
        ingestion.run_rollup(emulator.session, emulator.handler_statements(), days, retention)

    message = str(refused.value)
    assert message.startswith(f"ROLLUP_AGENT_EVENTS: {argument} ") and words in message, message
    assert snapshot(emulator) == before


DISCOVER_CASES = [
    (None, None, True, "INCLUDE_PATTERN", "is NULL; pass '%'"),
    ("", None, True, "INCLUDE_PATTERN", "1 to 767 characters"),
    ("x" * 768, None, True, "INCLUDE_PATTERN", "1 to 767 characters"),
    (5, None, True, "INCLUDE_PATTERN", "got 5"),
    ("%", "", True, "EXCLUDE_PATTERN", "1 to 767 characters"),
    ("%", None, None, "AUTO_ACTIVATE", "TRUE or FALSE, got None"),
    ("%", None, 1, "AUTO_ACTIVATE", "TRUE or FALSE, got 1"),
]


@pytest.mark.parametrize("include, exclude, activate, argument, words", DISCOVER_CASES)
def test_discovery_refuses_a_bad_argument_and_changes_nothing(emulator, include, exclude, activate, argument, words):
    loaded_history(emulator)
    emulator.set_agents([(SALES.database, SALES.schema, SALES.name), ("HR_DB", "BOTS", "HR_HELPDESK")])
    before = snapshot(emulator)

    with pytest.raises(ValueError) as refused:
        ingestion.run_discovery(emulator.session, emulator.handler_statements(), include, exclude, activate)

    message = str(refused.value)
    assert message.startswith(f"DISCOVER_AGENTS: {argument} ") and words in message, message
    assert snapshot(emulator) == before


def test_whole_numbers_of_any_numeric_type_are_accepted(emulator):
    """Snowflake may hand a NUMBER(38,0) argument over as int, float or Decimal."""
    rows = loaded_history(emulator)
    for days in (7, 7.0, Decimal(7)):
        assert "Refreshed 1 agents: 1 OK" in ingestion.run_refresh(
            emulator.session, emulator.handler_statements(), Decimal("1.5"), days, "per_agent")
        ingestion.run_rollup(emulator.session, emulator.handler_statements(), days, Decimal(400))
    assert count(emulator, "AGENT_EVENTS_HISTORY") == rows


def test_the_stack_tasks_pass_at_the_limits_the_config_accepts():
    """Whatever lib/config.ts accepts, the procedures accept: the tasks of a stack at the limits run."""
    lowest = render_catalog("dev", historyDays="1", initialLookbackHours="1", rollupRetentionDays="30")
    highest = render_catalog("dev", historyDays="90", initialLookbackHours="2160", rollupRetentionDays="3650")
    for catalog in (lowest, highest):
        with fakesnow.patch():
            emulator = Emulator(catalog, Coverage())
            try:
                loaded_history(emulator, rolled_up=False)  # with one day of history, today's may be cut
            finally:
                emulator.close()
