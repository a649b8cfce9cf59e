"""The realtime window views look for a trace's evaluation marks near the window only
(sql/evaluation/window_history.sql, the rule of history_from.sql in another shape): among the
marked rows from the window start less TRACE_MARGIN_DAYS (lib/sql/values.ts, one day), not over
the whole history as AGENT_EVENTS_RECENT does (sql/evaluation/history.sql). What that keeps, what it trades, and what it reads:

* a trace whose marks lie before the window start but within the margin is still evaluation in
  AGENT_EVENTS, so REALTIME_KPI, AGENT_METRICS and THREAD_ACTIVITY leave its rows in the window out;
* a trace whose marks lie beyond the margin counts as production in those views, while
  AGENT_EVENTS_RECENT still calls it evaluation: the documented trade-off (a Cortex Agent request
  times out after 15 minutes, a background run after 6 hours, so a trace spanning more than a day
  is not expected; the doctor counts such traces on the account, doctor/liveFacts.ts traceSpans);
* the rows a realtime view reads, counted by the benchmark's meter (bench/measure.py) as
  test_ingest_reads.py does, stay the same when evaluation runs on twenty older days are added.
  Over the whole history the grouped marks read every one of those runs' marked rows on each
  view read.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from emulator import utc_now  # noqa: E402
from evaluation_worlds import load, reads_with_older_evaluation_runs  # noqa: E402
from traffic import AgentRef, generate  # noqa: E402

WITHIN = AgentRef("SALES_DB", "AGENTS", "MARKS_WITHIN_MARGIN")
BEYOND = AgentRef("HR_DB", "BOTS", "MARKS_BEYOND_MARGIN")
MARGIN_HOURS = 24  # TRACE_MARGIN_DAYS (lib/sql/traceMargin.ts), checked against the rendered view below
# The realtime views the dashboard reads on each view of its realtime pages (issue 17).
READ_VIEWS = ("REALTIME_KPI", "AGENT_METRICS", "THREAD_ACTIVITY")
OLDER_DAYS = range(2, 22)  # evaluation runs on twenty earlier days, all before the window less the margin


def evaluation_trace(emulator, agent) -> str:
    """A trace of the agent's evaluation run with marked rows and rows marked only by their trace."""
    rows = emulator.query("""SELECT TRACE_ID FROM AGENT_EVENTS_HISTORY WHERE AGENT_NAME = ? AND TRACE_ID IS NOT NULL
                             GROUP BY TRACE_ID
                             HAVING COUNT_IF(IS_EVALUATION_EVENT) > 0 AND COUNT_IF(NOT COALESCE(IS_EVALUATION_EVENT, FALSE)) > 0
                             ORDER BY TRACE_ID""", [agent.name])
    assert rows, f"precondition: {agent.name} has an evaluation trace with unmarked rows"
    return rows[0]["TRACE_ID"]


