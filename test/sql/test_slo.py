"""Service level objectives on the emulator: the SLO views and the burn-rate alert rules
(sql/slo/, sql/alerts/rules/slo_burn.sql) over generated traffic loaded once.

One world, loaded through the real ingestion and rollups: a month of ordinary traffic for
STEADY_BOT, and over the last hours an injected fast burn (FAST_BOT), a slow burn (SLOW_BOT) and
a fast burn of an agent without an objective (UNTRACKED_AGENT). To keep the month cheap, its traffic
keeps only what an SLO reads (the turns' root spans and the evaluation runs,
traffic.slo_burns.turns_only), and the rules' SQL is evaluated at every half hour of the month
in one set-based query per rule rather than by calling the procedure 1,400 times: the rule's
own text with its bound evaluation time replaced by a table of instants. A few evaluations of the
real alerting procedure then show the rules going through the alerting with its cooldown and
recovery. Attainment and budget are checked against values computed here from the generated
events.
"""

from __future__ import annotations

import json
import math
import sys
from collections import Counter
from datetime import datetime, timedelta

import pytest

from emulator import Coverage, NotificationService, embedded_statements, render_catalog, standalone_emulator, utc_now
from traffic import AgentRef, generate, is_evaluation_event
from traffic.slo_burns import fast_burn, is_turn, slow_burn, turns_only

import alerting
import ingestion

DB, SCHEMA = "SALES_DB", "AGENTS"
STEADY, FAST, SLOW, LOOSE = (AgentRef(DB, SCHEMA, name) for name in ("STEADY_BOT", "FAST_BOT", "SLOW_BOT", "UNTRACKED_AGENT"))
AGENTS = (STEADY, FAST, SLOW, LOOSE)
# Normal traffic fails 0.5 % of turns and about as many take 40 s or more: a quarter of a 2 % budget.
NORMAL_ERROR_RATE = 0.005
THRESHOLD_MS = 40_000
SLOS = [
    {"agent": "SALES_DB.AGENTS.STEADY_BOT", "availability": {"target": 98, "windowDays": 28},
     "latency": {"thresholdMs": THRESHOLD_MS, "target": 98, "windowDays": 7}},
    # A pattern: FAST_BOT and SLOW_BOT, and STEADY_BOT, whose availability the first entry gives.
    {"agent": "SALES_DB.AGENTS.%_BOT", "availability": {"target": 98, "windowDays": 14}},
]
RULES = ("slo_fast_burn", "slo_slow_burn")
STEP = timedelta(minutes=30)
LATENCY_BUCKET_RATIO = 1.05


def _coverage() -> Coverage:
    return getattr(sys.modules.get("conftest"), "_coverage", None) or Coverage()


@pytest.fixture(scope="module")
def world():
    catalog = render_catalog("dev", slos=json.dumps(SLOS, separators=(",", ":")))
    now = utc_now().replace(second=0, microsecond=0)
    month = turns_only(generate(seed=31, agents=[STEADY], start=now - timedelta(days=30), end=now,
                                turns_per_agent_per_hour=12, error_rate=NORMAL_ERROR_RATE))
    recent = turns_only(generate(seed=32, agents=[FAST, SLOW, LOOSE], start=now - timedelta(hours=14), end=now,
                                 turns_per_agent_per_hour=40, error_rate=NORMAL_ERROR_RATE))
    windows = {"fast": (now - timedelta(hours=4), now - timedelta(hours=3)),
               "slow": (now - timedelta(hours=10), now - timedelta(hours=1, minutes=30))}
    # Every sixth turn failing is 8.3 times a 2 % budget's sustainable rate: above 6x, below 14.4x in every hour.
    recent = slow_burn(recent, SLOW, *windows["slow"], every=6)
    bursts = [turns_only(fast_burn(seed=seed, agent=agent, start=windows["fast"][0], end=windows["fast"][1],
                                   turns_per_hour=60, error_rate=0.9))
              for seed, agent in ((33, FAST), (34, LOOSE))]
    # Evaluation runs of STEADY_BOT (one in ten of their turns fails) on a rolled-up day and today: never counted.
    # Today's are kept inside the current UTC day (up to 3 hours, ending a minute before now), which
    # needs a few minutes of it: before that, the world cannot hold the case the tests check.
    midnight = datetime.combine(now.date(), datetime.min.time())
    if now - midnight < timedelta(minutes=10):
        pytest.skip("the SLO world needs ten minutes of the current UTC day for today's evaluation runs")
    today_start = max(now - timedelta(hours=4), midnight)
    today_end = min(today_start + timedelta(hours=3), now - timedelta(minutes=1))
    evaluations = [turns_only(generate(seed=seed, agents=[STEADY], start=start, end=end,
                                       turns_per_agent_per_hour=0, include_noise=False, evaluation_runs_per_agent=2))
                   for seed, start, end in ((35, now - timedelta(days=2), now - timedelta(days=2) + timedelta(hours=3)),
                                            (36, today_start, today_end))]
    events = sorted(month + recent + bursts[0] + bursts[1] + evaluations[0] + evaluations[1], key=lambda event: event["TIMESTAMP"])
    with standalone_emulator(catalog, _coverage()) as emulator:
        emulator.set_agents([(a.database, a.schema, a.name) for a in AGENTS])
        emulator.deliver(events)
        statements = emulator.handler_statements()
        ingestion.run_discovery(emulator.session, statements, "%", None, True)
        ingestion.run_refresh(emulator.session, statements, 24 * 31, 60, "per_agent")
        ingestion.run_rollup(emulator.session, statements, 60, 400)
        yield {"catalog": catalog, "emulator": emulator, "events": events, "now": now, "windows": windows}


