"""Events into the emulated event table at the benchmark's volumes.

traffic.load binds each chunk of events as one JSON array that the connector inlines into the
statement text, and the emulator's SQL translator then tokenizes every character of it: about a
thousand events a second, most of a full benchmark run. This loader has the emulator translate
the same statement once (for an empty array), then runs that DuckDB statement with each array
bound as a parameter, so the rows stored are the ones traffic.load stores, through the same
translated SQL, without the per-character translation.
"""

from __future__ import annotations

import json

from traffic import to_json_record
from traffic.generator import _INSERT as LOAD_STATEMENT  # the statement traffic.load runs

EMPTY_ARRAY = "'[]'"
CHUNK_EVENTS = 20_000


class _Recorder:
    """Records the DuckDB statements a fakesnow cursor runs, running them."""

    def __init__(self, duck_conn):
        self.real, self.statements = duck_conn, []

    def execute(self, sql, *args, **kwargs):
        self.statements.append(sql)
        self.real.execute(sql, *args, **kwargs)
        return self

    def __getattr__(self, name):
        return getattr(self.real, name)


class BulkLoader:
    def __init__(self, fake_conn, table: str):
        duck_conn = fake_conn._duck_conn
        recorder = _Recorder(duck_conn)
        fake_conn._duck_conn = recorder
        try:
            fake_conn.cursor().execute(LOAD_STATEMENT.format(table=table), ("[]",))
        finally:
            fake_conn._duck_conn = duck_conn
        translated = [sql for sql in recorder.statements if sql.lstrip().upper().startswith("INSERT")]
        if len(translated) != 1 or translated[0].count(EMPTY_ARRAY) != 1:
            raise RuntimeError(f"the emulator's translation of the load statement changed: {translated!r}")
        self._duck_conn = duck_conn
        self._statement = translated[0].replace(EMPTY_ARRAY, "?")

    def load(self, events: list[dict]) -> int:
        for start in range(0, len(events), CHUNK_EVENTS):
            elements = ({column: value for column, value in to_json_record(event).items() if value is not None}
                        for event in events[start:start + CHUNK_EVENTS])
            array = "[" + ",".join(json.dumps(element, default=str, ensure_ascii=False, separators=(",", ":"))
                                   for element in elements) + "]"
            self._duck_conn.execute(self._statement, [array])
        return len(events)
