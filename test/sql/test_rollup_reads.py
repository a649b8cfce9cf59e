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
from traffic import AgentRef, generate  # noqa: E402

MeasuredEmulator = measured_emulator_class(Emulator)
AGENTS = [AgentRef(f"DB_{i % 5}", "AGENTS", f"AGENT_{i:04d}") for i in range(10)]
RATE = 0.5
NEW_MINUTES = 10


def rollup_reads(catalog: dict, history_days: int, now: datetime, agents=AGENTS, rate=RATE,
                 context: dict | None = None) -> dict[str, int]:
    """Rows read per rollup statement by the rollup run after one cycle's new events, on a
    history of `history_days` days already rolled up. Every history length receives the same
    last day and the same new events (same seeds), so only the older days differ. `context`, if
    given, receives what the reads may follow (ROLLUP_CONTEXT), counted after the run."""
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
            # happened, the last refresh and the last rollup one cycle ago.
            emu.execute(f"UPDATE {history} SET LOADED_AT = DATEADD('minute', {NEW_MINUTES}, EVENT_TIMESTAMP)")
            emu.execute(f"UPDATE AGENT_INGEST_STATE SET LAST_REFRESH_AT = DATEADD('minute', -{NEW_MINUTES}, SYSDATE())")
            emu.execute(f"UPDATE ROLLUP_DAY_STATE SET ROLLED_UP_AT = DATEADD('minute', -{NEW_MINUTES}, SYSDATE())")
            emu.deliver(new)
            ingestion.run_refresh(emu.session, statements, history_days * 24, config["historyDays"], "event_table")
            session = MeteredSession(emu.session, emu.meter, statements)
            ingestion.run_rollup(session, statements, config["historyDays"], config["rollupRetentionDays"])
            if context is not None:
                context.update({name: emu.query(query)[0]["N"] for name, query in ROLLUP_CONTEXT.items()})
            return session.reads
        finally:
            emu.close()


# What a merging run's reads may follow: the new rows (the last run's ROWS_MERGED), the stored
# rollup rows of the agent-days they touched (read by the stages and the deletes; the emulator
# bounds a join's scan by the min/max of its keys, as micro-partition pruning does), and the
# evaluation-marked rows within a day of them (the marks the new rows' traces are checked against).
TOUCHED_DAYS = "SELECT DISTINCT DAY FROM ROLLUP_DAY_STATE WHERE ROLLED_UP_AT = (SELECT MAX(ROLLED_UP_AT) FROM ROLLUP_DAY_STATE)"
ROLLUP_CONTEXT = {
    "new_rows": "SELECT ROWS_MERGED AS N FROM ROLLUP_LOAD_STATE",
    "touched_rollup_rows": " + ".join(
        f"(SELECT COUNT(*) FROM {table} WHERE DAY IN ({TOUCHED_DAYS}))"
        for table in ("AGENT_DAILY_ROLLUP", "USER_DAILY_ROLLUP", "MODEL_DAILY_ROLLUP", "TOOL_DAILY_ROLLUP",
                      "AGENT_DAILY_LATENCY")).join(("SELECT ", " AS N")),
    "marked_rows": "SELECT COUNT(*) AS N FROM AGENT_EVENTS_HISTORY WHERE IS_EVALUATION_EVENT "
                   f"AND TO_DATE(EVENT_TIMESTAMP) >= (SELECT DATEADD('day', -1, MIN(DAY)) FROM ({TOUCHED_DAYS}))",
}
BUSY_RATE = 20.0


@pytest.fixture(scope="module")
def reads_by_history():
    catalog = render_catalog("dev", historyDays="31", initialLookbackHours="744", ingestPath="event_table")
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    return {days: rollup_reads(catalog, days, now) for days in (1, 7)}


def test_no_rollup_statement_reads_more_when_history_is_longer(reads_by_history):
    short, long = reads_by_history[1], reads_by_history[7]
    inserts = [name for name in short if name.startswith("rollup_")]
    # The meter sees the run (the new rows are read): a count of nothing would prove nothing.
    assert short["rollup_find_delta"] > 0 and short["rollup_stage_agent"] > 0, short
    grown = {name: (short[name], long.get(name)) for name in inserts if long.get(name) != short[name]}
    assert not grown, f"rows read at 1 day vs 7 days of history: {grown}"


def test_a_busy_cycle_reads_the_new_rows_and_the_rollup_rows_they_touch_not_the_day(reads_by_history):
    """At the busy rate (10 agents, 20 turns/agent/h, a day of history, one 10-minute cycle), the
    merging run reads the new rows once from the history and their aggregates (about 0.45 rows
    per new row here) once per rollup table, the stored rollup rows of the agent-days they touch
    about twice (stage and delete), and the evaluation marks near them: at most 4x the new rows,
    2x those rollup rows and the marks. Recomputing the day, as rollups did before, read the whole
    day (some 11,000 rows per agent here) once per rollup table."""
    catalog = render_catalog("dev", historyDays="31", initialLookbackHours="744", ingestPath="event_table")
    context: dict = {}
    reads = rollup_reads(catalog, 1, datetime.now(timezone.utc).replace(tzinfo=None), rate=BUSY_RATE, context=context)
    total = sum(reads.values())
    assert context["new_rows"] > 100, context
    allowed = 4 * context["new_rows"] + 2 * context["touched_rollup_rows"] + context["marked_rows"]
    print(f"busy cycle: {total} rows read by the rollup for {context}; allowed {allowed}; by statement {reads}")
    assert total <= allowed, (total, context, reads)
    assert not [name for name in reads if name.startswith("rollup_insert_")], "no day was recomputed in full"
