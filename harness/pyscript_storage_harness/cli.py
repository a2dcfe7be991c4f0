"""Command line for the harness: the suite, bug reproduction, the release gate.

  pyscript-storage-harness run                   every scenario in every engine, on each interpreter
  pyscript-storage-harness run --engine firefox -k reload --html reports/suite.html
  pyscript-storage-harness run --interpreter micropython   only the MicroPython rows
  pyscript-storage-harness repro bug.py --engine webkit --quota 2MB --dump
  pyscript-storage-harness gate dist/pyscript_storage-0.1.0-py3-none-any.whl --junit gate.xml
  pyscript-storage-harness serve                 the pages on two origins, for any browser
  pyscript-storage-harness app myapp/            your PyScript app's pages in every engine, offline
  pyscript-storage-harness app myapp/ --upgrade 2024.9.1..2026.7.3   its stores across a PyScript upgrade
  pyscript-storage-harness report reports/suite.json --html suite.html   any run's JSON, rendered again
  pyscript-storage-harness doctor                what this machine has, and how to get the rest
  pyscript-storage-harness list                  the scenarios and engines known
  pyscript-storage-harness run --shard 1/3 --json s1.json   one machine's third; then: merge s*.json
  pyscript-storage-harness fetch                 Pyodide, MicroPython & co. from the npm registry, checked
  pyscript-storage-harness fetch --app myapp/    every release and package the app's pages name

The module under test: --wheel PATH; otherwise the pyscript-storage checkout you
run in is built into a wheel; otherwise the pyscript_storage installed beside the
harness is packed into one. The browsers: --config PATH (a playwright.config.toml),
otherwise the packaged defaults (Debian's Chromium, Firefox ESR and WebKitGTK).
Every browser, driver, Xvfb and server started is stopped at the end, also on
failure and Ctrl-C. Run `pyscript-storage-harness COMMAND --help` for each command.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from . import assets, cdn, doctor, repro, scenarios, shard
from .app import AppServer, CdnOptions, Upgrade, check_pages
from .config import DEFAULT_PATH, Config, ConfigError, Project, load
from .report import print_matrix, write_html, write_junit
from .results import Cell, Run
from .runner import PAGES, Session, plan, run_cells, start_server
from .wheel import Wheel, prepared

__all__ = ["main"]

_WHEEL_HELP = "the wheel under test (default: built from the checkout here, else the installed module)"


def _add_report_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("reports (any number of them)")
    group.add_argument("--json", type=Path, metavar="PATH", help="the matrix, versions, timings, failures")
    group.add_argument(
        "--junit", type=Path, metavar="PATH", help="JUnit XML: one testcase per scenario x engine"
    )
    group.add_argument(
        "--html", type=Path, metavar="PATH", help="one self-contained page, with screenshots of failed cells"
    )
    group.add_argument(
        "--artifacts",
        type=Path,
        default=Path("reports"),
        help="folder for screenshots of failed cells (default: %(default)s)",
    )


def _positive(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    number = int(text)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {number}")
    return number


def _add_retries(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--retries",
        type=int,
        default=1,
        metavar="N",
        help="run a cell again (up to N times) when its browser broke under it, not a step; it is "
        "then reported as flaky, never as passed (default: %(default)s; 0: never)",
    )
    parser.add_argument(
        "--workers",
        type=_positive,
        default=1,
        metavar="N",
        help="run N cells at a time, each in its own browser on its own profile (default: "
        "%(default)s); the gain stops where the cores do: 2 ran the matrix 1.33x as fast on 2 cores",
    )
    parser.add_argument(
        "--cold-boot",
        action="store_true",
        help="boot Pyodide from scratch on every page, not from the run's memory snapshot of a fresh "
        "interpreter (slower; to compare, or to rule the snapshot out)",
    )
    parser.add_argument(
        "--fresh-browsers",
        action="store_true",
        help="start a browser on a fresh profile for every cell; by default a cell that neither "
        "restarts, kills nor caps its browser runs on new origins in a browser kept for the engine "
        "(Chromium, Firefox), which isolates its data as well and is faster (to compare, or to rule "
        "the kept browser out)",
    )


def _add_selection(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--engine",
        action="append",
        metavar="PROJECT",
        help="a project of the config (chromium, firefox, webkit); repeat for several; default: all",
    )
    parser.add_argument(
        "--interpreter",
        action="append",
        choices=scenarios.INTERPRETERS,
        help="PyScript interpreter (pyodide, micropython); repeat for both; default: both, "
        "each scenario on the interpreters it declares (the others are n/a rows, with the reason)",
    )
    parser.add_argument("--scenario", action="append", metavar="NAME", help="only this scenario; repeatable")
    parser.add_argument(
        "-k", dest="keyword", metavar="TEXT", help="only scenarios whose name or text has TEXT"
    )


def _add_cdn_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("CDN addresses (answered from npm packages, fetched on first use)")
    group.add_argument(
        "--pyscript",
        metavar="RELEASE",
        help="run the pages under this PyScript release (e.g. 2026.7.3) instead of the one they pin",
    )
    group.add_argument(
        "--exact-versions",
        action="store_true",
        help="refuse a release whose exact core version npm lacks (default: its nearest later patch, noted)",
    )
    group.add_argument(
        "--drop-integrity",
        action="store_true",
        help="drop integrity= from <script>/<link> tags of the files the harness serves (only those)",
    )
    group.add_argument(
        "--online",
        action="store_true",
        help="leave every outside address to the real network: the harness serves only the app",
    )


def _cdn_options(args: argparse.Namespace) -> CdnOptions:
    return CdnOptions(
        exact=args.exact_versions,
        drop_integrity=args.drop_integrity,
        online=args.online,
        pyscript=args.pyscript,
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pyscript-storage-harness",
        description="Run pyscript_storage in real browsers (Chromium, Firefox, WebKit): the "
        "persistence suite as a scenario x engine matrix, a developer's snippet, or the release gate.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__,
    )
    parser.add_argument(
        "--config",
        type=Path,
        default=DEFAULT_PATH,
        help="a playwright.config.toml: browser projects and origins (default: the packaged one)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run",
        help="run the suite and print the matrix (exit 1 on any failure)",
        description="Each scenario runs in a fresh browser with a fresh persistent profile; a "
        "line is printed per finished cell, then the matrix, then every failure's traceback "
        "(and its screenshot's path). Exit 0 when every cell passed or failed as expected.",
        epilog="examples:\n  pyscript-storage-harness run --engine chromium -k interop\n"
        "  pyscript-storage-harness run --junit reports/junit.xml --html reports/suite.html",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_selection(run)
    run.add_argument(
        "--soak",
        type=int,
        metavar="TRIALS",
        help="the kill scenarios (durability, storage-process-crash) with this many SIGKILL trials "
        "per engine (default 3 and 2; soak: 20+)",
    )
    run.add_argument("--wheel", type=Path, help=_WHEEL_HELP)
    _add_retries(run)
    run.add_argument(
        "--shard",
        metavar="I/N",
        help="run only shard I of N (a stable split of the cells; merge the shards' --json reports with "
        "'merge'); e.g. --shard 2/3",
    )
    run.add_argument(
        "--durations",
        type=Path,
        metavar="REPORT.json",
        help="each cell's time in this earlier JSON report: with --shard, the shards are balanced by "
        "it; with --workers, the longest cells start first",
    )
    _add_report_options(run)

    gate = commands.add_parser(
        "gate",
        help="the release gate: the whole suite against a wheel file; exit 0 only if every cell passed",
        description="Runs every scenario in every engine against WHEEL (not the source tree), "
        "or the part that --engine, --interpreter, --scenario and -k choose (the reports say which), "
        "prints the wheel's name, version and sha256 with the matrix, and exits 0 only when "
        "every cell passed. An expected failure (xfail: a known defect) blocks the gate too unless "
        "--allow-xfail; a cell the engine cannot have (n/a, with its reason) never does. "
        "The verdict is in every report (JSON: kind, verdict, blocking).",
        epilog="example:\n  python -m build --wheel\n"
        "  pyscript-storage-harness gate dist/*.whl --junit gate.xml",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    gate.add_argument("wheel", type=Path, metavar="WHEEL", help="the wheel file to gate")
    _add_selection(gate)
    gate.add_argument("--allow-xfail", action="store_true", help="let documented expected failures pass")
    _add_retries(gate)
    _add_report_options(gate)

    rep = commands.add_parser(
        "repro",
        help="run your Python file in a real page with the module, step by step",
        description=repro.__doc__,
        epilog="example:\n  pyscript-storage-harness repro quota_bug.py --engine firefox --quota 2MB --dump",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    rep.add_argument("snippet", type=Path, metavar="SNIPPET.py", help="the Python file to run")
    rep.add_argument("--engine", default="chromium", metavar="PROJECT", help="default: %(default)s")
    rep.add_argument(
        "--interpreter",
        default="pyodide",
        choices=scenarios.INTERPRETERS,
        help="the page's Python: pyodide or micropython (default: %(default)s)",
    )
    rep.add_argument(
        "--quota",
        type=repro.quota_argument,
        metavar="SIZE",
        help="cap each origin's storage, e.g. 2MB or 512KiB (Chromium: DevTools quota override; "
        "Firefox: a profile pref; WebKitGTK: the launcher's origin storage ratio)",
    )
    rep.add_argument(
        "--dump",
        nargs="?",
        const="-",
        metavar="PATH",
        help="afterwards, the origin's stores decoded as JSON (to PATH, or printed)",
    )
    rep.add_argument("--keep-going", action="store_true", help="run the steps after a failed one too")
    rep.add_argument(
        "--timeout", type=float, default=120.0, metavar="SECONDS", help="per step (default: 120)"
    )
    rep.add_argument("--wheel", type=Path, help=_WHEEL_HELP)

    serve = commands.add_parser(
        "serve",
        help="serve the pages, Pyodide and the wheel on the test origins, for poking by hand",
        description="Prints the runner page's and the upstream PyScript page's URL on each origin "
        "and serves until Ctrl-C. On the runner page, the console has runPython(code, ms).",
    )
    serve.add_argument("--wheel", type=Path, help=_WHEEL_HELP)
    serve.add_argument(
        "--port", type=int, action="append", metavar="PORT", help="a port per origin (default: the config's)"
    )
    serve.add_argument("--for", dest="seconds", type=float, metavar="SECONDS", help="stop after this long")

    app = commands.add_parser(
        "app",
        help="open your PyScript app's pages in each engine and interpreter: do they boot, offline?",
        description="Serves FOLDER on the test origins (PyScript, Pyodide and MicroPython from their "
        "usual CDN addresses are answered from the pinned packages), opens each page in a fresh "
        "browser of each engine, its scripts switched to each interpreter, and waits until PyScript "
        "has run every script. A cell fails on an error PyScript shows, a script or stylesheet that "
        "does not load, or a CDN version the harness does not hold (named, with what it holds). "
        "With --serve, it only serves the app and prints its addresses. With --upgrade OLD..NEW, "
        "each page runs under release OLD, then reopens on the same profile under NEW, with "
        "upstream's storage and with pyscript_storage: its stores are compared value for value "
        "and every difference listed.",
        epilog="examples:\n  pyscript-storage-harness app examples/todo/app\n"
        "  pyscript-storage-harness app myapp --upgrade 2024.9.1..2026.7.3 --engine chromium\n"
        "  pyscript-storage-harness app myapp --page index.html --engine firefox --interpreter micropython\n"
        "  pyscript-storage-harness app myapp --serve",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    app.add_argument(
        "folder", type=Path, metavar="FOLDER", help="the app's folder (its pages, scripts, files)"
    )
    app.add_argument(
        "--page", action="append", metavar="PATH", help="a page to open (repeatable; default: every .html)"
    )
    app.add_argument("--engine", action="append", metavar="PROJECT", help="repeatable; default: all")
    app.add_argument(
        "--interpreter", action="append", choices=scenarios.INTERPRETERS, help="repeatable; default: both"
    )
    app.add_argument(
        "--fixed-storage",
        action="store_true",
        help="pages get the installed pyscript_storage in place of PyScript's own pyscript.storage",
    )
    _add_cdn_options(app)
    app.add_argument(
        "--upgrade",
        metavar="OLD..NEW",
        help="does what the app stored under release OLD still open under NEW? (see above)",
    )
    app.add_argument(
        "--settle",
        type=float,
        default=1.0,
        metavar="SECONDS",
        help="with --upgrade: how long the app runs after each open before its stores are read (default 1)",
    )
    app.add_argument("--serve", action="store_true", help="only serve the app (until Ctrl-C or --for)")
    app.add_argument("--for", dest="seconds", type=float, metavar="SECONDS", help="with --serve: stop after")
    _add_report_options(app)

    merge = commands.add_parser(
        "merge",
        help="merge the JSON reports of a sharded run into one run and its reports",
        description="Each REPORT.json is one shard's --json report (run --shard I/N). The merged run "
        "has every planned cell once, in the plan's order, each noting its shard and machine, and "
        "is written as any run is (--json, --junit, --html). A missing or duplicated cell, shards of "
        "different wheels or of different plans are errors.",
        epilog="example (one shard per machine, then the merge):\n"
        "  pyscript-storage-harness run --shard 1/3 --json shard-1.json\n"
        "  pyscript-storage-harness merge shard-*.json --html suite.html --junit junit.xml",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    merge.add_argument(
        "reports", type=Path, nargs="+", metavar="REPORT.json", help="the shards' JSON reports"
    )
    _add_report_options(merge)
    report = commands.add_parser(
        "report",
        help="render any run's JSON report again: the matrix, and --html, --junit or --json",
        description="RUN.json is what --json wrote: a run (bin/suite's reports/suite.json), a gate, "
        "an app check or a merged run. It is read back and shown as the run ended it (its matrix, "
        "its verdict), and written as the options ask; exit 0 when the run was OK or the gate open.",
        epilog="example:\n  pyscript-storage-harness report reports/suite.json --html suite.html",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    report.add_argument("run_json", type=Path, metavar="RUN.json", help="a JSON report of the harness")
    _add_report_options(report)
    commands.add_parser("list", help="list the scenarios and the configured engines")
    commands.add_parser(
        "doctor",
        help="which engines, drivers and tools are here (with versions), and how to install the rest",
    )
    fetch = commands.add_parser(
        "fetch",
        help="fill the cache: the pinned front-end files, PyScript releases, every package an app names",
        description=f"Without options: npm pack each pinned package (Pyodide, MicroPython, "
        f"@pyscript/core, flatted), check its sha256, unpack it under {assets.cache_dir()} (set "
        "PYSCRIPT_STORAGE_CACHE to move it), and fetch the releases the suite's across-releases "
        f"scenario runs ({', '.join(scenarios.MATRIX_RELEASES)}). --pyscript and --app fetch what "
        "pages will ask the CDNs "
        "for (each release's core and the Pyodide and MicroPython it loads; every jsDelivr and unpkg "
        "package an app's files name), checked against the integrity the npm registry publishes, "
        "so that a later run needs no network.",
        epilog="examples:\n  pyscript-storage-harness fetch --pyscript 2024.9.1 2026.7.3\n"
        "  pyscript-storage-harness fetch --app myapp",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    fetch.add_argument("--pyscript", nargs="+", metavar="RELEASE", default=[], help="PyScript releases")
    fetch.add_argument(
        "--app", type=Path, action="append", default=[], metavar="FOLDER", help="an app folder"
    )
    fetch.add_argument(
        "--exact-versions", action="store_true", help="refuse a release whose exact core npm lacks"
    )
    return parser


@contextmanager
def _wheel(path: Path | None, console: Console) -> Iterator[Wheel]:
    """The given wheel, or one built or packed for this run (deleted afterwards)."""
    with ExitStack() as stack:
        with console.status("preparing the wheel, Pyodide and MicroPython"):
            wheel = stack.enter_context(prepared(path))
        console.print(
            f"wheel under test: {wheel.path.name} ({wheel.origin}), sha256 {wheel.sha256[:16]}",
            highlight=False,
        )
        yield wheel


def _suite(config: Config, projects: list[Project], chosen: list[scenarios.Scenario], wheel: Wheel,
           args: argparse.Namespace, console: Console) -> Run:  # fmt: skip
    run = Run(wheel=wheel.describe(), interpreter=assets.interpreters_label(), selection=_selection(args))
    started, harness_cpu = time.monotonic(), time.process_time()
    interpreters = getattr(args, "interpreter", None) or scenarios.INTERPRETERS
    cells = plan(chosen, interpreters, projects)
    ids = [shard.cell_id(s.name, i, p.name) for s, i, p in cells]
    durations = shard.durations_from(args.durations) if getattr(args, "durations", None) else None
    if getattr(args, "shard", None):
        index, count = shard.parse_shard(args.shard)
        mine = set(shard.split(ids, count, durations)[index - 1])
        run.shard, run.planned = f"{index}/{count}", ids
        kept = [n for n, key in enumerate(ids) if key in mine]
        cells, ids = [cells[n] for n in kept], [ids[n] for n in kept]
        console.print(f"shard {index}/{count}: {len(cells)} of {len(run.planned)} cells", highlight=False)
    order = list(range(len(cells)))  # the order the cells run in, as positions in the plan
    if args.workers > 1:
        position = {key: n for n, key in enumerate(ids)}
        order = [position[key] for key in shard.schedule(ids, durations)]
    total = len(cells)
    with (
        Session(
            config,
            wheel,
            artifacts=args.artifacts,
            cold_boot=args.cold_boot,
            fresh_browsers=args.fresh_browsers,
        ) as session,  # fmt: skip
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as progress,
    ):
        task = progress.add_task("suite", total=total)
        ended: list[Cell] = []

        def said(cell: Cell) -> None:
            ended.append(cell)
            if run.engines.get(cell.project, "unknown") == "unknown":  # an n/a cell starts no browser
                run.engines[cell.project] = cell.engine_version
            progress.advance(task)
            progress.update(task, description=f"last: {cell.case} x {cell.project}")
            # A line per cell stays in the log (the bar is transient; in CI it is all there is).
            progress.console.print(
                f"{len(ended)}/{total} {cell.case} x {cell.project}: {cell.status} in {cell.seconds:.1f}s",
                highlight=False,
            )

        retries = max(0, args.retries)
        done = run_cells(session, [cells[n] for n in order], retries, args.workers, on_cell=said)
    by_position = dict(zip(order, done, strict=True))
    run.cells.extend(by_position[n] for n in range(len(cells)))  # reports keep the plan's order
    run.seconds = time.monotonic() - started
    run.harness_cpu = round(time.process_time() - harness_cpu, 1)
    return run


def _write_reports(run: Run, args: argparse.Namespace, console: Console) -> None:
    for path, write, what in (
        (args.json, run.write_json, "JSON"),
        (args.junit, lambda p: write_junit(run, p), "JUnit"),
        (args.html, lambda p: write_html(run, p), "HTML"),
    ):
        if path:
            write(path)
            console.print(f"{what} report: {path}")


def _chosen(args: argparse.Namespace, config: Config) -> tuple[list[Project], list[scenarios.Scenario]]:
    """The engines and scenarios --engine, --scenario and -k select (all by default)."""
    projects = [config.project(name) for name in args.engine] if args.engine else list(config.projects)
    chosen = scenarios.select(args.scenario, args.keyword)
    if getattr(args, "soak", None) is not None:
        if args.soak < 1:
            raise ValueError("--soak needs at least 1 trial")
        soaked = {
            s.name: s for s in (scenarios.durability(args.soak), scenarios.storage_process_crash(args.soak))
        }
        chosen = [soaked.get(s.name, s) for s in chosen]
    if not chosen:
        raise ValueError("no scenario matches (pyscript-storage-harness list shows them)")
    return projects, chosen


def _selection(args: argparse.Namespace) -> str:
    """What part of the matrix was asked for, for reports ("" when everything)."""
    parts = [
        f"{flag} {value}"
        for flag, values in (
            ("--engine", args.engine),
            ("--interpreter", args.interpreter),
            ("--scenario", args.scenario),
            ("-k", [args.keyword] if args.keyword else None),
        )
        for value in values or ()
    ]
    return " ".join(parts)


def _run(args: argparse.Namespace, console: Console) -> int:
    config = load(args.config)
    projects, chosen = _chosen(args, config)
    with _wheel(args.wheel, console) as wheel:
        run = _suite(config, projects, chosen, wheel, args, console)
    print_matrix(run, console)
    _write_reports(run, args, console)
    return 0 if run.ok else 1


def _gate(args: argparse.Namespace, console: Console) -> int:
    config = load(args.config)
    projects, chosen = _chosen(args, config)
    with _wheel(args.wheel, console) as wheel:
        console.print(f"gating {wheel.path.name}: {wheel.name} {wheel.version}, sha256 {wheel.sha256}")
        run = _suite(config, projects, chosen, wheel, args, console)
    run.close_gate(("passed", "xfailed") if args.allow_xfail else ("passed",))
    print_matrix(run, console)
    _write_reports(run, args, console)
    _say_verdict(run, wheel.path.name, wheel.sha256, console)
    return 0 if run.ok else 1


def _say_verdict(run: Run, wheel: str, sha256: str, console: Console) -> None:
    """A gate's last line: open, or closed and by which cells."""
    part = f" (only {run.selection})" if run.selection else ""
    if not run.ok:
        names = ", ".join(run.blocking)
        console.print(f"[bold red]GATE CLOSED[/bold red] for {wheel}{part}: {names}", highlight=False)
        return
    console.print(f"[bold green]GATE OPEN[/bold green] for {wheel}{part} (sha256 {sha256})", highlight=False)


