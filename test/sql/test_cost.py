"""Cost tracking and chargeback on the emulator: the cost views (sql/cost/) over the ingested
history and an emulated SNOWFLAKE.ACCOUNT_USAGE.CORTEX_AGENT_USAGE_HISTORY.

Every expected value comes from the generated events and the usage rows the tests write,
computed here in Python: the tokens of each planning span by trace and model, the configured
rates, the team mappings and tags. Credits are compared at the ledger's 9 decimals; the
emulator returns sums as floats, which round back to those decimals exactly.

The stack under test has its own rate table (distinct rates per token class), team mappings by
user and by agent, and team tags on (costUseTags, tag COST_CENTER). Usage fixtures: requests
whose usage row arrives late, requests that never get one, usage rows no ingested request
matches (another agent), and multi-model requests (the generator switches model on about one
planning step in ten; one model is renamed to a model missing from the rate table).
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import fakesnow
import pytest

from conftest import _coverage
from emulator import COWORK_USAGE_VIEWS, Emulator, render_catalog, utc_now
from test_ingestion import run_task
from traffic import AgentRef, generate, is_cortex_agent_event, is_evaluation_event

AGENTS = [AgentRef("SALES_DB", "AGENTS", "SALES_ASSISTANT"), AgentRef("HR_DB", "BOTS", "HR_HELPDESK")]
USAGE = "SNOWFLAKE.ACCOUNT_USAGE.CORTEX_AGENT_USAGE_HISTORY"
COWORK = "SNOWFLAKE.ACCOUNT_USAGE.SNOWFLAKE_COWORK_USAGE_HISTORY"
INTELLIGENCE = "SNOWFLAKE.ACCOUNT_USAGE.SNOWFLAKE_INTELLIGENCE_USAGE_HISTORY"
RATES = {  # credits per million tokens, every class different
    "claude-4-sonnet": {"input": 3, "output": 15, "cacheRead": 0.3, "cacheWrite": 3.75},
    "llama3.3-70b": {"input": 0.5, "output": 0.7, "cacheRead": 0.11, "cacheWrite": 0.13},
    "mistral-large2": {"input": 2, "output": 6, "cacheRead": 0.2, "cacheWrite": 2.5},
    "openai-gpt-4.1": {"input": 1.1, "output": 4.4, "cacheRead": 0.275, "cacheWrite": 1.375},
}
UNRATED_MODEL = "acme-unlisted-model"
TEAMS_BY_USER = {"FINANCE": ["ALICE", "BOB"]}
TEAMS_BY_AGENT = {"PEOPLE": ["HR_DB.BOTS.HR_HELPDESK"]}
PRICE = Decimal("2.5")
NINE = Decimal("0.000000001")
OBS = "snow.ai.observability."
PLANNING = OBS + "agent.planning."


def credits(value) -> Decimal:
    return Decimal(str(value)).quantize(NINE, rounding=ROUND_HALF_UP)


def render_cost_catalog(**overrides):
    return render_catalog(
        "dev", initialLookbackHours="48",
        costModelRates=json.dumps(RATES, separators=(",", ":")),
        costTeamsByUser=json.dumps(TEAMS_BY_USER, separators=(",", ":")),
        costTeamsByAgent=json.dumps(TEAMS_BY_AGENT, separators=(",", ":")),
        costUseTags="true", costTeamTag="COST_CENTER", costCreditPrice=str(PRICE), costCurrency="EUR", **overrides)


@pytest.fixture(scope="module")
def cost_catalog():
    return render_cost_catalog()


@pytest.fixture(scope="module")
def traffic():
    """About 36 hours of two agents' traffic (so two UTC days), one model renamed to an unrated one."""
    now = utc_now()
    events = generate(seed=808, agents=AGENTS, start=now - timedelta(hours=36), end=now - timedelta(minutes=5),
                      turns_per_agent_per_hour=1.5, feedback_rate=0.2)
    for event in events:
        attributes = event["RECORD_ATTRIBUTES"] or {}
        if attributes.get(PLANNING + "model") == "mistral-large2":
            attributes[PLANNING + "model"] = UNRATED_MODEL
    return events


