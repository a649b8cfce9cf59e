"""Rollups merged from the new rows (ROLLUP_AGENT_EVENTS after its first run) equal a full
recompute from scratch, table by table, after a random sequence of load batches: several cycles in
order, late rows for older days, evaluation marks arriving after their trace's production rows were
merged, a day of another rollup definition, a run that fails half way and is rolled back, a run
that finds ROLLUP_MERGED_TRACES empty, and a re-run.

The rows are the ingestion's own (one refresh parses every generated event into the history), then
taken out and put back batch by batch with LOADED_AT stamped as insert_parsed_events.sql stamps it
(SYSDATE() per insert statement): what the rollup sees of a sequence of ingestion cycles, with the
batches chosen freely. The full recompute is the procedure's own first-run path, run on the same
history after clearing the rollups and their state.
"""

from __future__ import annotations

import json
import random
import sys
from datetime import timedelta
from pathlib import Path

import fakesnow
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import ingestion  # noqa: E402  (procedures/, put on sys.path by emulator.py)
from emulator import Emulator, render_catalog, utc_now  # noqa: E402
from sessions import FailingSession  # noqa: E402
from test_ingestion import run_task  # noqa: E402
from traffic import AgentRef, generate  # noqa: E402

AGENTS = [AgentRef("SALES_DB", "AGENTS", "SALES_ASSISTANT"), AgentRef("HR_DB", "BOTS", "HR_HELPDESK")]
ROLLUPS = ("AGENT_DAILY_ROLLUP", "USER_DAILY_ROLLUP", "MODEL_DAILY_ROLLUP", "TOOL_DAILY_ROLLUP",
           "AGENT_DAILY_LATENCY")
HLL_COLUMNS = ("USERS_HLL", "THREADS_HLL")
DAYS = 4
CYCLES = 6


@pytest.fixture(scope="module")
def catalog():
    return render_catalog("dev", historyDays="90", initialLookbackHours="2160")


@pytest.fixture
def emu(catalog):
    from conftest import _coverage

    with fakesnow.patch():
        emulator = Emulator(catalog, _coverage)
        yield emulator
        emulator.close()


def rollup(emulator, session=None) -> str:
    config = emulator.config
    return ingestion.run_rollup(session or emulator.session, emulator.handler_statements(),
                                config["historyDays"], config["rollupRetentionDays"])


def snapshot(emulator, tables=ROLLUPS) -> dict:
    """Every rollup row by table; HLL states as their exported OBJECT (the state itself, so two
    equal states are equal registers, not just equal estimates)."""
    out = {}
    for table in tables:
        rows = []
        for row in emulator.query(f"SELECT * FROM {table}"):
            for column in HLL_COLUMNS:
                if isinstance(row.get(column), str):
                    row[column] = json.loads(row[column])
            rows.append(json.dumps(row, sort_keys=True, default=str))
        out[table] = sorted(rows)
    return out


def load_state(emulator):
    return emulator.query("SELECT LOADED_THROUGH, ROWS_MERGED FROM ROLLUP_LOAD_STATE")


def parsed_history(emulator):
    """Every generated event parsed into the history by one ingestion cycle, then moved to HELD:
    the rows the batches put back."""
    now = utc_now()
    emulator.deliver(generate(seed=61, agents=AGENTS, start=now - timedelta(days=DAYS), end=now,
                              turns_per_agent_per_hour=1.0, feedback_rate=0.3, evaluation_runs_per_agent=2))
    emulator.set_agents([(a.database, a.schema, a.name) for a in AGENTS])
    run_task(emulator, "discover")
    run_task(emulator, "refresh")
    emulator.execute("CREATE TABLE HELD AS SELECT * FROM AGENT_EVENTS_HISTORY")
    emulator.execute("DELETE FROM AGENT_EVENTS_HISTORY")
    return emulator.query("SELECT EVENT_KEY, EVENT_TIMESTAMP, IS_EVALUATION_EVENT FROM HELD ORDER BY EVENT_TIMESTAMP")


def put_back(emulator, keys) -> None:
    """One insert statement of held rows, stamped as an ingestion insert stamps them."""
    emulator.execute("CREATE OR REPLACE TEMPORARY TABLE BATCH_KEYS (EVENT_KEY VARCHAR)")
    emulator.execute("INSERT INTO BATCH_KEYS VALUES " + ", ".join("(?)" for _ in keys), list(keys))
    columns = list(emulator.query("SELECT * FROM HELD LIMIT 1")[0])
    selected = ", ".join("SYSDATE()" if column == "LOADED_AT" else f"h.{column}" for column in columns)
    emulator.execute(f"INSERT INTO AGENT_EVENTS_HISTORY ({', '.join(columns)}) "
                     f"SELECT {selected} FROM HELD AS h INNER JOIN BATCH_KEYS AS k ON k.EVENT_KEY = h.EVENT_KEY")


