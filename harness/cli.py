"""Command line for the harness.

python -m harness run                      # every scenario in every engine
python -m harness run --engine firefox -k reload
python -m harness run --wheel dist/pyscript_storage-0.1.0-py3-none-any.whl --json out.json
python -m harness list                     # the scenarios and engines known
python -m harness fetch                    # Pyodide & co. from the npm registry, checked
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from . import assets, doctor, scenarios
from .config import DEFAULT_PATH, ConfigError, load
from .report import print_matrix
from .results import Run
from .runner import Session, run_cell
from .wheel import build, inspect

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m harness",
        description="Run pyscript_storage's persistence scenarios in real browsers "
        "(Chromium, Firefox, WebKit) and print a scenario x engine matrix.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__,
    )
    parser.add_argument(
        "--config", type=Path, default=DEFAULT_PATH, help="browser projects (default: %(default)s)"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser(
        "run",
        help="run the suite and print the matrix (exit 1 on any failure)",
        description="Each scenario runs in a fresh browser with a fresh persistent profile; "
        "a step's Python traceback is printed under the matrix.",
    )
    run.add_argument(
        "--engine",
        action="append",
        metavar="PROJECT",
        help="a project from the config (chromium, firefox, webkit); repeat for several; default all",
    )
    run.add_argument("--scenario", action="append", metavar="NAME", help="run only this scenario; repeatable")
    run.add_argument("-k", dest="keyword", metavar="TEXT", help="scenarios whose name or text has TEXT")
    run.add_argument(
        "--wheel", type=Path, help="the wheel under test (default: build one from this source tree)"
    )
    run.add_argument("--json", type=Path, metavar="PATH", help="write the results as JSON")
    run.add_argument(
        "--artifacts",
        type=Path,
        default=Path("reports"),
        help="folder for screenshots of failed cells (default: %(default)s)",
    )
    commands.add_parser("list", help="list the scenarios and the configured engines")
    commands.add_parser(
        "doctor",
        help="which engines, drivers and tools are here (with versions), and how to install the rest",
    )
    commands.add_parser(
        "fetch",
        help="fetch the pinned front-end files (Pyodide, @pyscript/core, flatted) into the cache",
        description=f"npm pack each pinned package, check its sha256, unpack it under "
        f"{assets.cache_dir()} (set PYSCRIPT_STORAGE_CACHE to move it).",
    )
    return parser


def _run(args: argparse.Namespace, console: Console) -> int:
    config = load(args.config)
    projects = [config.project(name) for name in args.engine] if args.engine else list(config.projects)
    chosen = scenarios.select(args.scenario, args.keyword)
    if not chosen:
        console.print("[red]no scenario matches[/red]")
        return 2
    with tempfile.TemporaryDirectory(prefix="pyscript-storage-wheel-") as tmp:
        with console.status("preparing the wheel and Pyodide"):
            wheel = inspect(args.wheel) if args.wheel else build(Path(tmp))
            assets.ensure(assets.PYODIDE)
        run = Run(
            wheel={"name": wheel.name, "version": wheel.version, "sha256": wheel.sha256},
            interpreter=f"Pyodide {assets.PYODIDE.version}",
        )
        started = time.monotonic()
        with (
            Session(config, wheel, artifacts=args.artifacts) as session,
            Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.completed}/{task.total}"),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            ) as progress,
        ):
            task = progress.add_task("suite", total=len(chosen) * len(projects))
            for project in projects:
                for scenario in chosen:
                    progress.update(task, description=f"{scenario.name} x {project.name}")
                    cell = run_cell(session, scenario, project)
                    run.engines[project.name] = cell.engine_version
                    run.cells.append(cell)
                    progress.advance(task)
                    # A line per cell stays in the log (the bar is transient; in CI it is all there is).
                    progress.console.print(
                        f"{len(run.cells)}/{progress.tasks[0].total:.0f} {cell.scenario} x {cell.project}:"
                        f" {cell.status} in {cell.seconds:.1f}s",
                        highlight=False,
                    )
        run.seconds = time.monotonic() - started
    print_matrix(run, console)
    if args.json:
        run.write_json(args.json)
        console.print(f"JSON report: {args.json}")
    return 0 if run.ok else 1


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    console = Console(width=None if sys.stdout.isatty() else 140)  # logs: no wrapping at 80
    try:
        if args.command == "fetch":
            for package in (assets.PYODIDE, assets.PYSCRIPT_CORE, assets.FLATTED):
                console.print(f"{package.spec}: {assets.ensure(package)}")
            return 0
        if args.command == "doctor":
            found = doctor.checks(load(args.config))
            doctor.print_checks(found, console)
            return 0 if all(check.ok for check in found) else 1
        if args.command == "list":
            config = load(args.config)
            for scenario in scenarios.SCENARIOS:
                console.print(f"[bold]{scenario.name}[/bold]: {scenario.doc}")
            console.print("engines: " + ", ".join(p.name for p in config.projects))
            return 0
        return _run(args, console)
    except (ConfigError, ValueError) as error:
        console.print(f"[red]error:[/red] {error}")
        return 2
    except KeyboardInterrupt:
        console.print("[red]interrupted[/red]: browsers and servers were stopped")
        return 130


if __name__ == "__main__":
    sys.exit(main())
