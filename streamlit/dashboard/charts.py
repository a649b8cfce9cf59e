"""The dashboard's charts (Altair, which Streamlit in Snowflake ships).

Readability rules every chart here follows, and test/browser checks in Chromium:
- a categorical chart is as tall as its categories need: each gets BAND_PX pixels, so bars stay
  thick and every category label is drawn, none on another;
- long names are shortened (middle ellipsis, still unique) on axes and legends, and the full
  name is in the tooltip;
- legends sit below the chart in as many columns as fit, so every series is listed;
- the time axis follows the query's bucket (minute, hour, day, week, month): a bar spans its
  bucket and the labels name buckets of that unit.
"""

from __future__ import annotations

import re

import altair as alt
import pandas as pd
import streamlit as st

UTC_AXIS = alt.Scale(type="utc")
STATUS_COLORS = alt.Scale(domain=["OK", "ERROR"], range=["#4c78a8", "#e45756"])
FEEDBACK_COLORS = alt.Scale(domain=["Positive", "Negative"], range=["#54a24b", "#e45756"])

# Pixels per category on a categorical axis; Vega's band padding (0.1) leaves bars of ~23 px.
BAND_PX = 26
# Pixels per series within a category of a grouped bar chart.
GROUPED_BAND_PX = 14
# Characters kept of a name on an axis or in a legend: 200 to 260 px in the 11 px label font.
LABEL_CHARS = 32
# No pixel limit (0) on labels shortened to LABEL_CHARS: Vega would cut wide letters' names
# again, at the end, where the ellipsis hides what tells them apart.
LABEL_LIMIT_PX = 0
# A legend's columns must fit under the plot of a half-width chart, which starts after the
# category labels: about 280 px, an entry taking 8 px a character plus 40 px (symbol, padding).
LEGEND_WIDTH_PX = 280
LEGEND_CHAR_PX = 8
LEGEND_ENTRY_PX = 40
TIME_CHART_HEIGHT = 240

# The bucket expressions of dashboard.queries.WINDOWS and the rollup queries: DATE_TRUNC('<unit>', …)
# or a rollup's plain DAY.
_TRUNC = re.compile(r"DATE_TRUNC\('(minute|hour|day|week|month)'")
_ONE = {"minute": pd.Timedelta(minutes=1), "hour": pd.Timedelta(hours=1), "day": pd.Timedelta(days=1)}
# Minute, hour and day buckets on a continuous UTC axis whose ticks are never closer than one
# bucket; weeks and months as one labelled band each, named by the bucket's own first day, so
# the label holds whatever day the session's WEEK_START parameter makes DATE_TRUNC('week', …)
# begin a week on (https://docs.snowflake.com/en/sql-reference/functions-date-time#label-calendar-weeks-weekdays).
_CONTINUOUS = {"minute": 60_000, "hour": 3_600_000, "day": 86_400_000}
_BAND_LABEL = {"week": "%b %d", "month": "%b %Y"}
AXIS_TITLE = {"minute": "minute (UTC)", "hour": "hour (UTC)", "day": "day (UTC)",
              "week": "week starting (UTC)", "month": "month (UTC)"}
_TOOLTIP_FORMAT = {"minute": "%Y-%m-%d %H:%M", "hour": "%Y-%m-%d %H:00", "day": "%Y-%m-%d (%a)",
                   "week": "week from %a %Y-%m-%d", "month": "%B %Y"}


def frame(rows: list[dict], *time_columns: str) -> pd.DataFrame:
    """Rows as a DataFrame, with naive-UTC time columns marked as UTC so charts do not shift
    them into the viewer's time zone."""
    df = pd.DataFrame(rows)
    for column in time_columns:
        if column in df:
            df[column] = pd.to_datetime(df[column]).dt.tz_localize("UTC")
    return df


def bucket_unit(f) -> str:
    """The unit of the window's trend buckets (dashboard.queries.Window), as the query groups them:
    its rollup bucket when the window is answered from the daily rollups."""
    expression = f.window.day_bucket if f.from_rollups else f.window.bucket
    if expression == "DAY":
        return "day"
    match = _TRUNC.match(expression)
    if not match:
        raise ValueError(f"no chart unit for the bucket expression {expression!r}")
    return match.group(1)


def shorten(name: str, limit: int = LABEL_CHARS) -> str:
    """A name that fits an axis or legend: its start and end around an ellipsis, so that names
    sharing a long prefix (TEAM_A_SUPPORT_EU, TEAM_A_SUPPORT_US) stay apart."""
    if len(name) <= limit:
        return name
    tail = (limit - 1) // 2
    return name[:limit - 1 - tail] + "…" + name[-tail:]


def short_labels(names: pd.Series, limit: int = LABEL_CHARS) -> pd.Series:
    """Shortened names, unique as the names are: where two would collide they keep more."""
    full = names.astype(str)
    distinct = full.unique()
    while True:
        mapping = {name: shorten(name, limit) for name in distinct}
        if len(set(mapping.values())) == len(distinct) or limit >= max(map(len, distinct)):
            return full.map(mapping)
        limit += 8