def _repro(args: argparse.Namespace, console: Console) -> int:
    config = load(args.config)
    project = config.project(args.engine)
    try:
        pieces = repro.parse(args.snippet.read_text("utf-8"), str(args.snippet), len(config.server.ports))
    except FileNotFoundError:
        raise ValueError(f"{args.snippet}: no such file") from None
    with _wheel(args.wheel, console) as wheel, Session(config, wheel) as session:
        with session.driver(project, quota=args.quota) as driver:
            quota = f", quota {args.quota} bytes via {driver.quota_knob}" if args.quota else ""
            console.print(f"{driver.version}, wheel {wheel.name} {wheel.version}{quota}")
            driver.goto(session.url(0, interpreter=args.interpreter))
            ok = repro.run(
                pieces,
                driver,
                session,
                console,
                interpreter=args.interpreter,
                keep_going=args.keep_going,
                filename=str(args.snippet),
                timeout_ms=int(args.timeout * 1000),
            )
            if args.dump:
                repro.dump(driver, None if args.dump == "-" else Path(args.dump), console)
    return 0 if ok else 1


def _serve(args: argparse.Namespace, console: Console) -> int:
    config = load(args.config)
    if args.port:
        ports = tuple(args.port) + (0,) * max(0, 2 - len(args.port))
        config = Config(type(config.server)(config.server.host, ports), config.projects)
    with _wheel(args.wheel, console) as wheel:
        server = start_server(config, wheel)
        console.print(f"serving {wheel.path.name} and Pyodide {assets.PYODIDE.version}:")
        lines = [f"origin {i} {page:8} {origin}{path}" for i, origin in enumerate(server.origins)
                 for page, path in PAGES.items()]  # fmt: skip
        _serve_until(server.close, lines, args.seconds, console)
    return 0


