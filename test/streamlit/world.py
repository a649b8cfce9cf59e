"""A Wallmonitor schema on the emulator, loaded with generated traffic through the real
ingestion task bodies, for the dashboard's tests (and the events it should show)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for path in (ROOT, ROOT / "test" / "sql", ROOT / "streamlit"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))


import oracle  # noqa: E402
from emulator import Emulator  # noqa: E402
import translation_cache  # noqa: E402
from traffic import AgentRef  # noqa: E402

translation_cache.install()  # the same statements again and again: translate each once

HOUR = timedelta(hours=1)
# No generated row lies closer than this to a boundary a page's answer depends on; the tests
# must run in less time than this for the answers to stay fixed.
MARGIN = timedelta(minutes=10)
AGENTS = [
    AgentRef("SALES_DB", "AGENTS", "SALES_ASSISTANT"),
    AgentRef("SALES_DB", "AGENTS", "SUPPORT_COPILOT"),
    AgentRef("HR_DB", "BOTS", "HR_HELPDESK"),
]


def ingest(emulator: Emulator, agents, *deliveries: list[dict], failing=()) -> list[str]:
    """Registers ``agents`` through discovery, then per delivery: the events arrive and one
    refresh cycle runs. Ends with the dynamic tables refreshed. Returns the cycles' summaries."""
    tasks = emulator.catalog["tasks"]
    emulator.set_agents([(a.database, a.schema, a.name) for a in agents], failing=failing)
    emulator.call(tasks["discover"]["text"])
    summaries, stamps = [], []
    for delivery in deliveries:
        if stamps:  # the last cycle ran as the newest event delivered so far was stamped
            emulator.last_refresh_started(max(stamps))
        emulator.deliver(delivery)
        stamps += [e["TIMESTAMP"] for e in delivery]
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
