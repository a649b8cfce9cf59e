"""Versions: which agent version served the traffic, and whether a canary is better or worse."""

import pandas as pd
import streamlit as st

from dashboard import charts, fmt, notices, page, queries

METRIC_LABELS = {
    "error_rate": "Error rate",
    "latency_p50_ms": "Latency p50",
    "latency_p95_ms": "Latency p95",
    "tokens_per_turn": "Tokens per turn",
    "tool_error_rate": "Tool error rate",
    "negative_feedback_rate": "Negative feedback rate",
}
PROPORTIONS = {"error_rate", "tool_error_rate", "negative_feedback_rate"}
DURATIONS = {"latency_p50_ms", "latency_p95_ms"}
VERDICT_WORDS = {"worse": "worse", "better": "better", "no difference": "no difference",
                 "not enough data": "not enough data yet"}
HISTORY_COLUMNS = {
    "VERSION_NAME": "Version",
    "SOURCE": st.column_config.TextColumn("Found in", help="EVENTS: the turns' spans name it. SNAPSHOT: only the "
                                          "discovery snapshots (SHOW VERSIONS IN AGENT) know it."),
    "ALIASES": "Aliases",
    "DEFAULT": "Default",
    "FIRST_SEEN": st.column_config.DatetimeColumn("First turn (UTC)", format="YYYY-MM-DD HH:mm"),
    "LAST_SEEN": st.column_config.DatetimeColumn("Last turn (UTC)", format="YYYY-MM-DD HH:mm"),
    "TURNS": st.column_config.NumberColumn("Turns", format="%d"),
    "ERRORS": "Error rate",
    "MODELS": "Models",
    "TOOLS": "Tools",
    "CHANGED_PARTS": st.column_config.TextColumn("Changed vs previous", help="Parts of the spec whose hash differs "
                                                 "from the previous version's: instructions, tools, models, budget."),
}
COMPARISON_COLUMNS = {
    "MEASURE": "Metric",
    "BASELINE": "Baseline",
    "CANDIDATE": "Candidate",
    "SAMPLES": "Sample (baseline / candidate)",
    "Z": st.column_config.NumberColumn("z", format="%.2f", help="Positive: the candidate is higher (worse)."),
    "VERDICT_TEXT": "Verdict",
    "TEST": "Test",
}


def _value(metric: str, value) -> str:
    if metric in PROPORTIONS:
        return fmt.percent(None if value is None else 100 * value)
    if metric in DURATIONS:
        return fmt.duration_ms(value)
    return fmt.number(value)


def _history(rows: list[dict]) -> pd.DataFrame:
    history = charts.frame(rows, "FIRST_SEEN", "LAST_SEEN")
    history["DEFAULT"] = history["IS_DEFAULT"].map({True: "yes", False: "no"}).fillna(fmt.MISSING)
    history["ERRORS"] = [fmt.percent(None if value is None or pd.isna(value) else 100 * value) for value in history["ERROR_RATE"]]
    history["CHANGED_PARTS"] = history["CHANGED_PARTS"].fillna("unknown")
    return history[list(HISTORY_COLUMNS)]


def _comparison(rows: list[dict]) -> pd.DataFrame:
    table = pd.DataFrame(rows)
    table["MEASURE"] = table["METRIC"].map(METRIC_LABELS)
    table["BASELINE"] = [_value(m, v) for m, v in zip(table["METRIC"], table["BASELINE_VALUE"])]
    table["CANDIDATE"] = [_value(m, v) for m, v in zip(table["METRIC"], table["CANDIDATE_VALUE"])]
    table["SAMPLES"] = [f"{fmt.number(b)} / {fmt.number(c)}" for b, c in zip(table["BASELINE_SAMPLE"], table["CANDIDATE_SAMPLE"])]
    table["Z"] = table["Z_SCORE"]
    table["VERDICT_TEXT"] = table["VERDICT"].map(VERDICT_WORDS)
    table["TEST"] = table["TEST"].fillna("no sample")
    return table[list(COMPARISON_COLUMNS)]


