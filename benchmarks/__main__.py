"""python -m benchmarks: the workloads three ways in each engine, medians and ratios.

    python -m benchmarks                          # every engine, every workload, 3 runs (100,000 keys: 1)
    python -m benchmarks --engine chromium --runs 5 --workload write-10000
    python -m benchmarks --json reports/benchmarks.json

In each engine one browser runs everything: the runner page times ours and
raw IndexedDB, a PyScript page times upstream's storage (same Python text).
Every run uses a fresh store. Prints medians and the ratios ours/raw (lower is
better, 1.0 is the floor) and upstream/ours (how many times faster ours is;
below 1.0 ours is slower). "ours relaxed" is ours with durability="relaxed";
"ours one copy" is ours with mirror=False (in Chromium no copy to the mirror
bucket, which ours makes by default; elsewhere ours), and "ours/one copy"
what the default mirror costs;
"ours mpy" is ours on MicroPython (same Python text), and "mpy/ours" how its
time compares with ours on Pyodide. "boot" is a page load until Python runs
steps, per interpreter. Where a workload has one, "python floor" is Python
awaiting each of raw's own transactions: what any Python code pays for it.

Then issue #16's targets, each a ratio of two medians of this run per engine,
met or missed (benchmarks/targets.py); --markdown writes them as the README's table.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from pyscript_storage_harness import assets
from pyscript_storage_harness.config import ConfigError
from pyscript_storage_harness.drivers import Driver, StepFailed
from pyscript_storage_harness.runner import Session
from pyscript_storage_harness.scenarios import INTERPRETERS, Interpreter, Page
from pyscript_storage_harness.wheel import prepared

from .chart import write_svg
from .choice import REPO_CONFIG, chosen_engines
from .targets import markdown, rows
from .workloads import WORKLOADS, Workload

# ours-relaxed: ours with durability="relaxed", the same promise upstream's
# "default" gives in Chromium; it shows what the "strict" default costs.
# ours-one-copy: ours with mirror=False (no copy in Chromium's mirror bucket; elsewhere the same as ours).
IMPLEMENTATIONS = ("ours", "ours-relaxed", "ours-one-copy", "upstream", "raw", "ours-mpy")
LARGE = 100_000  # keys from which a workload runs --large-runs times (MicroPython takes minutes there)
PYTHON_FLOOR = "python-floor"  # measured only where a workload has one; printed below the table
OPTIONS = {"ours-relaxed": ', durability="relaxed"', "ours-one-copy": ", mirror=False"}


def _time(driver: Driver, workload: Workload, implementation: str, store: str) -> float:
    """Seconds ``implementation`` took for ``workload`` on a fresh ``store``, set up untimed."""
    _wait_until_idle(driver)
    if workload.fill:
        driver.evaluate(workload.fill, [store, workload.n], 600_000)
    fields = {"name": store, "n": workload.n, "options": OPTIONS.get(implementation, "")}
    if workload.setup and implementation != "raw":
        driver.run_python(workload.setup.format(**fields), timeout_ms=600_000)
    if workload.fresh_page:
        driver.reload()
    if implementation == "raw":
        return float(driver.evaluate(workload.raw, [store, workload.n], 600_000))
    python = workload.python_floor if implementation == PYTHON_FLOOR else workload.python
    seconds = float(driver.run_python(python.format(**fields), timeout_ms=600_000))
    driver.run_python(_FORGET, timeout_ms=600_000)
    return seconds


def _warm(driver: Driver, workload: Workload, implementation: str, console: Console) -> None:
    """One untimed run: a fresh page's first thousand calls into Python run slowly (in WebKitGTK
    each of a thousand syncs took 0.4 ms more), and that would fall on whichever came first."""
    try:
        _time(driver, workload, implementation, f"bench-{workload.name}-warm")
    except StepFailed as failure:  # the timed runs will say it again
        console.print(f"warm-up of {workload.name} failed: {failure}", highlight=False)


# After each run the page lets go of what the run made, so no later run pays for it: a store
# of 100,000 keys left in a MicroPython page made latency-1000 five times slower there (its
# collector goes over the whole heap at each collection, and collects often on small writes).
_FORGET = """
for _name in ("s", "_s", "value", "commit", "committer"):
    globals().pop(_name, None)
import gc
gc.collect()
"""


# Opening (and deleting) a database of its own answers only once the engine has done what
# earlier runs left queued: upstream's writes are a transaction each, and after 100,000 of
# them Chromium went on committing for four minutes, so the next run's open waited as long.
# In Chromium the same in the mirror bucket: ours copies a batch there after sync() returns.
_IDLE_PROBE = """(async () => {
  const name = "benchmarks-idle-probe";
  const probe = async (factory) => {
    await new Promise((ok, no) => {
      const r = factory.open(name);
      r.onsuccess = () => { r.result.close(); ok(); }; r.onerror = () => no(new Error(String(r.error)));
    });
    await new Promise((ok) => { const d = factory.deleteDatabase(name); d.onsuccess = d.onerror = ok; });
  };
  await probe(indexedDB);
  if (navigator.storageBuckets)
    await probe((await navigator.storageBuckets.open("pyscript-storage-mirror")).indexedDB);
})()"""


def _wait_until_idle(driver: Driver) -> None:
    """Let the engine finish what earlier runs queued, so no run pays for another's writes."""
    driver.evaluate(_IDLE_PROBE, [], 900_000)