def batches(rows, rng: random.Random) -> list[list[str]]:
    """The held rows in CYCLES load batches: in time order, except that about a tenth of the rows
    of older days (late rows) and every evaluation-marked row (late marks: the turns they mark
    were loaded, and merged as production, cycles before) come in later batches."""
    cut_points = sorted(rng.sample(range(1, len(rows)), CYCLES - 1))
    by_cycle = [[] for _ in range(CYCLES)]
    newest_day = max(row["EVENT_TIMESTAMP"] for row in rows).date()
    for index, row in enumerate(rows):
        cycle = sum(index >= point for point in cut_points)
        if row["IS_EVALUATION_EVENT"] or (row["EVENT_TIMESTAMP"].date() < newest_day and rng.random() < 0.1):
            cycle = rng.randrange(min(cycle + 1, CYCLES - 1), CYCLES)
        by_cycle[cycle].append(row["EVENT_KEY"])
    return [keys for keys in by_cycle if keys]


def test_merged_rollups_equal_a_full_recompute_after_a_random_sequence_of_batches(emu):
    rows = parsed_history(emu)
    assert sum(bool(row["IS_EVALUATION_EVENT"]) for row in rows) > 0, "precondition: evaluation marks"
    loads = batches(rows, random.Random(7))
    assert len(loads) >= 4

    first, *later = loads
    put_back(emu, first)
    assert rollup(emu).startswith("Rolled up")
    assert load_state(emu), "the first run (a full recompute) starts the load state"

    statements = emu.handler_statements()
    for number, keys in enumerate(later):
        put_back(emu, keys)
        if number == len(later) - 1:
            # As on a deployment whose rollups merged before ROLLUP_MERGED_TRACES existed: the run
            # fills it from the history first, or the late marks of this last batch (the most of
            # any) go unseen for the traces merged before.
            emu.execute("DELETE FROM ROLLUP_MERGED_TRACES")
        if number == 1:
            # A day rolled up with another definition is recomputed in full, in the same run as a merge.
            emu.execute("UPDATE ROLLUP_DAY_STATE SET ROLLUP_VERSION = '0' WHERE DAY = (SELECT MIN(DAY) FROM ROLLUP_DAY_STATE)")
        if number == 2:
            # A run failing inside its transaction changes nothing, load state included.
            before, state_before = snapshot(emu, ROLLUPS + ("ROLLUP_DAY_STATE",)), load_state(emu)
            failing = FailingSession(emu.session, statements["rollup_merge_insert_latency"])
            with pytest.raises(RuntimeError, match="simulated"):
                rollup(emu, failing)
            assert snapshot(emu, ROLLUPS + ("ROLLUP_DAY_STATE",)) == before
            assert load_state(emu) == state_before
        summary = rollup(emu)
        assert not summary.startswith("Rolled up 0 days"), summary
        # A re-run finds nothing new and changes nothing.
        merged = snapshot(emu)
        assert rollup(emu).startswith("Rolled up 0 days")
        assert snapshot(emu) == merged

    # Everything held is back: the merged rollups against a recompute of every day from scratch.
    assert emu.query("SELECT COUNT(*) AS N FROM AGENT_EVENTS_HISTORY")[0]["N"] == len(rows)
    merged = snapshot(emu)
    day_counts = "SELECT DAY, HISTORY_ROWS, ROLLUP_VERSION FROM ROLLUP_DAY_STATE ORDER BY DAY"
    merged_counts = emu.query(day_counts)
    for table in ROLLUPS + ("ROLLUP_DAY_STATE", "ROLLUP_LOAD_STATE"):
        emu.execute(f"DELETE FROM {table}")
    rollup(emu)
    recomputed = snapshot(emu)
    assert merged_counts == emu.query(day_counts), "each day's row count, kept by adding the merged rows"
    for table in ROLLUPS:
        assert recomputed[table], f"{table}: the recompute wrote nothing"
        assert merged[table] == recomputed[table], table


class OverlappedSession:
    """The procedure's session, with another rollup run committing its merge of the same rows just
    before this run's transaction begins (it moves the load state past them)."""

    def __init__(self, emulator, begin: str):
        self.emulator, self.begin = emulator, begin

    def sql(self, text, params=None):
        if text == self.begin:
            self.emulator.execute("UPDATE ROLLUP_LOAD_STATE SET LOADED_THROUGH = SYSDATE()")
        return self.emulator.session.sql(text, params)


def test_a_run_overlapped_by_another_that_merged_first_rolls_back(emu):
    rows = parsed_history(emu)
    keys = [row["EVENT_KEY"] for row in rows]
    put_back(emu, keys[: len(keys) // 2])
    rollup(emu)
    put_back(emu, keys[len(keys) // 2:])
    before = snapshot(emu, ROLLUPS + ("ROLLUP_DAY_STATE",))
    statements = emu.handler_statements()
    with pytest.raises(ingestion.ConcurrentRollupError):
        rollup(emu, OverlappedSession(emu, statements["rollup_begin"]))
    assert snapshot(emu, ROLLUPS + ("ROLLUP_DAY_STATE",)) == before, "nothing merged twice"
