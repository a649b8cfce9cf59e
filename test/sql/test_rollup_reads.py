"""What each rollup statement reads, counted by the benchmark's meter (bench/measure.py): a
rollup run after one cycle of new events must read the same rows whether the history behind it
holds one day or several. A statement whose reads grow with history is scanning days it does
not recompute, and at a year of history that is the whole table, every cycle.

Kept small (10 agents at 0.5 turns/agent/h, 2 and 7 days, one new cycle), shaped as the
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
                 context: dict | None = None, new_evaluation_runs: int = 0) -> dict[str, int]:
    """Rows read per rollup statement by the rollup run after one cycle's new events, on a
    history of `history_days` days already rolled up. Every history length receives the same
    last day and the same new events (same seeds), so only the older days differ. `context`, if
    given, receives what the reads may follow (ROLLUP_CONTEXT), counted after the run.
    `new_evaluation_runs` per agent are generated with the new events: their marks arrive then."""
    cut = now - timedelta(minutes=NEW_MINUTES)
    day_ago = now - timedelta(days=1)
    old = generate(seed=5, agents=agents, start=day_ago, end=cut, turns_per_agent_per_hour=rate, feedback_rate=0.2)
    if history_days > 1:
        old += generate(seed=6, agents=agents, start=now - timedelta(days=history_days), end=day_ago,
                        turns_per_agent_per_hour=rate, feedback_rate=0.2, evaluation_runs_per_agent=0)
    old = [e for e in old if e["TIMESTAMP"] < cut]
    new = [e for e in generate(seed=7, agents=agents, start=cut - timedelta(hours=1), end=now,
                               turns_per_agent_per_hour=rate, feedback_rate=0.2,
                               evaluation_runs_per_agent=new_evaluation_runs)
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
            emu.execute(f"UPDATE AGENT_INGEST_STATE SET LAST_READ_STARTED_AT = DATEADD('minute', -{NEW_MINUTES}, SYSDATE())")
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
# traces merged within a day of them (ROLLUP_MERGED_TRACES: the marked ones, which the new rows'
# traces are checked against, and all, which new marks are checked against). Against them, what
# the mark lookups read before ROLLUP_MERGED_TRACES: the history's rows of those days.
TOUCHED_DAYS = "SELECT DISTINCT DAY FROM ROLLUP_DAY_STATE WHERE ROLLED_UP_AT = (SELECT MAX(ROLLED_UP_AT) FROM ROLLUP_DAY_STATE)"
NEAR_TOUCHED = f"DAY >= (SELECT DATEADD('day', -1, MIN(DAY)) FROM ({TOUCHED_DAYS}))"
ROLLUP_CONTEXT = {
    "new_rows": "SELECT ROWS_MERGED AS N FROM ROLLUP_LOAD_STATE",
    "touched_rollup_rows": " + ".join(
        f"(SELECT COUNT(*) FROM {table} WHERE DAY IN ({TOUCHED_DAYS}))"
        for table in ("AGENT_DAILY_ROLLUP", "USER_DAILY_ROLLUP", "MODEL_DAILY_ROLLUP", "TOOL_DAILY_ROLLUP",
                      "AGENT_DAILY_LATENCY")).join(("SELECT ", " AS N")),
    "marked_traces": f"SELECT COUNT(*) AS N FROM ROLLUP_MERGED_TRACES WHERE HAS_MARK AND {NEAR_TOUCHED}",
    "merged_traces": f"SELECT COUNT(*) AS N FROM ROLLUP_MERGED_TRACES WHERE {NEAR_TOUCHED}",
    "history_rows": "SELECT COUNT(*) AS N FROM AGENT_EVENTS_HISTORY WHERE TO_DATE(EVENT_TIMESTAMP) >= "
                    f"(SELECT DATEADD('day', -1, MIN(DAY)) FROM ({TOUCHED_DAYS}))",
    # The run's own scratch table (find_new_traces.sql): its new rows' traces, a row per trace and day.
    "new_traces": "SELECT COUNT(*) AS N FROM ROLLUP_NEW_TRACES_SCRATCH",
}
BUSY_RATE = 20.0
NEW_EVALUATION_RUNS = 3
HISTORY_LENGTHS = (2, 7)
WINDOW_READS = {"rollup_find_full_days"}


@pytest.fixture(scope="module")
def reads_by_history():
    """Reads and context at 2 and 7 days of history; the new events bring evaluation runs, whose
    marks the run looks up. Two days, not one: the mark lookups read from the day before the
    marks' day on, which a single day of history holds only part of."""
    catalog = render_catalog("dev", historyDays="31", initialLookbackHours="744", ingestPath="event_table")
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    contexts = {days: {} for days in HISTORY_LENGTHS}
    reads = {days: rollup_reads(catalog, days, now, context=contexts[days], new_evaluation_runs=NEW_EVALUATION_RUNS)
             for days in HISTORY_LENGTHS}
    return reads, contexts


