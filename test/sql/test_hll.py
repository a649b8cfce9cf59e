"""HyperLogLog on the emulator (test/sql/emulator.py, install_hll), and the rollups' use of it.

Snowflake documents an average relative error of 1.62338 % for HLL_ESTIMATE at its precision 12
(https://docs.snowflake.com/en/user-guide/querying-approximate-cardinality). Here: estimates of
sets of 10, 1k and 100k values lie within the tests' tolerance of it (oracle.DistinctEstimate),
and many estimates together show that error; merging states is associative and commutative over
days, weeks, months and member accounts, and merging the states of sets gives the state of their
union; HLL_EXPORT / HLL_IMPORT round-trip, and HLL_IMPORT refuses what the documentation says it
refuses. Then the rollups: the new ROLLUP_VERSION recomputes a day the raw history holds into
states, a day older than the history keeps its exact USERS and THREADS arrays, and the views read
such a day as the state of its set, merged with the newer days.
"""

from __future__ import annotations

import json
import math
from datetime import date, timedelta

import pytest

import oracle
from conftest import _coverage
from emulator import HLL_HELPER_PREFIX, hll_export_of, standalone_emulator, utc_now
from test_ingestion import run_task
from traffic import AgentRef, generate

ROLLUP = ("SALES_DB", "AGENTS", "SALES_ASSISTANT")
# The rollup definition before the states (lib/sql/values.ts ROLLUP_VERSION, as it was).
ARRAYS_VERSION = "2;latency-buckets-1.05;evaluation-excluded"


@pytest.fixture(scope="module")
def emulator(catalog):
    """One emulator for the module (a fresh one per test would cost seconds each); every test
    writes tables of its own, and only the rollup test writes the rollup."""
    with standalone_emulator(catalog, _coverage) as emu:
        yield emu


@pytest.fixture(scope="module")
def values(emulator):
    """VALS(G, V): value i of a set of n in group n, for n in 10, 1k and 100k, as VARCHARs; and
    RUNS(G, V): 25 sets of 20k values each, above the 10k where the harmonic mean takes over
    from linear counting."""
    duck = emulator.conn._duck_conn
    duck.execute("CREATE OR REPLACE TABLE VALS AS SELECT n AS G, 'v-' || CAST(i AS VARCHAR) AS V "
                 "FROM (VALUES (10), (1000), (100000)) AS s(n), LATERAL range(n) AS r(i)")
    duck.execute("CREATE OR REPLACE TABLE RUNS AS SELECT i % 25 AS G, 'r-' || CAST(i AS VARCHAR) AS V FROM range(500000) AS r(i)")
    return emulator


def states(emulator, sql: str) -> dict:
    """``sql``'s (K, S) rows as K -> exported state (a dict)."""
    return {row["K"]: json.loads(row["S"]) for row in emulator.query(sql)}


def test_estimates_lie_within_the_documented_error(values):
    rows = values.query("SELECT G, HLL_ESTIMATE(HLL_ACCUMULATE(V)) AS E, COUNT(DISTINCT V) AS N FROM VALS GROUP BY G")
    assert sorted(row["N"] for row in rows) == [10, 1000, 100000]
    for row in rows:
        assert row["E"] == oracle.DistinctEstimate(row["N"]), row
    # Ten values almost never share a register: the estimate is exact.
    assert {row["N"]: row["E"] for row in rows}[10] == 10
    # The documented figure is the error's standard deviation, sqrt(3 ln 2 - 1) / sqrt(2^12): over
    # 25 sets of 20k values the root mean square relative error is that, give or take the
    # sampling spread of 25 samples (a chi distribution: within 40 %).
    runs = values.query("SELECT G, HLL_ESTIMATE(HLL_ACCUMULATE(V)) AS E, COUNT(*) AS N FROM RUNS GROUP BY G")
    assert len(runs) == 25 and {row["N"] for row in runs} == {20000}
    rms = math.sqrt(sum((row["E"] / row["N"] - 1) ** 2 for row in runs) / len(runs))
    documented = math.sqrt(3 * math.log(2) - 1) / math.sqrt(2 ** 12)
    assert documented == pytest.approx(oracle.HLL_RELATIVE_ERROR, abs=1e-7)
    assert 0.6 * documented <= rms <= 1.4 * documented, rms


def test_nulls_are_skipped_and_an_empty_state_estimates_zero(emulator):
    rows = emulator.query("SELECT HLL_ESTIMATE(HLL_ACCUMULATE(V)) AS E FROM (SELECT CAST(NULL AS VARCHAR) AS V "
                          "UNION ALL SELECT 'a' UNION ALL SELECT 'a' UNION ALL SELECT NULL) AS t")
    assert rows == [{"E": 1}]
    assert emulator.query("SELECT HLL_ESTIMATE(HLL_ACCUMULATE(V)) AS E FROM (SELECT CAST(NULL AS VARCHAR) AS V) AS t") == [{"E": 0}]


