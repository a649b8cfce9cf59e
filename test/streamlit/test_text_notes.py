"""Pages that show typed text say so when the deployment does not store it, instead of showing
empty cells: the Threads timeline (search queries and Analyst SQL) and Feedback (comments)."""

from __future__ import annotations

import atexit
import functools

import pytest

# apptest first: it puts test/sql and streamlit/ on sys.path.
from apptest import metrics, no_exception, no_injected_session_left, run_page, world  # noqa: F401 (fixtures)
from world import AGENTS, HOUR, MARGIN, ingest

from dashboard import fmt, notices
from emulator import Coverage, render_catalog, standalone_emulator, utc_now
from traffic import CANARY, generate

NOTE = notices.TEXT_NOT_STORED.split("**")[2].strip()  # the sentence after the bold headline


@functools.lru_cache(maxsize=None)
def _without_text():
    """The dev stack (storeConversationText false) after a day of traffic with feedback."""
    context = standalone_emulator(render_catalog("dev", initialLookbackHours=30), Coverage())
    emulator = context.__enter__()
    atexit.register(context.__exit__, None, None, None)
    now = utc_now()
    traffic = generate(seed=7, agents=AGENTS, start=now - 24 * HOUR, end=now - MARGIN, turns_per_agent_per_hour=4,
                       feedback_rate=0.5)
    ingest(emulator, AGENTS, traffic)
    assert emulator.config["storeConversationText"] is False
    return emulator


@pytest.fixture(scope="module")
def without_text():
    return _without_text()


def notes(app) -> list[str]:
    return [info.value for info in app.info if NOTE in info.value]


def drill_into_a_thread_with_a_search(app):
    """Chooses, as a person would, the first listed thread whose timeline has a search."""
    listed = app.dataframe[0].value.to_dict("records")
    for index, row in enumerate(listed):
        if row["RETRIEVAL_CALLS"]:
            app.selectbox(key="wm_thread").set_value(index).run()
            return app
    raise AssertionError("precondition: a listed thread searched")


def test_feedback_says_comments_are_not_stored(without_text):
    app = run_page(without_text, "Feedback")
    no_exception(app)
    assert metrics(app)["Ratings"][0] != "0", "precondition: people rated answers"
    assert notes(app) == [notices.TEXT_NOT_STORED.format(what="Feedback comments")]
    assert metrics(app)["Comments"][0] == fmt.MISSING
    assert len(app.dataframe) == 0, "no table of empty comments"


def test_feedback_shows_comments_where_they_are_stored(world):
    app = run_page(world.emulator, "Feedback")
    assert not notes(app)
    comments = app.dataframe[0].value["FEEDBACK_MESSAGE"]
    assert len(comments) and all(CANARY.search(comment) for comment in comments)


def test_thread_timeline_says_search_queries_are_not_stored(without_text):
    app = drill_into_a_thread_with_a_search(run_page(without_text, "Threads"))
    no_exception(app)
    spans = app.dataframe[1].value
    assert "RETRIEVAL" in set(spans["SPAN_CATEGORY"])
    assert "RETRIEVAL_QUERY" not in spans.columns
    assert notes(app) == [notices.TEXT_NOT_STORED.format(what="Search queries and Analyst SQL")]


def test_thread_timeline_shows_search_queries_where_they_are_stored(world):
    app = drill_into_a_thread_with_a_search(run_page(world.emulator, "Threads"))
    no_exception(app)
    spans = app.dataframe[1].value
    searches = spans[spans["SPAN_CATEGORY"] == "RETRIEVAL"]["RETRIEVAL_QUERY"]
    assert len(searches) and all(CANARY.search(query) for query in searches)
    assert not notes(app)
