"""What each ingestion statement reads in one steady-state cycle, counted by the benchmark's meter
(bench/measure.py), in test_rollup_reads.py's style: the same new events arrive after histories of
different lengths and with different numbers of idle agents, and REFRESH_AGENT_EVENTS (event-table
path) must read the same rows whatever the history behind them, a few rows per idle agent more,
and no more than one scan of the cycle's rows where it looks at what the cycle loaded.
The idle agents here have never had an event but one, a quiet agent whose last event is hours old.
Every agent is read from the later of its last event and its last successful refresh's start, less
the overlap (read_from.sql), so the quiet agent adds its registry and state rows like the others;
read from its last event, as before, it would start the one pass over the event table hours back
and make it re-read those hours of every busy agent's events. The late-event tests of
test_ingestion.py prove what that rule loads and what it does not.

The meter counts what two of its blind spots hid before (bench/measure.py): a MERGE's source
(fakesnow runs it as a CREATE TEMPORARY TABLE whose profile a bookkeeping query of fakesnow's own
replaced) and a SELECT whose text starts with a comment. Both would let a statement read the
whole history unseen; the first test here fails if either comes back.
"""

from __future__ import annotations

import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import fakesnow
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.measure import measured_emulator_class  # noqa: E402
from emulator import Coverage, Emulator, render_catalog  # noqa: E402
from sessions import MeteredSession  # noqa: E402
import ingestion  # noqa: E402  (procedures/, put on sys.path by emulator.py)
from traffic import AgentRef, generate, is_cortex_agent_event  # noqa: E402

MeasuredEmulator = measured_emulator_class(Emulator)
BUSY = [AgentRef(f"DB_{i % 2}", "AGENTS", f"BUSY_{i:02d}") for i in range(3)]
IDLE = [AgentRef("DB_IDLE", "AGENTS", f"IDLE_{i:02d}") for i in range(19)]
QUIET = AgentRef("DB_IDLE", "AGENTS", "QUIET")
QUIET_HOURS = 6  # how long before the cycle the quiet agent's last turn was
RATE = 20.0
OLD_RATE = 1.0
NEW_MINUTES = 15
# Registry and ingest-state rows per agent, read by the read points, the one-pass insert and the
# state MERGE (whose source and target the emulator's MERGE reads twice more).
ROWS_PER_IDLE_AGENT = 12


def ingest_reads(catalog: dict, history_days: int, idle: list[AgentRef], now: datetime) -> tuple[dict[str, int], int]:
    """(rows read per statement, new history rows) of the refresh after one cycle's new events,
    on a history of `history_days` days already loaded. Every variant receives the same last day
    and the same new events (same seeds)."""
    cut = now - timedelta(minutes=NEW_MINUTES)
    day_ago = now - timedelta(days=1)
    old = generate(seed=31, agents=BUSY, start=day_ago, end=cut, turns_per_agent_per_hour=RATE, feedback_rate=0.2)
    if history_days > 1:
        old += generate(seed=32, agents=BUSY, start=now - timedelta(days=history_days), end=day_ago,
                        turns_per_agent_per_hour=OLD_RATE, feedback_rate=0.2, evaluation_runs_per_agent=0)
    if QUIET in idle:
        quiet_end = cut - timedelta(hours=QUIET_HOURS)
        old += [e for e in generate(seed=34, agents=[QUIET], start=quiet_end - timedelta(hours=1), end=quiet_end,
                                    turns_per_agent_per_hour=RATE, feedback_rate=0, evaluation_runs_per_agent=0)
                if is_cortex_agent_event(e)]
    old = [e for e in old if e["TIMESTAMP"] < cut]
    new = [e for e in generate(seed=33, agents=BUSY, start=cut - timedelta(hours=1), end=now,
                               turns_per_agent_per_hour=RATE, feedback_rate=0.2, evaluation_runs_per_agent=0)
           if e["TIMESTAMP"] >= cut]
    with fakesnow.patch():
        emu = MeasuredEmulator(catalog, Coverage())
        try:
            statements = emu.handler_statements()
            config = emu.config
            history = f"{emu.database}.{emu.schema}.AGENT_EVENTS_HISTORY"
            emu.deliver(old)
            emu.set_agents([(a.database, a.schema, a.name) for a in BUSY + idle])
            ingestion.run_discovery(emu.session, statements, "%", None, True)
            ingestion.run_refresh(emu.session, statements, history_days * 24, config["historyDays"], "event_table")
            if QUIET in idle:
                quiet = emu.query("SELECT LAST_EVENT_TIMESTAMP AS AT FROM AGENT_INGEST_STATE WHERE AGENT_NAME = ?",
                                  [QUIET.name])[0]["AT"]
                assert quiet < cut - timedelta(hours=QUIET_HOURS - 1), "precondition: the quiet agent's last event is old"
            # Steady state: each row loaded by the cycle after it happened, and the last cycle (its
            # refresh and its scan for new agents) one interval ago, by the same clock for every variant.
            emu.execute(f"UPDATE {history} SET LOADED_AT = DATEADD('minute', {NEW_MINUTES}, EVENT_TIMESTAMP)")
            emu.execute("UPDATE AGENT_INGEST_STATE SET LAST_READ_STARTED_AT = ?", [cut])
            emu.execute("UPDATE INGEST_CYCLE_STATE SET EVENTS_DISCOVERED_THROUGH = ?", [cut])
            before = emu.query(f"SELECT COUNT(*) AS N FROM {history}")[0]["N"]
            emu.deliver(new)
            session = MeteredSession(emu.session, emu.meter, statements)
            ingestion.run_refresh(session, statements, history_days * 24, config["historyDays"], "event_table")
            return session.reads, emu.query(f"SELECT COUNT(*) AS N FROM {history}")[0]["N"] - before
        finally:
            emu.close()


@pytest.fixture(scope="module")
def variants():
    catalog = render_catalog("dev", historyDays="31", initialLookbackHours="744", ingestPath="event_table",
                             refreshIntervalMinutes=str(NEW_MINUTES))
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    return {key: ingest_reads(catalog, days, idle, now)
            for key, days, idle in (("short", 1, []), ("long", 3, []), ("idle", 1, IDLE + [QUIET]))}


def test_the_cycle_loads_new_rows_and_the_meter_sees_the_merges(variants):
    reads, new = variants["short"]
    assert new >= 50, new
    # Without the meter's fixes above these read nothing: a MERGE's source, a comment-led SELECT.
    assert reads["record_event_table_success"] >= new, reads
    assert reads["read_points_all"] >= len(BUSY), reads


def test_no_ingest_statement_reads_more_when_history_is_longer(variants):
    (short, new_short), (long, new_long) = variants["short"], variants["long"]
    assert new_short == new_long
    grown = {name: (short[name], long.get(name)) for name in short if long.get(name) != short[name]}
    assert not grown, f"rows read at 1 day vs 3 days of history: {grown}"


def test_idle_and_quiet_agents_add_only_their_registry_and_state_rows(variants):
    """A quiet agent must not make the pass read the busy agents' older events."""
    (busy, new), (with_idle, new_with_idle) = variants["short"], variants["idle"]
    assert new == new_with_idle
    extra = sum(with_idle.values()) - sum(busy.values())
    assert 0 < extra <= ROWS_PER_IDLE_AGENT * (len(IDLE) + 1), {
        name: (busy.get(name), with_idle[name]) for name in with_idle if with_idle[name] != busy.get(name)}


def test_the_shape_coverage_reads_the_cycle_rows_once(variants):
    reads, new = variants["short"]
    assert 0 < reads["record_shape_coverage"] <= new, (reads["record_shape_coverage"], new)