@pytest.fixture(scope="module")
def days(emulator):
    """DAYS(DAY, MEMBER, S): 56 days (8 weeks) of two member accounts' users, each day's state
    exported as the rollups store it; USERS_OF(DAY, MEMBER, V) the users themselves. Users
    recur across days and members, so merging must not count them twice."""
    duck = emulator.conn._duck_conn
    duck.execute("""CREATE OR REPLACE TABLE USERS_OF AS
        SELECT DATE '2026-01-05' + CAST(d AS INTEGER) AS DAY, m AS MEMBER,
               'user-' || CAST((d * 37 + m * 500 + u) % 3000 AS VARCHAR) AS V
        FROM range(56) AS days(d), (VALUES (0), (1)) AS members(m), range(150 + 10 * (d % 7)) AS users(u)""")
    emulator.execute("CREATE OR REPLACE TABLE DAYS AS SELECT DAY, MEMBER, HLL_EXPORT(HLL_ACCUMULATE(V)) AS S "
                     "FROM USERS_OF GROUP BY DAY, MEMBER")
    return emulator


def test_merging_days_into_weeks_months_and_members_is_the_state_of_the_union(days):
    union = states(days, "SELECT DATE_TRUNC('month', DAY) AS K, HLL_EXPORT(HLL_ACCUMULATE(V)) AS S FROM USERS_OF GROUP BY 1")
    # Days straight into months.
    by_days = states(days, "SELECT DATE_TRUNC('month', DAY) AS K, HLL_EXPORT(HLL_COMBINE(HLL_IMPORT(S))) AS S "
                           "FROM DAYS GROUP BY 1")
    # Days into member-weeks, then weeks into months (a week across a month's edge is split there).
    by_weeks = states(days, """
        SELECT MONTH AS K, HLL_EXPORT(HLL_COMBINE(W)) AS S FROM (
            SELECT DATE_TRUNC('month', DAY) AS MONTH, DATE_TRUNC('week', DAY) AS WEEK, MEMBER, HLL_COMBINE(HLL_IMPORT(S)) AS W
            FROM DAYS GROUP BY 1, 2, 3) AS weeks
        GROUP BY MONTH""")
    # Each member's month first, then the members (the organisation's rollup).
    by_members = states(days, """
        SELECT MONTH AS K, HLL_EXPORT(HLL_COMBINE(M)) AS S FROM (
            SELECT DATE_TRUNC('month', DAY) AS MONTH, MEMBER, HLL_COMBINE(HLL_IMPORT(S)) AS M
            FROM DAYS GROUP BY 1, 2) AS members
        GROUP BY MONTH""")
    assert len(union) == 3
    assert by_days == by_weeks == by_members == union
    exact = {row["K"]: row["N"] for row in days.query(
        "SELECT DATE_TRUNC('month', DAY) AS K, COUNT(DISTINCT V) AS N FROM USERS_OF GROUP BY 1")}
    estimates = {row["K"]: row["E"] for row in days.query(
        "SELECT DATE_TRUNC('month', DAY) AS K, HLL_ESTIMATE(HLL_COMBINE(HLL_IMPORT(S))) AS E FROM DAYS GROUP BY 1")}
    assert estimates == {month: oracle.DistinctEstimate(n) for month, n in exact.items()}


def test_merging_does_not_depend_on_the_order_of_the_states(days):
    days.execute("CREATE OR REPLACE TABLE DAYS_REVERSED AS SELECT * FROM DAYS ORDER BY DAY DESC, MEMBER DESC")
    forward, backward = (states(days, f"SELECT 1 AS K, HLL_EXPORT(HLL_COMBINE(HLL_IMPORT(S))) AS S FROM {table}")[1]
                         for table in ("DAYS", "DAYS_REVERSED"))
    # (a + b) + c = a + (b + c) over three ranges of days that split the weeks differently.
    grouped = [states(days, f"""
        SELECT 1 AS K, HLL_EXPORT(HLL_COMBINE(P)) AS S FROM (
            SELECT {split} AS PART, HLL_COMBINE(HLL_IMPORT(S)) AS P FROM DAYS GROUP BY 1) AS parts""")[1]
               for split in ("DAY < DATE '2026-01-20'", "DAY < DATE '2026-02-10'", "MEMBER")]
    assert forward == backward == grouped[0] == grouped[1] == grouped[2]


