"""python -m benchmarks.harness_speed: where the harness's own time goes, and whether it meets 240 s.

    python -m benchmarks.harness_speed                       # the full matrix, serially
    python -m benchmarks.harness_speed --engine chromium     # one engine
    python -m benchmarks.harness_speed --workers 2           # also the pytest suite under -n 2

Runs ``pyscript-storage-harness run`` over the chosen matrix (every scenario on
each interpreter it declares, in every chosen engine) in one process, then
prints, per engine and in all: cells, wall time, the time split into browser
starts, page loads (the interpreter booting) and steps, and the CPU time the run
and its browsers used (to tell work from waiting), with the goal of issue #15
(the full matrix in 240 s serially) beside it. A figure to record, never a
timed test.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
GOAL_SECONDS = 240.0  # issue #15: the full matrix, serially, on this 2-core machine
PHASES = ("browser starts", "page loads", "steps and the rest")


def _cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_matrix(selection: list[str], console: Console) -> tuple[dict[str, Any], float, float]:
    """The run's JSON report, its wall time and the CPU seconds it (and its browsers) used."""
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "run.json"
        command = [sys.executable, "-m", "pyscript_storage_harness", "run", *selection, "--json", str(report)]
        console.print("$ " + " ".join(command[1:]), highlight=False)
        cpu, started = _cpu_of_children(), time.monotonic()
        subprocess.run(command, cwd=ROOT, timeout=7200, check=False)  # its own progress shows
        wall, cpu = time.monotonic() - started, _cpu_of_children() - cpu
        if not report.exists():
            raise SystemExit("the run wrote no report (see its output above)")
        data: dict[str, Any] = json.loads(report.read_text())
    return data, wall, cpu


def phase_table(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Per engine, then all: cells, the seconds the cells took, and each phase's seconds."""
    rows: dict[str, dict[str, Any]] = {}
    for cell in data["cells"]:
        for key in (cell["project"], "all"):
            row = rows.setdefault(
                key, {"engine": key, "cells": 0, "seconds": 0.0, **dict.fromkeys(PHASES, 0.0)}
            )
            row["cells"] += 1
            row["seconds"] += cell["seconds"]
            for phase in PHASES:
                row[phase] += cell.get("spent", {}).get(phase, 0.0)
    return [rows[key] for key in sorted(rows, key=lambda key: key == "all")]


def _time_pytest(workers: int, engines: list[str], console: Console) -> float:
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/e2e/test_scenarios.py",
               *engines, "-n", str(workers)]  # fmt: skip
    console.print("$ " + " ".join(command[1:]), highlight=False)
    started = time.monotonic()
    subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=7200, check=False)
    return time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.harness_speed", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--engine", action="append", default=[], help="only this project (repeatable)")
    parser.add_argument("--interpreter", action="append", default=[], help="pyodide or micropython")
    parser.add_argument("--scenario", action="append", default=[], help="only this scenario (repeatable)")
    parser.add_argument("--workers", type=int, nargs="*", default=[],
                        help="also time the pytest suite under pytest-xdist, N workers")  # fmt: skip
    parser.add_argument("--json", type=Path, metavar="PATH", help="write the figures as JSON")
    args = parser.parse_args(argv)
    console = Console()
    selection = [
        part
        for flag, values in (
            ("--engine", args.engine),
            ("--interpreter", args.interpreter),
            ("--scenario", args.scenario),
        )  # fmt: skip
        for value in values
        for part in (flag, value)
    ]
    data, wall, cpu = run_matrix(selection, console)
    rows = phase_table(data)
    table = Table(title=f"harness time, serial ({data.get('started', '')}, {data.get('host', '')})")
    for column in ("engine", "cells", "cell seconds", *PHASES):
        table.add_column(column, justify="right" if column != "engine" else "left")
    for row in rows:
        shares = [
            f"{row[p]:.0f} s ({row[p] / row['seconds']:.0%})" if row["seconds"] else "-" for p in PHASES
        ]
        table.add_row(row["engine"], str(row["cells"]), f"{row['seconds']:.0f}", *shares)
    console.print(table)
    whole = not selection
    verdict = "the full matrix" if whole else "this selection"
    console.print(
        f"{verdict}: {wall:.0f} s wall ({GOAL_SECONDS:.0f} s is the goal for the full matrix: "
        f"{wall / GOAL_SECONDS:.1f}x it); CPU {cpu:.0f} s, {cpu / wall:.2f} cores busy on average",
        highlight=False,
    )
    engines = [part for name in args.engine for part in ("--storage-engine", name)]
    timed = {workers: _time_pytest(workers, engines, console) for workers in args.workers}
    for workers, seconds in timed.items():
        console.print(f"pytest -n {workers}: {seconds:.0f} s wall", highlight=False)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        figures = {
            "wall_seconds": round(wall, 1),
            "cpu_seconds": round(cpu, 1),
            "selection": selection,
            "phases": rows,
            "pytest_workers": {str(workers): round(seconds, 1) for workers, seconds in timed.items()},
        }
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
