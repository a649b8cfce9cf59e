"""Benchmark: one ingestion cycle, Wallmonitor against a reference-style baseline, and 12-month
dashboard questions answered from the daily rollups against the same questions over raw events.

    python -m bench [--quick] [--rate TURNS_PER_AGENT_PER_HOUR]

Runs on the Snowflake emulator (fakesnow over DuckDB) with generated traffic, executing the SQL
Pulumi deploys (rendered by scripts/render-sql.ts). It prints figures and asserts nothing.

The cycle, at steady state (history of H days already loaded and rolled up; the last 10 minutes
of events newly arrived in SNOWFLAKE.LOCAL.AI_OBSERVABILITY_EVENTS):

* Wallmonitor: REFRESH_AGENT_EVENTS with ingestPath event_table (one pass over the event
  table from each agent's watermark less the overlap, insert-only), ROLLUP_AGENT_EVENTS (only
  the days the new rows fall on), and one read of the realtime window (REALTIME_KPI and
  AGENT_METRICS, views over the last realtimeWindowHours). The *_RECENT dynamic tables refresh
  on their own target lag (30 min), not per cycle; their refresh is timed separately (the
  emulator recomputes them in full; in Snowflake DT_THREAD_ACTIVITY_RECENT is INCREMENTAL).
* Baseline, as the reference works: GET_AI_OBSERVABILITY_EVENTS once per agent (same read
  window as Wallmonitor, which favours the baseline), each agent's rows merged against the full
  history (insert where the key is not already there), the 24-hour snapshot table rebuilt from
  scratch, and the daily rollups (per agent and per user, with COUNT(DISTINCT) and
  PERCENTILE_CONT) recomputed in full from history.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "test" / "sql"))
sys.path.insert(0, str(ROOT / "streamlit"))

import fakesnow  # noqa: E402

from emulator import Coverage, Emulator, render_catalog  # noqa: E402
import ingestion  # noqa: E402  (procedures/, put on sys.path by emulator.py)
from traffic import AgentRef, generate  # noqa: E402

NEW_EVENTS_MINUTES = 10  # one refreshIntervalMinutes of new events per cycle
MAX_ARRIVING_SEEDS = 100  # seeds tried for a window of new events that is not empty
BASELINE_HISTORY = "BASELINE_EVENTS_HISTORY"
BASELINE_SNAPSHOT = "BASELINE_SNAPSHOT_24H"
BASELINE_ROLLUPS = {
    "BASELINE_DAILY_AGENT": """
        SELECT TO_DATE(EVENT_TIMESTAMP) AS DAY, AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME,
               COUNT(*) AS EVENTS, COUNT_IF(SPAN_CATEGORY = 'AGENT_RUN') AS TURNS,
               COUNT(DISTINCT COALESCE(USER_NAME, USER_ID)) AS UNIQUE_USERS, COUNT(DISTINCT THREAD_ID) AS UNIQUE_THREADS,
               COALESCE(SUM(TOTAL_TOKENS), 0) AS TOTAL_TOKENS, COUNT_IF(STATUS = 'ERROR') AS ERRORS,
               PERCENTILE_CONT(0.95) WITHIN GROUP (ORDER BY IFF(SPAN_CATEGORY = 'AGENT_RUN', SPAN_DURATION_MS, NULL)) AS P95
        FROM {history} GROUP BY 1, 2, 3, 4""",
    "BASELINE_DAILY_USER": """
        SELECT TO_DATE(EVENT_TIMESTAMP) AS DAY, AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME,
               COALESCE(USER_NAME, USER_ID) AS USER_NAME, COUNT_IF(SPAN_CATEGORY = 'AGENT_RUN') AS TURNS,
               COUNT(DISTINCT THREAD_ID) AS UNIQUE_THREADS, MIN(EVENT_TIMESTAMP) AS FIRST_ACCESS,
               MAX(EVENT_TIMESTAMP) AS LAST_ACCESS,
               AVG(IFF(SPAN_CATEGORY = 'AGENT_RUN', SPAN_DURATION_MS, NULL)) AS AVG_RESPONSE_DURATION_MS
        FROM {history} GROUP BY 1, 2, 3, 4, 5""",
}


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def agents(count: int) -> list[AgentRef]:
    return [AgentRef(f"DB_{i % 5}", "AGENTS", f"AGENT_{i:03d}") for i in range(count)]


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


class Cycle:
    """One steady-state emulator for a history length and an agent count."""

    def __init__(self, catalog: dict, history_days: int, agent_count: int, rate: float, seed: int):
        self.catalog, self.history_days = catalog, history_days
        self.refs = agents(agent_count)
        now = utcnow()
        cut = now - timedelta(minutes=NEW_EVENTS_MINUTES)
        history = generate(seed=seed, agents=self.refs, start=now - timedelta(days=history_days), end=cut,
                           turns_per_agent_per_hour=rate, feedback_rate=0.2)
        self.old = [e for e in history if e["TIMESTAMP"] < cut]
        # The cycle's new events come from their own generator run, seeded by the agent count
        # alone: every history length receives the same new events, so the cycles compare. At a
        # low rate ten minutes may hold no turn at all, and a cycle with nothing new measures
        # nothing: the first seed (from the agent count's) whose window holds events is taken.
        for attempt in range(MAX_ARRIVING_SEEDS):
            arriving = generate(seed=agent_count * MAX_ARRIVING_SEEDS + attempt, agents=self.refs,
                                start=cut - timedelta(hours=2), end=now, turns_per_agent_per_hour=rate, feedback_rate=0.2)
            self.new = [e for e in arriving if e["TIMESTAMP"] >= cut]
            if self.new:
                break
        else:
            raise SystemExit(f"no new events in {MAX_ARRIVING_SEEDS} seeds at {rate} turns/agent/h for {agent_count} agents: "
                             "raise --rate")

    def run(self) -> dict:
        with fakesnow.patch():
            emu = Emulator(self.catalog, Coverage())
            try:
                return self._measure(emu)
            finally:
                emu.close()

    def _measure(self, emu: Emulator) -> dict:
        config = emu.config
        statements = emu.handler_statements()
        history = f"{emu.database}.{emu.schema}.AGENT_EVENTS_HISTORY"
        baseline = f"{emu.database}.{emu.schema}.{BASELINE_HISTORY}"
        # Steady state: the history loaded, rolled up, and copied for the baseline.
        emu.deliver(self.old)
        emu.set_agents([(a.database, a.schema, a.name) for a in self.refs])
        ingestion.run_discovery(emu.session, statements, "%", None, True)
        lookback = self.history_days * 24
        ingestion.run_refresh(emu.session, statements, lookback, config["historyDays"], "event_table")
        ingestion.run_rollup(emu.session, statements, config["historyDays"], config["rollupRetentionDays"])
        # As at steady state: each row was loaded by the cycle after it happened, and the last
        # rollup ran one cycle ago (the setup loaded everything just now, in one go).
        emu.execute(f"UPDATE {history} SET LOADED_AT = DATEADD('minute', {NEW_EVENTS_MINUTES}, EVENT_TIMESTAMP)")
        emu.execute(f"UPDATE ROLLUP_DAY_STATE SET ROLLED_UP_AT = DATEADD('minute', -{NEW_EVENTS_MINUTES}, SYSDATE())")
        emu.execute(f"CREATE OR REPLACE TABLE {baseline} AS SELECT * FROM {history}")
        for name, query in BASELINE_ROLLUPS.items():
            emu.execute(f"CREATE OR REPLACE TABLE {name} AS {query.format(history=baseline)}")
        history_rows = emu.query(f"SELECT COUNT(*) AS N FROM {history}")[0]["N"]
        event_table_rows = emu.query("SELECT COUNT(*) AS N FROM SNOWFLAKE.LOCAL.AI_OBSERVABILITY_EVENTS")[0]["N"]

        # The new events arrive.
        emu.deliver(self.new)

        result = {"history_rows": history_rows, "event_table_rows": event_table_rows + len(self.new)}
        result["wm_ingest"] = timed(lambda: ingestion.run_refresh(
            emu.session, statements, lookback, config["historyDays"], "event_table"))
        result["wm_rollup"] = timed(lambda: ingestion.run_rollup(
            emu.session, statements, config["historyDays"], config["rollupRetentionDays"]))
        result["wm_realtime"] = timed(lambda: (emu.view("REALTIME_KPI"), emu.view("AGENT_METRICS")))
        result["wm_dt_refresh"] = timed(emu.refresh_dynamic_tables)
        result["wm_cycle"] = result["wm_ingest"] + result["wm_rollup"] + result["wm_realtime"]

        insert = statements["insert_agent_events"].replace(history, baseline)
        read_from = utcnow() - timedelta(minutes=NEW_EVENTS_MINUTES + config["ingestOverlapMinutes"])

        def poll_every_agent():
            for ref in self.refs:
                emu.query_rows(insert, statements.params("insert_agent_events", {
                    "agent_database": ref.database, "agent_schema": ref.schema, "agent_name": ref.name, "read_from": read_from}))

        def rebuild_snapshot():
            emu.execute(f"CREATE OR REPLACE TABLE {BASELINE_SNAPSHOT} AS SELECT * FROM {baseline} "
                        "WHERE EVENT_TIMESTAMP >= DATEADD('hour', -24, SYSDATE())")

        def recompute_rollups():
            for name, query in BASELINE_ROLLUPS.items():
                emu.execute(f"CREATE OR REPLACE TABLE {name} AS {query.format(history=baseline)}")

        result["bl_ingest"] = timed(poll_every_agent)
        result["bl_snapshot"] = timed(rebuild_snapshot)
        result["bl_rollup"] = timed(recompute_rollups)
        result["bl_cycle"] = result["bl_ingest"] + result["bl_snapshot"] + result["bl_rollup"]
        loaded = emu.query(f"SELECT COUNT(*) AS N FROM {history}")[0]["N"] - history_rows
        loaded_baseline = emu.query(f"SELECT COUNT(*) AS N FROM {baseline}")[0]["N"] - history_rows
        result["new_rows"] = loaded
        result["same_rows_loaded"] = loaded == loaded_baseline
        return result


# --- 12-month dashboard questions ---------------------------------------------------------------
RAW_QUESTIONS = {
    "monthly KPIs per agent (turns, users, threads, tokens, p95)": """
        SELECT DATE_TRUNC('month', EVENT_TIMESTAMP) AS M, AGENT_NAME, COUNT_IF(SPAN_CATEGORY = 'AGENT_RUN') AS TURNS,
               COUNT(DISTINCT COALESCE(USER_NAME, USER_ID)) AS USERS, COUNT(DISTINCT THREAD_ID) AS THREADS,
               COALESCE(SUM(TOTAL_TOKENS), 0) AS TOKENS,
               PERCENTILE_CONT(0.95) WITHIN GROUP (ORDER BY IFF(SPAN_CATEGORY = 'AGENT_RUN', SPAN_DURATION_MS, NULL)) AS P95
        FROM {raw} WHERE EVENT_TIMESTAMP >= DATEADD('month', -12, SYSDATE()) GROUP BY 1, 2""",
    "usage by user over the year": """
        SELECT AGENT_NAME, COALESCE(USER_NAME, USER_ID) AS U, COUNT_IF(SPAN_CATEGORY = 'AGENT_RUN') AS REQUESTS,
               MIN(EVENT_TIMESTAMP), MAX(EVENT_TIMESTAMP), COUNT(DISTINCT THREAD_ID),
               AVG(IFF(SPAN_CATEGORY = 'AGENT_RUN', SPAN_DURATION_MS, NULL))
        FROM {raw} WHERE EVENT_TIMESTAMP >= DATEADD('month', -12, SYSDATE()) GROUP BY 1, 2""",
    "yearly totals per agent": """
        SELECT AGENT_NAME, COUNT_IF(SPAN_CATEGORY = 'AGENT_RUN') AS TURNS,
               COUNT(DISTINCT COALESCE(USER_NAME, USER_ID)), COUNT(DISTINCT THREAD_ID),
               PERCENTILE_CONT(0.99) WITHIN GROUP (ORDER BY IFF(SPAN_CATEGORY = 'AGENT_RUN', SPAN_DURATION_MS, NULL))
        FROM {raw} WHERE EVENT_TIMESTAMP >= DATEADD('month', -12, SYSDATE()) GROUP BY 1""",
    "daily trend per agent (turns, tokens, errors)": """
        SELECT TO_DATE(EVENT_TIMESTAMP), AGENT_NAME, COUNT_IF(SPAN_CATEGORY = 'AGENT_RUN'),
               COALESCE(SUM(TOTAL_TOKENS), 0), COUNT_IF(STATUS = 'ERROR')
        FROM {raw} WHERE EVENT_TIMESTAMP >= DATEADD('month', -12, SYSDATE()) GROUP BY 1, 2""",
}
ROLLUP_QUESTIONS = {
    "monthly KPIs per agent (turns, users, threads, tokens, p95)":
        "SELECT * FROM AGENT_ROLLUP_MONTHLY WHERE PERIOD_START >= DATEADD('month', -12, SYSDATE())",
    "usage by user over the year": "SELECT * FROM AGENT_USAGE_BY_USER",
    "yearly totals per agent":
        "SELECT * FROM AGENT_ROLLUP_YEARLY",
    "daily trend per agent (turns, tokens, errors)":
        "SELECT DAY, AGENT_NAME, TURNS, TOTAL_TOKENS, ERROR_COUNT FROM AGENT_DAILY_ROLLUP "
        "WHERE DAY >= DATEADD('month', -12, SYSDATE())",
}


DASHBOARD_WINDOWS = ("Last 90 days", "Last 12 months")
DASHBOARD_QUERIES = ("kpis", "trend", "latency_trend", "agents")


def dashboard_benchmark(catalog: dict, agent_count: int, months: int, rate: float, repeats: int) -> tuple[dict, dict, dict]:
    """A year of raw events (90 generated days, loaded through the pipeline, repeated back in time
    with fresh thread and event keys) and its daily rollups, built with the rollup procedure's own
    insert statements; then each question timed both ways (best of `repeats`):

    * the SQL questions: over the raw events, and over the week/month/year rollup views;
    * the dashboard's own long-window queries (streamlit/dashboard/queries.py), run once as a
      deployment keeping the whole year of raw history would run them (THREAD_TIMELINE_RECENT)
      and once as Wallmonitor runs them (the daily rollups), with their answers compared."""
    from dashboard import queries, session as dashboard_session
    logging.getLogger("streamlit").setLevel(logging.ERROR)  # its cache warns outside a Streamlit run
    for name in list(logging.root.manager.loggerDict):
        if name.startswith("streamlit"):
            logging.getLogger(name).setLevel(logging.ERROR)

    refs = agents(agent_count)
    now = utcnow()
    chunk_days = 90
    events = generate(seed=5, agents=refs, start=now - timedelta(days=chunk_days - 1), end=now,
                      turns_per_agent_per_hour=rate, feedback_rate=0.2)
    with fakesnow.patch():
        emu = Emulator(catalog, Coverage())
        try:
            statements = emu.handler_statements()
            as_of = queries.utc_now()
            runs = dashboard_runs(emu, queries, dashboard_session, as_of)
            # Each query's own fixed cost (parse, translate, plan, fetch), timed on the empty schema.
            empty = {key: min(timed(run) for _ in range(repeats)) for key, run in runs.items()}
            emu.deliver(events)
            emu.set_agents([(a.database, a.schema, a.name) for a in refs])
            ingestion.run_discovery(emu.session, statements, "%", None, True)
            ingestion.run_refresh(emu.session, statements, chunk_days * 24, emu.config["historyDays"], "event_table")
            history = f"{emu.database}.{emu.schema}.AGENT_EVENTS_HISTORY"
            raw = f"{emu.database}.{emu.schema}.RAW_EVENTS_12_MONTHS"
            emu.execute(f"CREATE OR REPLACE TABLE {raw} AS SELECT * FROM {history}")
            copies = -(-months * 30 // chunk_days)
            for copy in range(1, copies):
                emu.execute(f"""
                    INSERT INTO {raw}
                    SELECT * REPLACE (EVENT_KEY || '-{copy}' AS EVENT_KEY, THREAD_ID || '-{copy}' AS THREAD_ID,
                                      DATEADD('day', -{copy * chunk_days}, EVENT_TIMESTAMP) AS EVENT_TIMESTAMP)
                    FROM {history}""")
            emu.execute(f"DELETE FROM {raw} WHERE EVENT_TIMESTAMP < DATEADD('month', -{months}, SYSDATE())")
            # Every day of the raw year rolled up with the rollup procedure's statements.
            emu.execute(f"""CREATE OR REPLACE TEMPORARY TABLE ROLLUP_DAYS_SCRATCH AS
                            SELECT TO_DATE(EVENT_TIMESTAMP) AS DAY, COUNT(*) AS HISTORY_ROWS FROM {raw} GROUP BY 1""")
            for step in statements.names["rollupSteps"]:
                emu.execute(statements[step["delete"]])
                emu.execute(statements[step["insert"]].replace(history, raw))
            # The history holds the whole year too, for the dashboard's raw-event path.
            emu.execute(f"DELETE FROM {history}")
            emu.execute(f"INSERT INTO {history} SELECT * FROM {raw}")
            sizes = {"raw_rows": emu.query(f"SELECT COUNT(*) AS N FROM {raw}")[0]["N"],
                     "rollup_rows": sum(emu.query(f"SELECT COUNT(*) AS N FROM {t}")[0]["N"] for t in (
                         "AGENT_DAILY_ROLLUP", "USER_DAILY_ROLLUP", "MODEL_DAILY_ROLLUP", "TOOL_DAILY_ROLLUP",
                         "AGENT_DAILY_LATENCY")),
                     "statement_overhead": min(timed(lambda: emu.query("SELECT 1 AS ONE")) for _ in range(5 * repeats))}
            timings = {}
            for question, raw_sql in RAW_QUESTIONS.items():
                raw_time = min(timed(lambda: emu.query(raw_sql.format(raw=raw))) for _ in range(repeats))
                rollup_time = min(timed(lambda: emu.query(ROLLUP_QUESTIONS[question])) for _ in range(repeats))
                timings[question] = (raw_time, rollup_time)

            dashboard = {}
            for (label, name, path), run in runs.items():
                dashboard.setdefault((label, name), {})[path] = (min(timed(run) for _ in range(repeats)),
                                                                 empty[(label, name, path)], run())
            dashboard_session.clear_local()
            return sizes, timings, dashboard
        finally:
            emu.close()


def dashboard_runs(emu, queries, dashboard_session, as_of) -> dict:
    """(window, query, path) -> a call of the dashboard's query: path "raw" as a deployment keeping
    the whole year of raw history runs it (THREAD_TIMELINE_RECENT), "rollups" as Wallmonitor does."""
    runs = {}
    for label in DASHBOARD_WINDOWS:
        window = next(w for w in queries.WINDOWS if w.label == label)
        for path, history_days in (("raw", 400), ("rollups", 7)):
            filters = queries.Filters(window=window, now=as_of, settings=queries.Settings(
                realtime_window_hours=24, history_days=history_days, refresh_interval_minutes=10,
                refresh_task="REFRESH_AGENT_EVENTS_TASK", store_conversation_text=False))
            for name in DASHBOARD_QUERIES:
                query = getattr(queries, name)
                # A fresh connection (and cache key) per call: nothing is answered from cache.
                runs[(label, name, path)] = (lambda q=query, f=filters: q(
                    dashboard_session.use_local(emu.session, emu.database, emu.schema), f))
    return runs


def same_answer(name: str, raw, rollups) -> str:
    """Whether the two answers agree on the exact figures. The raw path covers the window's last
    N x 24 hours and the rollups its last N whole UTC days, so counts may differ by the part of
    the first day outside the window; latency percentiles differ within the histogram's error."""
    if name == "kpis":
        raw, rollups = raw["current"], rollups["current"]
        keys = ("TURNS", "ACTIVE_AGENTS")
        return "yes" if all(raw[k] == rollups[k] for k in keys) else f"turns {raw['TURNS']} vs {rollups['TURNS']}"
    if name == "agents":
        return "yes" if {r["AGENT_FULL_NAME"] for r in raw} == {r["AGENT_FULL_NAME"] for r in rollups} else "agents differ"
    return "-"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke size: 1 and 7 days x 10 agents, 3 months")
    parser.add_argument("--rate", type=float, default=0.5, help="turns per agent per hour in the cycles (default 0.5)")
    parser.add_argument("--repeat", type=int, default=2, help="runs per grid point, best taken (default 2; 1 with --quick)")
    parser.add_argument("--dashboard-rate", type=float, default=2.0,
                        help="turns per agent per hour in the year the dashboard questions read (default 2)")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeat = 1
    # The emulator's SQL translator and Streamlit's cache warn on every statement; figures only here.
    logging.getLogger("sqlglot").setLevel(logging.ERROR)
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    started = time.perf_counter()
    history_grid = [1, 7] if args.quick else [1, 7, 30]
    agent_grid = [10] if args.quick else [10, 50, 200]
    print(f"Rendering the catalog (historyDays 31, ingestPath event_table) ...", flush=True)
    catalog = render_catalog("dev", historyDays="31", initialLookbackHours="744", ingestPath="event_table")
    print(f"\nOne ingestion cycle at steady state ({NEW_EVENTS_MINUTES} min of new events, "
          f"{args.rate} turns/agent/h), seconds on the emulator, best of {args.repeat} runs")
    header = (f"{'days':>4} {'agents':>6} {'history':>8} {'new':>5} | {'WM ingest':>9} {'rollup':>7} {'realtime':>8} "
              f"{'WM cycle':>8} | {'BL ingest':>9} {'snapshot':>8} {'rollups':>7} {'BL cycle':>8} | {'BL/WM':>6} "
              f"| {'DT refresh*':>11}")
    print(header)
    print("-" * len(header))
    # Warm-up (not printed): the first emulator of a process pays one-off parser and cache costs.
    Cycle(catalog, 1, 10, args.rate, seed=1).run()
    results = {}
    for history_days in history_grid:
        for agent_count in agent_grid:
            # Each figure is the best of --repeat identical runs (same traffic, fresh emulator).
            cycle = Cycle(catalog, history_days, agent_count, args.rate, seed=history_days * 1000 + agent_count)
            runs = [cycle.run() for _ in range(args.repeat)]
            r = {key: min(run[key] for run in runs) if isinstance(runs[0][key], float) else runs[0][key]
                 for key in runs[0]}
            r["wm_cycle"] = r["wm_ingest"] + r["wm_rollup"] + r["wm_realtime"]
            r["bl_cycle"] = r["bl_ingest"] + r["bl_snapshot"] + r["bl_rollup"]
            results[(history_days, agent_count)] = r
            print(f"{history_days:>4} {agent_count:>6} {r['history_rows']:>8} {r['new_rows']:>5} | "
                  f"{r['wm_ingest']:>9.3f} {r['wm_rollup']:>7.3f} {r['wm_realtime']:>8.3f} {r['wm_cycle']:>8.3f} | "
                  f"{r['bl_ingest']:>9.3f} {r['bl_snapshot']:>8.3f} {r['bl_rollup']:>7.3f} {r['bl_cycle']:>8.3f} | "
                  f"{r['bl_cycle'] / r['wm_cycle']:>5.1f}x | {r['wm_dt_refresh']:>11.3f}"
                  + ("" if r["same_rows_loaded"] else "  (baseline loaded a different row count!)"), flush=True)
    print("* DT refresh: the *_RECENT dynamic tables, refreshed on their own target lag (30 min), not per cycle;\n"
          "  the emulator recomputes them in full (in Snowflake DT_THREAD_ACTIVITY_RECENT refreshes incrementally).")
    for agent_count in agent_grid:
        first, last = results.get((history_grid[0], agent_count)), results.get((history_grid[-1], agent_count))
        if first and last:
            print(f"Wallmonitor cycle growth from {history_grid[0]} to {history_grid[-1]} days at {agent_count} agents: "
                  f"{last['wm_cycle'] / first['wm_cycle']:.2f}x (baseline {last['bl_cycle'] / first['bl_cycle']:.2f}x)")

    months = 3 if args.quick else 12
    dashboard_agents = 10
    print(f"\nDashboard questions over {months} months, {dashboard_agents} agents: raw events vs daily rollups "
          f"(best of 3, seconds)", flush=True)
    sizes, timings, dashboard = dashboard_benchmark(catalog_for_dashboards(), dashboard_agents, months,
                                                    args.dashboard_rate, 3)
    overhead = sizes["statement_overhead"]
    print(f"rows a question reads: raw events {sizes['raw_rows']}, daily rollups at most {sizes['rollup_rows']} "
          f"(all five; {sizes['raw_rows'] / sizes['rollup_rows']:.1f}x fewer); "
          f"the emulator's fixed cost per statement (SELECT 1): {overhead * 1000:.1f} ms")
    print(f"{'SQL question':<62} {'raw':>7} {'rollups':>8} {'speed-up':>9}")
    for question, (raw_time, rollup_time) in timings.items():
        print(f"{question:<62} {raw_time:>7.3f} {rollup_time:>8.3f} {raw_time / rollup_time:>8.1f}x")
    speedups = [raw_time / rollup_time for raw_time, rollup_time in timings.values()]
    print(f"geometric mean speed-up: {statistics.geometric_mean(speedups):.1f}x")
    print(f"\n{'dashboard query (queries.py)':<30} {'raw':>7} {'rollups':>8} {'speed-up':>9} | "
          f"{'fixed: raw':>10} {'rollups':>8} | {'net speed-up':>12}  same answer")
    dashboard_speedups, net_speedups = [], []
    for (label, name), paths in dashboard.items():
        (raw_time, raw_fixed, raw_answer), (rollup_time, rollup_fixed, rollup_answer) = paths["raw"], paths["rollups"]
        net = max(raw_time - raw_fixed, 1e-6) / max(rollup_time - rollup_fixed, 1e-3)
        dashboard_speedups.append(raw_time / rollup_time)
        net_speedups.append(net)
        print(f"{label + ' ' + name:<30} {raw_time:>7.3f} {rollup_time:>8.3f} {raw_time / rollup_time:>8.1f}x | "
              f"{raw_fixed:>10.3f} {rollup_fixed:>8.3f} | {net:>11.1f}x  {same_answer(name, raw_answer, rollup_answer)}")
    print("net: each time less the same query's time on the empty schema (its parse/translate/plan cost), "
          "rollup side floored at 1 ms")
    print(f"geometric mean net speed-up of the dashboard queries: {statistics.geometric_mean(net_speedups):.1f}x")
    print(f"geometric mean speed-up of the dashboard queries: {statistics.geometric_mean(dashboard_speedups):.1f}x")
    print(f"\nbenchmark run time: {time.perf_counter() - started:.0f} s")
    return 0


def catalog_for_dashboards() -> dict:
    return render_catalog("dev", historyDays="90", initialLookbackHours="2160", ingestPath="event_table")


if __name__ == "__main__":
    sys.exit(main())
