"""The emulator writes arriving events straight into DuckDB (emulator.write_arriving_events);
the rows must be exactly those the traffic loader stores through SQL (traffic.load), which is
how events reach a real event table in the traffic CLI. Every SQL test reads events written the
fast way, so this equality is what lets them stand for the SQL path."""

from __future__ import annotations

from datetime import timedelta

from emulator import EVENT_TABLE, utc_now
from traffic import EVENT_TABLE_DDL, AgentRef, generate, load
from traffic import incidents

SALES = AgentRef("SALES_DB", "AGENTS", "SALES_BOT")
COPY_TABLE = "SNOWFLAKE.LOCAL.EVENTS_THROUGH_SQL"


def test_events_written_directly_are_the_rows_the_sql_loader_stores(emulator):
    now = utc_now().replace(microsecond=0)
    # Noise (other object types), evaluation runs, feedback rows with scalar and object VALUEs,
    # and an error burst: every shape the generator makes.
    events = generate(seed=5, agents=[SALES], start=now - timedelta(hours=6), end=now, turns_per_agent_per_hour=12,
                      feedback_rate=0.5, evaluation_runs_per_agent=2)
    events += incidents.error_burst(seed=6, agent=SALES, start=now - timedelta(hours=2), end=now - timedelta(hours=1))
    emulator.execute(EVENT_TABLE_DDL.format(table=COPY_TABLE))
    assert emulator.deliver(events) == len(events)
    assert load(emulator.loader.cursor(), COPY_TABLE, events) == len(events)

    order = "ORDER BY TIMESTAMP, TO_VARCHAR(RECORD), TO_VARCHAR(RECORD_ATTRIBUTES), TO_VARCHAR(VALUE)"
    direct = emulator.query(f"SELECT * FROM {EVENT_TABLE} {order}")
    through_sql = emulator.query(f"SELECT * FROM {COPY_TABLE} {order}")
    assert len(direct) == len(events) > 500
    assert direct == through_sql
    # Read back through the paths the ingestion uses: a quoted attribute key, a VALUE field, NULLs.
    probe = ('SELECT COUNT(RECORD_ATTRIBUTES:"snow.ai.observability.agent.thread_id"::STRING) AS THREADS, '
             "COUNT(VALUE:positive) AS RATED, COUNT_IF(START_TIMESTAMP IS NULL) AS POINTS, "
             "COUNT(DISTINCT RECORD_TYPE) AS KINDS FROM {table}")
    assert emulator.query(probe.format(table=EVENT_TABLE)) == emulator.query(probe.format(table=COPY_TABLE))
