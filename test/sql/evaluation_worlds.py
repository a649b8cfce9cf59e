"""Worlds for the tests of the bounded evaluation-mark rule (sql/evaluation/history_from.sql):
a few agents' traffic loaded through the pipeline, and their evaluation runs copied onto earlier
days, so that a test can show a windowed read does not grow with older evaluation runs."""

from __future__ import annotations

import ingestion  # procedures/, put on sys.path by emulator.py

# What each copied row's identity becomes, `d.DAYS` days earlier: a run of its own.
SHIFTED = {"EVENT_TIMESTAMP": "DATEADD('day', -d.DAYS, h.EVENT_TIMESTAMP)",
           "START_TIMESTAMP": "DATEADD('day', -d.DAYS, h.START_TIMESTAMP)",
           "TRACE_ID": "h.TRACE_ID || '-' || d.DAYS", "EVENT_KEY": "h.EVENT_KEY || '-' || d.DAYS"}


def load(emulator, agents, events) -> None:
    """One discovery and one refresh over the events."""
    emulator.deliver(events)
    emulator.set_agents([(agent.database, agent.schema, agent.name) for agent in agents])
    statements = emulator.handler_statements()
    ingestion.run_discovery(emulator.session, statements, "%", None, True)
    ingestion.run_refresh(emulator.session, statements, 24, emulator.config["historyDays"], "event_table")


def copy_evaluation_runs(emulator, days, since: str) -> int:
    """Copies every stored row of the evaluation traces from `since` (a TIMESTAMP_NTZ text, bound)
    on to each of `days` days earlier, as runs of their own; returns the rows added."""
    columns = [column[0] for column in emulator.execute("SELECT * FROM AGENT_EVENTS_HISTORY LIMIT 0").description]
    select = ", ".join(SHIFTED.get(column, f"h.{column}") for column in columns)
    values = ", ".join(f"({int(day)})" for day in days)
    return emulator.execute(f"""INSERT INTO AGENT_EVENTS_HISTORY ({", ".join(columns)})
        SELECT {select} FROM AGENT_EVENTS_HISTORY AS h, (VALUES {values}) AS d(DAYS)
        WHERE h.TRACE_ID IN (SELECT TRACE_ID FROM AGENT_EVENTS_HISTORY WHERE IS_EVALUATION_EVENT)
          AND h.EVENT_TIMESTAMP >= CAST(? AS TIMESTAMP_NTZ)""", [since]).rowcount
