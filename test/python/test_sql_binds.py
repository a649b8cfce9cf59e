"""procedures/sql_binds.py: values passed by bind name reach the statement's ?s in its declared order."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "procedures"))

from sql_binds import BindError, Statements, run  # noqa: E402

TEXTS = {
    "insert_agent_events": "INSERT ... GET_AI_OBSERVABILITY_EVENTS(?, ?, ?) ... WHERE t >= ? AND h.t >= ?",
    "apply_retention": "DELETE ... DATEADD('day', -?, SYSDATE())",
    "cycle_started": "SELECT SYSDATE()",
}
BINDS = {
    "insert_agent_events": ["agent_database", "agent_schema", "agent_name", "read_from", "read_from"],
    "apply_retention": ["history_days"],
    "cycle_started": [],
}


class RecordingSession:
    def __init__(self):
        self.calls = []

    def sql(self, text, params=None):
        self.calls.append((text, params))
        return self

    def collect(self):
        return ["row"]


@pytest.fixture()
def statements():
    return Statements(TEXTS, BINDS, {"rollupSteps": []})


def test_values_are_ordered_by_the_declared_names_and_a_repeated_name_is_passed_each_time(statements):
    values = {"read_from": "2026-01-01", "agent_name": "BOT", "agent_schema": "AGENTS", "agent_database": "DB"}
    assert statements.params("insert_agent_events", values) == ["DB", "AGENTS", "BOT", "2026-01-01", "2026-01-01"]


def test_run_sends_the_text_with_the_ordered_values(statements):
    session = RecordingSession()
    assert run(session, statements, "apply_retention", {"history_days": 30}) == ["row"]
    assert run(session, statements, "cycle_started") == ["row"]
    assert session.calls == [(TEXTS["apply_retention"], [30]), (TEXTS["cycle_started"], [])]


def test_a_missing_value_is_refused_naming_the_statement_and_the_bind(statements):
    session = RecordingSession()
    with pytest.raises(BindError, match=r"statement insert_agent_events: no value for agent_schema, read_from \(it binds "
                                        r"agent_database, agent_schema, agent_name, read_from\)"):
        run(session, statements, "insert_agent_events", {"agent_database": "DB", "agent_name": "BOT"})
    assert session.calls == [], "nothing runs with a value missing"


def test_an_extra_value_is_refused_naming_the_statement_and_the_key(statements):
    with pytest.raises(BindError, match=r"statement apply_retention: lookback_hours not among its binds"):
        statements.params("apply_retention", {"history_days": 30, "lookback_hours": 24})
    with pytest.raises(BindError, match=r"statement cycle_started: history_days not among its binds \(it binds nothing\)"):
        statements.params("cycle_started", {"history_days": 30})


def test_missing_and_extra_are_reported_together(statements):
    with pytest.raises(BindError, match=r"no value for history_days; days not among its binds"):
        statements.params("apply_retention", {"days": 30})


def test_a_statement_that_is_not_embedded_is_refused_with_the_names_there_are(statements):
    with pytest.raises(KeyError, match=r"no statement 'apply_retentoin' is embedded; lib/sql renders apply_retention, "
                                       r"cycle_started, insert_agent_events"):
        run(RecordingSession(), statements, "apply_retentoin", {"history_days": 30})


def test_a_statement_embedded_without_its_bind_names_is_refused():
    with pytest.raises(BindError, match=r"statement apply_retention: no bind names are embedded for it"):
        Statements(TEXTS, {}).params("apply_retention", {"history_days": 30})


def test_it_reads_as_the_mapping_of_texts_the_handlers_and_tests_index():
    texts, binds, names = {}, {}, {}
    statements = Statements(texts, binds, names)
    # Deployed, the module-level maps are filled after the handler module built its Statements.
    texts.update(TEXTS)
    binds.update(BINDS)
    names.update({"rollupSteps": [{"delete": "a", "insert": "b", "expire": "c"}]})
    assert dict(statements) == TEXTS and len(statements) == 3
    assert statements.binds("insert_agent_events") == tuple(BINDS["insert_agent_events"])
    assert statements.names["rollupSteps"][0]["insert"] == "b"