def test_no_rollup_statement_reads_more_when_history_is_longer(reads_by_history):
    short, long = (reads_by_history[0][days] for days in HISTORY_LENGTHS)
    # The late-mark check reads the traces of the day before the marks' day, which the two
    # histories generate differently; its bound by that window is checked below at both lengths.
    inserts = [name for name in short if name.startswith("rollup_") and name not in WINDOW_READS]
    # The meter sees the run (the new rows are read): a count of nothing would prove nothing.
    assert short["rollup_find_delta"] > 0 and short["rollup_stage_agent"] > 0, short
    grown = {name: (short[name], long.get(name)) for name in inserts if long.get(name) != short[name]}
    assert not grown, f"rows read at 1 day vs 7 days of history: {grown}"


def test_new_marks_are_looked_up_among_the_merged_traces_not_the_history_rows(reads_by_history):
    """New evaluation marks arrive (the late-mark check runs): find_full_days.sql reads the new
    marks and the traces merged within a day of them, one row per trace and day, and find_delta.sql
    the new rows and the marked traces near them, never the history's rows of those days, which
    hold some eleven rows per trace (27,391 rows read by the check at 200 agents x 0.5 turns/h)."""
    for days in HISTORY_LENGTHS:
        reads, context = reads_by_history[0][days], reads_by_history[1][days]
        new_rows, merged_traces = context["new_rows"], context["merged_traces"]
        assert reads["rollup_find_full_days"] > 0, f"precondition: new marks to look up: {reads}"
        assert context["history_rows"] > 4 * merged_traces, context
        assert reads["rollup_find_full_days"] <= new_rows + merged_traces, (days, reads, context)
        # The history once for the new rows' traces, once for the rows themselves; their traces
        # twice more (the newest row, the new marks) and the marked traces merged near them.
        new_traces = context["new_traces"]
        assert reads["rollup_find_new_traces"] <= new_rows + 1, (days, reads, context)
        assert reads["rollup_find_delta"] <= new_rows + 2 * new_traces + context["marked_traces"] + 1, \
            (days, reads, context)
        assert reads["rollup_record_traces"] <= new_traces, (days, reads, context)


def test_a_busy_cycle_reads_the_new_rows_and_the_rollup_rows_they_touch_not_the_day():
    """At the busy rate (10 agents, 20 turns/agent/h, a day of history, one 10-minute cycle), the
    merging run reads the new rows twice from the history (find_new_traces.sql, find_delta.sql),
    their traces (about 0.15 rows per new row here) a few times, their aggregates (about 0.45)
    once per rollup table and once for the per-day summary, the stored rollup rows of the
    agent-days they touch twice (stage and delete), and the marked traces near them: at most 4x the
    new rows, their aggregates once per rollup table, 2x those rollup rows and the marked traces (2,786 rows for 249 new ones before the
    per-day summary and ROLLUP_MERGED_TRACES). Recomputing the day, as rollups did before, read the whole day (some
    11,000 rows per agent here) once per rollup table."""
    catalog = render_catalog("dev", historyDays="31", initialLookbackHours="744", ingestPath="event_table")
    context: dict = {}
    reads = rollup_reads(catalog, 1, datetime.now(timezone.utc).replace(tzinfo=None), rate=BUSY_RATE, context=context)
    total = sum(reads.values())
    assert context["new_rows"] > 100, context
    # The new rows' aggregates are read once per rollup table's stage; early in a UTC day the day's
    # stored rollup rows are few, so they are a term of their own, not covered by the stored rows'.
    aggregates = reads["rollup_summarize_delta"] * len([name for name in reads if name.startswith("rollup_stage_")])
    allowed = 4 * context["new_rows"] + aggregates + 2 * context["touched_rollup_rows"] + context["marked_traces"]
    print(f"busy cycle: {total} rows read by the rollup for {context}; allowed {allowed}; by statement {reads}")
    assert total <= allowed, (total, context, reads)
    history_reads = reads["rollup_find_new_traces"] + reads["rollup_find_delta"]
    assert history_reads <= 2 * context["new_rows"] + 2 * context["new_traces"] + context["marked_traces"] + 2, \
        (context, reads)
    assert reads["rollup_summarize_delta"] <= context["new_rows"], (context, reads)
    assert not [name for name in reads if name.startswith("rollup_insert_")], "no day was recomputed in full"