# --- the rules at every half hour, set-based ---------------------------------------------------------
BOUND_CLOCK = "SELECT CAST(? AS TIMESTAMP_NTZ) AS AS_OF"
RESULT_HEAD = "SELECT 'slo_{speed}_burn' AS RULE_NAME,"


def rule_at_instants(catalog, rule: str, earliest: datetime) -> tuple[str, list[str]]:
    """The rule's deployed text evaluated at every row of SLO_TEST_INSTANTS (from `earliest` on),
    and its binds: the bound clock becomes that table and each result row says its instant. The
    anchors occur exactly once, or the rewrite would test something else than the deployed rule.
    AS_OF's other binds start the read of production history (READ_FROM,
    evaluation/production_history_from.sql): bound to the earliest instant, the read covers every
    instant's window, and its evaluation marks from a margin before it."""
    statement = catalog["alerts"]["statements"][f"rule_{rule}"]
    text = statement["text"]
    head = RESULT_HEAD.format(speed=rule.split("_")[1])
    assert text.count(BOUND_CLOCK) == 1 and text.count(head) == 1 and set(statement["binds"]) == {"as_of"}, rule
    _coverage().add(statement["files"])
    rewritten = (text.replace(BOUND_CLOCK, "SELECT AS_OF FROM SLO_TEST_INSTANTS")
                     .replace(head, "SELECT c.AS_OF AS EVALUATED_AT, " + head.removeprefix("SELECT ")))
    return rewritten, [earliest.strftime("%Y-%m-%d %H:%M:%S.%f")] * rewritten.count("?")


@pytest.fixture(scope="module")
def month_of_evaluations(world):
    """Per rule, every (instant, agent) whose value and volume would make the alerting fire
    (procedures/alerting.py level_of: VALUE at or above the warning threshold, VOLUME at or above
    minVolume), over the month at every half hour."""
    emulator, catalog, now = world["emulator"], world["catalog"], world["now"]
    instants = [now - timedelta(days=30) + timedelta(hours=6) + STEP * n for n in range(int((timedelta(days=30) - timedelta(hours=6)) / STEP) + 1)]
    emulator.query("CREATE OR REPLACE TEMPORARY TABLE SLO_TEST_INSTANTS (AS_OF TIMESTAMP_NTZ)")
    emulator.query("INSERT INTO SLO_TEST_INSTANTS (AS_OF) VALUES " + ", ".join(f"('{at.isoformat(sep=' ')}')" for at in instants))
    defaults = catalog["alerts"]["settings"]["rules"]["defaults"]
    fired, rows = {}, {}
    for rule in RULES:
        result = emulator.query(*rule_at_instants(catalog, rule, min(instants)))
        rows[rule] = result
        fired[rule] = sorted((r["EVALUATED_AT"], r["AGENT_NAME"], round(float(r["VALUE"]), 1)) for r in result
                             if r["VALUE"] is not None and float(r["VALUE"]) >= defaults[rule]["warning"]
                             and int(r["VOLUME"]) >= defaults[rule]["minVolume"])
    return {"instants": instants, "fired": fired, "rows": rows}