def short_agent_names(df: pd.DataFrame, column: str = "AGENT_FULL_NAME") -> pd.DataFrame:
    """Adds AGENT (the agent's own name where that is unambiguous, else the full name), shortened
    to fit an axis or legend, for legends and axes; the full name stays in ``column``."""
    full = df[column].astype(str)
    short = full.str.split(".").str[-1]
    unambiguous = short.groupby(short).transform(lambda names: full[names.index].nunique() == 1)
    return df.assign(AGENT=short_labels(short.where(unambiguous.astype(bool), full)))


def legend_color(column: str, names, scale: alt.Scale | None = None, sort: list[str] | None = None) -> alt.Color:
    """A series color with a legend below the chart that lists every series: in as many columns
    as the longest of ``names`` (the series, or the scale's domain) allows. Vega lays a bottom
    legend out in one row otherwise, and cuts off the entries past the chart's width."""
    longest = max((len(str(name)) for name in names), default=1)
    columns = max(1, min(4, LEGEND_WIDTH_PX // (LEGEND_CHAR_PX * longest + LEGEND_ENTRY_PX)))
    extra = {"scale": scale} if scale is not None else {}
    if sort is not None:
        extra["sort"] = sort
    legend = alt.Legend(orient="bottom", direction="vertical", columns=columns, labelLimit=LABEL_LIMIT_PX,
                        symbolLimit=0, title=None)
    return alt.Color(f"{column}:N", title=None, legend=legend, **extra)


def _series(df: pd.DataFrame, column: str, scale: alt.Scale | None) -> list:
    domain = scale.to_dict().get("domain") if scale is not None else None
    return list(domain) if isinstance(domain, list) else df[column].dropna().unique().tolist()


def show(chart: alt.Chart) -> None:
    # SVG rather than Streamlit's default canvas: text stays sharp and selectable, and each mark
    # is an element that assistive technology and the browser tests can read.
    # fit-x: as wide as the column, and as tall as the plot plus its axes and legend. Streamlit's
    # theme fits the whole chart, legend included, into the given height, and a long legend then
    # squeezes the plot to nothing and is cut off itself.
    st.altair_chart(chart.properties(usermeta={"embedOptions": {"renderer": "svg"}},
                                     autosize=alt.AutoSizeParams(type="fit-x", contains="padding")),
                    use_container_width=True)


def _time_x(df: pd.DataFrame, unit: str) -> tuple[pd.DataFrame, dict, alt.Tooltip]:
    """The x encoding of a time chart whose BUCKET column holds ``unit`` buckets."""
    tooltip = alt.Tooltip("BUCKET:T", title="bucket", format=_TOOLTIP_FORMAT[unit], formatType="utc")
    if unit in _CONTINUOUS:
        df = df.assign(BUCKET_END=df["BUCKET"] + _ONE[unit])
        # Days as whole UTC days, each named by its date: Vega's own choice of ticks puts some at
        # noon on a short span, and names the first of a month by the month alone.
        # (labelExpr: Streamlit's Vega ignores an axis format on a time scale.)
        day_ticks = {"tickCount": {"interval": "day", "step": 1}, "labelExpr": "utcFormat(datum.value, '%b %d')"}
        ticks = day_ticks if unit == "day" else {"tickMinStep": _CONTINUOUS[unit]}
        axis = alt.Axis(title=AXIS_TITLE[unit], labelOverlap=True, labelFlush=True, **ticks)
        return df, {"x": alt.X("BUCKET:T", scale=UTC_AXIS, axis=axis), "x2": alt.X2("BUCKET_END:T")}, tooltip
    labelled = df.assign(BUCKET_LABEL=df["BUCKET"].dt.strftime(_BAND_LABEL[unit]))
    order = labelled.sort_values("BUCKET")["BUCKET_LABEL"].drop_duplicates().tolist()
    axis = alt.Axis(title=AXIS_TITLE[unit], labelAngle=-45, labelOverlap=False)
    return labelled, {"x": alt.X("BUCKET_LABEL:O", sort=order, axis=axis)}, tooltip


def stacked_over_time(df: pd.DataFrame, value: str, color: str, title: str, value_title: str, unit: str,
                      scale: alt.Scale | None = None, names: str | None = None) -> alt.Chart:
    """Stacked bars per bucket; ``names`` is a column with each series' full name for the tooltip."""
    df, x, bucket = _time_x(df, unit)
    tooltip = [bucket, alt.Tooltip(f"{names or color}:N", title="series"),
               alt.Tooltip(f"sum({value}):Q", title=value_title, format=",.2~f")]
    return alt.Chart(df, title=title).mark_bar().encode(
        **x,
        y=alt.Y(f"sum({value}):Q", title=value_title),
        color=legend_color(color, _series(df, color, scale), scale),
        tooltip=tooltip,
    ).properties(height=TIME_CHART_HEIGHT)


def lines_over_time(df: pd.DataFrame, columns: dict[str, str], title: str, value_title: str, unit: str) -> alt.Chart:
    """One line per column; ``columns`` maps column name to legend label. A point marks each
    bucket's start."""
    long = df.melt(id_vars=["BUCKET"], value_vars=list(columns), var_name="SERIES", value_name="VALUE")
    long["SERIES"] = long["SERIES"].map(columns)
    long, x, bucket = _time_x(long, unit)
    x.pop("x2", None)
    return alt.Chart(long, title=title).mark_line(point=True).encode(
        **x,
        y=alt.Y("VALUE:Q", title=value_title),
        color=legend_color("SERIES", columns.values(), sort=list(columns.values())),
        tooltip=[bucket, alt.Tooltip("SERIES:N", title="series"), alt.Tooltip("VALUE:Q", title=value_title, format=",.2f")],
    ).properties(height=TIME_CHART_HEIGHT)


def bars(df: pd.DataFrame, category: str, value: str, title: str, value_title: str, color: str | None = None,
         scale: alt.Scale | None = None, full_name: str | None = None) -> alt.Chart:
    """Horizontal bars, one band per category, stacked by ``color`` when given. ``category`` is
    shortened for the axis; the tooltip shows ``full_name`` (default: the category itself)."""
    df = df.assign(_LABEL=short_labels(df[category]))
    tooltip = [alt.Tooltip(f"{full_name or category}:N", title="name"),
               alt.Tooltip(f"{value}:Q", title=value_title, format=",.2~f")]
    encoding = dict(
        y=alt.Y("_LABEL:N", title=None, sort="-x", axis=alt.Axis(labelLimit=LABEL_LIMIT_PX, labelOverlap=False)),
        x=alt.X(f"sum({value}):Q", title=value_title),
        tooltip=tooltip,
    )
    if color:
        encoding["color"] = legend_color(color, _series(df, color, scale), scale)
        tooltip.append(alt.Tooltip(f"{color}:N", title="series"))
    return alt.Chart(df, title=title).mark_bar().encode(**encoding).properties(height=alt.Step(BAND_PX))


def grouped_bars(df: pd.DataFrame, category: str, columns: dict[str, str], title: str, value_title: str,
                 full_name: str | None = None) -> alt.Chart:
    """Side-by-side bars per category, one per column; ``columns`` maps column name to legend label."""
    long = df.melt(id_vars=list(dict.fromkeys([category, full_name or category])), value_vars=list(columns),
                   var_name="SERIES", value_name="VALUE")
    long["SERIES"] = long["SERIES"].map(columns)
    long["_LABEL"] = short_labels(long[category])
    series = list(columns.values())
    return alt.Chart(long, title=title).mark_bar().encode(
        y=alt.Y("_LABEL:N", title=None, axis=alt.Axis(labelLimit=LABEL_LIMIT_PX, labelOverlap=False)),
        yOffset=alt.YOffset("SERIES:N", sort=series),
        x=alt.X("VALUE:Q", title=value_title),
        color=legend_color("SERIES", series, sort=series),
        tooltip=[alt.Tooltip(f"{full_name or category}:N", title="name"), alt.Tooltip("SERIES:N", title="series"),
                 alt.Tooltip("VALUE:Q", title=value_title, format=",.2f")],
    ).properties(height=alt.Step(GROUPED_BAND_PX * len(series)))


def timeline(df: pd.DataFrame) -> alt.Chart:
    """One thread's spans as a Gantt chart: a row per span, colored by status."""
    return alt.Chart(df, title="Turns and spans").mark_bar(cornerRadius=2).encode(
        x=alt.X("START:T", title="UTC", scale=UTC_AXIS),
        x2="END:T",
        y=alt.Y("LABEL:N", title=None, sort=alt.EncodingSortField("EVENT_SEQUENCE", order="ascending"),
                axis=alt.Axis(labelLimit=320, labelOverlap=False)),
        color=legend_color("STATUS", ["OK", "ERROR"], STATUS_COLORS),
        tooltip=[alt.Tooltip("SPAN_NAME:N", title="span"), alt.Tooltip("SPAN_CATEGORY:N", title="category"),
                 alt.Tooltip("TOOL_NAME:N", title="tool"), alt.Tooltip("MODEL_NAME:N", title="model"),
                 alt.Tooltip("TOTAL_TOKENS:Q", title="tokens", format=","),
                 alt.Tooltip("SPAN_DURATION_MS:Q", title="ms", format=","), alt.Tooltip("STATUS:N"),
                 alt.Tooltip("ERROR_MESSAGE:N", title="error")],
    ).properties(height=alt.Step(BAND_PX))


def name_metric(label: str, name: str, detail: str | None = None) -> None:
    """A headline whose value is a name. st.metric cuts a long value off with an ellipsis; this
    wraps it, so the whole name is read."""
    st.caption(label)
    text = f"**{_markdown_text(name)}**"
    st.markdown(text + (f"  \n{_markdown_text(detail)}" if detail else ""))


def _markdown_text(text: str) -> str:
    # Names carry underscores and may carry any character: none of it may become Markdown.
    return re.sub(r"([\\`*_{}\[\]<>()#+\-.!|~$])", r"\\\1", str(text))
