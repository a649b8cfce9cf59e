"""Upgrading a deployment loses no event at its first cycle.

The release before LAST_READ_STARTED_AT read each agent from its watermark less the overlap and
recorded in LAST_REFRESH_AT when its read ENDED (as the reference does). `pulumi up` appends
LAST_READ_STARTED_AT to AGENT_INGEST_STATE, empty on the rows the table already holds. An event
that reached the event table during that release's last read, after its snapshot, with a
TIMESTAMP earlier than (end - overlap), must still be loaded by the first cycle after the
upgrade: such a row is read from its watermark less the overlap once
(sql/ingestion/last_ok_read_started.sql). A row the new code wrote is read from its read's start
less the overlap, so the read stays one refresh interval plus the overlap.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from emulator import utc_now
from test_ingest_paths import cycle, discover
from test_ingestion import SALES, span, state


def previous_release_world(emulator, path: str):
    """SALES, quiet for two hours, read by the release before: its last read started at
    `started`, ran longer than the overlap and ended at `ended`; `during` happened while it ran
    and reached the event table after its snapshot, stamped before `ended` less the overlap."""
    overlap = timedelta(minutes=emulator.config["ingestOverlapMinutes"])
    ended = utc_now() - timedelta(minutes=2)
    started = ended - overlap - timedelta(minutes=20)
    last_seen = span(SALES, "AgentV2RequestResponseInfo", started - timedelta(hours=2), trace_id="1" * 32, parent=None)
    emulator.deliver([last_seen])
    discover(emulator, [SALES])
    cycle(emulator, path)
    assert state(emulator, SALES)["LAST_EVENT_TIMESTAMP"] == last_seen["TIMESTAMP"], "precondition: the watermark"
    during = span(SALES, "ResponseGeneration", started + timedelta(minutes=10), trace_id="2" * 32)
    assert started < during["TIMESTAMP"] < ended - overlap
    emulator.deliver([during])
    return overlap, started, ended, last_seen


def read_point(emulator) -> object:
    [point] = emulator.run("read_points_all", {"lookback_hours": emulator.config["initialLookbackHours"],
                                               "history_days": emulator.config["historyDays"]})
    return point["READ_FROM"]


def traces(emulator) -> set[str]:
    return {row["TRACE_ID"] for row in emulator.query("SELECT TRACE_ID FROM AGENT_EVENTS_HISTORY")}


@pytest.mark.parametrize("path", ["per_agent", "event_table"])
def test_the_first_cycle_after_the_upgrade_loads_what_arrived_during_the_last_old_read(emulator, path):
    overlap, started, ended, last_seen = previous_release_world(emulator, path)
    # The table and row as the release before left them (its read's end, no read start column),
    # then `pulumi up`: the provider appends the column (sql/tables/models.yml).
    emulator.execute("ALTER TABLE AGENT_INGEST_STATE DROP COLUMN LAST_READ_STARTED_AT")
    emulator.execute("UPDATE AGENT_INGEST_STATE SET LAST_REFRESH_AT = ?", [ended])
    emulator.execute('ALTER TABLE AGENT_INGEST_STATE ADD COLUMN "LAST_READ_STARTED_AT" TIMESTAMP_NTZ(9)')
    assert state(emulator, SALES)["LAST_READ_STARTED_AT"] is None

    summary = cycle(emulator, path)

    assert traces(emulator) == {"1" * 32, "2" * 32}, "the event that arrived during the old read is loaded"
    assert "loaded 1 events" in summary
    upgraded = state(emulator, SALES)
    assert upgraded["LAST_READ_FROM"] == last_seen["TIMESTAMP"] - overlap
    assert upgraded["LAST_READ_STARTED_AT"] is not None, "the upgraded row records its read's start"
    assert read_point(emulator) == upgraded["LAST_READ_STARTED_AT"] - overlap, "one wide read only"


def test_a_row_the_new_release_wrote_is_read_from_its_read_start(emulator):
    """The same world with LAST_READ_STARTED_AT filled as the new code writes it: the read starts
    at that read's start less the overlap, not at the quiet agent's watermark two hours back, and
    still loads what arrived during the last read."""
    overlap, started, ended, last_seen = previous_release_world(emulator, "event_table")
    emulator.execute("UPDATE AGENT_INGEST_STATE SET LAST_REFRESH_AT = ?, LAST_READ_STARTED_AT = ?", [ended, started])
    older = span(SALES, "ResponseGeneration", started - overlap - timedelta(minutes=1), trace_id="3" * 32)
    assert older["TIMESTAMP"] > last_seen["TIMESTAMP"] - overlap, "precondition: the old basis would read it"
    emulator.deliver([older])
    assert read_point(emulator) == started - overlap

    summary = cycle(emulator, "event_table")

    assert traces(emulator) == {"1" * 32, "2" * 32}
    assert "loaded 1 events" in summary
    assert state(emulator, SALES)["LAST_READ_FROM"] == started - overlap
