"""The AI-observability access probes (sql/provider) run on the emulated event table and
event function: each is valid SQL that reads the object it names and returns no rows."""

from __future__ import annotations

PROBE_FILES = ("provider/probe_select.sql", "provider/probe_event_function.sql")


def _probes(catalog):
    return [s for s in catalog["providerStatements"] if s["file"] in PROBE_FILES]


def test_every_probe_reads_its_object_and_returns_no_rows(emulator, catalog):
    probes = _probes(catalog)
    assert {probe["file"] for probe in probes} == set(PROBE_FILES)
    for probe in probes:
        cursor = emulator.execute(probe["text"], files=[probe["file"]])
        assert cursor.fetchall() == [], probe["text"]


def test_event_table_probe_fails_when_the_table_is_not_there(emulator, catalog):
    emulator.execute("DROP TABLE SNOWFLAKE.LOCAL.AI_OBSERVABILITY_EVENTS")
    probe = next(s for s in _probes(catalog) if "AI_OBSERVABILITY_EVENTS LIMIT" in s["text"])
    try:
        emulator.execute(probe["text"])
    except Exception as error:  # the provider reads this failure as "not readable"
        assert "AI_OBSERVABILITY_EVENTS" in str(error).upper()
    else:
        raise AssertionError("the probe succeeded without the table")
