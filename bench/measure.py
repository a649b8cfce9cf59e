"""Work on the emulator counted the way Snowflake bills it: rows read, rows written, statements,
and the bytes of rollup state per agent-day, besides seconds.

Snowflake bills warehouse time, which follows the data a statement scans, and a fixed cost per
statement (compilation in the cloud services layer, queueing); serverless tasks bill the same work
(https://docs.snowflake.com/en/user-guide/cost-understanding-compute). The emulator's seconds are
dominated by its fixed cost per statement, so the benchmark also counts the work itself, from
DuckDB's profiler (https://duckdb.org/docs/stable/dev/profiling), on the DuckDB connection fakesnow
wraps:

* rows read: for every DuckDB query, the rows produced by its scans of stored tables (TABLE_SCAN
  operators that name a table), after the filters DuckDB pushes into the scan: the counterpart
  of the output rows of Snowflake's TableScan operators in a query profile
  (https://docs.snowflake.com/en/sql-reference/functions/get_query_operator_stats), and what a
  scan reads from a table pruned exactly to its filter, which pruning on well-clustered
  micro-partitions approaches (Snowflake bills the partitions, not the rows). Table functions
  (range, unnest), VALUES lists, CTE re-reads and intermediate results are not reads of stored
  data and are not counted. DuckDB's own rows_scanned counts whole row groups of 122,880 rows,
  far coarser than the tables here.
* rows written: the rows fed into each INSERT, UPDATE, DELETE and CREATE TABLE AS operator
  (the input cardinality of the operator; inside an INSERT .. ON CONFLICT or a MERGE, the rows of
  each action): Snowflake's ROWS_INSERTED + ROWS_UPDATED + ROWS_DELETED of QUERY_HISTORY
  (https://docs.snowflake.com/en/sql-reference/account-usage/query_history), CTAS rows included.
* statements: every statement the code sends (each `session.sql(...)` of a handler, each query of
  the dashboard, each statement of the baseline), SHOW AGENTS included.
* fakesnow's own catalog tables (its information schema and load history, schemas
  _fs_global and _fs_information_schema; Snowflake keeps these in its metadata layer, not in
  scanned tables): scans of them are not counted, nor writes into them.
* seconds: wall time of the section less the meter's own time (reading and parsing profiles,
  the EXPLAIN ANALYZE runs below). DuckDB's profiler stays on throughout, for Wallmonitor and
  the baseline alike; it costs about 10% on a large aggregation and tens of microseconds on a
  small statement.
"""

from __future__ import annotations

import json
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass, fields

import duckdb

SCAN_OPERATOR = "TABLE_SCAN"
WRITE_OPERATORS = frozenset({"INSERT", "BATCH_INSERT", "UPDATE", "DELETE_OPERATOR", "CREATE_TABLE_AS",
                             "BATCH_CREATE_TABLE_AS"})
# fakesnow's own catalog: its information schema and load history (_fs_global,
# <database>._fs_information_schema); its _fs_* macros are SQL functions, not tables.
EMULATOR_SCHEMA = re.compile(r"\b_fs_(?:global|information_schema)\b", re.IGNORECASE)
EMULATOR_WRITE = re.compile(r"^\s*(?:INSERT\s+INTO|DELETE\s+FROM|UPDATE)\s+[\w.\"]*\b_fs_(?:global|information_schema)\b",
                            re.IGNORECASE)
# profiling_coverage ALL: DuckDB profiles only SELECTs unless told otherwise.
PROFILING = ("PRAGMA enable_profiling='no_output'", "SET profiling_coverage='ALL'")
# A query returning rows, after any comments (rendered statements start with theirs).
ROW_QUERY = re.compile(r"^\(*\s*(?:/\*.*?\*/\s*|--[^\n]*\n\s*)*(?:SELECT|WITH|FROM)\b", re.IGNORECASE | re.DOTALL)
AGENT_DAY = ("DAY", "AGENT_DATABASE", "AGENT_SCHEMA", "AGENT_NAME")


@dataclass
class Work:
    seconds: float = 0.0
    rows_read: int = 0
    rows_written: int = 0
    statements: int = 0

    def __add__(self, other: "Work") -> "Work":
        return Work(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))


