"""Fixtures for the emulator tests: the rendered SQL of a stack and a fresh emulator per test."""

from __future__ import annotations

import sys
from pathlib import Path

import fakesnow
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from emulator import Coverage, Emulator, render_catalog  # noqa: E402

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


def pytest_terminal_summary(terminalreporter):
    """Prints which sql/ files no test executed."""
    if not _coverage.executed:
        return
    import json
    catalog_file = Path(__file__).resolve().parents[2] / "build" / "sql-dev.json"
    all_files = json.loads(catalog_file.read_text())["sqlFiles"]
    missing = sorted(set(all_files) - _coverage.executed)
    terminalreporter.write_line(
        f"sql coverage: {len(all_files) - len(missing)}/{len(all_files)} sql/ files executed"
        + (f"; not executed: {', '.join(missing)}" if missing else ""))