def _pair(pairs: list[dict], versions: list[str]) -> tuple[str, str, str]:
    """The baseline and candidate pickers, opening on the default pair; and how that pair was chosen."""
    default = next((p for p in pairs if p["IS_DEFAULT_PAIR"]), pairs[0] if pairs else None)
    left, right = st.columns(2)
    candidate = right.selectbox("Candidate", versions, key="wm_version_candidate",
                                index=versions.index(default["CANDIDATE_VERSION"]) if default else 0)
    others = [version for version in versions if version != candidate]
    baseline = left.selectbox("Baseline", others, key="wm_version_baseline",
                              index=others.index(default["BASELINE_VERSION"]) if default and default["BASELINE_VERSION"] in others else 0)
    basis = next((p["PAIR_BASIS"] for p in pairs if p["IS_DEFAULT_PAIR"]
                  and (p["BASELINE_VERSION"], p["CANDIDATE_VERSION"]) == (baseline, candidate)), None)
    return baseline, candidate, basis


def main() -> None:
    current = page.start("Versions", "Which version of each agent served its turns, and a canary compared with "
                         "production, metric by metric, with a verdict from a stated test.")
    conn, f, settings = current.conn, current.filters, current.settings
    if not current.status["AGENTS"] or current.status["NEWEST_EVENT"] is None:
        notices.nothing_to_show(current, "agent versions")
        return
    agents = queries.version_agents(conn, f)
    if not agents:
        if queries.kpis(conn, f)["current"]["ACTIVE_THREADS"]:
            st.info("No agent version is known yet. Versions come from the turns' spans "
                    "(snow.ai.observability.object.version.name) or from the discovery cycle's snapshot of "
                    "SHOW VERSIONS IN AGENT, which needs a privilege on the agent.")
        else:
            notices.nothing_to_show(current, "agent versions")
        return
    st.caption(f"The last {settings.history_days} days of production turns (historyDays): the sidebar's window and "
               "its user and model filters do not apply here; its agents narrow the agent list. Evaluation runs never count.")
    agent = st.selectbox("Agent", agents, key="wm_version_agent")

    history = queries.version_history(conn, agent)
    traffic = charts.frame(queries.version_traffic(conn, agent), "BUCKET")
    if not traffic.empty:
        traffic["SHARE"] = 100 * traffic["TRAFFIC_SHARE"]
        charts.show(charts.stacked_over_time(traffic, "SHARE", "VERSION_NAME", "Share of turns by version, per day",
                                             "% of the day's turns", "day"))
    st.subheader("Versions")
    st.dataframe(_history(history), column_config=HISTORY_COLUMNS, hide_index=True)

    st.subheader("Comparison")
    pairs = queries.version_pairs(conn, agent)
    versions = sorted({p["BASELINE_VERSION"] for p in pairs} | {p["CANDIDATE_VERSION"] for p in pairs})
    if len(versions) < 2:
        st.info("A comparison needs turns of two versions of this agent in the window.")
        return
    baseline, candidate, basis = _pair(pairs, versions)
    rows = queries.version_comparison(conn, agent, baseline, candidate)
    if not rows:
        st.info(f"No turns of {baseline} and {candidate} to compare in the window.")
        return
    first = rows[0]
    if basis == "CANARY_VS_PRODUCTION":
        st.caption("The default pair: the version the CANARY alias points at against the PRODUCTION alias's.")
    elif basis == "NEWEST_VS_PREVIOUS":
        st.caption("The default pair: no CANARY and PRODUCTION aliases are known, so the newest version against the one before it.")
    cells = st.columns(3)
    cells[0].metric("Overall verdict", VERDICT_WORDS[first["OVERALL_VERDICT"]],
                    help="Worse when any metric is worse; not enough data when error rate or latency lacks a sample; "
                         "better when any metric is better; else no difference.")
    cells[1].metric("Turns compared", f"{fmt.number(first['BASELINE_TURNS'])} / {fmt.number(first['CANDIDATE_TURNS'])}",
                    help=f"{baseline} (baseline) / {candidate} (candidate)")
    cells[2].metric("Confidence", fmt.percent(100 * first["FAMILY_CONFIDENCE"]),
                    help=f"For the five tests together (latency p50 and p95 share one): each is two-sided at |z| > {first['CRITICAL_Z']:.2f} "
                         "(Bonferroni over five tests), with at least "
                         f"{fmt.number(first['MIN_SAMPLE'])} turns a version.")
    st.dataframe(_comparison(rows), column_config=COMPARISON_COLUMNS, hide_index=True)

    mix = pd.DataFrame(queries.version_tool_mix(conn, agent, (baseline, candidate)))
    if not mix.empty:
        mix["TOOL"] = mix["TOOL_KIND"] + " · " + mix["VERSION_NAME"]
        charts.show(charts.bars(mix, "TOOL", "CALLS_PER_TURN", "Tool calls per turn, by tool and version",
                                "calls per turn", color="VERSION_NAME"))


main()