def _serve_until(
    close: Callable[[], None], lines: list[str], seconds: float | None, console: Console
) -> None:
    """Print where a server listens, then serve until Ctrl-C (or ``seconds``); always close it."""
    try:
        for line in lines:
            console.print(f"  {line}", highlight=False)
        console.print("Ctrl-C stops it." if seconds is None else f"stopping in {seconds:g} s.")
        sys.stdout.flush()
        threading.Event().wait(seconds)
    finally:
        close()


def _fetch(args: argparse.Namespace, console: Console) -> int:
    releases = list(args.pyscript)
    if not args.pyscript and not args.app:
        for package in dict.fromkeys(assets.PINNED + assets.CDN_PACKAGES):
            console.print(f"{package.spec}: {assets.ensure(package)}")
        releases = list(scenarios.MATRIX_RELEASES)  # the suite's across-releases scenario reads them
    addresses = [f"pyscript.net/releases/{name}/core.js" for name in releases]
    for folder in args.app:
        if not folder.is_dir():
            raise ValueError(f"{folder}: no such app folder")
        found = cdn.app_addresses(folder)
        if not any(cdn.core_addresses("https://" + address) for address in found):
            raise ValueError(
                f"{folder}: its files load PyScript from no CDN address (https://pyscript.net/releases/R/ "
                "or @pyscript/core@V on jsDelivr or unpkg): nothing of PyScript to fetch"
            )
        addresses += found
    failed = 0

    def said(result: cdn.Served | cdn.CdnMiss) -> None:
        nonlocal failed
        if isinstance(result, cdn.CdnMiss):
            failed += 1
            console.print(f"[red]missing[/red] {result}", highlight=False)
            return
        note = f" ({result.note})" if result.note else ""
        console.print(f"https://{result.address}: {result.package.spec}{note}", highlight=False)

    with console.status(f"fetching what {len(addresses)} address(es) name from the npm registry"):
        cdn.fetch(addresses, args.exact_versions, on_each=said)
    return 1 if failed else 0


