"""python -m benchmarks.chromium_buckets: is Chromium's discard of a database per storage bucket?

    python -m benchmarks.chromium_buckets                 # 60 trials
    python -m benchmarks.chromium_buckets --trials 120 --json reports/buckets.json

The lead for issue #20 (a synced key is lost when Chromium discards an origin's
IndexedDB after a SIGKILL): Chromium's Storage Buckets API gives a bucket its
own backing store. If a flush commits to the default bucket and then to a
mirror bucket, at most one of the two has a write in flight at any kill, so at
most one can be torn and discarded. Each trial writes 20 synced batches of 10
keys to both (default first, then the mirror), sets 200 more batches in flight
the same way, SIGKILLs the browser and starts it on the same profile, then
asks each bucket whether Chromium discarded it (``dataLoss``) and how many of
the synced keys it holds. A figure to record, never a timed test: discards come
in a few trials of a hundred, and only on Pyodide pages here (the page's weight
changes the kill's timing), so the trials run on Pyodide.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console
from rich.table import Table

from pyscript_storage_harness.runner import Session, run_cell
from pyscript_storage_harness.scenarios import JavaScript, Kill, Python, Scenario, Step
from pyscript_storage_harness.wheel import prepared

from .chromium_discards import chromium_parser, chromium_project

SYNCED_BATCHES, KEYS_PER_BATCH = 20, 10

# Both buckets' databases, opened the same way; `loss` is Chromium's dataLoss report, if any.
_OPEN = """
const openIn = (factory, name) => new Promise((ok, no) => {
  let loss = "";
  const request = factory.open(name);
  request.onupgradeneeded = (event) => {
    if (event.dataLoss && event.dataLoss !== "none") loss = `${event.dataLoss}: ${event.dataLossMessage}`;
    request.result.createObjectStore("e");
  };
  request.onsuccess = () => { request.result.loss = loss; ok(request.result); };
  request.onerror = () => no(request.error);
});
const put = (db, keys, value) => new Promise((ok, no) => {
  const tx = db.transaction("e", "readwrite", { durability: "strict" });
  for (const key of keys) tx.objectStore("e").put(value, key);
  tx.oncomplete = ok;
  tx.onabort = () => no(tx.error);
});
const mirror = await navigator.storageBuckets.open("mirror", { durability: "strict" });
const primary = await openIn(indexedDB, "trial-TRIAL"), copy = await openIn(mirror.indexedDB, "trial-TRIAL");
const batch = (prefix, i) => Array.from({ length: KEYS }, (_, j) => `${prefix}${i}-${j}`);
"""

_WRITE = (
    _OPEN
    + """
const value = "x".repeat(2000);
const both = async (keys) => { await put(primary, keys, value); await put(copy, keys, value); };
for (let i = 0; i < SYNCED; i++) await both(batch("s", i));
window.inFlight = (async () => {  // still writing when the kill comes
  for (let i = 0; i < 200; i++) await both(batch("f", i));
})();
"""
)

_CHECK = (
    _OPEN
    + """
const synced = (db) => new Promise((ok) => {
  const request = db.transaction("e").objectStore("e").getAllKeys();
  request.onsuccess = () => ok(request.result.filter((key) => key.startsWith("s")).length);
});
window.trialResult = JSON.stringify({
  primaryLoss: primary.loss, mirrorLoss: copy.loss,
  primarySynced: await synced(primary), mirrorSynced: await synced(copy),
});
primary.close(); copy.close();
"""
)

_REPORT = Python("import js\nresult = {'notes': ['trial: ' + str(js.trialResult)]}")


def _scenario(trials: int) -> Scenario:
    steps: list[Step] = []
    for trial in range(trials):

        def fill(text: str, trial: int = trial) -> str:
            return (
                text.replace("TRIAL", str(trial))
                .replace("SYNCED", str(SYNCED_BATCHES))
                .replace("KEYS", str(KEYS_PER_BATCH))
            )

        steps += [JavaScript(fill(_WRITE)), Kill(), JavaScript(fill(_CHECK)), _REPORT]
    return Scenario(
        "chromium-buckets", "a discard per bucket?", tuple(steps), time_limit=60.0 + 15.0 * trials
    )


def main(argv: list[str] | None = None) -> int:
    parser = chromium_parser("python -m benchmarks.chromium_buckets", __doc__, "SIGKILL trials")
    args = parser.parse_args(argv)
    config, project = chromium_project(parser, args)
    console = Console()
    with prepared() as wheel, Session(config, wheel) as session:
        with console.status(f"{args.trials} trials (about 5 s each)..."):
            cell = run_cell(session, _scenario(args.trials), project, "pyodide", retries=0)
    trials = [json.loads(note.split("trial: ", 1)[1]) for note in cell.notes if "trial: " in note]
    figures = _figures(trials)
    figures.update(status=cell.status, version=cell.engine_version)
    _print(figures, console)
    if cell.status != "passed":
        console.print(cell.detail[-2000:], markup=False)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"figures": figures, "trials": trials}, indent=2) + "\n")
    return 0 if cell.status == "passed" else 1


def _figures(trials: list[dict[str, Any]]) -> dict[str, Any]:
    synced = SYNCED_BATCHES * KEYS_PER_BATCH
    primary = [t for t in trials if t["primaryLoss"]]
    mirror = [t for t in trials if t["mirrorLoss"]]
    return {
        "trials": len(trials),
        "default bucket discarded": len(primary),
        "mirror bucket discarded": len(mirror),
        "both discarded": sum(1 for t in trials if t["primaryLoss"] and t["mirrorLoss"]),
        "synced keys the other bucket kept when one was discarded": sum(
            t["mirrorSynced"] if t["primaryLoss"] else t["primarySynced"] for t in primary + mirror
        ),
        "synced keys written per trial": synced,
        "reasons": sorted({t["primaryLoss"] or t["mirrorLoss"] for t in primary + mirror}),
    }


def _print(figures: dict[str, Any], console: Console) -> None:
    table = Table(title=f"Chromium discards per storage bucket after SIGKILL ({figures['version']})")
    table.add_column("figure")
    table.add_column("value")
    for name, value in figures.items():
        table.add_row(name, "; ".join(value) if isinstance(value, list) else str(value))
    console.print(table)


if __name__ == "__main__":
    sys.exit(main())
