"""The benchmark's measuring functions (bench/measure.py) on tiny known queries."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb
import fakesnow
import pytest
import snowflake.connector

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.measure import (  # noqa: E402
    PROFILING,
    measured_emulator_class,
    profile_work,
    rollup_tables,
    state_bytes,
)


@pytest.fixture
def duck():
    conn = duckdb.connect()
    conn.execute("CREATE TABLE T AS SELECT range AS I, range % 7 AS G FROM range(1000)")
    conn.execute("CREATE TABLE U (I INTEGER PRIMARY KEY, G INTEGER)")
    for setting in PROFILING:
        conn.execute(setting)
    yield conn
    conn.close()


def work_of(conn, sql: str) -> tuple[int, int]:
    conn.execute(sql).fetchall()
    return profile_work(json.loads(conn.get_profiling_information()))


def test_rows_read_are_the_rows_a_filtered_scan_produces(duck):
    assert work_of(duck, "SELECT G, COUNT(*) FROM T WHERE I < 300 GROUP BY G") == (300, 0)
    # Both sides of a join are read; the join's output is not a read.
    assert work_of(duck, "SELECT COUNT(*) FROM T AS A JOIN T AS B ON A.I = B.I WHERE A.I < 10") == (20, 0)


def test_table_functions_and_values_are_not_reads(duck):
    assert work_of(duck, "SELECT COUNT(*) FROM range(500)") == (0, 0)
    assert work_of(duck, "SELECT COUNT(*) FROM (VALUES (1), (2)) AS V(A)") == (0, 0)
    assert work_of(duck, "SELECT UNNEST([1, 2, 3])") == (0, 0)


def test_rows_written_are_the_rows_each_write_receives(duck):
    assert work_of(duck, "INSERT INTO U SELECT I, G FROM T WHERE I < 300") == (300, 300)
    # ON CONFLICT: only the rows inserted are written; the existing rows are read to find them.
    read, written = work_of(duck, "INSERT INTO U SELECT I, G FROM T WHERE I < 400 ON CONFLICT DO NOTHING")
    assert (read, written) == (400 + 300, 100)
    assert work_of(duck, "UPDATE U SET G = 0 WHERE I < 50")[1] == 50
    assert work_of(duck, "DELETE FROM U WHERE I >= 350")[1] == 50
    assert work_of(duck, "CREATE TABLE V AS SELECT * FROM T WHERE G = 1") == (143, 143)


def test_the_emulators_own_catalog_is_not_counted(duck):
    duck.execute("CREATE SCHEMA _fs_information_schema")
    duck.execute("CREATE TABLE _fs_information_schema._fs_load_history (N INTEGER)")
    assert work_of(duck, "INSERT INTO _fs_information_schema._fs_load_history SELECT I FROM range(5) AS R(I)") == (0, 0)
    assert work_of(duck, "SELECT * FROM _fs_information_schema._fs_load_history") == (0, 0)


class TinyEmulator:
    """The part of test/sql/emulator.py's Emulator the meter relies on: execute, and query_rows
    that answers SHOW AGENTS itself and calls execute otherwise."""

    def __init__(self):
        self.conn = snowflake.connector.connect(database="BENCH", schema="MEASURE", paramstyle="qmark")
        cur = self.conn.cursor()
        for statement in ("CREATE DATABASE IF NOT EXISTS BENCH", "CREATE SCHEMA IF NOT EXISTS BENCH.MEASURE",
                          "USE SCHEMA BENCH.MEASURE", "CREATE TABLE EVENTS (N INTEGER, AGENT_NAME VARCHAR)",
                          "INSERT INTO EVENTS SELECT SEQ4(), 'A' FROM TABLE(GENERATOR(ROWCOUNT => 200))"):
            cur.execute(statement)

    def execute(self, text, params=None):
        cur = self.conn.cursor()
        cur.execute(text, params)
        return cur

    def query_rows(self, text, params=None):
        if text.strip().upper() == "SHOW AGENTS IN ACCOUNT":
            return []
        return self.execute(text, params).fetchall()


def test_meter_counts_statements_and_rows_of_a_section_only():
    with fakesnow.patch():
        emu = measured_emulator_class(TinyEmulator)()
        emu.query_rows("SELECT COUNT(*) FROM EVENTS")  # before the section: not counted
        with emu.meter.measure() as work:
            assert emu.query_rows("SELECT N FROM EVENTS WHERE N < ?", [20])[-1] == (19,)
            emu.query_rows("SHOW AGENTS IN ACCOUNT")
            emu.execute("CREATE TABLE COPY AS SELECT * FROM EVENTS WHERE N >= 150")
            emu.execute("DELETE FROM COPY WHERE N >= 190")
        emu.query_rows("SELECT * FROM EVENTS")  # after it: not counted either
        assert (work.statements, work.rows_read, work.rows_written) == (4, 20 + 50 + 10, 50 + 10)
        assert work.seconds > 0
        with pytest.raises(RuntimeError):
            with emu.meter.measure():
                with emu.meter.measure():
                    pass
        # A query that fails fails as it would unmeasured, not in the profiling.
        with emu.meter.measure(), pytest.raises(snowflake.connector.errors.ProgrammingError, match="NO_SUCH_TABLE"):
            emu.query_rows("SELECT * FROM NO_SUCH_TABLE")
        emu.conn.close()


def test_a_commented_query_and_a_merge_source_are_counted():
    """Rendered statements start with comments; fakesnow follows a temporary table's creation (its
    own for a MERGE's source, or the rollup's scratch tables) with a query of its own that would
    replace the profile: all these reads are counted."""
    with fakesnow.patch():
        emu = measured_emulator_class(TinyEmulator)()
        emu.execute("CREATE TABLE TARGET (N INTEGER, SEEN BOOLEAN)")
        with emu.meter.measure() as commented:
            emu.query_rows("-- the first 20 rows\n/* and a block comment */\nSELECT N FROM EVENTS WHERE N < 20")
        with emu.meter.measure() as staged:
            emu.execute("CREATE TEMPORARY TABLE STAGED AS SELECT N FROM EVENTS WHERE N < 40")
        with emu.meter.measure() as merged:
            emu.execute("MERGE INTO TARGET AS t USING (SELECT N FROM EVENTS WHERE N < 30) AS s ON t.N = s.N "
                        "WHEN NOT MATCHED THEN INSERT (N, SEEN) VALUES (s.N, TRUE)")
        assert commented.rows_read == 20
        assert (staged.rows_read, staged.rows_written) == (40, 40)
        assert merged.rows_read >= 30 and merged.rows_written >= 30
        emu.conn.close()


def test_rollup_tables_are_those_the_rollup_steps_delete_from():
    catalog = {
        "registry": {"models": [
            {"name": "DAILY_A", "kind": "table", "reads": []},
            {"name": "DAILY_B", "kind": "table", "reads": []},
            {"name": "HISTORY", "kind": "table", "reads": []},
            {"name": "delete_a", "kind": "statement", "reads": ["DAILY_A"]},
            {"name": "insert_a", "kind": "statement", "reads": ["DAILY_A", "HISTORY"]},
            {"name": "delete_b", "kind": "statement", "reads": ["DAILY_B"]},
            {"name": "insert_b", "kind": "statement", "reads": ["DAILY_B", "HISTORY"]},
        ]},
        "ingestionEmbedding": {"names": {"rollupSteps": [
            {"delete": "delete_a", "insert": "insert_a"}, {"delete": "delete_b", "insert": "insert_b"}]}},
    }
    assert rollup_tables(catalog) == ["DAILY_A", "DAILY_B"]


def test_state_bytes_count_every_value_and_divide_by_agent_days():
    conn = duckdb.connect()
    conn.execute("ATTACH ':memory:' AS DB")
    conn.execute("CREATE SCHEMA DB.S")
    conn.execute('CREATE TABLE DB.S.R1 ("DAY" DATE, AGENT_DATABASE VARCHAR, AGENT_SCHEMA VARCHAR, AGENT_NAME VARCHAR, '
                 'N BIGINT, SKETCH BLOB, IDS JSON)')
    conn.execute("INSERT INTO DB.S.R1 VALUES ('2026-01-01', 'D', 'S', 'A', 123, '\\x00\\x01\\x02'::BLOB, '[1,2]'), "
                 "('2026-01-02', 'D', 'S', 'A', NULL, NULL, NULL)")
    conn.execute('CREATE TABLE DB.S.R2 ("DAY" DATE, AGENT_DATABASE VARCHAR, AGENT_SCHEMA VARCHAR, AGENT_NAME VARCHAR, '
                 'USER_NAME VARCHAR)')
    conn.execute("INSERT INTO DB.S.R2 VALUES ('2026-01-01', 'D', 'S', 'A', 'ann'), ('2026-01-01', 'D', 'S', 'B', 'bo')")
    size, agent_days, per_table = state_bytes(conn, "DB", "S", ["R1", "R2"])
    # R1: a day is 10 characters, the three names 1 each, 123 is 3, the blob 3 bytes, the array 5.
    assert per_table == {"R1": (10 + 3 + 3 + 3 + 5) + (10 + 3), "R2": (10 + 3 + 3) + (10 + 3 + 2)}
    assert (size, agent_days) == (sum(per_table.values()), 3)
    conn.execute("CREATE TABLE DB.S.NO_GRAIN (N INTEGER)")
    with pytest.raises(ValueError, match="NO_GRAIN lacks"):
        state_bytes(conn, "DB", "S", ["NO_GRAIN"])