def ingested(catalog, traffic) -> Emulator:
    emulator = Emulator(catalog, _coverage)
    emulator.deliver(traffic)
    emulator.set_agents([(a.database, a.schema, a.name) for a in AGENTS])
    run_task(emulator, "discover")
    run_task(emulator, "refresh")
    return emulator


@pytest.fixture
def emu(cost_catalog, traffic):
    with fakesnow.patch():
        emulator = ingested(cost_catalog, traffic)
        yield emulator
        emulator.close()


# --- what the events say, computed independently ---------------------------------------------
def evaluation_traces(events) -> set[str]:
    """Traces an evaluation run wrote: any of their rows is marked."""
    return {e["TRACE"]["trace_id"] for e in events if e["TRACE"] and is_evaluation_event(e)}


def requests_of(events) -> dict[str, dict]:
    """trace id -> the production request: agent, user, thread, time, keys and tokens by model and
    class. Evaluation runs are not production cost: their traces are left out."""
    out: dict[str, dict] = {}
    evaluation = evaluation_traces(events)
    for event in events:
        if event["RECORD_TYPE"] != "SPAN" or not is_cortex_agent_event(event) or not event["TRACE"]:
            continue
        if event["TRACE"]["trace_id"] in evaluation:
            continue
        attributes = event["RECORD_ATTRIBUTES"]
        request = out.setdefault(event["TRACE"]["trace_id"], {
            "agent": f"{attributes[OBS + 'database.name']}.{attributes[OBS + 'schema.name']}.{attributes[OBS + 'object.name']}",
            "user": event["RESOURCE_ATTRIBUTES"]["snow.user.name"],
            "thread": str(attributes[OBS + "agent.thread_id"]),
            "start": event["START_TIMESTAMP"], "end": event["TIMESTAMP"],
            "models": defaultdict(lambda: defaultdict(int)),
        })
        request["start"] = min(request["start"], event["START_TIMESTAMP"])
        request["end"] = max(request["end"], event["TIMESTAMP"])
        if event["RECORD"]["name"] == "AgentV2RequestResponseInfo":
            request["record_id"] = attributes["ai.observability.record_id"]
            request["request_id"] = attributes[OBS + "agent.request_id"]
        model = attributes.get(PLANNING + "model")
        if model is not None:
            for token_class, key in (("input", "input"), ("output", "output"),
                                     ("cacheRead", "cache_read_input"), ("cacheWrite", "cache_write_input")):
                request["models"][model][token_class] += attributes.get(PLANNING + "token_count." + key, 0)
    return out


def rate_table(emulator) -> dict[str, dict]:
    rows = emulator.view("COST_MODEL_RATES")
    return {r["MODEL_NAME"]: {"input": r["INPUT_RATE"], "output": r["OUTPUT_RATE"], "cacheRead": r["CACHE_READ_RATE"],
                              "cacheWrite": r["CACHE_WRITE_RATE"], "source": r["RATE_SOURCE"]} for r in rows}


def estimate(tokens: dict, rates: dict) -> Decimal:
    total = sum(Decimal(tokens[c]) * Decimal(str(rates[c])) for c in ("input", "output", "cacheRead", "cacheWrite"))
    return credits(total / Decimal(1_000_000))


def expected_estimates(emulator, events) -> dict[str, dict[str, Decimal]]:
    table = rate_table(emulator)
    highest = {c: max(Decimal(str(r[c])) for r in table.values()) for c in ("input", "output", "cacheRead", "cacheWrite")}
    return {trace: {model: estimate(tokens, table.get(model, highest)) for model, tokens in request["models"].items()}
            for trace, request in requests_of(events).items()}


