"""python -m benchmarks.probes: where one sync's time goes, per engine (issue #16's profile).

    python -m benchmarks.probes                          # every probe, every engine, 3 rounds
    python -m benchmarks.probes --engine firefox --probe commit-wait
    python -m benchmarks.probes --interpreter micropython --probe sync-parts

Each probe is a function below that runs in a fresh runner page and returns
milliseconds per operation, by variant, timed after a fifth as many of each
untimed (a fresh page's first calls run slowly, WebKitGTK's most); each round runs
every variant once, and the table shows each variant's median over the rounds. The figures
explain the benchmarks' latency-1000 row:

- commit-wait: raw IndexedDB from JavaScript alone, one put per transaction,
  awaited until the put's request succeeded (what upstream PyScript's sync()
  waits for) or until the transaction committed (what ours waits for), at each
  durability.
- sync-parts: one (set, sync) of ours, then the same work with fewer layers:
  the backend's flush, its JavaScript call, a raw relaxed put awaited from
  Python until it committed or until its request succeeded, and Python
  awaiting an already resolved promise (the crossing alone).
- write-parts: write-10000 by part: encoding the values alone, the sets (the
  dict, encoding, the queue), and the sync (the batch's text, one transaction).
- mirror-commits: what the mirror adds to a loop of syncs in Chromium: the store's
  strict commit, a relaxed one in another Storage Bucket, the two in turn, and the
  copy left running behind the page's own work (empty where there are no buckets).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from pyscript_storage_harness.config import ConfigError
from pyscript_storage_harness.drivers import Driver, StepFailed
from pyscript_storage_harness.page_code import page_code
from pyscript_storage_harness.runner import Session
from pyscript_storage_harness.scenarios import INTERPRETERS, Interpreter
from pyscript_storage_harness.wheel import prepared

from .choice import REPO_CONFIG, chosen_engines


async def commit_wait(n: int) -> dict[str, float]:
    """Raw IndexedDB from JavaScript: ms per put, awaited to its request's success or to the commit."""
    from pyscript_storage.jsbridge import run_js

    bench = run_js(
        """async (wait, durability, n) => {
          const db = await new Promise((ok, no) => {
            const r = indexedDB.open(`probe-commit-wait-${wait}-${durability}`);
            r.onupgradeneeded = () => r.result.createObjectStore("entries");
            r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error);
          });
          const t0 = performance.now();
          for (let i = 0; i < n; i++) {
            const tx = db.transaction("entries", "readwrite", {durability});
            const request = tx.objectStore("entries").put(JSON.stringify(["generic", {i}]), "counter");
            if (wait === "request") await new Promise((ok) => { request.onsuccess = ok; });
            else await new Promise((ok) => { tx.oncomplete = ok; });
          }
          const ms = (performance.now() - t0) / n;
          db.close();
          return ms;
        }"""
    )
    figures = {}
    for wait in ("request", "commit"):
        for durability in ("default", "relaxed", "strict"):
            figures[f"until the {wait}, {durability}"] = float(await bench(wait, durability, n))
    return figures


async def mirror_commits(n: int) -> dict[str, float]:
    """Raw IndexedDB from JavaScript: ms per (set, sync) when each commit is followed by a copy.

    The store's strict commit alone; a relaxed commit in another Storage Bucket alone (the
    mirror's copy); the two one after the other (ours in a loop of syncs: each sync waits
    for the copy of the one before); the copy sent without waiting, with 1 ms of the page's
    own work before the next commit (does the copy hide behind it?); both at once (what
    the mirror must never do). Where there are no Storage Buckets: empty.
    """
    from pyscript_storage.jsbridge import run_js

    bench = run_js(
        """async (variant, n) => {
          if (!navigator.storageBuckets) return -1;
          const openIn = (factory, name) => new Promise((ok, no) => {
            const r = factory.open(name);
            r.onupgradeneeded = () => r.result.createObjectStore("entries", { autoIncrement: true });
            r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error);
          });
          const commit = (db, durability) => new Promise((ok, no) => {
            const tx = db.transaction("entries", "readwrite", { durability });
            tx.objectStore("entries").add(["{}", "[1]"]);
            tx.oncomplete = ok; tx.onabort = () => no(tx.error);
          });
          const busy = (ms) => { const t = performance.now(); while (performance.now() - t < ms) {} };
          const bucket = await navigator.storageBuckets.open("probe-mirror-commits");
          const store = await openIn(indexedDB, `probe-mirror-${variant}`);
          const copy = await openIn(bucket.indexedDB, `probe-mirror-${variant}`);
          let pending = Promise.resolve();
          const one = {
            "the store's strict commit": () => commit(store, "strict"),
            "a relaxed commit in another bucket": () => commit(copy, "relaxed"),
            "strict, then the copy": async () => {
              await commit(store, "strict"); await commit(copy, "relaxed");
            },
            "strict, the copy not awaited, 1 ms of work": async () => {
              await pending; await commit(store, "strict"); pending = commit(copy, "relaxed"); busy(1);
            },
            "strict, 1 ms of work (no copy)": async () => { await commit(store, "strict"); busy(1); },
            "strict and the copy at once": () =>
              Promise.all([commit(store, "strict"), commit(copy, "relaxed")]),
          }[variant];
          const t0 = performance.now();
          for (let i = 0; i < n; i++) await one();
          await pending;
          const ms = (performance.now() - t0) / n;
          store.close(); copy.close();
          return ms;
        }"""
    )
    variants = ("the store's strict commit", "a relaxed commit in another bucket", "strict, then the copy",
                "strict, 1 ms of work (no copy)", "strict, the copy not awaited, 1 ms of work",
                "strict and the copy at once")  # fmt: skip
    figures = {}
    for variant in variants:
        ms = float(await bench(variant, n))
        if ms < 0:
            return {}
        figures[variant] = ms
    return figures