def test_the_rules_fire_only_for_the_injected_burns(world, month_of_evaluations, capsys):
    fired, instants, windows = month_of_evaluations["fired"], month_of_evaluations["instants"], world["windows"]
    # Every agent gets a row at every instant (VALUE NULL without an objective or traffic).
    for rule in RULES:
        assert len(month_of_evaluations["rows"][rule]) == len(instants) * len(AGENTS)
    fast_start, fast_end = windows["fast"]
    slow_start, slow_end = windows["slow"]
    expected = {
        # The burst: while the last hour holds it and the last 5 minutes still do.
        ("slo_fast_burn", "FAST_BOT"): lambda at: fast_start < at <= fast_end + timedelta(minutes=5),
        # The burst weighs on 6 hours as much as the slow burn does; confirmed over the last 30 minutes.
        ("slo_slow_burn", "FAST_BOT"): lambda at: fast_start < at <= fast_end + timedelta(minutes=30),
        ("slo_slow_burn", "SLOW_BOT"): lambda at: slow_start + timedelta(hours=2) < at <= slow_end + timedelta(minutes=30),
    }
    false_positives = [(rule, at, agent, value) for rule in RULES for at, agent, value in fired[rule]
                       if (rule, agent) not in expected or not expected[(rule, agent)](at)]
    normal = [(rule, at, agent, value) for rule, at, agent, value in false_positives if agent == "STEADY_BOT"]
    with capsys.disabled():
        print(f"\nslo: a month of normal traffic (STEADY_BOT, 12 turns/h, {len(instants)} evaluations of each burn-rate rule "
              f"every 30 min): {len(normal)} false positives; over all agents {len(false_positives)}"
              + "".join(f"\n  {at} {rule} {agent} value={value}" for rule, at, agent, value in false_positives)
              + "".join(f"\n  {rule}: fired at {len(fired[rule])} instants ({', '.join(sorted({a for _, a, _ in fired[rule]}))})"
                        for rule in RULES))
    assert false_positives == []
    # The fast burn fires the fast rule (and, being also a burn over 6 hours, the slow one).
    assert {agent for _, agent, _ in fired["slo_fast_burn"]} == {"FAST_BOT"}
    assert any(fast_start < at <= fast_end for at, agent, _ in fired["slo_fast_burn"])
    # The slow burn fires the slow rule, and never the fast one; nor does an agent without an objective.
    assert "SLOW_BOT" in {agent for _, agent, _ in fired["slo_slow_burn"]}
    assert sum(1 for at, agent, _ in fired["slo_slow_burn"] if agent == "SLOW_BOT") >= 6
    assert all(r["VALUE"] is None for rule in RULES for r in month_of_evaluations["rows"][rule] if r["AGENT_NAME"] == "UNTRACKED_AGENT")


def test_the_slow_burn_stays_under_the_fast_threshold_in_every_hour(world, month_of_evaluations):
    threshold = world["catalog"]["alerts"]["settings"]["rules"]["defaults"]["slo_fast_burn"]["warning"]
    slow = [r for r in month_of_evaluations["rows"]["slo_fast_burn"] if r["AGENT_NAME"] == "SLOW_BOT" and r["VALUE"] is not None]
    assert slow and max(float(r["VALUE"]) for r in slow) < threshold
    # And the slow rule's value during the burn is about the injected rate: 1/6 of turns over a 2 % budget.
    start, end = world["windows"]["slow"]
    during = [float(r["VALUE"]) for r in month_of_evaluations["rows"]["slo_slow_burn"]
              if r["AGENT_NAME"] == "SLOW_BOT" and start + timedelta(hours=6) < r["EVALUATED_AT"] <= end and r["VALUE"] is not None]
    assert during and all(abs(value - (1 / 6) / 0.02) < 2.5 for value in during), during