def profile_work(profile: dict) -> tuple[int, int]:
    """(rows read, rows written) of one DuckDB query profile (its JSON, parsed)."""
    read = written = 0
    bookkeeping = bool(EMULATOR_WRITE.match(profile.get("query", {}).get("sql", "")))
    pending = list(profile.get("operator", []))
    while pending:
        operator = pending.pop()
        children = operator.get("children", [])
        table = operator.get("extra_info", {}).get("Table")
        if operator["type"] == SCAN_OPERATOR and table and not EMULATOR_SCHEMA.search(table):
            read += operator["intermediate_rows"]
        if operator["type"] in WRITE_OPERATORS and not bookkeeping:
            written += sum(child["intermediate_rows"] for child in children)
        pending.extend(children)
    return read, written


class ProfiledConnection:
    """Stands in for the DuckDB connection a fakesnow connection wraps; every query runs on the
    real one. DuckDB completes a query's profile only once its result is consumed, and fakesnow
    consumes a SELECT's rows with to_arrow_table, which reads them back through a statement of its
    own that replaces the profile. So inside a measured section a query that returns rows is first
    run under EXPLAIN ANALYZE (whose time is left out of the section's seconds), and its profile
    taken from there; writes and DDL complete on execute, and their profile is read when the next
    query starts or the meter is read."""

    def __init__(self, duck_conn, meter: "Meter"):
        self._real = duck_conn
        self._meter = meter
        self.unread = False
        for setting in PROFILING:
            duck_conn.execute(setting)

    def execute(self, sql, parameters=None, *args, **kwargs):
        self._meter.collect()
        started = time.perf_counter()
        query = returned_rows_query(sql) if self._meter.measuring else None
        plan = None
        if query is not None:
            try:
                plan = self._real.execute(f"EXPLAIN (ANALYZE, FORMAT json) {query}", parameters).fetchall()
            except duckdb.Error:
                pass  # the query itself fails the same way, just below
        self._meter.add(json.loads(plan[0][1]) if plan else None, time.perf_counter() - started)
        self._real.execute(sql, parameters, *args, **kwargs)
        if query is not None and plan is None:
            raise RuntimeError(f"EXPLAIN ANALYZE failed where the query did not: {query[:200]}")
        self.unread = query is None
        return self

    def read_profile(self) -> dict | None:
        if not self.unread:
            return None
        self.unread = False
        text = self._real.get_profiling_information()
        return json.loads(text) if text else None

    def __getattr__(self, name):
        return getattr(self._real, name)


def returned_rows_query(sql: str) -> str | None:
    """The query whose rows `sql` returns, if it is one (its last statement a SELECT, WITH or
    FROM query), else None."""
    try:
        last = duckdb.extract_statements(sql)[-1]
    except (duckdb.Error, IndexError):
        return None
    text = last.query.strip()
    if last.type == duckdb.StatementType.SELECT and ROW_QUERY.match(text):
        return text
    return None


class Meter:
    """Counts the work of one fakesnow connection inside `measure()` sections."""

    def __init__(self, fake_conn):
        self._section: Work | None = None
        self._overhead = 0.0
        self._conn = ProfiledConnection(fake_conn._duck_conn, self)
        fake_conn._duck_conn = self._conn  # each new fakesnow cursor takes its connection's
        # fakesnow runs a MERGE as a CREATE TEMPORARY TABLE of its source, then a bookkeeping
        # query on the connection its table stages were opened with, which would replace that
        # profile unread: on the meter's connection the profile is collected first, so a MERGE's
        # source reads are counted.
        stages = getattr(fake_conn, "table_stages", None)
        if stages is not None and hasattr(stages, "_duck_conn"):
            stages._duck_conn = self._conn

    @property
    def measuring(self) -> bool:
        return self._section is not None

    def collect(self) -> None:
        """Adds the last query's profile to the open section (or drops it, outside sections)."""
        started = time.perf_counter()
        profile = self._conn.read_profile()
        self.add(profile, time.perf_counter() - started)

    def add(self, profile: dict | None, overhead: float) -> None:
        if profile is not None and self._section is not None:
            read, written = profile_work(profile)
            self._section.rows_read += read
            self._section.rows_written += written
        self._overhead += overhead

    def raw(self):
        """The DuckDB connection itself, for queries that are no part of any measured work."""
        self.collect()
        return self._conn._real

    def statement(self) -> None:
        if self._section is not None:
            self._section.statements += 1

    @contextmanager
    def measure(self):
        """with meter.measure() as work: ... - work holds the section's figures on exit."""
        if self._section is not None:
            raise RuntimeError("measure() sections do not nest")
        self.collect()  # the query before the section is none of its work
        work = Work()
        self._section, self._overhead = work, 0.0
        started = time.perf_counter()
        try:
            yield work
        finally:
            self.collect()
            work.seconds = max(time.perf_counter() - started - self._overhead, 0.0)
            self._section = None


