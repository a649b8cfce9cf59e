"""Wallmonitor's alert evaluation: the Snowpark Python handler behind EVALUATE_ALERTS(AS_OF).

Like procedures/ingestion.py, the control flow is Python so that it runs unchanged on the
Snowflake emulator in the tests; every statement comes from sql/alerts/ (rendered by
lib/sql/alertCatalog.ts). At deploy time the rendered statements, their bind names and the stack's
alert settings (rules with per-agent overrides, each rule's statement and value format from its
record in sql/alerts/rules/, cooldown, notification channels) are appended to this module as
STATEMENTS, BINDS and SETTINGS; the tests pass the same values. The module names no rule: the
rules are what SETTINGS holds. Values are passed to a statement by bind name
(procedures/sql_binds.py).

One evaluation:

1. checks AS_OF before touching anything: a timestamp, not in the future, not before the last
   evaluation (state only moves forward);
2. computes every enabled rule for every active agent (one statement per rule, AS_OF bound);
3. decides each (rule, agent)'s level: CRITICAL / WARNING when the value reaches the agent's
   threshold and the volume reaches its minimum, else OK (no data is OK);
4. compares with ALERT_STATE and records transitions in ALERT_HISTORY:
   - OK -> firing: a new incident, FIRING, notified;
   - firing -> a higher level than notified: ESCALATED, notified;
   - firing -> clear: the incident stays open until it has been clear for the cooldown, so a
     flapping condition is one incident that notifies once; a re-fire within the cooldown
     continues it silently;
   - clear for the cooldown: RECOVERED, notified to the channels its firing went to;
   history and state are written in one transaction, before anything is sent, each transition
   with a DELIVERY_KEY (incident, event, level) and DELIVERY_STATUS PENDING;
5. sends every PENDING transition once: it is claimed (SENDING) first, then its message goes
   through SNOWFLAKE.NOTIFICATION.SANITIZE_WEBHOOK_CONTENT and SYSTEM$SEND_SNOWFLAKE_NOTIFICATION
   to the channels whose minimum level it reaches. A failure after the claim can lose a
   notification but never sends one twice; a failed send is recorded and never stops the rest;
6. reads what became of queued notifications from INFORMATION_SCHEMA.NOTIFICATION_HISTORY
   (QUEUED, SUCCESS, RETRIABLE_FAILURE, FAILURE) into DELIVERY_STATUS and NOTIFIED_VIA.

Messages hold data (agent, schema and database names, error text, thread ids) that anyone able
to name an agent or cause an error controls. Before it leaves the account a message is made
inert for every channel: no control or invisible characters, no quote or backslash (so the
webhook body stays valid JSON however the message is substituted into it), no `<`, `>` or `@`
(Slack `<!channel>`, `<@user>`, `<url|text>`, `@here`, Teams `<at>`), no live link, and no
webhook placeholder (SNOWFLAKE_WEBHOOK_*, in any case): Snowflake fills placeholders wherever
they appear, so an agent named SNOWFLAKE_WEBHOOK_SECRET would otherwise post the credential.
https://docs.snowflake.com/en/user-guide/notifications/webhook-notifications
"""

from __future__ import annotations

import json
import re
import unicodedata
import uuid
from datetime import datetime, timedelta

from sql_binds import Statements, run

# Filled at deploy time (lib/sql/alertCatalog.ts alertingEmbedding).
STATEMENTS: dict[str, str] = {}
BINDS: dict[str, list[str]] = {}
NAMES: dict = {}
SETTINGS: dict = {}
EMBEDDED = Statements(STATEMENTS, BINDS, NAMES)

LEVELS = ("OK", "WARNING", "CRITICAL")
# PagerDuty's payload.summary takes at most 1024 characters; Slack and Teams take more.
MAX_MESSAGE_CHARS = 1000
MAX_ERROR_CHARS = 300
# Every placeholder Snowflake fills in a webhook request starts so (SECRET, MESSAGE); matched in
# any case and with whatever follows, so no spelling of one survives.
PLACEHOLDER = re.compile(r"SNOWFLAKE_WEBHOOK_\w*", re.IGNORECASE)
LINK_SCHEME = re.compile(r"\b([A-Za-z][A-Za-z0-9+.-]*):/+")
CHANNEL_STATUS = {"QUEUED": "queued", "SUCCESS": "delivered", "RETRIABLE_FAILURE": "retrying", "FAILURE": "failed"}