# --- through the alerting procedure, with its cooldown and recovery ----------------------------------
def test_the_alerting_procedure_fires_and_recovers_the_burns(world):
    emulator, catalog, now = world["emulator"], world["catalog"], world["now"]
    alerts = catalog["alerts"]
    _coverage().add([file for entry in alerts["statements"].values() for file in entry["files"]])
    settings = json.loads(json.dumps(alerts["settings"]))
    settings["channels"] = []
    for name, rule in settings["rules"]["defaults"].items():
        rule["enabled"] = name in RULES
    session, texts = NotificationService(emulator), embedded_statements(alerts["embedding"])
    at = world["windows"]["fast"][0] - timedelta(minutes=10)
    while at <= now:
        alerting.run_evaluation(session, texts, settings, at)
        at += timedelta(minutes=40)
    rows = emulator.query(f"SELECT * FROM {emulator.database}.{emulator.schema}.ALERT_HISTORY ORDER BY EVALUATED_AT, RULE_NAME, AGENT_NAME")
    events = Counter((r["RULE_NAME"], r["AGENT_NAME"], r["EVENT_TYPE"]) for r in rows)
    assert events == Counter({
        ("slo_fast_burn", "FAST_BOT", "FIRING"): 1, ("slo_fast_burn", "FAST_BOT", "RECOVERED"): 1,
        ("slo_slow_burn", "FAST_BOT", "FIRING"): 1, ("slo_slow_burn", "FAST_BOT", "RECOVERED"): 1,
        # Already burning slowly at the first evaluation; recovered once the burn ended and the cooldown passed.
        ("slo_slow_burn", "SLOW_BOT", "FIRING"): 1, ("slo_slow_burn", "SLOW_BOT", "RECOVERED"): 1,
    }), [(r["EVALUATED_AT"], r["EVENT_TYPE"], r["RULE_NAME"], r["AGENT_NAME"], r["VALUE"]) for r in rows]
    fast = next(r for r in rows if r["RULE_NAME"] == "slo_fast_burn" and r["EVENT_TYPE"] == "FIRING")
    assert fast["LEVEL"] == "CRITICAL" and fast["VALUE"] >= 14.4 and fast["THRESHOLD"] == 14.4
    assert fast["DETAIL"].startswith("availability objective: burn rate ") and "over 60 min" in fast["DETAIL"]
    recovered = next(r for r in rows if r["RULE_NAME"] == "slo_fast_burn" and r["EVENT_TYPE"] == "RECOVERED")
    assert recovered["EVALUATED_AT"] >= world["windows"]["fast"][1] + timedelta(minutes=settings["cooldownMinutes"])


# --- attainment and budget, against the generated events -------------------------------------------
def _day(value):
    """A DATE column as a date (the emulator may return DATEADD over a date as a timestamp)."""
    return value.date() if isinstance(value, datetime) else value


def _duration_ms(event) -> int:
    return round((event["TIMESTAMP"] - event["START_TIMESTAMP"]).total_seconds() * 1000)


def _rollup_good_share(duration_ms: int, threshold_ms: int) -> float:
    """What the rollup's histogram says of one turn (sql/slo/window_days.sql): its bucket's share under the threshold."""
    if duration_ms < 1:
        return 1.0
    bucket = 1 + math.floor(math.log(duration_ms) / math.log(LATENCY_BUCKET_RATIO))
    return max(0.0, min(1.0, math.log(threshold_ms) / math.log(LATENCY_BUCKET_RATIO) - (bucket - 1)))


def _production_turns(events, agent: AgentRef, start: datetime, end: datetime) -> list[dict]:
    evaluation_traces = {e["TRACE"]["trace_id"] for e in events if is_evaluation_event(e) and e.get("TRACE")}
    return [e for e in events if is_turn(e) and e["TRACE"]["trace_id"] not in evaluation_traces
            and e["RECORD_ATTRIBUTES"]["snow.ai.observability.object.name"] == agent.name and start <= e["TIMESTAMP"] <= end]


