"""Fixtures for the emulator tests: the rendered SQL of a stack and a fresh emulator per test."""

from __future__ import annotations

import sys
from pathlib import Path

import fakesnow
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import translation_cache  # noqa: E402
from emulator import Coverage, Emulator, render_catalog  # noqa: E402

translation_cache.install()
_coverage = Coverage()


@pytest.fixture(scope="session")
def catalog():
    return render_catalog("dev")


@pytest.fixture(scope="session")
def catalog_with_text():
    """A stack that stores conversation text (the dev stack does not)."""
    return render_catalog("dev", storeConversationText="true")


@pytest.fixture
def emulator(catalog):
    with fakesnow.patch():
        emu = Emulator(catalog, _coverage)
        yield emu
        emu.close()


BUILD = Path(__file__).resolve().parents[2] / "build"


def _worker_files():
    return sorted(BUILD.glob("sql-coverage-worker-*.json"))


def pytest_sessionstart(session):
    """With parallel workers (pytest-xdist), each reports the sql/ files it executed in a file of
    its own; the controller clears those of an earlier run before any worker starts."""
    if not hasattr(session.config, "workerinput"):
        for stale in _worker_files():
            stale.unlink()


def pytest_sessionfinish(session):
    if hasattr(session.config, "workerinput"):
        import json
        BUILD.mkdir(exist_ok=True)
        worker = session.config.workerinput["workerid"]
        (BUILD / f"sql-coverage-worker-{worker}.json").write_text(json.dumps(sorted(_coverage.executed)))


def pytest_terminal_summary(terminalreporter):
    """Prints which sql/ files no test executed (in this process or in its parallel workers)."""
    import json
    for report in _worker_files():
        _coverage.executed.update(json.loads(report.read_text()))
    if not _coverage.executed:
        return
    catalog_file = BUILD / "sql-dev.json"
    all_files = json.loads(catalog_file.read_text())["sqlFiles"]
    missing = sorted(set(all_files) - _coverage.executed)
    # Grants and role switches cannot run on the emulator; the provider's tests run them
    # through the real snowflake-sdk driver against the protocol-level fake (test/provider).
    driver_only = [f for f in missing if f.startswith("provider/")]
    missing = [f for f in missing if f not in driver_only]
    terminalreporter.write_line(
        f"sql coverage: {len(all_files) - len(missing) - len(driver_only)}/{len(all_files)} sql/ files executed on the emulator"
        + (f"; run only through the driver fake (test/provider): {', '.join(driver_only)}" if driver_only else "")
        + (f"; NOT EXECUTED: {', '.join(missing)}" if missing else ""))
