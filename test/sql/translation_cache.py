"""A cache of fakesnow's translation of Snowflake SQL into DuckDB SQL, for the tests.

fakesnow parses every statement with sqlglot and rewrites the tree with about sixty transforms
before DuckDB runs it; on the emulator that costs far more than running the statement (about
three quarters of an alert evaluation's time). The tests send the same statements over and
over (every ingestion cycle, rollup run and alert evaluation runs the same rendered SQL with new
bind values), so the translation of a statement is kept and reused.

Only what cannot depend on anything but the text and the session's current database and schema
is kept: queries, INSERT, UPDATE and DELETE statements and CREATE VIEW (every emulator creates
the same views). Not INSERT OVERWRITE or MERGE, which fakesnow splits into several statements;
not other DDL (CREATE TABLE AS reads the database to translate); not IDENTIFIER(...), whose
translation takes the bind values. The rest is translated every time, as
without the cache. Execution is untouched: each statement still runs on DuckDB with its binds,
and a statement fakesnow refuses still fails (a failed translation is never kept).

Two more pure steps are kept with a translation, as profiling the alert tests showed them to
cost more than the translation itself: writing a kept tree out as DuckDB's SQL (done again for
every run), and the parse of the `DESCRIBE <statement>` that fakesnow sends DuckDB each time a
cursor's `description` is read (twice per query in the emulator). The DESCRIBE itself still runs
on DuckDB every time, so result columns follow the tables as they are at that moment.

Installed by the emulator tests (test/sql/conftest.py), the dashboard tests' world and the demo.
The benchmark does not install it: its seconds include the translation on purpose, the
emulator's counterpart of Snowflake compiling every statement it is sent (README, Performance).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import sqlglot
import sqlglot.expressions as exp
from fakesnow import cursor as fakesnow_cursor
from sqlglot.dialects.dialect import Dialect

MAX_STATEMENTS = 4096  # distinct statements kept, least recently used dropped first
_KEY = "wallmonitor_statement"


def _cacheable(expression) -> bool:
    if isinstance(expression, exp.Insert):
        return not expression.args.get("overwrite")
    if isinstance(expression, exp.Create):
        return str(expression.args.get("kind") or "").upper() == "VIEW"
    return isinstance(expression, (exp.Query, exp.Update, exp.Delete))


class _Lru(OrderedDict):
    """Least recently used first; the demo's server answers the dashboard from several threads."""

    def __init__(self):
        super().__init__()
        self._lock = threading.Lock()

    def get_fresh(self, key):
        with self._lock:
            value = self.get(key)
            if value is not None:
                self.move_to_end(key)
            return value

    def keep(self, key, value) -> None:
        with self._lock:
            self[key] = value
            self.move_to_end(key)
            while len(self) > MAX_STATEMENTS:
                self.popitem(last=False)


_parsed = _Lru()
_translated = _Lru()
_described = _Lru()  # DuckDB text of an executed statement -> its parsed DESCRIBE
_generated = _Lru()  # id of a kept tree -> (the tree, the dialect's type and state, its SQL)
_installed = False


def _dialect_state(dialect) -> tuple:
    return type(dialect), dict(vars(dialect))


def _keep_generated(tree, dialect) -> None:
    """Remembers a kept tree's SQL; the entry holds the tree, so its id is not reused meanwhile."""
    _generated.keep(id(tree), (tree, _dialect_state(dialect), tree.sql(dialect=dialect)))


def install() -> None:
    """Makes every fakesnow cursor in this process reuse translations (idempotent)."""
    global _installed
    if _installed:
        return
    parse = fakesnow_cursor.parse_one
    transform = fakesnow_cursor.FakeSnowflakeCursor._transform
    generate = Dialect.generate
    duckdb = Dialect.get_or_raise("duckdb")

    def parse_once(command: str):
        if "IDENTIFIER" in command.upper():
            return parse(command)
        tree = _parsed.get_fresh(command)
        if tree is None:
            tree = parse(command)
            if not _cacheable(tree):
                return tree
            tree.meta[_KEY] = command
            _parsed.keep(command, tree)
        # The kept tree is never handed to the transforms, which rewrite it in place; the
        # cursor only checks it and passes it through _transform_explode unchanged.
        return tree

    def transform_once(self, expression, params):
        command = expression.meta.get(_KEY)
        if command is None:
            return transform(self, expression, params)
        key = (command, self._conn.database, self._conn.schema)
        translated = _translated.get_fresh(key)
        if translated is None:
            translated = transform(self, expression.copy(), params)
            _keep_generated(translated, duckdb)
            _translated.keep(key, translated)
        return translated

    def generate_once(self, expression, copy=True, **opts):
        # Only kept trees are found here, and nothing changes a kept tree after it is kept.
        entry = _generated.get_fresh(id(expression))
        if entry is not None and not opts and entry[0] is expression and entry[1] == _dialect_state(self):
            return entry[2]
        return generate(self, expression, copy=copy, **opts)

    def describe_last_sql(self):
        # fakesnow's _describe_last_sql with the parse kept: DESCRIBE runs on DuckDB as before.
        tree = _described.get_fresh(self._last_sql)
        if tree is None:
            tree = sqlglot.parse_one(f"DESCRIBE {self._last_sql}", read="duckdb")
            _keep_generated(tree, duckdb)
            _described.keep(self._last_sql, tree)
        with self._conn.cursor() as cur:
            cur._execute(tree, self._last_params)
            return cur.fetchall()

    fakesnow_cursor.parse_one = parse_once
    fakesnow_cursor.FakeSnowflakeCursor._transform = transform_once
    Dialect.generate = generate_once
    fakesnow_cursor.FakeSnowflakeCursor._describe_last_sql = describe_last_sql
    _installed = True
