"""Pipeline health shows the newest ingestion cycle's event shapes: an attribute that vanished
mid-run (traffic attributes_dropped_from) is called out by name, with its coverage at 0 %."""

from __future__ import annotations

from datetime import timedelta

# apptest first: it puts test/sql and streamlit/ on sys.path.
from apptest import catalog, empty_emulator, no_exception, no_injected_session_left, run_page  # noqa: F401 (fixtures)
from emulator import utc_now
from traffic import AgentRef, generate
from world import ingest

SALES = AgentRef("SALES_DB", "AGENTS", "SALES_ASSISTANT")
TOKENS_IN = "snow.ai.observability.agent.planning.token_count.input"


def test_pipeline_health_names_the_attribute_that_vanished(empty_emulator):
    now = utc_now().replace(microsecond=0)
    dropped_at = now - timedelta(hours=1)
    events = generate(seed=23, agents=[SALES], start=now - timedelta(hours=3), end=now - timedelta(minutes=5),
                      turns_per_agent_per_hour=12, attributes_dropped_from={TOKENS_IN: dropped_at})
    ingest(empty_emulator, [SALES], [e for e in events if e["TIMESTAMP"] < dropped_at],
           [e for e in events if e["TIMESTAMP"] >= dropped_at])

    app = run_page(empty_emulator, "Pipeline health")
    no_exception(app)
    assert [e.value for e in app.error] == [
        f"**{SALES.database}.{SALES.schema}.{SALES.name}**: none of {_planning(app)} planning spans carries PROMPT_TOKENS: "
        "Snowflake may have renamed the attribute it is read from."]
    coverage = app.dataframe[1].value
    shares = {(row.SPAN_KIND, row.NAME): row.SHARE for row in coverage.itertuples()}
    assert shares[("PLANNING", "PROMPT_TOKENS")] == 0
    assert shares[("PLANNING", "COMPLETION_TOKENS")] == 1 and shares[("ROOT", "THREAD_ID")] == 1


def _planning(app) -> int:
    coverage = app.dataframe[1].value
    return int(coverage[(coverage["SPAN_KIND"] == "PLANNING") & (coverage["NAME"] == "PROMPT_TOKENS")]["SPANS"].iloc[0])