async def sync_parts(n: int) -> dict[str, float]:
    """Ours (relaxed) per (set, sync), and the same with fewer layers, ms per operation."""
    import json
    import time

    from pyscript_storage import codec, indexeddb, storage
    from pyscript_storage.engine import Batch
    from pyscript_storage.jsbridge import run_js

    clock = getattr(time, "perf_counter", None) or (lambda: time.ticks_us() / 1e6)  # type: ignore[attr-defined]

    raw = await run_js(
        """async (name) => {
          const db = await new Promise((ok, no) => {
            const r = indexedDB.open(name);
            r.onupgradeneeded = () => r.result.createObjectStore("entries");
            r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error);
          });
          const put = (text) => {
            const tx = db.transaction("entries", "readwrite", {durability: "relaxed"});
            return [tx, tx.objectStore("entries").put(text, "counter")];
          };
          return {
            commit: (text) => new Promise((ok) => { put(text)[0].oncomplete = ok; }),
            request: (text) => new Promise((ok) => { put(text)[1].onsuccess = ok; }),
            resolved: () => Promise.resolve(1),
            timeout: () => new Promise((ok) => setTimeout(ok, 0)),
          };
        }"""
    )("probe-sync-parts-raw")
    store: Any = await storage("probe-sync-parts", durability="relaxed")
    backend: Any = store._store.backend
    module = indexeddb._module()
    db = await backend._connection()

    async def ours(i: int) -> None:
        store["counter"] = {"i": i}
        await store.sync()

    async def set_alone(i: int) -> None:
        store["counter"] = {"i": i}

    queue = store._store.queue

    async def queue_sync(i: int) -> None:  # what set queues, without scheduling its background turn
        queue.pending.puts["counter"] = codec.encode({"i": i})
        await queue.sync()

    async def backend_flush(i: int) -> None:
        await backend.flush(Batch(puts={"counter": codec.encode({"i": i})}))

    async def javascript_flush(i: int) -> None:
        text = codec.encode({"i": i})
        head = {"clear": False, "deletes": [], "keys": ["counter"], "lengths": [len(text)]}
        await module.flush(db, json.dumps(head), text, "relaxed")

    async def raw_commit(i: int) -> None:
        await raw.commit(codec.encode({"i": i}))

    async def raw_request(i: int) -> None:
        await raw.request(codec.encode({"i": i}))

    async def resolved(i: int) -> None:
        await raw.resolved()

    async def timeout(i: int) -> None:
        await raw.timeout()

    figures = {}
    steps = (
        ("ours: set, then sync", ours),
        ("set alone (the dict, encoding, the queue)", set_alone),
        ("the queue's sync of one put, no background turn", queue_sync),
        ("the backend's flush", backend_flush),
        ("its JavaScript flush, from Python", javascript_flush),
        ("raw put from Python, until the commit", raw_commit),
        ("raw put from Python, until the request", raw_request),
        ("Python awaiting a resolved promise", resolved),
        ("Python awaiting a setTimeout(0)", timeout),
    )
    for _name, step in steps:  # warm: a fresh page's first calls run slowly (WebKitGTK: a thousand
        for i in range(n // 5):  # syncs 0.4 ms slower each); every variant, before any is timed
            await step(i)
    for name, step in steps:
        started = clock()
        for i in range(n):
            await step(i)
        figures[name] = (clock() - started) * 1000 / n
    return figures


async def write_parts(n: int) -> dict[str, float]:
    """write-N's time by part, ms per key: the Python side of the sets, then the sync."""
    import time

    from pyscript_storage import codec, storage

    clock = getattr(time, "perf_counter", None) or (lambda: time.ticks_us() / 1e6)  # type: ignore[attr-defined]

    values = [{"i": i, "name": f"item {i}", "tags": ["a", "b"]} for i in range(n)]
    warm: Any = await storage("probe-write-parts-warm")  # a fresh page's first calls run slowly
    warm.update({f"key-{i}": values[i] for i in range(n // 10)})
    await warm.sync()
    store: Any = await storage("probe-write-parts")
    started = clock()
    for value in values:
        codec.encode(value)
    encoded = clock()
    for i, value in enumerate(values):
        store[f"key-{i}"] = value
    queued = clock()
    await store.sync()
    synced = clock()
    return {
        "encoding each value alone (codec.encode)": (encoded - started) * 1000 / n,
        "set: the dict, encoding, the queue": (queued - encoded) * 1000 / n,
        "sync: the batch's text and head, one transaction": (synced - queued) * 1000 / n,
    }


PROBES: dict[str, tuple[Callable[..., Any], int]] = {
    "commit-wait": (commit_wait, 500),
    "sync-parts": (sync_parts, 1000),
    "write-parts": (write_parts, 10_000),
    "mirror-commits": (mirror_commits, 300),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.probes", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--engine", action="append", metavar="PROJECT", help="repeatable; default all")
    parser.add_argument("--probe", action="append", choices=list(PROBES), help="repeatable; default all")
    parser.add_argument("--interpreter", choices=INTERPRETERS, default="pyodide", help="default: pyodide")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per probe (median; default: 3)")
    parser.add_argument("--wheel", type=Path, help="wheel under test (default: built from source)")
    parser.add_argument("--config", type=Path, default=REPO_CONFIG)
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    console = Console(width=None if sys.stdout.isatty() else 140)
    try:
        config, engines = chosen_engines(args.config, args.engine)
    except ConfigError as error:
        console.print(f"[red]error:[/red] {error}")
        return 2
    probes = args.probe or list(PROBES)
    # probe -> variant -> engine -> ms per operation, one per round
    figures: dict[str, dict[str, dict[str, list[float]]]] = {p: {} for p in probes}
    failed = False
    with prepared(args.wheel) as wheel, Session(config, wheel) as session:
        for engine in engines:
            with session.driver(config.project(engine)) as driver:
                for probe in probes:
                    where = (engine, args.interpreter)
                    failed |= not _rounds(session, driver, where, probe, args.rounds, figures[probe], console)
    for probe in probes:
        title = f"{probe} on {args.interpreter}: ms per operation, median of {args.rounds}"
        table = Table(title=title, title_justify="left")
        table.add_column("variant")
        for engine in engines:
            table.add_column(engine, justify="right")
        for variant, by_engine in figures[probe].items():
            medians = [f"{statistics.median(by_engine[e]):.3f}" if by_engine.get(e) else "-" for e in engines]
            table.add_row(variant, *medians)
        console.print(table)
    return 1 if failed else 0


def _rounds(
    session: Session,
    driver: Driver,
    where: tuple[str, Interpreter],
    probe: str,
    rounds: int,
    figures: dict[str, dict[str, list[float]]],
    console: Console,
) -> bool:
    """Run ``probe`` ``rounds`` times, each in a fresh page, into ``figures``; False if it failed."""
    engine, interpreter = where
    function, n = PROBES[probe]
    code = page_code(function, n)
    for round_ in range(rounds):
        with console.status(f"{engine}: {probe} round {round_ + 1}"):
            driver.goto(session.url(0, interpreter=interpreter))
            try:
                measured = driver.run_python(code.python, filename=code.filename, timeout_ms=600_000)
            except StepFailed as failure:
                console.print(f"[red]{engine} {probe} failed:[/red] {failure}", highlight=False)
                return False
        for variant, ms in measured.items():
            figures.setdefault(variant, {}).setdefault(engine, []).append(ms)
    return True


if __name__ == "__main__":
    sys.exit(main())