def evaluate_alerts(session, as_of=None):
    """Handler of EVALUATE_ALERTS(AS_OF): AS_OF NULL evaluates as of now."""
    return run_evaluation(session, EMBEDDED, SETTINGS, as_of)


def _ts(value):
    """A naive UTC timestamp as the text every timestamp bind uses (cast ?::TIMESTAMP_NTZ)."""
    return None if value is None else value.strftime("%Y-%m-%d %H:%M:%S.%f")


def _as_datetime(value):
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def _key_binds(key):
    """The binds that name one (rule, agent) in ALERT_STATE and ALERT_HISTORY."""
    rule_name, database, schema, agent = key
    return {"rule_name": rule_name, "agent_database": database, "agent_schema": schema, "agent_name": agent}


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


def _format_value(value_format, value):
    """A value as a message shows it, by its rule's format (lib/sql/alertRules.ts VALUE_FORMATS)."""
    if value is None:
        return "no data"
    if value_format == "percent":
        return f"{100 * float(value):.1f} %"
    if value_format == "multiple":
        return f"{float(value):.2f}x"
    return f"{float(value):,.0f}"


def redact_placeholders(text):
    """``text`` without any webhook placeholder; repeated, since a removal could join two halves."""
    while True:
        redacted = PLACEHOLDER.sub("REDACTED", text)
        if redacted == text:
            return text
        text = redacted


def inert(text, limit=MAX_MESSAGE_CHARS):
    """``text`` as one plain line that no channel reads as anything but text (see the module doc)."""
    kept = []
    for char in str(text):
        category = unicodedata.category(char)
        # Control, format (zero-width, bidi), private-use, unassigned and line/paragraph separators.
        kept.append(" " if category[0] == "C" or category in ("Zl", "Zp", "Zs") else char)
    text = "".join(kept)
    text = text.replace('"', "'").replace("\\", "/").replace("<", "\u2039").replace(">", "\u203a").replace("@", "\uff20")
    text = LINK_SCHEME.sub(r"\1[:]//", text).replace("](", "] (")
    text = re.sub(r"(?i)\bwww\.", "www[.]", text)
    return redact_placeholders(" ".join(text.split())[:limit])


def _message(event, key, level, value, threshold, window, value_format, detail, stack):
    rule_name, database, schema, agent = key
    what = f"{rule_name} on {database}.{schema}.{agent}"
    if event == "RECOVERED":
        text = f"[Wallmonitor {stack}] RECOVERED: {what} is back to normal (now {_format_value(value_format, value)})."
    else:
        verb = "ESCALATED to" if event == "ESCALATED" else "is"
        text = (f"[Wallmonitor {stack}] {level}: {what} {verb} {level}: {_format_value(value_format, value)} "
                f"(threshold {_format_value(value_format, threshold)}, last {window} min).")
    if detail:
        text += f" {detail}"
    return inert(text)


def _channels_for(channels, level):
    return [channel for channel in channels if _rank(level) >= _rank(channel.get("minLevel", "WARNING"))]


def _summary(deliveries):
    """(DELIVERY_STATUS, NOTIFIED_VIA, DELIVERY_ERROR) of one transition's per-integration results."""
    if not deliveries:
        return "NONE", "NONE", None
    statuses = [delivery["status"] for delivery in deliveries]
    # Still open while any integration has no final result (so it is checked again), then FAILED if any failed.
    overall = next((status for status in ("retrying", "queued", "failed", "send failed", "unknown") if status in statuses),
                   "delivered")
    overall = {"failed": "FAILED", "send failed": "FAILED", "retrying": "RETRYING", "queued": "QUEUED",
               "unknown": "UNKNOWN", "delivered": "DELIVERED"}[overall]
    via = ", ".join(f"{delivery['integration']} ({delivery['status']})" for delivery in deliveries)
    errors = "; ".join(f"{delivery['integration']}: {delivery['error']}" for delivery in deliveries if delivery.get("error"))
    return overall, via, errors or None