def _bench_engine(
    session: Session,
    project_name: str,
    workloads: list[Workload],
    runs: int,
    large_runs: int,
    console: Console,
) -> dict[str, Any]:
    project = session.config.project(project_name)
    timed = {w.name: IMPLEMENTATIONS + ((PYTHON_FLOOR,) if w.python_floor else ()) for w in workloads}
    samples: dict[str, dict[str, list[float]]] = {w: {i: [] for i in names} for w, names in timed.items()}
    errors: dict[str, str] = {}
    boots: dict[str, list[float]] = {interpreter: [] for interpreter in INTERPRETERS}
    with session.driver(project) as driver:
        for interpreter in INTERPRETERS:
            for run in range(runs + 1):  # the first load also fills the cache: not counted
                with console.status(f"{project.name}: boot {interpreter} run {run + 1}"):
                    started = time.monotonic()
                    driver.goto(session.url(0, interpreter=interpreter))
                    if run:
                        boots[interpreter].append(time.monotonic() - started)
        pages: tuple[tuple[Page, Interpreter, tuple[str, ...]], ...] = (
            ("runner", "pyodide", ("ours", "ours-relaxed", "ours-one-copy", "raw", PYTHON_FLOOR)),
            ("upstream", "pyodide", ("upstream",)),
            ("runner", "micropython", ("ours-mpy",)),
        )
        for page, interpreter, implementations in pages:
            for workload in workloads:
                if (interpreter == "micropython" and workload.micropython) or (
                    page == "upstream" and workload.upstream
                ):
                    continue  # shown as n/a with the reason
                driver.goto(session.url(0, page, interpreter))  # each workload in a page of its own
                if not workload.fresh_page and workload.n < LARGE:
                    _warm(driver, workload, implementations[0], console)
                # Runs interleaved (ours, relaxed, one copy, raw, ours, ...): what the engine still
                # does after a run (WebKitGTK after a 5 MiB value) falls on each in turn.
                measured = [i for i in implementations if i in samples[workload.name]]
                for run in range(large_runs if workload.n >= LARGE else runs):
                    for implementation in measured:
                        if f"{workload.name}/{implementation}" in errors:
                            continue
                        store = f"bench-{workload.name}-{implementation}-{run}"
                        with console.status(
                            f"{project.name}: {workload.name} {implementation} run {run + 1}"
                        ):
                            try:
                                seconds = _time(driver, workload, implementation, store)
                            except StepFailed as failure:
                                errors[f"{workload.name}/{implementation}"] = str(failure)
                                continue
                        samples[workload.name][implementation].append(seconds)
        version = driver.version
    medians = {
        w: {i: statistics.median(s) if s else None for i, s in by_impl.items()}
        for w, by_impl in samples.items()
    }
    boot = {interpreter: statistics.median(s) for interpreter, s in boots.items()}
    return {"version": version, "samples": samples, "medians": medians, "errors": errors, "boot": boot}


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def _print(engine: str, result: dict[str, Any], console: Console) -> None:
    table = Table(title=f"{engine}: {result['version']} (median seconds)", title_justify="left")
    columns = (
        "workload",
        "ours",
        "ours relaxed",
        "ours one copy",
        "upstream",
        "raw IDB",
        "ours mpy",
        "ours/raw",
        "upstream/ours",
        "upstream/relaxed",
        "ours/one copy",
        "mpy/ours",
    )
    for column in columns:
        table.add_column(column, justify="left" if column == "workload" else "right")
    measured = [w for w in WORKLOADS if w.name in result["medians"]]
    not_on_mpy = {w.name: w.micropython for w in measured if w.micropython}
    not_upstream = {w.name: w.upstream for w in measured if w.upstream}
    for workload, m in result["medians"].items():
        cells = [f"{m[i]:.3f}" if m[i] is not None else "error" for i in IMPLEMENTATIONS]
        if workload in not_on_mpy:
            cells[IMPLEMENTATIONS.index("ours-mpy")] = "n/a"
        if workload in not_upstream:
            cells[IMPLEMENTATIONS.index("upstream")] = "n/a"
        ratios = (
            (_ratio(m["ours"], m["raw"]), "{:.2f}x"),
            (_ratio(m["upstream"], m["ours"]), "{:.1f}x"),
            (_ratio(m["upstream"], m["ours-relaxed"]), "{:.1f}x"),
            (_ratio(m["ours"], m["ours-one-copy"]), "{:.2f}x"),
            (_ratio(m["ours-mpy"], m["ours"]), "{:.2f}x"),
        )
        table.add_row(workload, *cells, *(form.format(r) if r else "-" for r, form in ratios))
    console.print(table)
    boot = ", ".join(f"{interpreter} {seconds:.2f} s" for interpreter, seconds in result["boot"].items())
    console.print(f"boot (page load until Python runs, median): {boot}", highlight=False)
    for workload, m in result["medians"].items():
        if m.get(PYTHON_FLOOR) is not None:
            floor = m[PYTHON_FLOOR]
            ratio = _ratio(m["ours"], floor)
            console.print(
                f"{workload}: python floor (Python awaiting each of raw's transactions) {floor:.3f} s"
                + (f"; ours/python floor {ratio:.2f}x" if ratio else ""),
                highlight=False,
            )
    for workload, reason in not_on_mpy.items():
        console.print(f"{workload} on MicroPython: n/a, {reason}", highlight=False)
    for workload, reason in not_upstream.items():
        console.print(f"{workload} for upstream: n/a, {reason}", highlight=False)
    for what, error in result["errors"].items():
        console.print(f"[red]{what} failed:[/red] {error.splitlines()[-1]}", highlight=False)


