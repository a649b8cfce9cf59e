"""Progress for the long pytest stage: a line per test file as it finishes, with its outcomes and
time. scripts/test.sh runs the suites on two workers, whose dots alone say nothing for minutes;
it also asks for the slowest tests (--durations). Output only: no test depends on this."""

from __future__ import annotations

import time
from collections import Counter, defaultdict

import pytest

_config: pytest.Config | None = None
_expected: Counter = Counter()
_outcomes: dict[str, Counter] = defaultdict(Counter)
_first_report: dict[str, float] = {}


def _file(nodeid: str) -> str:
    return nodeid.split("::")[0]


def _reports_here(config: pytest.Config) -> bool:
    """Only the process that writes to the terminal reports: never an xdist worker."""
    return not hasattr(config, "workerinput")


def pytest_configure(config: pytest.Config) -> None:
    global _config
    _config = config


def pytest_collection_finish(session: pytest.Session) -> None:
    if _reports_here(session.config) and session.items:
        _expected.update(_file(item.nodeid) for item in session.items)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_node_collection_finished(node, ids) -> None:
    # Every worker collects the whole suite; the first one's list is the plan.
    if not _expected:
        _expected.update(_file(nodeid) for nodeid in ids)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if _config is None or not _reports_here(_config):
        return
    file = _file(report.nodeid)
    _first_report.setdefault(file, time.monotonic())
    # A test ends with its call, or with a setup that did not pass (skipped or errored).
    if not (report.when == "call" or (report.when == "setup" and report.outcome != "passed")):
        return
    _outcomes[file][report.outcome] += 1
    if sum(_outcomes[file].values()) != _expected.get(file):
        return
    reporter = _config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    outcomes = ", ".join(f"{count} {outcome}" for outcome, count in sorted(_outcomes[file].items()))
    # The dots of the tests so far stand on the current line; the file's line goes below them.
    reporter.write("\n")
    reporter.write_line(f"{file}: {outcomes} in {time.monotonic() - _first_report[file]:.0f} s")