def _send_pending(session, statements, channels, now):
    """Sends every PENDING transition once (claimed first); returns how many were sent."""
    sent = 0
    for row in run(session, statements, "pending_deliveries"):
        fields = row.as_dict()
        claimed = run(session, statements, "claim_delivery", {"delivery_key": fields["DELIVERY_KEY"]})
        if not claimed or int(claimed[0][0]) == 0:
            continue
        text = run(session, statements, "sanitize_message", {"message": fields["MESSAGE"]})[0][0]
        subject = f"Wallmonitor {text.split('] ', 1)[-1]}"[:250]
        deliveries = []
        for channel in _channels_for(channels, fields["LEVEL"]):
            options = {"subject": subject, "toAddress": list(channel["recipients"])} if channel["kind"] == "email" else {}
            queued_at = _as_datetime(run(session, statements, "clock")[0][0])
            delivery = {"integration": channel["integration"], "queued_at": _ts(queued_at), "request": None}
            try:
                run(session, statements, "send_notification", {
                    "message": json.dumps({"text/plain": text}),
                    "integration_configuration": json.dumps({channel["integration"]: options})})
                delivery.update(status="queued", error=None)
            except Exception as error:  # noqa: BLE001 - a refused send is recorded, the others go on
                delivery.update(status="send failed", error=inert(error, MAX_ERROR_CHARS))
            deliveries.append(delivery)
        _record_delivery(session, statements, fields["DELIVERY_KEY"], deliveries, now, text)
        sent += 1
    return sent


def _record_delivery(session, statements, key, deliveries, now, text):
    """Records what became of one transition's notifications; ``text`` None keeps its message."""
    status, via, errors = _summary(deliveries)
    run(session, statements, "record_delivery", {
        "delivery_status": status, "notified_via": via, "deliveries": json.dumps(deliveries), "delivery_error": errors,
        "delivery_checked_at": _ts(now), "message": text, "delivery_key": key})


def _match_requests(open_rows, attempts):
    """Assigns each queued delivery the notification request Snowflake created for it.

    NOTIFICATION_HISTORY names no sender, only the integration and when the request was created,
    so (assumption, to be checked live) the requests of one integration created at or after a
    delivery's queue time are matched to its deliveries in the order both were made. A request
    already matched stays with its delivery.
    """
    requests = {}
    for attempt in attempts:
        request = requests.setdefault(attempt["ID"], {"integration": str(attempt["INTEGRATION_NAME"]).upper(),
                                                     "created": _as_datetime(attempt["CREATED_UTC"]), "attempts": []})
        request["attempts"].append(attempt)
    taken = {delivery["request"] for _key, deliveries in open_rows for delivery in deliveries if delivery.get("request")}
    waiting = sorted(((_as_datetime(delivery["queued_at"]), index, delivery) for index, (_key, deliveries) in enumerate(open_rows)
                      for delivery in deliveries if delivery["status"] == "queued" and not delivery.get("request")),
                     key=lambda item: (item[0], item[1]))
    for queued_at, _index, delivery in waiting:
        candidates = sorted((request["created"], request_id) for request_id, request in requests.items()
                            if request_id not in taken and request["integration"] == delivery["integration"].upper()
                            and request["created"] >= queued_at - timedelta(seconds=1))
        if candidates:
            delivery["request"] = candidates[0][1]
            taken.add(candidates[0][1])
    return requests


def _check_deliveries(session, statements, lookback_days, now):
    """Reads NOTIFICATION_HISTORY into the transitions still QUEUED or RETRYING."""
    open_rows = [(row.as_dict()["DELIVERY_KEY"], json.loads(row.as_dict()["DELIVERIES"] or "[]"))
                 for row in run(session, statements, "open_deliveries")]
    if not open_rows:
        return
    attempts = [row.as_dict() for row in run(session, statements, "notification_history")]
    requests = _match_requests(open_rows, attempts)
    horizon = now - timedelta(days=lookback_days)
    for key, deliveries in open_rows:
        before = json.dumps(deliveries)
        for delivery in deliveries:
            if delivery["status"] not in ("queued", "retrying"):
                continue
            request = requests.get(delivery.get("request"))
            if request is None:
                if _as_datetime(delivery["queued_at"]) < horizon:
                    delivery.update(status="unknown", error="no result in NOTIFICATION_HISTORY within its window")
                continue
            # The latest attempt; should a QUEUED row outlive its processing, a result at the same attempt wins.
            last = max(request["attempts"], key=lambda attempt: (int(attempt["ATTEMPT"] or 0), str(attempt["STATUS"]) != "QUEUED"))
            delivery["status"] = CHANNEL_STATUS.get(str(last["STATUS"]).upper(), "queued")
            # For webhooks ERROR_MESSAGE is the HTTP response body: kept short and inert.
            delivery["error"] = inert(last["ERROR_MESSAGE"], MAX_ERROR_CHARS) if last["ERROR_MESSAGE"] else None
        if json.dumps(deliveries) != before:
            _record_delivery(session, statements, key, deliveries, now, None)