def add_usage(emulator, rows, view: str = USAGE) -> None:
    """Usage rows arriving in an emulated ACCOUNT_USAGE view: the agent view, or a CoWork view
    (which has no AGENT_TAGS column)."""
    cur = emulator.loader.cursor()
    for row in rows:
        if view == USAGE:
            cur.execute(
                f"INSERT INTO {view} (START_TIME, END_TIME, USER_NAME, USER_TAGS, REQUEST_ID, AGENT_DATABASE_NAME, "
                "AGENT_SCHEMA_NAME, AGENT_NAME, AGENT_TAGS, TOKENS, TOKEN_CREDITS) "
                "SELECT %s, %s, %s, PARSE_JSON(%s), %s, %s, %s, %s, PARSE_JSON(%s), %s, %s",
                (row["start"], row["end"], row["user"], json.dumps(row.get("user_tags", [])), row["request_id"],
                 *row["agent"].split("."), json.dumps(row.get("agent_tags", [])), 1000, str(row["credits"])))
        else:
            assert "agent_tags" not in row, "the CoWork view documents no AGENT_TAGS"
            cur.execute(
                f"INSERT INTO {view} (START_TIME, END_TIME, USER_NAME, USER_TAGS, REQUEST_ID, AGENT_DATABASE_NAME, "
                "AGENT_SCHEMA_NAME, AGENT_NAME, TOKENS, TOKEN_CREDITS) "
                "SELECT %s, %s, %s, PARSE_JSON(%s), %s, %s, %s, %s, %s, %s",
                (row["start"], row["end"], row["user"], json.dumps(row.get("user_tags", [])), row["request_id"],
                 *row["agent"].split("."), 1000, str(row["credits"])))


def usage_for(request: dict, credits_: Decimal, key: str = "record_id", **extra) -> dict:
    return {"start": request["start"], "end": request["end"] + timedelta(seconds=1), "user": request["user"],
            "request_id": request[key], "agent": request["agent"], "credits": credits_, **extra}


def tag(value: str, name: str = "COST_CENTER") -> list[dict]:
    return [{"level": "USER", "tag_database": "GOVERNANCE", "tag_schema": "TAGS", "tag_name": name, "tag_value": value}]


def ledger(emulator) -> dict[str, dict]:
    return {row["REQUEST_KEY"]: row for row in emulator.view("COST_LEDGER")}


# --- tests ------------------------------------------------------------------------------------
def test_per_model_rates_apply_per_token_class(emu, traffic):
    table = rate_table(emu)
    for model, rates in RATES.items():
        assert {c: float(table[model][c]) for c in rates} == rates and table[model]["source"] == "CONFIG"
    assert UNRATED_MODEL not in table
    expected = expected_estimates(emu, traffic)
    got = {(r["TRACE_ID"], r["MODEL_NAME"]): r for r in emu.view("COST_REQUEST_MODELS")}
    assert set(got) == {(trace, model) for trace, models in expected.items() for model in models}
    for (trace, model), row in got.items():
        assert credits(row["ESTIMATED_CREDITS"]) == expected[trace][model], (trace, model)
        assert row["RATED"] == (model != UNRATED_MODEL)
    # The rates really are per class: the same tokens at another class's rate would differ.
    assert any(r["CACHE_READ_TOKENS"] > 0 and r["CACHE_WRITE_TOKENS"] > 0 for r in got.values())
    assert any(model == UNRATED_MODEL for _, model in got), "the fixture has requests on a model missing from the table"


def test_unmatched_traffic_is_estimated_never_dropped(emu, traffic):
    expected = expected_estimates(emu, traffic)
    rows = ledger(emu)
    assert set(rows) == set(expected), "every request of the history is in the ledger once"
    assert evaluation_traces(traffic) and not evaluation_traces(traffic) & set(rows), "evaluation runs are not in it"
    for trace, row in rows.items():
        assert row["COST_SOURCE"] == "ESTIMATED" and row["COST_BASIS"] == "USAGE_PENDING"
        assert credits(row["CREDITS"]) == sum(expected[trace].values(), Decimal(0))
        assert credits(row["AMOUNT"]) == credits(row["CREDITS"] * PRICE) and row["CURRENCY"] == "EUR"
    day = emu.view("COST_RECONCILIATION")
    assert sum(r["EVENT_REQUESTS"] for r in day) == len(expected)
    assert all(r["ESTIMATED_SHARE"] == 1 and r["MATCH_RATE"] == 0 for r in day)


