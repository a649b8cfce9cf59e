"""Prints, as JSON, what the dashboard reads: the views its queries may name (queries.VIEWS,
which `run()` and `Window.view()` enforce), the organisation views (read only where they
exist) and the SHOW that finds them. privileges/collect.ts turns them into the statements the
app's owner runs; reading the modules keeps this list the dashboard's own."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "streamlit"))

from dashboard import org, queries  # noqa: E402

print(json.dumps({
    "views": sorted(queries.VIEWS),
    "centralViews": sorted({org.ACCOUNT_DAILY, org.AGENT_ROLLUP}),
    "probe": f"SHOW VIEWS LIKE '{org.ACCOUNT_DAILY}' IN SCHEMA {{SCHEMA}}",
}))
