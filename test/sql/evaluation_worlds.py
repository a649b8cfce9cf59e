"""Worlds for the tests of the bounded evaluation-mark rule (sql/evaluation/history_from.sql):
a few agents' traffic loaded through the pipeline, and their evaluation runs copied onto earlier
days, so that a test can show a windowed read does not grow with older evaluation runs."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import fakesnow

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.measure import measured_emulator_class  # noqa: E402
from emulator import Coverage, Emulator  # noqa: E402
import ingestion  # noqa: E402  (procedures/, put on sys.path by emulator.py)
from traffic import AgentRef, generate  # noqa: E402

MeasuredEmulator = measured_emulator_class(Emulator)

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


def timestamp_text(at) -> str:
    """A TIMESTAMP_NTZ bind's text, as procedures/alerting.py binds AS_OF."""
    return at.strftime("%Y-%m-%d %H:%M:%S.%f")


@dataclass
class OlderRunReads:
    near: dict  # what `reads` returned with evaluation runs in the last two days only
    longer: dict  # the same after the runs were copied onto the older days
    added: int  # rows the copies added
    older_marks: int  # marked rows on the older days


def reads_with_older_evaluation_runs(catalog, seed: int, now, older_days, reads) -> OlderRunReads:
    """Three agents with the last hours' traffic and an evaluation run each, and the same runs a
    day earlier (inside the margin): `reads(emulator)` there, then again after the runs are copied
    onto each of `older_days` earlier days (all beyond the reader's window less the margin)."""
    agents = [AgentRef("DB_0", "AGENTS", f"AGENT_{i}") for i in range(3)]
    with fakesnow.patch():
        emulator = MeasuredEmulator(catalog, Coverage())
        try:
            load(emulator, agents, generate(seed=seed, agents=agents, start=now - timedelta(hours=4),
                                            end=now - timedelta(minutes=5), turns_per_agent_per_hour=4, evaluation_runs_per_agent=1))
            since = timestamp_text(now - timedelta(hours=6))
            assert copy_evaluation_runs(emulator, [1], since) > 0
            near = reads(emulator)
            added = copy_evaluation_runs(emulator, older_days, since)
            older_marks = emulator.query("""SELECT COUNT(*) AS N FROM AGENT_EVENTS_HISTORY WHERE IS_EVALUATION_EVENT
                                            AND EVENT_TIMESTAMP < CAST(? AS TIMESTAMP_NTZ)""",
                                         [timestamp_text(now - timedelta(days=min(older_days)))])[0]["N"]
            return OlderRunReads(near, reads(emulator), added, older_marks)
        finally:
            emulator.close()
