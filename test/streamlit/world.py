"""A Wallmonitor schema on the emulator, loaded with generated traffic through the real
ingestion task bodies, for the dashboard's tests (and the events it should show)."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[2]
for path in (ROOT, ROOT / "test" / "sql", ROOT / "streamlit"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from fakesnow.instance import FakeSnow  # noqa: E402

import oracle  # noqa: E402
from emulator import Coverage, Emulator  # noqa: E402
from traffic import AgentRef  # noqa: E402

HOUR = timedelta(hours=1)
# No generated row lies closer than this to a boundary a page's answer depends on; the tests
# must run in less time than this for the answers to stay fixed.
MARGIN = timedelta(minutes=10)
AGENTS = [
    AgentRef("SALES_DB", "AGENTS", "SALES_ASSISTANT"),
    AgentRef("SALES_DB", "AGENTS", "SUPPORT_COPILOT"),
    AgentRef("HR_DB", "BOTS", "HR_HELPDESK"),
]


def utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def away_from(events: list[dict], boundaries: list[datetime], margin: timedelta = MARGIN) -> list[dict]:
    """``events`` without each turn (trace, and the feedback naming its request) that has a row
    within ``margin`` of a boundary; rows without a trace go alone."""
    trace_of_request = {
        e["RECORD_ATTRIBUTES"][oracle.AGENT + "request_id"]: e["TRACE"]["trace_id"]
        for e in events if e["TRACE"] and oracle.AGENT + "request_id" in e["RECORD_ATTRIBUTES"]
    }

    def group(event: dict):
        if event["TRACE"]:
            return event["TRACE"]["trace_id"]
        return trace_of_request.get((event["VALUE"] or {}).get("orig_request_id"), id(event))

    near = {group(e) for e in events if any(abs(e["TIMESTAMP"] - b) < margin for b in boundaries)}
    return [e for e in events if group(e) not in near]


@contextmanager
def standalone_emulator(catalog: dict):
    """An emulator outside fakesnow.patch(), so it can live as long as a test session."""
    fake = FakeSnow()
    with mock.patch("snowflake.connector.connect", side_effect=fake.connect):
        emulator = Emulator(catalog, Coverage())
    try:
        yield emulator
    finally:
        emulator.close()
        fake.duck_conn.close()


def ingest(emulator: Emulator, agents, *deliveries: list[dict], failing=()) -> list[str]:
    """Registers ``agents`` through discovery, then per delivery: the events arrive and one
    refresh cycle runs. Ends with the dynamic tables refreshed. Returns the cycles' summaries."""
    tasks = emulator.catalog["tasks"]
    emulator.set_agents([(a.database, a.schema, a.name) for a in agents], failing=failing)
    emulator.call(tasks["discover"]["text"])
    summaries = []
    for delivery in deliveries:
        emulator.deliver(delivery)
        summaries.append(emulator.call(tasks["refresh"]["text"]))
    emulator.refresh_dynamic_tables()
    return summaries


@dataclass
class World:
    emulator: Emulator
    now: datetime
    history: list[oracle.Event]

    def between(self, start: datetime, end: datetime) -> list[oracle.Event]:
        return [e for e in self.history if start <= e.timestamp <= end]
