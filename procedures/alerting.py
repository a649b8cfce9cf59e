"""Wallmonitor's alert evaluation: the Snowpark Python handler behind EVALUATE_ALERTS(AS_OF).

Like procedures/ingestion.py, the control flow is Python so that it runs unchanged on the
Snowflake emulator in the tests; every statement comes from sql/alerts/ (rendered by
lib/alertCatalog.ts). At deploy time the rendered statements and the stack's alert settings
(rules with per-agent overrides, cooldown, notification channels) are appended to this module
as STATEMENTS and SETTINGS; the tests pass the same values.

One evaluation:

1. computes every enabled rule for every active agent (one statement per rule, AS_OF bound);
2. decides each (rule, agent)'s level: CRITICAL / WARNING when the value reaches the agent's
   threshold and the volume reaches its minimum, else OK (no data is OK);
3. compares with ALERT_STATE and records transitions in ALERT_HISTORY:
   - OK -> firing: a new incident, FIRING, notified;
   - firing -> a higher level than notified: ESCALATED, notified;
   - firing -> clear: the incident stays open until it has been clear for the cooldown, so a
     flapping condition is one incident that notifies once; a re-fire within the cooldown
     continues it silently;
   - clear for the cooldown: RECOVERED, notified to the channels its firing went to;
4. sends each notification with SYSTEM$SEND_SNOWFLAKE_NOTIFICATION to the channels whose minimum
   level it reaches; a failed send is recorded (`NAME (failed)`) and never stops the evaluation.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta

STATEMENTS: dict[str, str] = {}
SETTINGS: dict = {}

LEVELS = ("OK", "WARNING", "CRITICAL")
RULE_STATEMENT_PREFIX = "rule_"
MAX_MESSAGE_CHARS = 1500


def evaluate_alerts(session, as_of=None):
    """Handler of EVALUATE_ALERTS(AS_OF): AS_OF NULL evaluates as of now."""
    return run_evaluation(session, STATEMENTS, SETTINGS, as_of)


def _run(session, statements, name, params=None):
    return session.sql(statements[name], params=list(params or [])).collect()


def _ts(value):
    """A naive UTC timestamp as the text every timestamp bind uses (cast ?::TIMESTAMP_NTZ)."""
    return None if value is None else value.strftime("%Y-%m-%d %H:%M:%S.%f")


def _as_datetime(value):
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def _rank(level):
    return LEVELS.index(level or "OK")


def rule_for(settings, agent, rule):
    """The agent's override of a rule, else the stack-wide default (both complete)."""
    rules = settings["rules"]
    return (rules.get("agents", {}).get(agent) or {}).get(rule) or rules["defaults"][rule]


def level_of(rule, value, volume):
    """(level, threshold) for a value: below the minimum volume, or no value, is OK."""
    if value is None or not rule["enabled"]:
        return "OK", None
    if volume is not None and volume < rule["minVolume"]:
        return "OK", None
    value = float(value)
    if rule["critical"] is not None and value >= rule["critical"]:
        return "CRITICAL", float(rule["critical"])
    if value >= rule["warning"]:
        return "WARNING", float(rule["warning"])
    return "OK", None


def _format_value(rule_name, value):
    if value is None:
        return "no data"
    if rule_name in ("error_rate", "negative_feedback_rate"):
        return f"{100 * float(value):.1f} %"
    if rule_name == "token_spike":
        return f"{float(value):.2f}x"
    return f"{float(value):,.0f}"


def _message(event, key, level, value, threshold, window, detail, stack):
    rule_name, database, schema, agent = key
    what = f"{rule_name} on {database}.{schema}.{agent}"
    if event == "RECOVERED":
        text = f"[Wallmonitor {stack}] RECOVERED: {what} is back to normal (now {_format_value(rule_name, value)})."
    else:
        verb = "ESCALATED to" if event == "ESCALATED" else "is"
        text = (f"[Wallmonitor {stack}] {level}: {what} {verb} {level}: {_format_value(rule_name, value)} "
                f"(threshold {_format_value(rule_name, threshold)}, last {window} min).")
    if detail:
        text += f" {detail}"
    # Webhook bodies put the message inside a JSON string: keep it to one plain line.
    text = " ".join(text.replace('"', "'").replace("\\", "/").split())
    return text[:MAX_MESSAGE_CHARS]


def _send(session, statements, channels, level, subject, text):
    """Sends to every channel whose minimum level `level` reaches; returns what NOTIFIED_VIA records."""
    notified = []
    for channel in channels:
        if _rank(level) < _rank(channel.get("minLevel", "WARNING")):
            continue
        options = {}
        if channel["kind"] == "email":
            options = {"subject": subject[:250], "toAddress": list(channel["recipients"])}
        message = json.dumps({"text/plain": text})
        configuration = json.dumps({channel["integration"]: options})
        try:
            _run(session, statements, "send_notification", [message, configuration])
            notified.append(channel["integration"])
        except Exception:  # noqa: BLE001 - a failed send is recorded, the evaluation goes on
            notified.append(f"{channel['integration']} (failed)")
    return ", ".join(notified) if notified else "NONE"


