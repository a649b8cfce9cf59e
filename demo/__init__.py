"""Wallmonitor's local demo: the real sql/ on the Snowflake emulator, generated Cortex Agent
traffic pushed through the real ingestion task bodies on a compressed schedule, and the real
streamlit/ app served on localhost. `npm run demo` (scripts/demo.sh) runs `python -m demo`."""
