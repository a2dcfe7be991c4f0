"""python -m benchmarks.harness_speed: the harness's own wall time, serial and under pytest-xdist.

    python -m benchmarks.harness_speed                 # the scenario suite, serial then -n 2
    python -m benchmarks.harness_speed --workers 2 4 --engine chromium

Runs tests/e2e/test_scenarios.py (every scenario in every chosen engine) with
pytest once serially and once per worker count, prints the wall times and the
speed-up, and writes JSON (--json). A figure to record, never a timed test.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent


def _time(args: list[str], console: Console) -> tuple[float, int]:
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "tests/e2e/test_scenarios.py",
        *args,
    ]
    console.print("$ " + " ".join(command[1:]), highlight=False)
    started = time.monotonic()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=7200)
    seconds = time.monotonic() - started
    if done.returncode != 0:
        console.print(done.stdout[-3000:], markup=False)
    return seconds, done.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.harness_speed", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument(
        "--workers", type=int, nargs="+", default=[2], help="xdist worker counts (default: 2)"
    )
    parser.add_argument("--engine", action="append", default=[], help="limit to these projects")
    parser.add_argument("--json", type=Path, metavar="PATH", help="write the figures as JSON")
    args = parser.parse_args(argv)
    console = Console()
    engines = [a for name in args.engine for a in ("--engine", name)]
    rows = [("serial", *_time(engines, console))]
    for workers in args.workers:
        rows.append((f"-n {workers}", *_time([*engines, "-n", str(workers)], console)))
    table = Table(title="harness wall time: tests/e2e/test_scenarios.py")
    for column in ("run", "seconds", "speed-up", "exit"):
        table.add_column(column)
    serial = rows[0][1]
    for name, seconds, code in rows:
        table.add_row(name, f"{seconds:.1f}", f"{serial / seconds:.2f}x", str(code))
    console.print(table)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        figures = [{"run": n, "seconds": round(s, 1), "exit": c} for n, s, c in rows]
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0 if all(code == 0 for _, _, code in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
