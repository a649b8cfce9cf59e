"""What each rollup statement reads, counted by the benchmark's meter (bench/measure.py): a
rollup run after one cycle of new events must read the same rows whether the history behind it
holds one day or several. A statement whose reads grow with history is scanning days it does
not recompute, and at a year of history that is the whole table, every cycle.

Kept small (10 agents at 0.5 turns/agent/h, 1 and 7 days, one new cycle), shaped as the
benchmark's cycle: the last day holds evaluation runs, older days none. That is the shape that
made MODEL_DAILY_ROLLUP's and AGENT_DAILY_LATENCY's inserts scan their span category over the
whole history (their own filter turned the plan around); the test fails on it.
"""

from __future__ import annotations

import re
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import fakesnow
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.measure import measured_emulator_class  # noqa: E402
from emulator import Coverage, Emulator, render_catalog  # noqa: E402
import ingestion  # noqa: E402  (procedures/, put on sys.path by emulator.py)
from traffic import AgentRef, generate  # noqa: E402

MeasuredEmulator = measured_emulator_class(Emulator)
AGENTS = [AgentRef(f"DB_{i % 5}", "AGENTS", f"AGENT_{i:04d}") for i in range(10)]
RATE = 0.5
NEW_MINUTES = 10


# The query of a CREATE TABLE .. AS statement (after its leading comments).
CREATE_TABLE_AS = re.compile(r"^\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMPORARY\s+)?TABLE\s+\S+\s+AS\s+(.*)\Z",
                             re.IGNORECASE | re.DOTALL | re.MULTILINE)


def statement_text(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--"))


class MeteredSession:
    """The session the rollup procedure runs on, with each statement's rows read counted by the
    statement's name in the embedded catalog.

    The meter sees no reads in a CREATE TEMPORARY TABLE .. AS on the emulator (the profile it
    finds is of fakesnow's own bookkeeping statement after it), so such a statement's reads are
    counted by running its query once on its own, measured, before the statement itself."""

    def __init__(self, session, meter, statements):
        self._session, self._meter = session, meter
        self._names = {text: name for name, text in statements.items()}
        self.reads: dict[str, int] = {}

    def sql(self, text, params=None):
        name = self._names.get(text, text[:60])
        created = CREATE_TABLE_AS.match(statement_text(text))
        read = 0
        if created:
            with self._meter.measure() as work:
                self._session.sql(created.group(1), params=params).collect()
            read += work.rows_read
        with self._meter.measure() as work:
            rows = self._session.sql(text, params=params).collect()
        self.reads[name] = self.reads.get(name, 0) + read + work.rows_read
        return Collected(rows)


class Collected:
    def __init__(self, rows):
        self._rows = rows

    def collect(self):
        return self._rows


def rollup_reads(catalog: dict, history_days: int, now: datetime, agents=AGENTS, rate=RATE) -> dict[str, int]:
    """Rows read per rollup statement by the rollup run after one cycle's new events, on a
    history of `history_days` days already rolled up. Every history length receives the same
    last day and the same new events (same seeds), so only the older days differ."""
    cut = now - timedelta(minutes=NEW_MINUTES)
    day_ago = now - timedelta(days=1)
    old = generate(seed=5, agents=agents, start=day_ago, end=cut, turns_per_agent_per_hour=rate, feedback_rate=0.2)
    if history_days > 1:
        old += generate(seed=6, agents=agents, start=now - timedelta(days=history_days), end=day_ago,
                        turns_per_agent_per_hour=rate, feedback_rate=0.2, evaluation_runs_per_agent=0)
    old = [e for e in old if e["TIMESTAMP"] < cut]
    new = [e for e in generate(seed=7, agents=agents, start=cut - timedelta(hours=1), end=now,
                               turns_per_agent_per_hour=rate, feedback_rate=0.2, evaluation_runs_per_agent=0)
           if e["TIMESTAMP"] >= cut]
    with fakesnow.patch():
        emu = MeasuredEmulator(catalog, Coverage())
        try:
            statements = emu.handler_statements()
            config = emu.config
            history = f"{emu.database}.{emu.schema}.AGENT_EVENTS_HISTORY"
            emu.deliver(old)
            emu.set_agents([(a.database, a.schema, a.name) for a in agents])
            ingestion.run_discovery(emu.session, statements, "%", None, True)
            ingestion.run_refresh(emu.session, statements, history_days * 24, config["historyDays"], "event_table")
            ingestion.run_rollup(emu.session, statements, config["historyDays"], config["rollupRetentionDays"])
            # Steady state, as the benchmark sets it: each row loaded by the cycle after it
            # happened, the last rollup one cycle ago.
            emu.execute(f"UPDATE {history} SET LOADED_AT = DATEADD('minute', {NEW_MINUTES}, EVENT_TIMESTAMP)")
            emu.execute(f"UPDATE ROLLUP_DAY_STATE SET ROLLED_UP_AT = DATEADD('minute', -{NEW_MINUTES}, SYSDATE())")
            emu.deliver(new)
            ingestion.run_refresh(emu.session, statements, history_days * 24, config["historyDays"], "event_table")
            session = MeteredSession(emu.session, emu.meter, statements)
            ingestion.run_rollup(session, statements, config["historyDays"], config["rollupRetentionDays"])
            return session.reads
        finally:
            emu.close()


@pytest.fixture(scope="module")
def reads_by_history():
    catalog = render_catalog("dev", historyDays="31", initialLookbackHours="744", ingestPath="event_table")
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    return {days: rollup_reads(catalog, days, now) for days in (1, 7)}


def test_no_rollup_statement_reads_more_when_history_is_longer(reads_by_history):
    short, long = reads_by_history[1], reads_by_history[7]
    inserts = [name for name in short if name.startswith("rollup_")]
    # The meter sees the run (a recomputed day is read): a count of nothing would prove nothing.
    assert short["rollup_insert_agent"] > 0, short
    grown = {name: (short[name], long.get(name)) for name in inserts if long.get(name) != short[name]}
    assert not grown, f"rows read at 1 day vs 7 days of history: {grown}"