def _report(args: argparse.Namespace, console: Console) -> int:
    run = shard.load_run(args.run_json)
    print_matrix(run, console)
    _write_reports(run, args, console)
    if run.kind == "gate":
        wheel = f"{run.wheel.get('name', 'the wheel')} {run.wheel.get('version', '')}".strip()
        _say_verdict(run, wheel, run.wheel.get("sha256", "unknown"), console)
    return 0 if run.ok else 1


def _merge(args: argparse.Namespace, console: Console) -> int:
    runs = [shard.load_run(path) for path in args.reports]
    run = shard.merge(runs, [str(path) for path in args.reports])
    console.print(f"merged {len(runs)} shards: {len(run.cells)} cells from {run.host}", highlight=False)
    print_matrix(run, console)
    _write_reports(run, args, console)
    return 0 if run.ok else 1


def _check_pyscript_named(folder: Path, pages: list[str], swapping: str) -> None:
    """A clear error before any browser starts when the pages have no PyScript at all, or
    ``swapping`` (an option that serves another release) has no CDN address to swap."""
    texts = [(folder / page).read_text("utf-8", errors="replace") for page in pages]
    if not any(cdn.names_pyscript(text) for text in texts):
        raise ValueError(
            f'{folder}: no page names PyScript ({", ".join(pages)}: no <script type="py"> or '
            '"mpy", no <py-script>, no core.js): not a PyScript app'
        )
    if swapping and not any(cdn.core_addresses(text) for text in texts):
        raise ValueError(
            f"{folder}: no page loads PyScript from a CDN address (https://pyscript.net/releases/R/ or "
            f"@pyscript/core@V on jsDelivr or unpkg), so {swapping} has no release to swap"
        )