def test_estimated_rows_become_actual_when_the_usage_row_arrives(emu, traffic):
    requests = sorted(requests_of(traffic).items(), key=lambda item: item[1]["start"])
    estimates = expected_estimates(emu, traffic)
    actual = {trace: credits(Decimal(i + 1) / 1000) for i, (trace, _) in enumerate(requests)}
    early, late = requests[: len(requests) // 2], requests[len(requests) // 2:]
    # The older half is reported, except three requests that never get a usage row.
    never = {trace for trace, _ in early[:3]}
    add_usage(emu, [usage_for(r, actual[t]) for t, r in early if t not in never])
    rows = ledger(emu)
    assert len(rows) == len(requests)
    reported_until = max(r["end"] for t, r in early if t not in never) + timedelta(seconds=1)
    for trace, request in requests:
        row = rows[trace]
        if trace in dict(early) and trace not in never:
            assert (row["COST_SOURCE"], row["COST_BASIS"]) == ("ACTUAL", "MATCHED")
            assert credits(row["CREDITS"]) == actual[trace]
            assert credits(row["ESTIMATED_CREDITS"]) == sum(estimates[trace].values(), Decimal(0))
        else:
            assert row["COST_SOURCE"] == "ESTIMATED"
            assert row["COST_BASIS"] == ("NO_USAGE_ROW" if request["start"] <= reported_until else "USAGE_PENDING")
            assert credits(row["CREDITS"]) == sum(estimates[trace].values(), Decimal(0))

    # Late arrivals: the usage view catches up on the newer half hours later.
    add_usage(emu, [usage_for(r, actual[t]) for t, r in late])
    rows = ledger(emu)
    assert len(rows) == len(requests)
    for trace, _ in late:
        assert (rows[trace]["COST_SOURCE"], credits(rows[trace]["CREDITS"])) == ("ACTUAL", actual[trace])
    for trace in never:
        assert (rows[trace]["COST_SOURCE"], rows[trace]["COST_BASIS"]) == ("ESTIMATED", "NO_USAGE_ROW")
    days = emu.view("COST_RECONCILIATION")
    assert sum(d["MATCHED_REQUESTS"] for d in days) == len(requests) - len(never)
    assert sum(d["UNMATCHED_REQUESTS"] for d in days) == len(never)
    assert credits(sum(d["TOTAL_CREDITS"] for d in days)) == (
        sum((actual[t] for t, _ in requests if t not in never), Decimal(0))
        + sum((sum(estimates[t].values(), Decimal(0)) for t in never), Decimal(0)))


def test_team_totals_sum_exactly_to_the_account_total(emu, traffic):
    requests = requests_of(traffic)
    ordered = sorted(requests.items(), key=lambda item: item[1]["start"])
    estimates = expected_estimates(emu, traffic)
    # Usage for every other request, some with user or agent team tags; plus usage of an agent
    # Wallmonitor does not ingest (it never matches a request in the history).
    usage, actual = [], {}
    for i, (trace, request) in enumerate(ordered):
        if i % 2:
            continue
        actual[trace] = credits(Decimal(3 * i + 7) / 10_000)
        tags = {0: {"user_tags": tag("TAGGED_USERS")}, 2: {"agent_tags": tag("TAGGED_AGENTS")},
                4: {"user_tags": tag("IGNORED", name="OTHER_TAG")}}.get(i % 6, {})
        usage.append(usage_for(request, actual[trace], **tags))
    now = utc_now()
    foreign = [{"start": now - timedelta(hours=h), "end": now - timedelta(hours=h) + timedelta(seconds=9),
                "user": "ZOE", "request_id": f"foreign-{h}", "agent": "OPS_DB.AGENTS.UNMONITORED",
                "credits": credits(Decimal(h) / 100), "user_tags": tag("TAGGED_USERS") if h == 3 else []}
               for h in (2, 3, 30)]
    add_usage(emu, usage + foreign)

    def team(user, agent, user_tags, agent_tags):
        for mapping, name in ((TEAMS_BY_USER, user), (TEAMS_BY_AGENT, agent)):
            for team_name, members in mapping.items():
                if name in members:
                    return team_name
        for tags in (user_tags, agent_tags):
            for t in tags:
                if t["tag_name"] == "COST_CENTER":
                    return t["tag_value"]
        return "UNASSIGNED"

    expected_by_team: dict[str, Decimal] = defaultdict(Decimal)
    by_trace = {u["request_id"]: u for u in usage}
    for trace, request in requests.items():
        row = by_trace.get(request["record_id"], {})
        amount = actual.get(trace, sum(estimates[trace].values(), Decimal(0)))
        expected_by_team[team(request["user"], request["agent"], row.get("user_tags", []), row.get("agent_tags", []))] += amount
    for row in foreign:
        expected_by_team[team(row["user"], row["agent"], row.get("user_tags", []), [])] += row["credits"]
    account_total = sum(expected_by_team.values(), Decimal(0))
    assert {"FINANCE", "PEOPLE", "TAGGED_USERS", "TAGGED_AGENTS", "UNASSIGNED"} <= set(expected_by_team)

    rows = ledger(emu)
    assert {r["COST_BASIS"] for r in rows.values() if r["ORIGIN"] == "USAGE"} == {"USAGE_ONLY"}
    assert sum(1 for r in rows.values() if r["ORIGIN"] == "USAGE") == len(foreign)
    for grain in ("COST_DAILY", "COST_MONTHLY"):
        got: dict[str, float] = defaultdict(float)
        for row in emu.view(grain):
            got[row["TEAM"]] += row["CREDITS"]
        assert {t: credits(v) for t, v in got.items()} == dict(expected_by_team), grain
        assert credits(sum(got.values())) == account_total
    assert credits(sum(r["TOTAL_CREDITS"] for r in emu.view("COST_RECONCILIATION"))) == account_total
    assert credits(sum(r["CREDITS"] for r in rows.values())) == account_total
    sources = {r["TEAM_SOURCE"] for r in rows.values()}
    assert sources == {"USER_MAPPING", "AGENT_MAPPING", "USER_TAG", "AGENT_TAG", "UNASSIGNED"}


def test_multi_model_requests_split_by_model_and_reconcile(emu, traffic):
    requests = requests_of(traffic)
    estimates = expected_estimates(emu, traffic)
    multi = [t for t, models in estimates.items() if len(models) > 1]
    assert multi, "the fixture has requests on more than one model"
    add_usage(emu, [usage_for(requests[t], credits(Decimal("0.123456789"))) for t in multi])
    split: dict[str, list[dict]] = defaultdict(list)
    for row in emu.view("COST_LEDGER_BY_MODEL"):
        split[row["REQUEST_KEY"]].append(row)
    for trace, row in ledger(emu).items():
        parts = split[trace]
        assert sum((credits(p["CREDITS"]) for p in parts), Decimal(0)) == credits(row["CREDITS"]), trace
        assert {p["MODEL_NAME"] for p in parts} == (set(estimates[trace]) or {"unknown"})
    for trace in multi:
        parts = {p["MODEL_NAME"]: credits(p["CREDITS"]) for p in split[trace]}
        total = sum(estimates[trace].values(), Decimal(0))
        for model, share in parts.items():
            assert abs(share - Decimal("0.123456789") * estimates[trace][model] / total) <= Decimal(len(parts)) * NINE
    daily = emu.view("COST_DAILY")
    assert {r["MODEL_NAME"] for r in daily} >= {UNRATED_MODEL, "claude-4-sonnet"}
    assert credits(sum(r["CREDITS"] for r in daily)) == credits(sum(r["CREDITS"] for r in ledger(emu).values()))


def test_the_reconciliation_shows_which_join_key_matches(emu, traffic):
    """Usage keyed by the other candidate (…agent.request_id) matches nothing with the configured
    record_id: the reconciliation says so (alternate-key match rate 1), and meanwhile the cost is
    counted on the conservative side, estimated and actual both."""
    requests = requests_of(traffic)
    add_usage(emu, [usage_for(r, credits(Decimal("0.01")), key="request_id") for r in requests.values()])
    days = emu.view("COST_RECONCILIATION")
    assert sum(d["MATCHED_REQUESTS"] for d in days) == 0
    assert all(d["JOIN_KEY"] == "record_id" and d["ALTERNATE_KEY_MATCH_RATE"] == 1 for d in days)
    assert sum(d["USAGE_ONLY_REQUESTS"] for d in days) == len(requests)


def test_top_threads_rank_threads_by_cost(emu, traffic):
    requests = requests_of(traffic)
    estimates = expected_estimates(emu, traffic)
    by_thread: dict[str, Decimal] = defaultdict(Decimal)
    for trace, request in requests.items():
        by_thread[request["thread"]] += sum(estimates[trace].values(), Decimal(0))
    rows = sorted(emu.view("COST_TOP_THREADS"), key=lambda r: r["COST_RANK"])
    assert {r["THREAD_ID"]: credits(r["CREDITS"]) for r in rows} == dict(by_thread)
    assert [credits(r["CREDITS"]) for r in rows] == sorted(by_thread.values(), reverse=True)
    assert rows[0]["COST_RANK"] == 1 and rows[0]["CURRENCY"] == "EUR"


def test_the_rollup_estimate_prices_the_daily_model_rollup(emu, traffic):
    """COST_ROLLUP_ESTIMATE, over MODEL_DAILY_ROLLUP (kept longer than raw history): input and
    output tokens of each UTC day, agent and model at the model's rates, an unrated model at the
    highest; no cache classes, so never above the ledger's estimate."""
    run_task(emu, "rollup")
    table = rate_table(emu)
    highest = {c: max(Decimal(str(r[c])) for r in table.values()) for c in ("input", "output")}
    tokens: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    evaluation = evaluation_traces(traffic)
    for event in traffic:
        attributes = event["RECORD_ATTRIBUTES"] or {}
        model = attributes.get(PLANNING + "model")
        if event["RECORD_TYPE"] != "SPAN" or not is_cortex_agent_event(event) or model is None:
            continue
        if event["TRACE"]["trace_id"] in evaluation:
            continue
        agent = (attributes[OBS + "database.name"], attributes[OBS + "schema.name"], attributes[OBS + "object.name"])
        key = (event["TIMESTAMP"].date(), *agent, model)
        tokens[key]["input"] += attributes.get(PLANNING + "token_count.input", 0)
        tokens[key]["output"] += attributes.get(PLANNING + "token_count.output", 0)
    expected = {key: credits(sum(Decimal(t[c]) * Decimal(str(table.get(key[-1], highest)[c])) for c in ("input", "output"))
                             / Decimal(1_000_000)) for key, t in tokens.items()}
    rows = emu.view("COST_ROLLUP_ESTIMATE")
    got = {(r["DAY"], r["AGENT_DATABASE"], r["AGENT_SCHEMA"], r["AGENT_NAME"], r["MODEL_NAME"]): credits(r["ESTIMATED_CREDITS"])
           for r in rows}
    assert got == expected
    assert {r["RATED"] for r in rows if r["MODEL_NAME"] == UNRATED_MODEL} == {False}
    assert credits(sum(got.values(), Decimal(0))) <= credits(sum(r["CREDITS"] for r in ledger(emu).values()))


# --- CoWork (formerly Snowflake Intelligence) --------------------------------------------------
def test_cowork_requests_become_actual_from_the_cowork_view_and_say_so(emu, traffic):
    """CORTEX_AGENT_USAGE_HISTORY excludes CoWork requests; they are in the CoWork view. A request
    reported there is ACTUAL, labelled with that view; the rest stay as they were; every request
    is in the ledger once and the totals reconcile."""
    requests = sorted(requests_of(traffic).items(), key=lambda item: item[1]["start"])
    estimates = expected_estimates(emu, traffic)
    by_agent = {t: credits(Decimal(i + 1) / 1000) for i, (t, _) in enumerate(requests) if i % 3 == 0}
    by_cowork = {t: credits(Decimal(i + 1) / 500) for i, (t, _) in enumerate(requests) if i % 3 == 1}
    add_usage(emu, [usage_for(r, by_agent[t]) for t, r in requests if t in by_agent])
    add_usage(emu, [usage_for(r, by_cowork[t], user_tags=tag("COWORK_USERS")) for t, r in requests if t in by_cowork],
              view=COWORK)
    rows = ledger(emu)
    assert len(rows) == len(requests) and all(r["ORIGIN"] == "EVENT" for r in rows.values()), "no request twice"
    for trace, _ in requests:
        row = rows[trace]
        if trace in by_cowork:
            assert (row["COST_SOURCE"], row["COST_BASIS"], row["USAGE_VIEW"]) == (
                "ACTUAL", "MATCHED", "SNOWFLAKE_COWORK_USAGE_HISTORY")
            assert credits(row["CREDITS"]) == by_cowork[trace]
        elif trace in by_agent:
            assert (row["COST_SOURCE"], row["USAGE_VIEW"]) == ("ACTUAL", "CORTEX_AGENT_USAGE_HISTORY")
            assert credits(row["CREDITS"]) == by_agent[trace]
        else:
            assert (row["COST_SOURCE"], row["USAGE_VIEW"]) == ("ESTIMATED", None)
            assert credits(row["CREDITS"]) == sum(estimates[trace].values(), Decimal(0))
    # A CoWork row's user tag names its team (ALICE and BOB are mapped, and mappings come first).
    assert {rows[t]["TEAM"] for t, r in requests if t in by_cowork and r["user"] not in TEAMS_BY_USER["FINANCE"]
            and r["agent"] not in TEAMS_BY_AGENT["PEOPLE"]} == {"COWORK_USERS"}

    days = emu.view("COST_RECONCILIATION")
    assert sum(d["MATCHED_REQUESTS"] for d in days) == len(by_agent) + len(by_cowork)
    assert sum(d["MATCHED_COWORK_REQUESTS"] for d in days) == len(by_cowork)
    assert credits(sum(d["COWORK_USAGE_CREDITS"] for d in days)) == sum(by_cowork.values(), Decimal(0))
    assert credits(sum(d["AGENT_USAGE_CREDITS"] for d in days)) == sum(by_agent.values(), Decimal(0))
    total = credits(sum(r["CREDITS"] for r in rows.values()))
    assert credits(sum(d["TOTAL_CREDITS"] for d in days)) == total
    assert credits(sum(d["AGENT_USAGE_CREDITS"] + d["COWORK_USAGE_CREDITS"] + d["ESTIMATED_CREDITS"] for d in days)) == total
    daily = emu.view("COST_DAILY")
    assert credits(sum(r["CREDITS"] for r in daily)) == total
    assert credits(sum(r["CREDITS"] for r in daily if r["USAGE_VIEW"] == "SNOWFLAKE_COWORK_USAGE_HISTORY")) == \
        sum(by_cowork.values(), Decimal(0))
    assert {r["USAGE_VIEW"] for r in daily if r["COST_SOURCE"] == "ESTIMATED"} == {None}


def test_a_request_in_both_views_is_counted_once_from_the_agent_view(emu, traffic):
    """The views are documented as disjoint; if one request still shows up in both, the agent
    view's credits count, the CoWork row adds nothing, not even a usage-only row."""
    request = next(iter(requests_of(traffic).values()))
    add_usage(emu, [usage_for(request, credits(Decimal("0.25")))])
    add_usage(emu, [usage_for(request, credits(Decimal("0.75")))], view=COWORK)
    usage = [r for r in emu.view("COST_USAGE") if r["REQUEST_ID"] == request["record_id"]]
    assert [(r["USAGE_VIEW"], r["USAGE_VIEWS"], credits(r["CREDITS"])) for r in usage] == [
        ("CORTEX_AGENT_USAGE_HISTORY", 2, credits(Decimal("0.25")))]
    rows = ledger(emu)
    assert len(rows) == len(requests_of(traffic)) and not any(r["ORIGIN"] == "USAGE" for r in rows.values())
    matched = [r for r in rows.values() if r["COST_SOURCE"] == "ACTUAL"]
    assert [(r["USAGE_VIEW"], credits(r["CREDITS"])) for r in matched] == [
        ("CORTEX_AGENT_USAGE_HISTORY", credits(Decimal("0.25")))]


def test_cowork_usage_of_agents_not_ingested_is_usage_only_and_labelled(emu, traffic):
    now = utc_now()
    add_usage(emu, [{"start": now - timedelta(hours=2), "end": now - timedelta(hours=2) + timedelta(seconds=5),
                     "user": "ZOE", "request_id": "cowork-only", "agent": "OPS_DB.AGENTS.UNMONITORED",
                     "credits": credits(Decimal("0.5"))}], view=COWORK)
    row = ledger(emu)["USAGE:cowork-only"]
    assert (row["ORIGIN"], row["COST_BASIS"], row["USAGE_VIEW"], credits(row["CREDITS"])) == (
        "USAGE", "USAGE_ONLY", "SNOWFLAKE_COWORK_USAGE_HISTORY", credits(Decimal("0.5")))


@pytest.fixture(scope="module")
def intelligence_catalog():
    return render_cost_catalog(costCoworkUsageView="SNOWFLAKE_INTELLIGENCE_USAGE_HISTORY")


def test_the_former_intelligence_view_is_read_alone_when_configured(intelligence_catalog, traffic):
    """Accounts that had Snowflake Intelligence keep both names with the same rows: reading the
    one configured counts each CoWork request once, labelled with the view actually read."""
    requests = sorted(requests_of(traffic).items(), key=lambda item: item[1]["start"])[:5]
    with fakesnow.patch():
        emulator = ingested(intelligence_catalog, traffic)
        rows = [usage_for(r, credits(Decimal("0.1"))) for _, r in requests]
        add_usage(emulator, rows, view=INTELLIGENCE)
        add_usage(emulator, rows, view=COWORK)
        ledger_rows = ledger(emulator)
        days = emulator.view("COST_RECONCILIATION")
        emulator.close()
    assert len(ledger_rows) == len(requests_of(traffic)) and not any(r["ORIGIN"] == "USAGE" for r in ledger_rows.values())
    assert {ledger_rows[t]["USAGE_VIEW"] for t, _ in requests} == {"SNOWFLAKE_INTELLIGENCE_USAGE_HISTORY"}
    assert credits(sum(d["COWORK_USAGE_CREDITS"] for d in days)) == credits(Decimal("0.1") * len(requests))


@pytest.fixture(scope="module")
def no_cowork_catalog():
    return render_cost_catalog(costCoworkUsageView="none")


def test_without_a_cowork_view_the_cost_views_still_work(no_cowork_catalog, traffic):
    """costCoworkUsageView NONE: the cost views compile on an account that has neither CoWork
    view, and CoWork requests stay estimated."""
    request = next(iter(requests_of(traffic).values()))
    with fakesnow.patch():
        emulator = ingested(no_cowork_catalog, traffic)
        cur = emulator.conn.cursor()
        for view in COWORK_USAGE_VIEWS:
            cur.execute(f"DROP TABLE SNOWFLAKE.ACCOUNT_USAGE.{view}")
        for name, view in no_cowork_catalog["costViews"].items():
            emulator.execute(f"CREATE OR REPLACE VIEW {emulator.database}.{emulator.schema}.{name} AS\n{view['text']}",
                             files=view["files"])
        add_usage(emulator, [usage_for(request, credits(Decimal("0.2")))])
        rows = ledger(emulator)
        emulator.close()
    assert len(rows) == len(requests_of(traffic))
    assert {r["USAGE_VIEW"] for r in rows.values() if r["COST_SOURCE"] == "ACTUAL"} == {"CORTEX_AGENT_USAGE_HISTORY"}
    assert sum(1 for r in rows.values() if r["COST_SOURCE"] == "ACTUAL") == 1