def measured_emulator_class(emulator_class):
    """The emulator with a meter: every statement it runs is counted once (a query_rows that
    calls execute is one statement), and its DuckDB queries are profiled."""

    class MeasuredEmulator(emulator_class):
        def __init__(self, *args, **kwargs):
            self.meter: Meter | None = None  # the set-up's statements are no measured work
            self._depth = 0
            super().__init__(*args, **kwargs)
            self.meter = Meter(self.conn)

        @contextmanager
        def _one_statement(self):
            if self._depth == 0 and self.meter is not None:
                self.meter.statement()
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1

        def execute(self, *args, **kwargs):
            with self._one_statement():
                return super().execute(*args, **kwargs)

        def query_rows(self, *args, **kwargs):
            with self._one_statement():
                return super().query_rows(*args, **kwargs)

    return MeasuredEmulator


# --- rollup state -------------------------------------------------------------------------------
def rollup_tables(catalog: dict) -> list[str]:
    """The daily rollup tables, from the registry: the tables the rollup procedure's steps
    (names.rollupSteps) delete recomputed days from."""
    models = {model["name"]: model for model in catalog["registry"]["models"]}
    tables: list[str] = []
    for step in catalog["ingestionEmbedding"]["names"]["rollupSteps"]:
        for name in models[step["delete"]]["reads"]:
            if models[name]["kind"] == "table" and name not in tables:
                tables.append(name)
    return tables


def state_bytes(duck_conn, database: str, schema: str, tables: list[str]) -> tuple[int, int, dict]:
    """(bytes, agent-days, bytes per table) of the rows of `tables`: every column of every row,
    each value counted as the bytes of its text (numbers, dates, timestamps, ARRAY and OBJECT
    values as their JSON) or, for a binary value, its raw bytes; NULL as 0. Agent-days: distinct
    (DAY, AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME) over all the tables, the rollups' grain.
    Runs on the raw DuckDB connection, outside any measured section."""
    per_table = {}
    for table in tables:
        columns = duck_conn.execute(
            "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = ? AND schema_name = ? "
            "AND table_name = ? ORDER BY column_index", [database, schema, table]).fetchall()
        if not columns:
            raise ValueError(f"state_bytes: no table {database}.{schema}.{table}")
        missing = set(AGENT_DAY) - {name.upper() for name, _ in columns}
        if missing:
            raise ValueError(f"state_bytes: {table} lacks {sorted(missing)}; a daily rollup has one row per agent and day")
        terms = [f'COALESCE(octet_length("{name}"), 0)' if data_type == "BLOB"
                 else f'COALESCE(strlen(CAST("{name}" AS VARCHAR)), 0)' for name, data_type in columns]
        per_table[table] = duck_conn.execute(
            f'SELECT COALESCE(SUM({" + ".join(terms)}), 0) FROM "{database}"."{schema}"."{table}"').fetchone()[0]
    keys = ", ".join(f'"{column}"' for column in AGENT_DAY)
    union = " UNION ".join(f'SELECT {keys} FROM "{database}"."{schema}"."{table}"' for table in tables)
    agent_days = duck_conn.execute(f"SELECT COUNT(*) FROM ({union})").fetchone()[0]
    return int(sum(per_table.values())), int(agent_days), per_table
