"""The alert rules look for evaluation marks near their window only (issue 19): they read
production history through sql/evaluation/production_history_from.sql, which looks for a trace's
marks among the marked rows from the rule's window start less TRACE_MARGIN_DAYS
(lib/sql/traceMargin.ts, one day), not over the whole history (production_history.sql). What that
keeps, what it trades, and what an evaluation reads:

* a trace whose marks lie before error_rate's window but within the margin is still evaluation:
  its turn in the window is left out of the rule's VALUE and VOLUME;
* a trace whose marks lie beyond the margin counts as production there, while the whole-history
  rule (AGENT_EVENTS_RECENT) still calls it evaluation: the documented trade-off (a Cortex Agent
  request times out after 15 minutes, a background run after 6 hours; the doctor counts longer
  traces on the account, doctor/liveFacts.ts traceSpans);
* the rows the rule statements of one evaluation read, counted by the benchmark's meter
  (bench/measure.py), stay the same when evaluation runs on twenty older days are added. Over the
  whole history the grouped marks read every one of those runs' marked rows, in every rule, on
  every evaluation.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from emulator import embedded_statements, utc_now  # noqa: E402
from evaluation_worlds import load, reads_with_older_evaluation_runs, timestamp_text  # noqa: E402
from sql_binds import run  # noqa: E402
from traffic import AgentRef, generate  # noqa: E402

WITHIN = AgentRef("SALES_DB", "AGENTS", "MARKS_WITHIN_MARGIN")
BEYOND = AgentRef("HR_DB", "BOTS", "MARKS_BEYOND_MARGIN")
MARGIN_HOURS = 24  # TRACE_MARGIN_DAYS, checked against the rendered rule below
# Evaluation runs copied to twenty earlier days, all before the longest read of any rule
# (silent_agent: its window and BASELINE_DAYS = 7 days) less the margin.
OLDER_DAYS = range(10, 30)


def rule_rows(emulator, catalog, rule: str, as_of) -> dict[str, dict]:
    """The rule's rows by agent name, from its statement as EVALUATE_ALERTS runs it."""
    alerts = catalog["alerts"]
    statement = alerts["settings"]["ruleInfo"][rule]["statement"]
    emulator.coverage.add(alerts["statements"][statement]["files"])
    rows = run(emulator.session, embedded_statements(alerts["embedding"]), statement, {"as_of": timestamp_text(as_of)})
    return {row.as_dict()["AGENT_NAME"]: row.as_dict() for row in rows}