def test_marks_are_looked_for_from_the_window_start_less_the_margin(emulator, catalog):
    window = emulator.config["realtimeWindowHours"]
    now = utc_now()
    load(emulator, [WITHIN, BEYOND], generate(seed=71, agents=[WITHIN, BEYOND], start=now - timedelta(hours=3),
                                              end=now - timedelta(minutes=5), turns_per_agent_per_hour=4, evaluation_runs_per_agent=1))
    # Each trace's unmarked rows move into the last hour, its marks before the window start: 12
    # hours before it (within the margin) for one agent, 2 hours beyond the margin for the other.
    traces = {WITHIN.name: evaluation_trace(emulator, WITHIN), BEYOND.name: evaluation_trace(emulator, BEYOND)}
    for agent, marks_hours_ago in ((WITHIN, window + 12), (BEYOND, window + MARGIN_HOURS + 2)):
        trace = traces[agent.name]
        emulator.execute("""UPDATE AGENT_EVENTS_HISTORY SET EVENT_TIMESTAMP = DATEADD('minute', -30, SYSDATE())
                            WHERE TRACE_ID = ? AND NOT COALESCE(IS_EVALUATION_EVENT, FALSE)""", [trace])
        emulator.execute("""UPDATE AGENT_EVENTS_HISTORY SET EVENT_TIMESTAMP = DATEADD('hour', ?, SYSDATE())
                            WHERE TRACE_ID = ? AND IS_EVALUATION_EVENT""", [-marks_hours_ago, trace])

    def in_window(view: str, where: str, params=()) -> dict:
        return emulator.query(f"""SELECT COUNT(*) AS N, COUNT_IF(IS_EVALUATION) AS EVALUATION,
                                         COUNT_IF(THREAD_ID IS NOT NULL) AS WITH_THREAD
                                  FROM {view} WHERE EVENT_TIMESTAMP >= DATEADD('hour', -{window}, SYSDATE()) AND {where}""", list(params))[0]

    moved = {name: in_window("AGENT_EVENTS", "TRACE_ID = ?", [trace]) for name, trace in traces.items()}
    assert all(rows["N"] > 0 for rows in moved.values()), moved
    assert moved[WITHIN.name]["EVALUATION"] == moved[WITHIN.name]["N"], "marks within the margin: still evaluation"
    assert moved[BEYOND.name]["EVALUATION"] == 0, "marks beyond the margin: the realtime rule no longer sees them"
    # Over the whole history both traces stay evaluation.
    for name, trace in traces.items():
        recent = emulator.query("SELECT COUNT(*) AS N, COUNT_IF(IS_EVALUATION) AS E FROM AGENT_EVENTS_RECENT WHERE TRACE_ID = ?", [trace])[0]
        assert recent["E"] == recent["N"] > moved[name]["N"], name

    # The views over AGENT_EVENTS count what the whole-history rule calls production, and the
    # trace beyond the margin besides.
    extra = {WITHIN.name: {"N": 0, "WITH_THREAD": 0}, BEYOND.name: moved[BEYOND.name]}
    metrics = {row["AGENT_NAME"]: row for row in emulator.view("AGENT_METRICS")}
    threads = emulator.query("SELECT AGENT_FULL_NAME, SUM(TOTAL_EVENTS) AS N FROM THREAD_ACTIVITY GROUP BY AGENT_FULL_NAME")
    threads = {row["AGENT_FULL_NAME"].split(".")[-1]: row["N"] for row in threads}
    for agent in (WITHIN, BEYOND):
        production = in_window("AGENT_EVENTS_RECENT", "AGENT_NAME = ? AND NOT IS_EVALUATION", [agent.name])
        assert metrics[agent.name]["TOTAL_EVENTS"] == production["N"] + extra[agent.name]["N"], agent.name
        assert threads[agent.name] == production["WITH_THREAD"] + extra[agent.name]["WITH_THREAD"], agent.name
    assert extra[BEYOND.name]["WITH_THREAD"] > 0, "precondition: THREAD_ACTIVITY would see the trade-off"
    last_hour = emulator.query("""SELECT COUNT(*) AS N FROM AGENT_EVENTS_RECENT WHERE NOT IS_EVALUATION
                                  AND EVENT_TIMESTAMP >= DATEADD('hour', -1, SYSDATE()) AND EVENT_TIMESTAMP <= SYSDATE()""")[0]["N"]
    # REALTIME_KPI reads its own two hours, so its marks are looked for from two hours less the
    # margin: both traces' marks lie beyond that, and both count as production there ...
    [kpi] = emulator.view("REALTIME_KPI")
    assert kpi["TOTAL_EVENTS"] == last_hour + moved[WITHIN.name]["N"] + moved[BEYOND.name]["N"]
    # ... until one trace's marks move within it (20 hours ago: within a day of its window start).
    emulator.execute("""UPDATE AGENT_EVENTS_HISTORY SET EVENT_TIMESTAMP = DATEADD('hour', -20, SYSDATE())
                        WHERE TRACE_ID = ? AND IS_EVALUATION_EVENT""", [traces[WITHIN.name]])
    [kpi] = emulator.view("REALTIME_KPI")
    assert kpi["TOTAL_EVENTS"] == last_hour + moved[BEYOND.name]["N"]
    # The margin placed the marks above: the views' bounds, rendered from TRACE_MARGIN_DAYS.
    assert f"DATEADD('day', -{MARGIN_HOURS // 24}, DATEADD('hour', -{window}, SYSDATE()))" in catalog["views"]["AGENT_EVENTS"]["text"]
    assert f"DATEADD('day', -{MARGIN_HOURS // 24}, DATEADD('hour', -2, SYSDATE()))" in catalog["views"]["REALTIME_KPI"]["text"]


def view_reads(emulator) -> dict[str, int]:
    reads = {}
    for view in READ_VIEWS:
        with emulator.meter.measure() as work:
            emulator.view(view)
        reads[view] = work.rows_read
    # AGENT_METRICS uses its whole window, so the window's rows are read once, and besides them
    # only the marked rows of the day before the window (window_history.sql); reading the window's
    # marks a second time, as history_from.sql does, would read more.
    window = emulator.config["realtimeWindowHours"]
    [counts] = emulator.query(f"""
        SELECT COUNT_IF(EVENT_TIMESTAMP >= DATEADD('hour', -{window}, SYSDATE())) AS WINDOW_ROWS,
               COUNT_IF(EVENT_TIMESTAMP < DATEADD('hour', -{window}, SYSDATE())
                        AND EVENT_TIMESTAMP >= DATEADD('hour', -{window + MARGIN_HOURS}, SYSDATE())
                        AND IS_EVALUATION_EVENT AND TRACE_ID IS NOT NULL) AS STRIP_MARKS
        FROM AGENT_EVENTS_HISTORY""")
    assert counts["STRIP_MARKS"] > 0, "precondition: evaluation runs a day before the window"
    assert reads["AGENT_METRICS"] == counts["WINDOW_ROWS"] + counts["STRIP_MARKS"], (reads, counts)
    return reads


def test_realtime_view_reads_do_not_grow_with_older_evaluation_runs(catalog):
    """Three agents with the last hours' traffic and an evaluation run each, and the same runs a
    day earlier (inside the margin); then the same runs on each of twenty earlier days. The rows
    each realtime view reads stay the same: the window and the marks near it."""
    world = reads_with_older_evaluation_runs(catalog, 72, utc_now(), OLDER_DAYS, view_reads)
    near, longer, added, older_marks = world.near, world.longer, world.added, world.older_marks
    print(f"rows read per view: {near} with evaluation runs in the last two days; {longer} with {added} rows "
          f"({older_marks} marked) of runs on {len(OLDER_DAYS)} earlier days")
    assert older_marks > 0
    assert all(reads > 0 for reads in near.values()), near
    assert longer == near, f"rows read grew with older evaluation runs: {near} -> {longer}"
