"""Stand-ins for the Snowpark session the tests hand to the procedures' handlers: one that fails
a chosen statement, and one that counts each statement's rows read with the benchmark's meter."""

from __future__ import annotations


class FailingSession:
    """The procedure's session, failing one statement: a run that breaks inside its transaction."""

    def __init__(self, session, fail_on: str):
        self.session, self.fail_on = session, fail_on

    def sql(self, text, params=None):
        if text == self.fail_on:
            raise RuntimeError("Warehouse ran out of memory (simulated)")
        return self.session.sql(text, params)


class MeteredSession:
    """The procedure's session, with each statement's rows read counted by the statement's name in
    the embedded catalog (bench/measure.py's meter, which counts a CREATE TEMPORARY TABLE .. AS's
    and a MERGE's source reads too)."""

    def __init__(self, session, meter, statements):
        self._session, self._meter = session, meter
        self._names = {text: name for name, text in statements.items()}
        self.reads: dict[str, int] = {}

    def sql(self, text, params=None):
        name = self._names.get(text, text[:60])
        with self._meter.measure() as work:
            rows = self._session.sql(text, params=params).collect()
        self.reads[name] = self.reads.get(name, 0) + work.rows_read
        return _Collected(rows)


class _Collected:
    def __init__(self, rows):
        self._rows = rows

    def collect(self):
        return self._rows