def _checked_as_of(session, statements, as_of):
    """(AS_OF, now): AS_OF as a naive UTC timestamp (None: now), refused when it cannot be evaluated."""
    row = run(session, statements, "last_evaluation")[0].as_dict()
    now, last = _as_datetime(row["NOW"]), _as_datetime(row["LAST_EVALUATED_AT"])
    if as_of is None:
        as_of = now
    elif not isinstance(as_of, datetime):
        try:
            as_of = datetime.fromisoformat(str(as_of))
        except ValueError:
            raise ValueError(f"EVALUATE_ALERTS: AS_OF {as_of!r} is not a timestamp; pass NULL to evaluate as of now, "
                             "or a TIMESTAMP_NTZ in UTC.") from None
    if as_of.tzinfo is not None:
        raise ValueError(f"EVALUATE_ALERTS: AS_OF {as_of} carries a time zone; pass a TIMESTAMP_NTZ in UTC (or NULL for now).")
    if as_of > now:
        raise ValueError(f"EVALUATE_ALERTS: AS_OF {_ts(as_of)} is in the future (now {_ts(now)} UTC); incidents cannot be "
                         "evaluated before their data exists. Pass NULL to evaluate as of now, or a past time.")
    if last is not None and as_of < last:
        raise ValueError(f"EVALUATE_ALERTS: AS_OF {_ts(as_of)} is before the last evaluation ({_ts(last)} UTC); alert state "
                         "only moves forward, so an earlier time would reorder incidents. Pass NULL, or a time at or after it.")
    return as_of, now


