"""The chart helpers' rules, without a browser (test/browser measures the drawn result): names
shortened but still told apart, the time unit of every window's bucket, legends that list every
series."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "streamlit"))

from dashboard import charts  # noqa: E402
from dashboard.queries import WINDOWS, Filters, Settings  # noqa: E402

NOW = datetime(2026, 3, 4, 12, 30)


def test_names_keep_their_start_and_end_and_stay_unique():
    names = pd.Series(["CUSTOMER_SUPPORT_ESCALATION_TRIAGE_ASSISTANT_EMEA",
                       "CUSTOMER_SUPPORT_ESCALATION_TRIAGE_ASSISTANT_AMER", "SHORT"])
    short = charts.short_labels(names)
    assert short.tolist()[2] == "SHORT"
    assert all(len(label) <= charts.LABEL_CHARS for label in short)
    assert short[0].startswith("CUSTOMER_SUPPORT") and short[0].endswith("_EMEA")
    assert short.nunique() == names.nunique()


def test_names_that_would_collide_keep_more_characters():
    names = pd.Series([f"AGENT_{'X' * 40}_{suffix}_TAIL_{'Y' * 20}" for suffix in ("ONE", "TWO")])
    short = charts.short_labels(names)
    assert short.nunique() == 2


def test_agents_sharing_a_name_show_their_full_names():
    df = pd.DataFrame({"AGENT_FULL_NAME": ["DB.A.SAME", "DB.B.SAME", "DB.A.OTHER"]})
    assert charts.short_agent_names(df)["AGENT"].tolist() == ["DB.A.SAME", "DB.B.SAME", "OTHER"]


def settings_keeping(history_days: int) -> Settings:
    """A deployment's settings whose raw history keeps `history_days` (the rest as the dev stack's)."""
    return Settings(realtime_window_hours=24, history_days=history_days, refresh_interval_minutes=10,
                    refresh_task="REFRESH_AGENT_EVENTS_TASK", store_conversation_text=False)


@pytest.mark.parametrize("history_days", [30, 400])
def test_every_window_has_the_unit_of_its_query_bucket(history_days):
    want = {"Last hour": "minute", "Last 24 hours": "hour", "Last 7 days": "hour", "Last 30 days": "day",
            "Last 90 days": "week", "Last 12 months": "month"}
    settings = settings_keeping(history_days)
    assert {window.label: charts.bucket_unit(Filters(window=window, now=NOW, settings=settings))
            for window in WINDOWS} == want


def test_an_unknown_bucket_expression_is_an_error():
    window = WINDOWS[0].__class__("Odd", 1, "TIME_SLICE(EVENT_TIMESTAMP, 5, 'MINUTE')")
    with pytest.raises(ValueError, match="TIME_SLICE"):
        charts.bucket_unit(Filters(window=window, now=NOW, settings=settings_keeping(30)))


@pytest.mark.parametrize("unit,start,end", [
    ("day", "2026-03-01", "2026-03-02"), ("hour", "2026-03-01 05:00", "2026-03-01 06:00"),
    ("minute", "2026-03-01 05:07", "2026-03-01 05:08")])
def test_a_bar_spans_its_whole_bucket(unit, start, end):
    df = charts.frame([{"BUCKET": start, "S": "a", "V": 1}], "BUCKET")
    spec = charts.stacked_over_time(df, "V", "S", "T", "v", unit).to_dict()
    row = spec["datasets"][next(iter(spec["datasets"]))][0]
    assert spec["encoding"]["x2"]["field"] == "BUCKET_END"
    assert pd.Timestamp(row["BUCKET_END"]) - pd.Timestamp(row["BUCKET"]) == pd.Timestamp(end) - pd.Timestamp(start)
    assert spec["encoding"]["x"]["axis"]["title"] == charts.AXIS_TITLE[unit]


@pytest.mark.parametrize("unit,label", [("week", "Mar 02"), ("month", "Mar 2026")])
def test_weeks_and_months_are_bands_named_by_their_first_day(unit, label):
    df = charts.frame([{"BUCKET": "2026-03-02", "S": "a", "V": 1}], "BUCKET")
    spec = charts.stacked_over_time(df, "V", "S", "T", "v", unit).to_dict()
    assert spec["encoding"]["x"]["sort"] == [label]


def test_a_legend_of_long_names_is_one_column_and_lists_every_series():
    long = charts.legend_color("AGENT", ["X" * 32] * 13).to_dict()["legend"]
    short = charts.legend_color("STATUS", ["OK", "ERROR"]).to_dict()["legend"]
    assert long["columns"] == 1 and long["symbolLimit"] == 0
    assert short["columns"] > 1


def test_categorical_bars_get_a_band_per_category():
    df = pd.DataFrame({"NAME": [f"N{i}" for i in range(20)], "V": range(20)})
    spec = charts.bars(df, "NAME", "V", "T", "v").to_dict()
    assert spec["height"] == {"step": charts.BAND_PX}
    assert spec["encoding"]["y"]["axis"]["labelOverlap"] is False
