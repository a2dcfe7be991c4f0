"""The benchmark workloads, each written three ways.

``python`` runs on a page where ``from pyscript import storage`` is either
ours (the runner page's stand-in) or upstream's own (the PyScript page): the
same text times both. ``raw`` is JavaScript on the runner page doing the same
work straight on IndexedDB in as few transactions as possible: the floor.
Each sets up untimed, then times only the work, and returns seconds.
``{name}`` is a fresh store name per run, ``{n}`` the size, ``{options}``
extra arguments to ``storage()`` (``ours-relaxed`` passes durability="relaxed").
The Python runs on MicroPython too (``ours-mpy``), timed by its ticks there.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Workload", "WORKLOADS"]


@dataclass(frozen=True)
class Workload:
    name: str
    doc: str
    n: int
    setup: str  # Python, untimed, on the same page before `python`
    python: str  # sets `result` to the elapsed seconds
    raw: str  # a JS expression (a promise) of the elapsed seconds
    micropython: str = ""  # why it cannot run on MicroPython, or "" if it does
    upstream: str = ""  # why upstream is not timed on it, or "" if it is
    # Time the work in a fresh page: ``fill`` (JS, a promise) wrote the store in the page
    # before, for every implementation alike, as a user's earlier visit would have.
    fresh_page: bool = False
    fill: str = ""
    # Python (Pyodide, runner page) awaiting each of raw's own transactions from Python:
    # the floor any Python code pays for the same work ("python-floor"); "" if not measured.
    python_floor: str = ""


# JS helpers shared by the raw workloads.
_JS_PRELUDE = """
const open = (name) => new Promise((ok, no) => {
  const r = indexedDB.open(name);
  r.onupgradeneeded = () => r.result.createObjectStore("entries");
  r.onsuccess = () => ok(r.result); r.onerror = () => no(new Error(String(r.error)));
});
const done = (tx) => new Promise((ok, no) => {
  tx.oncomplete = ok; tx.onabort = tx.onerror = () => no(new Error(String(tx.error)));
});
const value = (i) => JSON.stringify(["generic", {i, name: `item ${i}`, tags: ["a", "b"]}]);
const db = await open(`IDBMap/@pyscript/${NAME}`);
"""


def _raw(body: str) -> str:
    return "(async () => { const NAME = args[0]; const N = args[1];" + _JS_PRELUDE + body + "\n})()"


_FILL = """
from pyscript import storage
_s = await storage("{name}"{options})
for i in range({n}):
    _s[f"key-{{i}}"] = {{"i": i, "name": f"item {{i}}", "tags": ["a", "b"]}}
await _s.sync()
"""

# Each timed workload's clock: perf_counter, or MicroPython's microsecond ticks.
_CLOCK = """
import time
clock = getattr(time, "perf_counter", None) or (lambda: time.ticks_us() / 1e6)
"""

_WRITE = (
    _CLOCK
    + """
from pyscript import storage
s = await storage("{name}"{options})
t0 = clock()
for i in range({n}):
    s[f"key-{{i}}"] = {{"i": i, "name": f"item {{i}}", "tags": ["a", "b"]}}
await s.sync()
result = clock() - t0
"""
)

_RAW_WRITE = """
const t0 = performance.now();
const tx = db.transaction("entries", "readwrite");
const store = tx.objectStore("entries");
for (let i = 0; i < N; i++) store.put(value(i), `key-${i}`);
await done(tx);
const seconds = (performance.now() - t0) / 1000;
db.close();
return seconds;
"""

_OPEN = (
    _CLOCK
    + """