def _app(args: argparse.Namespace, console: Console) -> int:
    config = load(args.config)
    folder: Path = args.folder
    if not folder.is_dir():
        raise ValueError(f"{folder}: no such app folder")
    if args.serve:
        server = AppServer(config, folder, fixed_storage=args.fixed_storage, options=_cdn_options(args))
        lines = [f"origin {index}: {origin}/" for index, origin in enumerate(server.origins)]
        _serve_until(server.close, lines, args.seconds, console)
        return 0
    pages = args.page or sorted(
        str(path.relative_to(folder)) for path in folder.rglob("*.html") if "node_modules" not in path.parts
    )
    if not pages:
        raise ValueError(f"{folder}: no .html page in it (or name one with --page)")
    missing = [page for page in pages if not (folder / page).is_file()]
    if missing:
        raise ValueError(f"no such page in {folder}: {', '.join(missing)}")
    _check_pyscript_named(
        folder, pages, "--upgrade" if args.upgrade else "--pyscript" if args.pyscript else ""
    )
    projects = [config.project(name) for name in args.engine] if args.engine else list(config.projects)
    interpreters = tuple(
        i for i in scenarios.INTERPRETERS if i in (args.interpreter or scenarios.INTERPRETERS)
    )

    upgrade = Upgrade.parse(args.upgrade, args.settle) if args.upgrade else None

    def said(cell: Cell, total: int) -> None:
        console.print(f"{cell.case} x {cell.project}: {cell.status} in {cell.seconds:.1f}s", highlight=False)
        if upgrade is not None:
            for line in [
                n
                for n in cell.notes
                if n.startswith(("stored under", "rewritten by the app", "after reopening"))
            ]:
                console.print(f"  {line}", highlight=False)
            for line in cell.detail.splitlines() if cell.status == "failed" else ():
                console.print(f"  {line}", highlight=False, markup=False)

    with console.status(f"opening {len(pages)} page(s) of {folder}"):
        run = check_pages(
            config, folder, pages, projects, interpreters, args.artifacts, said, args.fixed_storage,
            _cdn_options(args), upgrade,
        )  # fmt: skip
    print_matrix(run, console)
    _write_reports(run, args, console)
    return 0 if run.ok else 1