def test_export_and_import_round_trip_in_both_documented_forms(values):
    exported = states(values, "SELECT G AS K, HLL_EXPORT(HLL_ACCUMULATE(V)) AS S FROM VALS GROUP BY G")
    assert set(exported[10]) == {"version", "precision", "sparse"}
    assert set(exported[100000]) == {"version", "precision", "dense"} and len(exported[100000]["dense"]) == 4096
    assert {state["precision"] for state in exported.values()} == {12}
    sparse = exported[10]["sparse"]
    assert len(sparse["indices"]) == len(sparse["maxLzCounts"]) == 10
    assert all(1 <= count <= 53 for count in sparse["maxLzCounts"])
    again = values.query("SELECT G, HLL_ESTIMATE(HLL_ACCUMULATE(V)) AS E, "
                         "HLL_ESTIMATE(HLL_IMPORT(HLL_EXPORT(HLL_ACCUMULATE(V)))) AS R FROM VALS GROUP BY G")
    assert all(row["E"] == row["R"] for row in again)
    assert hll_export_of(f"v-{i}" for i in range(10)) == json.dumps(exported[10])


@pytest.mark.parametrize("state", [
    {"version": 4, "precision": 12, "sparse": {"indices": [1, 1], "maxLzCounts": [2, 3]}},
    {"version": 4, "precision": 12, "sparse": {"indices": [4096], "maxLzCounts": [2]}},
    {"version": 4, "precision": 12, "sparse": {"indices": [1, 2], "maxLzCounts": [2]}},
    {"version": 4, "precision": 14, "sparse": {"indices": [1], "maxLzCounts": [2]}},
])
def test_import_refuses_what_the_documentation_says_it_checks(emulator, state):
    with pytest.raises(Exception, match="HLL_IMPORT"):
        emulator.query(f"SELECT HLL_ESTIMATE(HLL_IMPORT(PARSE_JSON('{json.dumps(state)}'))) AS E")


def test_no_sql_file_calls_the_emulators_own_functions(catalog):
    assert HLL_HELPER_PREFIX.upper() not in json.dumps(catalog).upper()


# --- the rollups ---------------------------------------------------------------------------------
def insert_day(emulator, day: date, users, threads, *, legacy: bool) -> None:
    """One AGENT_DAILY_ROLLUP day of ROLLUP's agent: an old day's exact arrays, or a new day's states."""
    columns = "USERS, THREADS" if legacy else "USERS_HLL, THREADS_HLL"
    wrap = "ARRAY_CONSTRUCT({})" if legacy else "PARSE_JSON('{}')"
    content = ([", ".join(f"'{value}'" for value in sorted(users)), ", ".join(f"'{value}'" for value in sorted(threads))]
               if legacy else [hll_export_of(users), hll_export_of(threads)])
    emulator.execute(f"INSERT INTO AGENT_DAILY_ROLLUP (DAY, AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, EVENTS, TURNS, {columns}) "
                     f"SELECT '{day.isoformat()}', '{ROLLUP[0]}', '{ROLLUP[1]}', '{ROLLUP[2]}', 1, 1, "
                     f"{wrap.format(content[0])}, {wrap.format(content[1])}")


def test_a_day_rolled_up_before_the_states_existed_merges_with_the_newer_days(emulator):
    first = date(2026, 3, 2)
    old_users, new_users = {f"user-{i}" for i in range(40)}, {f"user-{i}" for i in range(25, 90)}
    old_threads, new_threads = {f"thread-{i}" for i in range(300)}, {f"thread-{i}" for i in range(250, 700)}
    insert_day(emulator, first, old_users, old_threads, legacy=True)
    insert_day(emulator, first + timedelta(days=1), new_users, new_threads, legacy=False)
    # The dashboard's daily view gives every day a state: an old day's is the state of its set.
    daily = {row["DAY"]: row for row in emulator.view("AGENT_DAILY_ACTIVITY")}
    assert json.loads(daily[first]["USERS_HLL"]) == json.loads(hll_export_of(old_users))
    assert json.loads(daily[first]["THREADS_HLL"]) == json.loads(hll_export_of(old_threads))
    # A period counts users and threads on both days once.
    (month,) = [row for row in emulator.view("AGENT_ROLLUP_MONTHLY") if row["PERIOD_START"] == first.replace(day=1)]
    assert month["UNIQUE_USERS"] == oracle.DistinctEstimate(len(old_users | new_users))
    assert month["UNIQUE_THREADS"] == oracle.DistinctEstimate(len(old_threads | new_threads))
    (day,) = [row for row in emulator.view("AGENT_ROLLUP_DAILY") if row["PERIOD_START"] == first]
    assert (day["UNIQUE_USERS"], day["UNIQUE_THREADS"]) == (len(old_users), oracle.DistinctEstimate(len(old_threads)))