from pyscript import storage
t0 = clock()
s = await storage("{name}"{options})
result = clock() - t0
assert len(s) == {n}, len(s)
"""
)

# Open a store and read it all: open, getAllKeys + getAll, parse each value.
_RAW_READ = """
const t0 = performance.now();
const again = await new Promise((ok, no) => {
  const r = indexedDB.open(`IDBMap/@pyscript/${NAME}`);
  r.onsuccess = () => ok(r.result); r.onerror = () => no(new Error(String(r.error)));
});
const tx = again.transaction("entries", "readonly");
const keys = tx.objectStore("entries").getAllKeys();
const values = tx.objectStore("entries").getAll();
await new Promise((ok, no) => { tx.oncomplete = ok; tx.onabort = tx.onerror = () => no(tx.error); });
// values.result read once: every read of that getter costs WebKitGTK time in proportion
// to the array (1 ms for 10,000 values), which made this loop quadratic there (251 s for
// 100,000 keys; raw looked 10x slower than ours).
const all = values.result;
const entries = keys.result.map((k, i) => [k, JSON.parse(all[i])]);
const seconds = (performance.now() - t0) / 1000;
again.close();
if (entries.length !== N) throw new Error(`read ${entries.length} of ${N}`);
return seconds;
"""

_RAW_OPEN = (
    """
{
  const tx = db.transaction("entries", "readwrite");
  for (let i = 0; i < N; i++) tx.objectStore("entries").put(value(i), `key-${i}`);
  await done(tx);
  db.close();
}
"""
    + _RAW_READ
)

# The store a fresh page opens, written in one transaction in the format ours and upstream
# write (Flatted; codec.encode of the same dict gives this text), so every implementation
# opens the very same bytes. (Upstream's own writes, one transaction each, would keep the
# engine busy for minutes after 100,000 of them.)
_FLATTED_FILL = """
const tx = db.transaction("entries", "readwrite");
for (let i = 0; i < N; i++) {
  const flatted = `[["1","2"],"generic",{"i":${i},"name":"3","tags":"4"},"item ${i}",["5","6"],"a","b"]`;
  tx.objectStore("entries").put(flatted, `key-${i}`);
}
await done(tx);
db.close();
return 0;
"""


def _raw_fresh(body: str) -> str:
    """A raw workload for a fresh page: no prelude (it would open the database before the clock)."""
    return "(async () => { const NAME = args[0]; const N = args[1];\n" + body + "\n})()"


_LATENCY = (
    _CLOCK
    + """
from pyscript import storage
s = await storage("{name}"{options})
t0 = clock()
for i in range({n}):
    s["counter"] = {{"i": i}}
    await s.sync()
result = clock() - t0
"""
)

# One strict commit of the counter, as ours makes by default: raw's loop and the python floor.
_STRICT_COMMIT = """
  const tx = db.transaction("entries", "readwrite", {durability: "strict"});
  tx.objectStore("entries").put(JSON.stringify(["generic", {i}]), "counter");
  await done(tx);
"""

# Strict commits, as ours makes by default: "ours/raw" is the same promise both ways
# (upstream/relaxed compares at upstream's durability).
_RAW_LATENCY = (
    """
const t0 = performance.now();
for (let i = 0; i < N; i++) {"""
    + _STRICT_COMMIT
    + """}
const seconds = (performance.now() - t0) / 1000;
db.close();
return seconds;
"""
)


def _braces(js: str) -> str:
    """JavaScript inside a Python template that str.format fills: its braces kept."""
    return js.replace("{", "{{").replace("}", "}}")


# Raw's strict commits, one per iteration, each awaited from Python: what every Python
# implementation pays per sync for Pyodide's await of a JavaScript promise.
_PYTHON_FLOOR_LATENCY = (
    _CLOCK
    + """
from pyodide.code import run_js
committer = run_js('''async (NAME) => {{"""
    + _braces(_JS_PRELUDE + "return async (i) => {" + _STRICT_COMMIT + "};")
    + """}}''')
commit = await committer("{name}")
t0 = clock()
for i in range({n}):
    await commit(i)
result = clock() - t0
"""
)

_BIG = (
    _CLOCK
    + """
from pyscript import storage
s = await storage("{name}"{options})
try:
    value = "x" * {n}
except MemoryError:  # MicroPython's heap grows only after it refused an allocation: again
    value = "x" * {n}