def _on_sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # unwinds every `with`, so browsers and servers are stopped


def _reap_children() -> None:
    """Last line of defence: no process this run started outlives it."""
    import psutil

    children = psutil.Process().children(recursive=True)
    for child in children:
        try:
            child.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(children, timeout=10)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(repro.join_negative_values(sys.argv[1:] if argv is None else argv))
    console = Console(width=None if sys.stdout.isatty() else 140)  # logs: no wrapping at 80
    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        return _main(args, console)
    finally:
        _reap_children()


def _main(args: argparse.Namespace, console: Console) -> int:
    try:
        if args.command == "fetch":
            return _fetch(args, console)
        if args.command == "doctor":
            found = doctor.checks(load(args.config))
            doctor.print_checks(found, console)
            return 0 if all(check.ok for check in found) else 1
        if args.command == "list":
            config = load(args.config)
            for scenario in scenarios.SCENARIOS:
                on = ", ".join(scenario.interpreters)
                console.print(f"[bold]{scenario.name}[/bold] ({on}): {scenario.doc}", highlight=False)
                for where, why in scenario.not_applicable.items():
                    console.print(f"  [dim]n/a in {where}: {why}[/dim]", highlight=False)
            console.print("engines: " + ", ".join(p.name for p in config.projects))
            return 0
        command = {
            "run": _run,
            "gate": _gate,
            "repro": _repro,
            "serve": _serve,
            "app": _app,
            "merge": _merge,
            "report": _report,
        }[args.command]
        return command(args, console)
    except (ConfigError, ValueError, FileNotFoundError, RuntimeError) as error:
        console.print(f"[red]error:[/red] {error}")
        return 2
    except KeyboardInterrupt:
        console.print("[red]interrupted[/red]: browsers and servers were stopped")
        return 130


if __name__ == "__main__":
    sys.exit(main())