def _print_targets(report: dict[str, Any], console: Console) -> dict[str, Any]:
    """Issue #16's targets per engine, printed; returned for the JSON report."""
    engines = list(report["engines"])
    table = Table(title="issue #16's targets (worst workload named; a ratio of this run's medians)",
                  title_justify="left")  # fmt: skip
    table.add_column("target")
    for engine in engines:
        table.add_column(engine, justify="right")
    judged = rows(report)
    colour = {True: "green", False: "red"}
    for target, verdicts in judged:
        texts = [v.text(target.form) for v in verdicts]
        marked = [f"[{colour[v.met]}]{t}[/{colour[v.met]}]" if v.met is not None else t
                  for v, t in zip(verdicts, texts, strict=True)]  # fmt: skip
        table.add_row(target.goal, *marked)
    console.print(table)
    return {t.name: {e: vars(v) for e, v in zip(engines, verdicts, strict=True)} for t, verdicts in judged}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--engine", action="append", metavar="PROJECT", help="repeatable; default all")
    parser.add_argument(
        "--workload", action="append", choices=[w.name for w in WORKLOADS], help="repeatable; default all"
    )
    parser.add_argument("--runs", type=int, default=3, help="runs of each (median; default: 3)")
    parser.add_argument("--large-runs", type=int, default=1, metavar="RUNS",
                        help=f"runs of the workloads of {LARGE:,} keys (default: 1; each of MicroPython's "
                        "takes one to four minutes)")  # fmt: skip
    parser.add_argument("--json", type=Path, help="write samples, medians and ratios as JSON")
    parser.add_argument("--svg", type=Path, help="draw the ratios to raw IndexedDB as an SVG chart")
    parser.add_argument("--markdown", type=Path, help="write the targets as a Markdown table (the README's)")
    parser.add_argument("--wheel", type=Path, help="wheel under test (default: built from source)")
    parser.add_argument("--config", type=Path, default=REPO_CONFIG)
    args = parser.parse_args(argv)
    if args.runs < 1 or args.large_runs < 1:
        parser.error("--runs and --large-runs must be at least 1")
    console = Console(width=None if sys.stdout.isatty() else 170)  # logs: no wrapping at 80
    try:
        config, engines = chosen_engines(args.config, args.engine)
    except ConfigError as error:
        console.print(f"[red]error:[/red] {error}")
        return 2
    workloads = [w for w in WORKLOADS if not args.workload or w.name in args.workload]
    report: dict[str, Any] = {"runs": args.runs, "large_runs": args.large_runs, "engines": {}}
    with prepared(args.wheel) as wheel:
        report["wheel"] = {"name": wheel.name, "version": wheel.version, "sha256": wheel.sha256}
        report["pyodide"] = assets.PYODIDE.version
        report["micropython"] = assets.MICROPYTHON.version
        report["pyscript_core"] = assets.PYSCRIPT_CORE.version
        with Session(config, wheel) as session:
            for engine in engines:
                result = _bench_engine(session, engine, workloads, args.runs, args.large_runs, console)
                report["engines"][engine] = result
                _print(engine, result, console)
    report["targets"] = _print_targets(report, console)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n")
        console.print(f"JSON: {args.json}")
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(markdown(report))
        console.print(f"Markdown: {args.markdown}")
    if args.svg:
        args.svg.parent.mkdir(parents=True, exist_ok=True)
        write_svg(report, args.svg)
        console.print(f"chart: {args.svg}")
    failed = any(r["errors"] for r in report["engines"].values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
