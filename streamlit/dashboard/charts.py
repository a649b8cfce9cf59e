"""The dashboard's charts (Altair, which Streamlit in Snowflake ships)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

UTC_AXIS = alt.Scale(type="utc")
STATUS_COLORS = alt.Scale(domain=["OK", "ERROR"], range=["#4c78a8", "#e45756"])
FEEDBACK_COLORS = alt.Scale(domain=["Positive", "Negative"], range=["#54a24b", "#e45756"])


def frame(rows: list[dict], *time_columns: str) -> pd.DataFrame:
    """Rows as a DataFrame, with naive-UTC time columns marked as UTC so charts do not shift
    them into the viewer's time zone."""
    df = pd.DataFrame(rows)
    for column in time_columns:
        if column in df:
            df[column] = pd.to_datetime(df[column]).dt.tz_localize("UTC")
    return df


def short_agent_names(df: pd.DataFrame, column: str = "AGENT_FULL_NAME") -> pd.DataFrame:
    """Adds AGENT: the agent's own name where that is unambiguous, for legends and axes."""
    full = df[column].astype(str)
    short = full.str.split(".").str[-1]
    unambiguous = short.groupby(short).transform(lambda names: full[names.index].nunique() == 1)
    return df.assign(AGENT=short.where(unambiguous.astype(bool), full))


def show(chart: alt.Chart) -> None:
    st.altair_chart(chart, use_container_width=True)


def stacked_over_time(df: pd.DataFrame, value: str, color: str, title: str, value_title: str) -> alt.Chart:
    return alt.Chart(df, title=title).mark_bar().encode(
        x=alt.X("BUCKET:T", title="UTC", scale=UTC_AXIS),
        y=alt.Y(f"sum({value}):Q", title=value_title),
        color=alt.Color(f"{color}:N", title=None, legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("BUCKET:T", title="from (UTC)", format="%Y-%m-%d %H:%M"), f"{color}:N",
                 alt.Tooltip(f"sum({value}):Q", title=value_title, format=",")],
    ).properties(height=260)


def lines_over_time(df: pd.DataFrame, columns: dict[str, str], title: str, value_title: str) -> alt.Chart:
    """One line per column; ``columns`` maps column name to legend label."""
    long = df.melt(id_vars=["BUCKET"], value_vars=list(columns), var_name="SERIES", value_name="VALUE")
    long["SERIES"] = long["SERIES"].map(columns)
    return alt.Chart(long, title=title).mark_line(point=True).encode(
        x=alt.X("BUCKET:T", title="UTC", scale=UTC_AXIS),
        y=alt.Y("VALUE:Q", title=value_title),
        color=alt.Color("SERIES:N", title=None, legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("BUCKET:T", title="from (UTC)", format="%Y-%m-%d %H:%M"), "SERIES:N",
                 alt.Tooltip("VALUE:Q", format=",.0f")],
    ).properties(height=260)


def bars(df: pd.DataFrame, category: str, value: str, title: str, value_title: str, color: str | None = None) -> alt.Chart:
    encoding = dict(
        y=alt.Y(f"{category}:N", title=None, sort="-x"),
        x=alt.X(f"{value}:Q", title=value_title),
        tooltip=[f"{category}:N", alt.Tooltip(f"{value}:Q", format=",.1f")],
    )
    if color:
        encoding["color"] = alt.Color(f"{color}:N", title=None, legend=alt.Legend(orient="bottom"))
        encoding["tooltip"].append(f"{color}:N")
    return alt.Chart(df, title=title).mark_bar().encode(**encoding).properties(height=max(120, 34 * df[category].nunique()))


def grouped_bars(df: pd.DataFrame, category: str, columns: dict[str, str], title: str, value_title: str) -> alt.Chart:
    long = df.melt(id_vars=[category], value_vars=list(columns), var_name="SERIES", value_name="VALUE")
    long["SERIES"] = long["SERIES"].map(columns)
    # Side by side where Altair 5 offers yOffset; stacked with an older Altair.
    offset = {"yOffset": alt.YOffset("SERIES:N", sort=list(columns.values()))} if hasattr(alt, "YOffset") else {}
    return alt.Chart(long, title=title).mark_bar().encode(
        y=alt.Y(f"{category}:N", title=None),
        **offset,
        x=alt.X("VALUE:Q", title=value_title),
        color=alt.Color("SERIES:N", title=None, sort=list(columns.values()), legend=alt.Legend(orient="bottom")),
        tooltip=[f"{category}:N", "SERIES:N", alt.Tooltip("VALUE:Q", format=",.0f")],
    ).properties(height=max(140, 70 * df[category].nunique()))


def timeline(df: pd.DataFrame) -> alt.Chart:
    """One thread's spans as a Gantt chart: a row per span, colored by status."""
    return alt.Chart(df, title="Turns and spans").mark_bar(cornerRadius=2).encode(
        x=alt.X("START:T", title="UTC", scale=UTC_AXIS),
        x2="END:T",
        y=alt.Y("LABEL:N", title=None, sort=alt.EncodingSortField("EVENT_SEQUENCE", order="ascending"),
                axis=alt.Axis(labelLimit=320, labelOverlap=False)),
        color=alt.Color("STATUS:N", scale=STATUS_COLORS, title=None, legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("SPAN_NAME:N", title="span"), alt.Tooltip("SPAN_CATEGORY:N", title="category"),
                 alt.Tooltip("TOOL_NAME:N", title="tool"), alt.Tooltip("MODEL_NAME:N", title="model"),
                 alt.Tooltip("TOTAL_TOKENS:Q", title="tokens", format=","),
                 alt.Tooltip("SPAN_DURATION_MS:Q", title="ms", format=","), alt.Tooltip("STATUS:N"),
                 alt.Tooltip("ERROR_MESSAGE:N", title="error")],
    ).properties(height=max(160, 24 * len(df)))