def test_attainment_and_budget_match_the_generated_turns(world):
    emulator, events = world["emulator"], world["events"]
    status = {(r["AGENT_NAME"], r["OBJECTIVE"]): r for r in emulator.view("SLO_STATUS")}
    # Only agents with an objective, each objective once.
    assert sorted(status) == [("FAST_BOT", "availability"), ("SLOW_BOT", "availability"),
                              ("STEADY_BOT", "availability"), ("STEADY_BOT", "latency")]
    availability, latency = status[("STEADY_BOT", "availability")], status[("STEADY_BOT", "latency")]
    # The first entry matching an agent gives each objective: STEADY_BOT's own, then the pattern's.
    assert (availability["WINDOW_DAYS"], latency["WINDOW_DAYS"], status[("FAST_BOT", "availability")]["WINDOW_DAYS"]) == (28, 7, 14)
    evaluated = availability["EVALUATED_AT"]
    today = datetime.combine(evaluated.date(), datetime.min.time())
    turns = _production_turns(events, STEADY, today - timedelta(days=27), evaluated)
    assert _day(availability["WINDOW_START"]) == (today - timedelta(days=27)).date()
    evaluation_traces = {e["TRACE"]["trace_id"] for e in events if is_evaluation_event(e) and e.get("TRACE")}
    evaluation_turns = [e for e in events if is_turn(e) and e["TRACE"]["trace_id"] in evaluation_traces
                        and e["RECORD_ATTRIBUTES"]["snow.ai.observability.object.name"] == STEADY.name]
    failed = sum(1 for e in turns if e["RECORD"]["status"]["code"] == "STATUS_CODE_ERROR")
    assert int(availability["WINDOW_TURNS"]) == len(turns) and int(availability["BAD_TURNS"]) == failed
    assert float(availability["ATTAINMENT"]) == pytest.approx((len(turns) - failed) / len(turns))
    assert float(availability["ERROR_BUDGET_TURNS"]) == pytest.approx(0.02 * len(turns))
    assert float(availability["BUDGET_REMAINING"]) == pytest.approx(1 - failed / (0.02 * len(turns)))
    # The evaluation runs' turns fall in the window and are left out of it (the rollups and history mark them).
    assert any(e["TIMESTAMP"] < today for e in evaluation_turns) and any(e["TIMESTAMP"] >= today for e in evaluation_turns)

    # Latency over 7 days: whole days through the histogram's interpolation, today exactly.
    window = _production_turns(events, STEADY, today - timedelta(days=6), evaluated)
    whole_days = [e for e in window if e["TIMESTAMP"] < today]
    good = (sum(_rollup_good_share(_duration_ms(e), THRESHOLD_MS) for e in whole_days)
            + sum(1 for e in window if e["TIMESTAMP"] >= today and _duration_ms(e) < THRESHOLD_MS))
    exact = sum(1 for e in window if _duration_ms(e) < THRESHOLD_MS)
    straddling = sum(1 for e in whole_days if 0 < _rollup_good_share(_duration_ms(e), THRESHOLD_MS) < 1)
    assert int(latency["WINDOW_TURNS"]) == len(window)
    assert float(latency["GOOD_TURNS"]) == pytest.approx(good)
    assert abs(float(latency["GOOD_TURNS"]) - exact) <= straddling  # off by at most the threshold's bucket
    assert float(latency["BUDGET_REMAINING"]) == pytest.approx(1 - (len(window) - good) / (0.02 * len(window)))

    # Burn rates over the last windows, from history (the fast burst is 3 hours old: 6 h holds it, 1 h does not).
    fast = status[("FAST_BOT", "availability")]
    six_hours = _production_turns(events, FAST, evaluated - timedelta(hours=6) + timedelta(microseconds=1), evaluated)
    bad = sum(1 for e in six_hours if e["RECORD"]["status"]["code"] == "STATUS_CODE_ERROR")
    assert float(fast["BURN_RATE_6H"]) == pytest.approx(bad / len(six_hours) / 0.02)
    assert float(fast["BURN_RATE_6H"]) > 6 and float(fast["BURN_RATE_1H"]) < 6


def test_the_daily_budget_burns_down_to_the_window_figure(world):
    emulator = world["emulator"]
    days = [r for r in emulator.view("SLO_BUDGET_DAILY", "AGENT_NAME, OBJECTIVE, DAY")
            if r["AGENT_NAME"] == "STEADY_BOT" and r["OBJECTIVE"] == "availability"]
    status = next(r for r in emulator.view("SLO_STATUS") if r["AGENT_NAME"] == "STEADY_BOT" and r["OBJECTIVE"] == "availability")
    assert len(days) == 28 and [r["SOURCE"] for r in days] == ["rollup"] * 27 + ["history"]
    assert _day(days[0]["DAY"]) == _day(status["WINDOW_START"])
    assert float(days[-1]["CUMULATIVE_TURNS"]) == float(status["WINDOW_TURNS"])
    assert float(days[-1]["BUDGET_REMAINING"]) == pytest.approx(float(status["BUDGET_REMAINING"]))
    for day in days:
        assert float(day["BURN_RATE"]) == pytest.approx(float(day["BAD_TURNS"]) / float(day["TURNS"]) / 0.02)