def run_evaluation(session, statements, settings, as_of=None):
    """Evaluates every enabled rule as of ``as_of`` (naive UTC; None: now); returns a summary."""
    as_of, now = _checked_as_of(session, statements, as_of)
    cooldown = timedelta(minutes=int(settings.get("cooldownMinutes", 30)))
    channels = settings.get("channels", [])
    stack = settings.get("stack", "")
    windows = {name: rule["windowMinutes"] for name, rule in settings["rules"]["defaults"].items()}

    observed = {}
    for rule_name, default in settings["rules"]["defaults"].items():
        overridden = any((rules or {}).get(rule_name, {}).get("enabled") for rules in settings["rules"].get("agents", {}).values())
        if not default["enabled"] and not overridden:
            continue
        for row in run(session, statements, settings["ruleInfo"][rule_name]["statement"], {"as_of": _ts(as_of)}):
            fields = row.as_dict()
            key = (fields["RULE_NAME"], fields["AGENT_DATABASE"], fields["AGENT_SCHEMA"], fields["AGENT_NAME"])
            agent = ".".join(key[1:])
            volume = None if fields["VOLUME"] is None else int(fields["VOLUME"])
            value = None if fields["VALUE"] is None else float(fields["VALUE"])
            level, threshold = level_of(rule_for(settings, agent, rule_name), value, volume)
            baseline = None if fields["BASELINE"] is None else float(fields["BASELINE"])
            observed[key] = (level, threshold, value, volume, baseline, fields["DETAIL"])

    states = {}
    for row in run(session, statements, "read_state"):
        fields = row.as_dict()
        states[(fields["RULE_NAME"], fields["AGENT_DATABASE"], fields["AGENT_SCHEMA"], fields["AGENT_NAME"])] = fields

    counts = {"FIRING": 0, "ESCALATED": 0, "RECOVERED": 0}
    writes = []
    for key in sorted(set(observed) | {k for k, s in states.items() if s["LEVEL"] != "OK"}):
        level, threshold, value, volume, baseline, detail = observed.get(key, ("OK", None, None, None, None, None))
        state = states.get(key)
        previous = state["LEVEL"] if state else "OK"
        if previous == "OK" and level == "OK":
            continue
        window = windows[key[0]]

        def record(event, event_level, event_threshold, first_seen, last_seen, incident):
            text = _message(event, key, event_level, value, event_threshold, window,
                            settings["ruleInfo"][key[0]]["format"], detail, stack)
            # RECOVERED goes where the incident's highest level went: its LEVEL is that level.
            pending = bool(_channels_for(channels, event_level))
            writes.append(("insert_history", {
                "incident_id": incident, "event_type": event, **_key_binds(key), "level": event_level, "value": value,
                "threshold": event_threshold, "window_minutes": window, "volume": volume, "baseline": baseline,
                "detail": None if detail is None else str(detail)[:2000], "first_seen": _ts(first_seen),
                "last_seen": _ts(last_seen), "evaluated_at": _ts(as_of), "notified_via": "PENDING" if pending else "NONE",
                "message": text, "delivery_key": f"{incident}/{event}/{event_level}",
                "delivery_status": "PENDING" if pending else "NONE",
            }))
            counts[event] += 1

        if previous == "OK":
            incident = str(uuid.uuid4())
            record("FIRING", level, threshold, as_of, as_of, incident)
            new = {"LEVEL": level, "INCIDENT_ID": incident, "THRESHOLD": threshold, "FIRST_SEEN": as_of, "LAST_SEEN": as_of,
                   "CLEAR_SINCE": None, "NOTIFIED_LEVEL": level, "LAST_NOTIFIED_AT": as_of, "RECOVERED_AT": None}
        elif level != "OK":
            new = {**state, "LEVEL": level, "THRESHOLD": threshold, "LAST_SEEN": as_of, "CLEAR_SINCE": None}
            if _rank(level) > _rank(state["NOTIFIED_LEVEL"]):
                record("ESCALATED", level, threshold, state["FIRST_SEEN"], as_of, state["INCIDENT_ID"])
                new.update({"NOTIFIED_LEVEL": level, "LAST_NOTIFIED_AT": as_of})
        else:
            clear_since = _as_datetime(state["CLEAR_SINCE"]) or as_of
            if as_of - clear_since >= cooldown:
                record("RECOVERED", state["NOTIFIED_LEVEL"], state["THRESHOLD"], state["FIRST_SEEN"], state["LAST_SEEN"],
                       state["INCIDENT_ID"])
                new = {**state, "LEVEL": "OK", "CLEAR_SINCE": clear_since, "RECOVERED_AT": as_of, "LAST_NOTIFIED_AT": as_of}
            else:
                new = {**state, "CLEAR_SINCE": clear_since}
        writes.append(("delete_state", _key_binds(key)))
        writes.append(("insert_state", {
            **_key_binds(key), "level": new["LEVEL"], "incident_id": new["INCIDENT_ID"], "value": value,
            "threshold": new["THRESHOLD"], "first_seen": _ts(_as_datetime(new["FIRST_SEEN"])),
            "last_seen": _ts(_as_datetime(new["LAST_SEEN"])), "clear_since": _ts(_as_datetime(new["CLEAR_SINCE"])),
            "notified_level": new["NOTIFIED_LEVEL"], "last_notified_at": _ts(_as_datetime(new["LAST_NOTIFIED_AT"])),
            "recovered_at": _ts(_as_datetime(new["RECOVERED_AT"])), "last_evaluated_at": _ts(as_of),
        }))

    # Owner's-rights procedures may run their own transaction, begun and ended inside the call.
    # https://docs.snowflake.com/en/sql-reference/transactions#transactions-and-stored-procedures
    if writes:
        run(session, statements, "begin_transaction")
        try:
            for name, values in writes:
                run(session, statements, name, values)
            run(session, statements, "commit_transaction")
        except BaseException:
            run(session, statements, "rollback_transaction")
            raise
    sent = _send_pending(session, statements, channels, now)
    _check_deliveries(session, statements, int(settings.get("deliveryLookbackDays", 13)), now)

    open_now = sum(1 for key, (level, *_rest) in observed.items() if level != "OK")
    return (f"Evaluated {len(observed)} rule values as of {_ts(as_of)}: {open_now} firing; "
            f"{counts['FIRING']} fired, {counts['ESCALATED']} escalated, {counts['RECOVERED']} recovered; "
            f"{sent} notified")
