"""The dashboard's settings come from the deployment (DASHBOARD_SETTINGS), never from defaults of
its own: a deployment whose view cannot be read stops every page with the fix, instead of
guessing windows that could disagree with the deployed views."""

from __future__ import annotations

import pytest

# apptest first: it puts test/sql and streamlit/ on sys.path.
from apptest import PAGES, catalog, empty_emulator, no_exception, no_injected_session_left, run_page  # noqa: F401 (fixtures)
from dashboard import queries, session


def test_settings_are_the_deployed_stacks(empty_emulator):
    config = empty_emulator.config
    conn = session.use_local(empty_emulator.session, empty_emulator.database, empty_emulator.schema)
    settings = queries.settings(conn)
    assert settings == queries.Settings(
        realtime_window_hours=int(config["realtimeWindowHours"]), history_days=int(config["historyDays"]),
        refresh_interval_minutes=int(config["refreshIntervalMinutes"]),
        refresh_task=f"{empty_emulator.database}.{empty_emulator.schema}.REFRESH_AGENT_EVENTS_TASK",
        store_conversation_text=config["storeConversationText"],
        dynamic_table_target_lag_minutes=int(config["dynamicTableTargetLagMinutes"]))
    assert settings.history_days == 7, "precondition: the dev stack keeps a week, not Pulumi.yaml's default"


@pytest.mark.parametrize("page", sorted(PAGES))
def test_a_deployment_without_its_settings_view_stops_with_the_fix(empty_emulator, page):
    empty_emulator.execute(f"DROP VIEW {empty_emulator.database}.{empty_emulator.schema}.DASHBOARD_SETTINGS")
    app = run_page(empty_emulator, page)
    no_exception(app)
    assert [e.value for e in app.error] and "DASHBOARD_SETTINGS" in app.error[0].value
    assert "pulumi up" in app.error[0].value
    assert not app.metric and not app.dataframe and not app.info
