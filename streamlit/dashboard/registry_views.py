"""Generated from the model registry (sql/*/models.yml) by `npm run render-registry`; do not edit.

DASHBOARD_VIEWS: the views the dashboard may query, those declared with `dashboard: true`. The
registry allows that only for a view the viewer role reads, never one with conversation text.
"""

DASHBOARD_VIEWS = frozenset({
    "AGENT_DAILY_ACTIVITY",
    "AGENT_DAILY_LATENCY_HISTOGRAM",
    "AGENT_FEEDBACK",
    "AGENT_FEEDBACK_RECENT",
    "AGENT_MONTHLY_LATENCY_HISTOGRAM",
    "AGENT_SHAPE_LATEST",
    "ALERT_HISTORY_VIEW",
    "ALERT_RULES",
    "ALERT_STATUS",
    "COST_DAILY",
    "COST_MODEL_RATES",
    "COST_RECONCILIATION",
    "COST_ROLLUP_ESTIMATE",
    "COST_TOP_THREADS",
    "DASHBOARD_SETTINGS",
    "PIPELINE_HEALTH",
    "SLO_BUDGET_DAILY",
    "SLO_STATUS",
    "THREAD_ACTIVITY",
    "THREAD_ACTIVITY_RECENT",
    "THREAD_TIMELINE",
    "THREAD_TIMELINE_RECENT",
    "VERSION_COMPARISON",
    "VERSION_DAILY_TRAFFIC",
    "VERSION_HISTORY",
    "VERSION_TOOL_MIX",
    "WALLMONITOR_OWN_COST",
    "WALLMONITOR_OWN_COST_ESTIMATE",
})
