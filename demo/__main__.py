"""`python -m demo`: Wallmonitor on localhost, without a Snowflake account.

Deploys the stack's SQL (rendered as Pulumi deploys it) on the fakesnow emulator, feeds it
generated Cortex Agent traffic through the real REFRESH_AGENT_EVENTS task body on the stack's
schedule divided by --speed, and serves the real streamlit/ app with the emulator's session
injected. Ctrl-C stops it.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import time
import warnings

from demo.world import ROOT, DemoWorld


def log(message: str) -> None:
    print(f"[wallmonitor demo] {message}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="npm run demo --", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8501)
    parser.add_argument("--address", default="127.0.0.1")
    parser.add_argument("--stack", default="dev", help="stack whose config renders the SQL (default dev)")
    parser.add_argument("--agents", type=int, default=4)
    parser.add_argument("--world", choices=("default", "crowded"), default="default",
                        help="crowded: 13 agents with long names in two schemas instead of --agents "
                             "(what the browser checks of chart readability run on)")
    parser.add_argument("--backlog-hours", type=float, default=48, help="traffic already there at start")
    parser.add_argument("--rate", type=float, default=20, help="turns per agent per hour")
    parser.add_argument("--speed", type=float, default=60, help="schedule compression: 60 runs a 15-minute task every 15 s")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    # The emulator's translation notes (a format it ignores, an extra Arrow copy) are not news here.
    logging.getLogger("sqlglot").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", message="Arrow output")
    from streamlit.web import cli as streamlit_cli

    from dashboard import session

    started = time.monotonic()
    log("deploying the stack's SQL on the emulator and loading the backlog…")
    world = DemoWorld(stack=args.stack, agents=args.agents, backlog_hours=args.backlog_hours,
                      turns_per_hour=args.rate, seed=args.seed, speed=args.speed, crowded=args.world == "crowded",
                      log=log)
    try:
        log(f"first refresh: {world.start()}")
        log(f"refresh task every {world.refresh_seconds:g} s, dynamic tables every {world.dynamic_table_seconds:g} s "
            f"(the {args.stack} stack's schedule / {args.speed:g}); ready in {time.monotonic() - started:.1f} s")
        session.use_local(world.session, world.emulator.database, world.emulator.schema)
        url = f"http://{args.address}:{args.port}"
        log(f"dashboard: {url}  (Ctrl-C stops)")
        streamlit_cli.main.main(args=[
            "run", str(ROOT / "streamlit" / "streamlit_app.py"),
            "--server.address", args.address, "--server.port", str(args.port), "--server.headless", "true",
            # Streamlit would drop changed modules, the injected session among them.
            "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false",
            "--client.toolbarMode", "viewer",
        ], prog_name="streamlit", standalone_mode=False)
    except KeyboardInterrupt:
        pass
    finally:
        # Streamlit's own handlers would act on a server that is gone; a second Ctrl-C during
        # the short clean-up must not leave the ingestion thread half-way.
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_IGN)
        world.stop()
        log("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