def run_evaluation(session, statements, settings, as_of=None):
    """Evaluates every enabled rule as of ``as_of`` (naive UTC; None: now); returns a summary."""
    as_of = _as_datetime(as_of) or _as_datetime(_run(session, statements, "clock")[0][0])
    cooldown = timedelta(minutes=int(settings.get("cooldownMinutes", 30)))
    channels = settings.get("channels", [])
    stack = settings.get("stack", "")
    windows = {name: rule["windowMinutes"] for name, rule in settings["rules"]["defaults"].items()}

    observed = {}
    for rule_name, default in settings["rules"]["defaults"].items():
        overridden = any((rules or {}).get(rule_name, {}).get("enabled") for rules in settings["rules"].get("agents", {}).values())
        if not default["enabled"] and not overridden:
            continue
        for row in _run(session, statements, RULE_STATEMENT_PREFIX + rule_name, [_ts(as_of)]):
            fields = row.as_dict()
            key = (fields["RULE_NAME"], fields["AGENT_DATABASE"], fields["AGENT_SCHEMA"], fields["AGENT_NAME"])
            agent = ".".join(key[1:])
            volume = None if fields["VOLUME"] is None else int(fields["VOLUME"])
            value = None if fields["VALUE"] is None else float(fields["VALUE"])
            level, threshold = level_of(rule_for(settings, agent, rule_name), value, volume)
            baseline = None if fields["BASELINE"] is None else float(fields["BASELINE"])
            observed[key] = (level, threshold, value, volume, baseline, fields["DETAIL"])

    states = {}
    for row in _run(session, statements, "read_state"):
        fields = row.as_dict()
        states[(fields["RULE_NAME"], fields["AGENT_DATABASE"], fields["AGENT_SCHEMA"], fields["AGENT_NAME"])] = fields

    counts = {"FIRING": 0, "ESCALATED": 0, "RECOVERED": 0}
    for key in sorted(set(observed) | {k for k, s in states.items() if s["LEVEL"] != "OK"}):
        level, threshold, value, volume, baseline, detail = observed.get(key, ("OK", None, None, None, None, None))
        state = states.get(key)
        previous = state["LEVEL"] if state else "OK"
        if previous == "OK" and level == "OK":
            continue
        window = windows[key[0]]

        def record(event, event_level, event_threshold, first_seen, last_seen, incident, notify_level):
            text = _message(event, key, event_level, value, event_threshold, window, detail, stack)
            subject = text.split("] ", 1)[-1][:120]
            via = _send(session, statements, channels, notify_level, f"Wallmonitor {subject}", text)
            _run(session, statements, "insert_history", [
                incident, event, *key, event_level, value, event_threshold, window, volume, baseline,
                None if detail is None else str(detail)[:2000], _ts(first_seen), _ts(last_seen), _ts(as_of), via, text,
            ])
            counts[event] += 1

        if previous == "OK":
            incident = str(uuid.uuid4())
            record("FIRING", level, threshold, as_of, as_of, incident, level)
            new = {"LEVEL": level, "INCIDENT_ID": incident, "THRESHOLD": threshold, "FIRST_SEEN": as_of, "LAST_SEEN": as_of,
                   "CLEAR_SINCE": None, "NOTIFIED_LEVEL": level, "LAST_NOTIFIED_AT": as_of, "RECOVERED_AT": None}
        elif level != "OK":
            new = {**state, "LEVEL": level, "THRESHOLD": threshold, "LAST_SEEN": as_of, "CLEAR_SINCE": None}
            if _rank(level) > _rank(state["NOTIFIED_LEVEL"]):
                record("ESCALATED", level, threshold, state["FIRST_SEEN"], as_of, state["INCIDENT_ID"], level)
                new.update({"NOTIFIED_LEVEL": level, "LAST_NOTIFIED_AT": as_of})
        else:
            clear_since = _as_datetime(state["CLEAR_SINCE"]) or as_of
            if as_of - clear_since >= cooldown:
                # The recovery goes where the incident's highest level went.
                record("RECOVERED", state["NOTIFIED_LEVEL"], state["THRESHOLD"], state["FIRST_SEEN"], state["LAST_SEEN"],
                       state["INCIDENT_ID"], state["NOTIFIED_LEVEL"])
                new = {**state, "LEVEL": "OK", "CLEAR_SINCE": clear_since, "RECOVERED_AT": as_of, "LAST_NOTIFIED_AT": as_of}
            else:
                new = {**state, "CLEAR_SINCE": clear_since}
        _run(session, statements, "delete_state", list(key))
        _run(session, statements, "insert_state", [
            *key, new["LEVEL"], new["INCIDENT_ID"], value, new["THRESHOLD"], _ts(_as_datetime(new["FIRST_SEEN"])),
            _ts(_as_datetime(new["LAST_SEEN"])), _ts(_as_datetime(new["CLEAR_SINCE"])), new["NOTIFIED_LEVEL"],
            _ts(_as_datetime(new["LAST_NOTIFIED_AT"])), _ts(_as_datetime(new["RECOVERED_AT"])), _ts(as_of),
        ])

    open_now = sum(1 for key, (level, *_rest) in observed.items() if level != "OK")
    return (f"Evaluated {len(observed)} rule values as of {_ts(as_of)}: {open_now} firing; "
            f"{counts['FIRING']} fired, {counts['ESCALATED']} escalated, {counts['RECOVERED']} recovered")