def test_error_rate_leaves_out_a_trace_whose_marks_lie_before_its_window_within_the_margin(emulator, catalog):
    window = catalog["alerts"]["settings"]["rules"]["defaults"]["error_rate"]["windowMinutes"]
    as_of = utc_now().replace(microsecond=0)
    window_start = as_of - timedelta(minutes=window)
    load(emulator, [WITHIN, BEYOND], generate(seed=81, agents=[WITHIN, BEYOND], start=as_of - timedelta(hours=3),
                                              end=as_of - timedelta(minutes=5), turns_per_agent_per_hour=12,
                                              evaluation_runs_per_agent=1))
    # The generator's traffic follows the time of day: each agent's history moves so that its last
    # production turn ended 10 minutes before AS_OF, so both have turns in the window.
    for agent in (WITHIN, BEYOND):
        [last] = emulator.query("""SELECT MAX(EVENT_TIMESTAMP) AS LAST FROM AGENT_EVENTS_HISTORY
                                   WHERE AGENT_NAME = ? AND SPAN_CATEGORY = 'AGENT_RUN' AND NOT COALESCE(IS_EVALUATION_EVENT, FALSE)""",
                                [agent.name])
        shift = int((as_of - timedelta(minutes=10) - last["LAST"]).total_seconds())
        emulator.execute(f"UPDATE AGENT_EVENTS_HISTORY SET EVENT_TIMESTAMP = DATEADD('second', {shift}, EVENT_TIMESTAMP) WHERE AGENT_NAME = ?",
                         [agent.name])
    # Per agent an evaluation trace with a turn (AGENT_RUN) that only its trace marks: that turn
    # fails and moves into the window, the trace's marked rows before the window start, 12 hours
    # before it (within the margin) for one agent, 2 hours beyond the margin for the other.
    traces = {}
    for agent, marks_hours_before_window in ((WITHIN, 12), (BEYOND, MARGIN_HOURS + 2)):
        found = emulator.query("""SELECT TRACE_ID FROM AGENT_EVENTS_HISTORY WHERE AGENT_NAME = ? AND TRACE_ID IS NOT NULL
                                  GROUP BY TRACE_ID
                                  HAVING COUNT_IF(IS_EVALUATION_EVENT) > 0
                                     AND COUNT_IF(SPAN_CATEGORY = 'AGENT_RUN' AND NOT COALESCE(IS_EVALUATION_EVENT, FALSE)) > 0
                                  ORDER BY TRACE_ID LIMIT 1""", [agent.name])
        assert found, f"precondition: {agent.name} has an evaluation turn marked only by its trace"
        trace = traces[agent.name] = found[0]["TRACE_ID"]
        emulator.execute("""UPDATE AGENT_EVENTS_HISTORY SET EVENT_TIMESTAMP = CAST(? AS TIMESTAMP_NTZ),
                                   STATUS = IFF(SPAN_CATEGORY = 'AGENT_RUN', 'ERROR', STATUS)
                            WHERE TRACE_ID = ? AND NOT COALESCE(IS_EVALUATION_EVENT, FALSE)""",
                         [timestamp_text(as_of - timedelta(minutes=20)), trace])
        emulator.execute("UPDATE AGENT_EVENTS_HISTORY SET EVENT_TIMESTAMP = CAST(? AS TIMESTAMP_NTZ) WHERE TRACE_ID = ? AND IS_EVALUATION_EVENT",
                         [timestamp_text(window_start - timedelta(hours=marks_hours_before_window)), trace])

    def whole_history_turns(agent: AgentRef, where: str = "TRUE", params=()) -> dict:
        """The agent's turns in the window by the whole-history rule (AGENT_EVENTS_RECENT)."""
        return emulator.query(f"""SELECT COUNT(*) AS TURNS, COUNT_IF(STATUS = 'ERROR') AS FAILED FROM AGENT_EVENTS_RECENT
                                  WHERE AGENT_NAME = ? AND SPAN_CATEGORY = 'AGENT_RUN'
                                    AND EVENT_TIMESTAMP > CAST(? AS TIMESTAMP_NTZ)
                                    AND EVENT_TIMESTAMP <= CAST(? AS TIMESTAMP_NTZ) AND {where}""",
                              [agent.name, timestamp_text(window_start), timestamp_text(as_of), *params])[0]

    rows = rule_rows(emulator, catalog, "error_rate", as_of)
    for agent in (WITHIN, BEYOND):
        moved = whole_history_turns(agent, "TRACE_ID = ?", [traces[agent.name]])
        assert moved["TURNS"] == moved["FAILED"] > 0, f"precondition: {agent.name}'s failed evaluation turn is in the window"
        production = whole_history_turns(agent, "NOT IS_EVALUATION")
        assert production["TURNS"] > 0, agent.name
        # Within the margin the rule agrees with the whole-history rule; beyond it, the trace's turn counts.
        extra = {"TURNS": 0, "FAILED": 0} if agent is WITHIN else moved
        turns, failed = int(production["TURNS"] + extra["TURNS"]), int(production["FAILED"] + extra["FAILED"])
        assert rows[agent.name]["VOLUME"] == turns, agent.name
        assert float(rows[agent.name]["VALUE"]) == pytest.approx(failed / turns), agent.name
    # The margin placed the marks above: the rule's bound, rendered from TRACE_MARGIN_DAYS.
    text = catalog["alerts"]["statements"]["rule_error_rate"]["text"]
    assert f"DATEADD('day', -{MARGIN_HOURS // 24}, DATEADD('minute', -{window}, CAST(? AS TIMESTAMP_NTZ)))" in text


def evaluation_reads(emulator, catalog, as_of) -> dict[str, int]:
    """Rows read by each rule statement of one evaluation as of `as_of`, as the handler runs them."""
    alerts = catalog["alerts"]
    texts = embedded_statements(alerts["embedding"])
    reads = {}
    for rule, info in alerts["settings"]["ruleInfo"].items():
        with emulator.meter.measure() as work:
            run(emulator.session, texts, info["statement"], {"as_of": timestamp_text(as_of)})
        reads[rule] = work.rows_read
    return reads


def test_an_evaluation_reads_the_same_rows_whatever_older_evaluation_runs_there_are(catalog):
    """Three agents with the last hours' traffic and an evaluation run each, and the same runs a
    day earlier (inside the margin); then the same runs on each of twenty earlier days. The rows
    each rule statement reads stay the same: its window and the marks near it."""
    as_of = utc_now().replace(microsecond=0)
    world = reads_with_older_evaluation_runs(catalog, 82, as_of, OLDER_DAYS,
                                             lambda emulator: evaluation_reads(emulator, catalog, as_of))
    near, longer, added, older_marks = world.near, world.longer, world.added, world.older_marks
    print(f"rows read by one evaluation's rule statements: {sum(near.values())} with evaluation runs in the last two days; "
          f"{sum(longer.values())} with {added} rows ({older_marks} marked) of runs on {len(OLDER_DAYS)} earlier days; "
          f"per rule {near} -> {longer}")
    assert older_marks > 0
    assert sum(near.values()) > 0
    assert longer == near, f"rows read grew with older evaluation runs: {near} -> {longer}"
