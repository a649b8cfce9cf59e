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

Installed by the emulator tests (test/sql/conftest.py), the dashboard tests' world and the demo.
The benchmark does not install it: its seconds include the translation on purpose, the
emulator's counterpart of Snowflake compiling every statement it is sent (README, Performance).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import sqlglot.expressions as exp
from fakesnow import cursor as fakesnow_cursor

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
_installed = False


def install() -> None:
    """Makes every fakesnow cursor in this process reuse translations (idempotent)."""
    global _installed
    if _installed:
        return
    parse = fakesnow_cursor.parse_one
    transform = fakesnow_cursor.FakeSnowflakeCursor._transform

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
            _translated.keep(key, translated)
        return translated

    fakesnow_cursor.parse_one = parse_once
    fakesnow_cursor.FakeSnowflakeCursor._transform = transform_once
    _installed = True