t0 = clock()
s["big"] = value
await s.sync()
result = clock() - t0
"""
)

_RAW_BIG = """
const big = "x".repeat(N);
const t0 = performance.now();
const tx = db.transaction("entries", "readwrite");
tx.objectStore("entries").put(JSON.stringify(["generic", big]), "big");
await done(tx);
const seconds = (performance.now() - t0) / 1000;
db.close();
return seconds;
"""

# The store an earlier page wrote through the implementation itself, then closed: for ours
# the mirror's log holds it too, as it would after a user's earlier visit.
_FILL_CLOSED = (
    _FILL
    + """
_close = getattr(_s, "close", None)  # upstream's store has none
if _close is not None:
    await _close()
"""
)

# A fresh page's first storage() and one write synced: the write waits for whatever the
# open left running (ours, in Chromium: comparing the mirror's log with the store).
_OPEN_WRITE = (
    _CLOCK
    + """
from pyscript import storage
t0 = clock()
s = await storage("{name}"{options})
s["one more"] = 1
await s.sync()
result = clock() - t0
assert len(s) == {n} + 1, len(s)
"""
)

_RAW_READ_WRITE = _RAW_READ.replace(
    "const seconds = (performance.now() - t0) / 1000;",
    """const put = again.transaction("entries", "readwrite", { durability: "strict" });
put.objectStore("entries").put('[1]', "one more");
await new Promise((ok, no) => { put.oncomplete = ok; put.onabort = () => no(put.error); });
const seconds = (performance.now() - t0) / 1000;""",
)

WORKLOADS: tuple[Workload, ...] = (
    Workload("write-1000", "set 1,000 small dicts, then sync", 1000, "", _WRITE, _raw(_RAW_WRITE)),
    Workload("write-10000", "set 10,000 small dicts, then sync", 10_000, "", _WRITE, _raw(_RAW_WRITE)),
    Workload("open-1000", "open a store of 1,000 keys", 1000, _FILL, _OPEN, _raw(_RAW_OPEN)),
    Workload("open-10000", "open a store of 10,000 keys", 10_000, _FILL, _OPEN, _raw(_RAW_OPEN)),
    *(
        Workload(
            f"first-open-{n}",
            f"the first storage() in a fresh page, on {n:,} keys an earlier page wrote",
            n,
            "",
            _OPEN,  # the first storage() in a fresh page: its JavaScript not loaded yet, nothing warm
            _raw_fresh(_RAW_READ),
            fresh_page=True,
            fill=_raw(_FLATTED_FILL),
        )
        for n in (1000, 10_000, 100_000)
    ),
    *(
        Workload(
            f"open-write-{n}",
            f"a fresh page's first storage() and one write synced, on {n:,} keys an earlier page "
            "wrote and closed",
            n,
            _FILL_CLOSED,
            _OPEN_WRITE,
            _raw_fresh(_RAW_READ_WRITE),
            micropython="its open of 100,000 keys takes half a minute (first-open-100000 shows it)"
            if n >= 100_000
            else "",
            upstream="its fill, a transaction per key, kept Chromium committing for minutes"
            if n >= 100_000
            else "",
            fresh_page=True,
            fill=_raw(_FLATTED_FILL),
        )
        for n in (10_000, 100_000)
    ),
    Workload(
        "write-100000",
        "set 100,000 small dicts, then sync",
        100_000,
        "",
        _WRITE,
        _raw(_RAW_WRITE),
        upstream="a transaction per key: Chromium was still committing them four minutes later",
    ),
    Workload(
        "latency-1000",
        "1,000 small updates, each followed by sync (raw: strict commits too)",
        1000,
        "",
        _LATENCY,
        _raw(_RAW_LATENCY),
        python_floor=_PYTHON_FLOOR_LATENCY,
    ),
    Workload(
        "value-5MB",
        "one 5 MiB string value, then sync",
        5 * 2**20,
        "",
        _BIG,
        _raw(_RAW_BIG),
    ),
)