def test_a_users_day_rolled_up_before_the_states_existed_merges_with_the_newer_days(emulator):
    first = date(2026, 4, 6)
    old_threads, new_threads = {f"t-{i}" for i in range(120)}, {f"t-{i}" for i in range(100, 260)}
    for day, threads, legacy in ((first, old_threads, True), (first + timedelta(days=1), new_threads, False)):
        column, value = (("THREADS", f"ARRAY_CONSTRUCT({', '.join(repr(t) for t in sorted(threads))})") if legacy
                         else ("THREADS_HLL", f"PARSE_JSON('{hll_export_of(threads)}')"))
        emulator.execute(f"INSERT INTO USER_DAILY_ROLLUP (DAY, AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, USER_NAME, TURNS, {column}) "
                         f"SELECT '{day.isoformat()}', 'HR_DB', 'BOTS', 'HR_HELPDESK', 'ada', 1, {value}")
    (user,) = [row for row in emulator.view("AGENT_USAGE_BY_USER") if row["USER_NAME"] == "ada"]
    (agent,) = [row for row in emulator.view("AGENT_USAGE_BY_AGENT") if row["AGENT_NAME"] == "HR_HELPDESK"]
    assert user["UNIQUE_THREADS"] == agent["UNIQUE_THREADS"] == oracle.DistinctEstimate(len(old_threads | new_threads))


def test_the_new_definition_recomputes_the_days_history_holds_and_leaves_older_days_their_sets(emulator):
    agent = AgentRef("OPS_DB", "BOTS", "ON_CALL")
    now = utc_now()
    delivered = generate(seed=3, agents=[agent], start=now - timedelta(hours=20), end=now - timedelta(minutes=5),
                         turns_per_agent_per_hour=3, feedback_rate=0.0)
    events = oracle.production(oracle.ingest(delivered, [(agent.database, agent.schema, agent.name)]))
    emulator.deliver(delivered)
    emulator.set_agents([(agent.database, agent.schema, agent.name)])
    for task in ("discover", "refresh", "rollup"):
        run_task(emulator, task)
    day = emulator.query("SELECT MIN(DAY) AS D FROM ROLLUP_DAY_STATE")[0]["D"]
    users = {e.user for e in events if e.timestamp.date() == day and e.user is not None}
    threads = {e.thread_id for e in events if e.timestamp.date() == day and e.thread_id is not None}
    where = f"DAY = '{day.isoformat()}' AND AGENT_NAME = '{agent.name}'"
    (state,) = emulator.query(f"SELECT USERS_HLL, THREADS_HLL FROM AGENT_DAILY_ROLLUP WHERE {where}")
    assert users and threads and json.loads(state["USERS_HLL"]) == json.loads(hll_export_of(users))
    # The day as the definition before the states left it: exact sets, no states.
    arrays = [", ".join(f"'{value}'" for value in sorted(values)) for values in (users, threads)]
    emulator.execute(f"UPDATE AGENT_DAILY_ROLLUP SET USERS = ARRAY_CONSTRUCT({arrays[0]}), "
                     f"THREADS = ARRAY_CONSTRUCT({arrays[1]}), USERS_HLL = NULL, THREADS_HLL = NULL WHERE {where}")
    emulator.execute(f"UPDATE ROLLUP_DAY_STATE SET ROLLUP_VERSION = '{ARRAYS_VERSION}' WHERE DAY = '{day.isoformat()}'")
    # And a day older than the raw history, rolled up by that definition too.
    old = now.date() - timedelta(days=40)
    insert_day(emulator, old, {"ada", "grace"}, {"t-1", "t-2", "t-3"}, legacy=True)
    emulator.execute(f"INSERT INTO ROLLUP_DAY_STATE (DAY, HISTORY_ROWS, ROLLED_UP_AT, ROLLUP_VERSION) "
                     f"SELECT '{old.isoformat()}', 10, '{now.isoformat()}', '{ARRAYS_VERSION}'")
    assert run_task(emulator, "rollup").startswith(f"Rolled up 1 days ({day})")
    (recomputed,) = emulator.query(f"SELECT USERS, THREADS, USERS_HLL, THREADS_HLL FROM AGENT_DAILY_ROLLUP WHERE {where}")
    assert recomputed["USERS"] is None and recomputed["THREADS"] is None
    assert {column: json.loads(recomputed[column]) for column in ("USERS_HLL", "THREADS_HLL")} == \
        {column: json.loads(state[column]) for column in ("USERS_HLL", "THREADS_HLL")}
    (kept,) = emulator.query(f"SELECT USERS, THREADS, USERS_HLL FROM AGENT_DAILY_ROLLUP WHERE DAY = '{old.isoformat()}'")
    assert sorted(json.loads(kept["USERS"])) == ["ada", "grace"] and kept["USERS_HLL"] is None
    (old_day,) = [row for row in emulator.view("AGENT_ROLLUP_DAILY") if row["PERIOD_START"] == old]
    assert (old_day["UNIQUE_USERS"], old_day["UNIQUE_THREADS"]) == (2, 3)
