"""The fault scenarios: a killed browser or storage process and a refused write, in each engine.

durability: write N keys, await sync(), SIGKILL the browser (no clean
close) right after, start it again on the same profile and count: no synced
key may be lost. Writes still in flight at the kill are checked per batch:
all there or all absent, never half. An engine that discards the whole
database on restart after the crash (Chromium's LevelDB, in about 4% of
trials: "checksum mismatch" in its log) must say so through the store's
data_loss; it is counted in the figures apart from partial loss. A few
trials by default; `harness run --soak 20` runs twenty.

damaged-files: what a torn write leaves (Chromium's LevelDB log, or the
middle of Firefox's and WebKit's SQLite file, overwritten while the browser is
dead) never shows as a silently empty or partial store.

storage-process-crash: the process that holds IndexedDB, when it is not the
browser (WebKit's network process), is killed under a page that writes and
syncs batches: each sync commits or raises StorageError, none hangs, every
batch whose sync returned is there after a restart, none is half-written.
Chromium and Firefox keep IndexedDB in the browser process: expected failures.

quota: each origin gets 2 MB through the engine's own knob (see
drivers.py); a 3 MB batch must make sync() raise StorageError naming the
engine's QuotaExceededError and the batch's keys, leave none of that batch
stored or shown in the dict, and leave the store usable. Then batches of 5M
characters (2.5 times the quota), each refused and each followed at once by a
small write that must commit, with the engine's usage measured around them.
"""

from __future__ import annotations

from typing import Any

from .model import BOTH, Kill, KillStorage, Python, Reload, Scenario, Step

QUOTA_BYTES = 2_000_000

# Random base64 text of n characters, made in JavaScript: no engine can compress it under
# the quota, and MicroPython has no os.urandom. A promise: jsbridge.text_of takes it whole
# on either interpreter.
RANDOM_TEXT = """(n) => {
  const parts = [];
  const bytes = new Uint8Array(3 * 8192);
  for (let made = 0; made < n; made += 4 * 8192) {
    crypto.getRandomValues(bytes);
    parts.push(btoa(String.fromCharCode(...bytes)));
  }
  return Promise.resolve(parts.join("").slice(0, n));
}"""


async def _over_quota(random_text: str) -> dict[str, object]:
    """A 3 MB batch under a 2 MB quota: refused whole, named, nothing of it kept; the store usable."""
    import js

    from pyscript_storage import Storage, StorageError, jsbridge, storage

    s: Storage = await storage("quota")
    s["small"] = "fits"
    await s.sync()
    s["a"] = 1  # the same batch as the value that cannot fit
    s["small"] = "overwritten, refused"
    s["huge"] = await jsbridge.text_of(js.eval(random_text)(3_000_000))
    try:
        await s.sync()
    except StorageError as error:
        refused = error
    else:
        raise AssertionError("a 3 MB batch under a 2 MB quota was not refused")
    assert "QuotaExceededError" in str(refused), str(refused)
    assert set(refused.keys) == {"a", "small", "huge"}, refused.keys
    assert "'huge'" in str(refused) and "refused batch of 3 keys" in str(refused), str(refused)
    # The dict tells the truth: none of the refused batch, the stored value back.
    assert dict(s.items()) == {"small": "fits"}, sorted(s)
    # ...and the store stays usable (Firefox needs a fresh connection for that).
    s["after"] = "fits too"
    await s.sync()
    return {"figures": {"quota errors raised": 1, "writes after it committed": 1}}


async def _far_over_quota(random_text: str, rounds: int, values: int, characters: int) -> dict[str, object]:
    """Batches several times the quota, each refused, each followed by a small write that must commit.

    What the engine keeps of a refused batch is measured with navigator.storage.estimate()
    where the engine has it (Chromium, Firefox; WebKitGTK has no StorageManager).
    """
    import json

    import js

    from pyscript_storage import Storage, StorageError, jsbridge, storage

    async def usage() -> int | None:
        manager = getattr(js.navigator, "storage", None)
        if manager is None or not hasattr(manager, "estimate"):
            return None
        return int((await manager.estimate()).usage)

    s: Storage = await storage("quota")
    kept: int | None = None
    for round_ in range(rounds):
        before = await usage()
        texts = []  # a loop: on MicroPython, [await ... for ...] is a generator object
        for _ in range(values):
            texts.append(await jsbridge.text_of(js.eval(random_text)(characters)))
        for i, text in enumerate(texts):  # set together: one batch (an await between would flush)
            s[f"big-{i}"] = text
        del texts
        try:
            await s.sync()
        except StorageError as error:
            assert "QuotaExceededError" in str(error), str(error)
            assert len(error.keys) == values, error.keys
        else:
            raise AssertionError(f"round {round_}: {values * characters:,} characters were not refused")
        assert not any(str(key).startswith("big-") for key in s), sorted(s)
        after = await usage()
        if before is not None and after is not None:
            kept = (kept or 0) + after - before
            # far less than the refused batch: the engine holds nothing of it (page-size noise)
            assert after - before < 100_000, f"round {round_}: usage {before} -> {after} after refusal"
        s[f"small-{round_}"] = round_
        await s.sync()  # usable at once: no retry, no reload
    # After each refusal the module made the engine count again with a probe database (see
    # indexeddb.js): none may be left behind.
    database_names = """() => indexedDB.databases  // JSON text; null where the engine cannot list them
      ? indexedDB.databases().then((all) => JSON.stringify(all.map((database) => database.name)))
      : Promise.resolve("null")"""
    names = json.loads(await jsbridge.text_of(js.eval(database_names)()))
    assert names is None or "pyscript-storage-recount" not in names, names
    figures = {
        f"refused batches of {values * characters / 1e6:g}M characters": rounds,
        "small writes after them committed": rounds,
    }
    if kept is None:
        unmeasured = "no navigator.storage.estimate() here: what the engine keeps is not measured"
        return {"figures": figures, "notes": [unmeasured]}
    figures["usage change across refused batches (bytes)"] = kept
    return {"figures": figures}


_AFTER_RELOAD = Python(
    """
    from pyscript_storage import storage
    s = await storage("quota")
    expected = {"small": "fits", "after": "fits too", "small-0": 0, "small-1": 1, "small-2": 2}
    assert dict(s.items()) == expected, sorted(s)
    """
)

# The figures the kill scenarios count (benchmarks/chromium_discards.py reads them back), and
# each discard's reason goes to the cell's data_loss, as the engine gave it.
DISCARDED = "databases discarded by the engine"
RESTORED = "databases restored from the mirror"

SYNCED_KEYS = 200  # per trial, each a small dict
UNSYNCED_BATCHES = 5  # per trial, each of UNSYNCED_KEYS keys, in flight when the kill comes
UNSYNCED_KEYS = 50


def _write(trial: int, idle: bool, mirror: bool = True) -> Python:
    # idle: the batches are synced too, and nothing is written for a second before the kill
    idle_code = "await s.sync(); await asyncio.sleep(1)" if idle else ""
    written = SYNCED_KEYS + (UNSYNCED_BATCHES * UNSYNCED_KEYS if idle else 0)
    return Python(
        f"""
        import asyncio
        from pyscript_storage import storage
        s = await storage("durable", mirror={mirror})
        # The first trial this database has seen: after an engine wiped it, a later one.
        s["first trial"] = s.get("first trial", {trial})
        for i in range({SYNCED_KEYS}):
            s[f"t{trial}-{{i}}"] = {{"trial": {trial}, "i": i, "pad": "x" * 200}}
        await s.sync()  # from here on, these keys must survive anything
        for b in range({UNSYNCED_BATCHES}):  # not synced: the kill may catch any of them
            for j in range({UNSYNCED_KEYS}):
                s[f"u{trial}-{{b}}-{{j}}"] = b
            await asyncio.sleep(0)
        {idle_code}
        result = {{"figures": {{"trials": 1, "synced keys written": {written}}}}}
        """
    )


def _count(trial: int, idle: bool, mirror: bool = True) -> Python:
    return Python(
        f"""
        from pyscript_storage import storage
        s = await storage("durable", mirror={mirror})
        if "first trial" not in s and not any(key.startswith("t") for key in s):
            # Nothing of any trial is left: the engine discarded the whole database on
            # restart (Chromium deletes a backing store it finds damaged after a crash).
            # Not partial loss, which is what this scenario fails on; counted and reported,
            # once IndexedDB itself (not our load) shows the database empty.
            import js
            raw = await js.eval('''new Promise((resolve, reject) => {{
              const open = indexedDB.open("IDBMap/@pyscript/durable");
              open.onerror = () => reject(open.error);
              open.onsuccess = () => {{
                const count = open.result.transaction("entries").objectStore("entries").count();
                count.onsuccess = () => {{ resolve(count.result); open.result.close(); }};
                count.onerror = () => reject(count.error);
              }};
            }})''')
            assert raw == 0, f"our load read nothing from a database holding {{raw}} entries"
            # ...and the store said so: the engine's reason, never a silently empty store.
            assert s.data_loss, "the database was discarded but the store reported no data_loss"
            # This trial's synced keys went with it, and every earlier trial's since the
            # database began: how many of those is not known here (localStorage, which could
            # keep the tally, commits too lazily to survive the kill).
            result = {{"figures": {{"{DISCARDED}": 1,
                                    "synced keys lost with a discarded database (at least)": {SYNCED_KEYS}}},
                       "notes": [f"trial {trial}: the engine discarded the database (this trial's "
                                 f"{SYNCED_KEYS} synced keys, earlier trials' since it began); "
                                 f"its reason: {{s.data_loss}}"],
                       "data_loss": [s.data_loss]}}
        else:
            first = s["first trial"]
            lost = [f"t{{t}}-{{i}}" for t in range(first, {trial} + 1) for i in range({SYNCED_KEYS})
                    if f"t{{t}}-{{i}}" not in s]
            counts = [sum(f"u{trial}-{{b}}-{{j}}" in s for j in range({UNSYNCED_KEYS}))
                      for b in range({UNSYNCED_BATCHES})]
            half = [count for count in counts if count not in (0, {UNSYNCED_KEYS})]
            if {idle}:  # the batches were synced as well
                lost += [f"u{trial}-{{b}}-{{j}}" for b in range({UNSYNCED_BATCHES})
                         for j in range({UNSYNCED_KEYS}) if f"u{trial}-{{b}}-{{j}}" not in s]
            assert not lost, f"{{len(lost)}} synced keys lost after SIGKILL, e.g. {{lost[:5]}}"
            assert not half, f"half-written batches after SIGKILL: {{counts}}"
            result = {{"figures": {{
                "synced keys lost": len(lost),
                # discarded, then rebuilt from the mirror bucket (mirror=True): nothing lost
                "{DISCARDED}": int(bool(s.data_loss)),
                "{RESTORED}": int(bool(s.data_loss)),
                "unsynced batches all there": sum(c == {UNSYNCED_KEYS} for c in counts),
                "unsynced batches all absent": sum(c == 0 for c in counts),
            }}, "notes": [f"trial {trial}: its reason: {{s.data_loss}}"] if s.data_loss else [],
                "data_loss": [s.data_loss] if s.data_loss else []}}
        """
    )


def durability(trials: int = 3, idle: bool = False, mirror: bool = True) -> Scenario:
    """The SIGKILL scenario with ``trials`` rounds of write, kill, count.

    ``idle``: every batch is synced and a second passes with nothing written before
    the kill; ``mirror=False``: the store is opened without its mirror, where the default
    has one (benchmarks/chromium_discards.py compares them).
    """
    steps: list[Step] = []
    for trial in range(trials):
        steps += [_write(trial, idle, mirror), Kill(), _count(trial, idle, mirror)]
    return Scenario(
        "durability",
        f"{trials} x (write {SYNCED_KEYS} keys, sync, SIGKILL the browser, start it again): "
        "no synced key lost, no half-written batch",
        tuple(steps),
        time_limit=60.0 + 60.0 * trials,
        interpreters=BOTH,
    )


async def _open_faults() -> str:
    """Blocked, deleted underneath, refused, absent, silent: each a clear StorageError in bounded time."""
    import js

    import pyscript_storage.indexeddb as indexeddb
    from pyscript_storage import Storage, StorageError, storage

    async def refused(name: str, *expected: str) -> str:
        started = js.performance.now()  # (MicroPython has no time.monotonic)
        try:
            await storage(name)
        except StorageError as error:
            assert all(part in str(error) for part in expected), str(error)
            assert js.performance.now() - started < 15_000, "the error took too long"
            return str(error)
        raise AssertionError(f"storage({name!r}) opened")

    # Another connection holds the database (made by other code, without our
    # object store) at an older version and never closes: our upgrade is blocked.
    await js.eval(
        """new Promise((resolve, reject) => {
          const request = indexedDB.open("IDBMap/@pyscript/blocked", 1);
          request.onsuccess = () => { globalThis.holder = request.result; resolve(1); };
          request.onerror = () => reject(request.error);
        })"""
    )
    blocked = await refused("blocked", "BlockedError", "another connection")
    js.globalThis.holder.close()
    s: Storage = await storage("blocked")  # nobody holds it now: upgraded, our store added
    s["x"] = 1
    await s.sync()

    # The database deleted underneath an open store.
    s = await storage("deleted")
    s["a"] = 1
    await s.sync()
    await js.eval(
        """new Promise((resolve, reject) => {
          const request = indexedDB.deleteDatabase("IDBMap/@pyscript/deleted");
          request.onsuccess = () => resolve(1);
          request.onerror = () => reject(request.error);
          request.onblocked = () => reject(new Error("the delete was blocked"));
        })"""
    )
    s["b"] = 2
    try:
        await s.sync()
    except StorageError as error:
        assert "deleted or upgraded by another connection" in str(error), str(error)
        assert error.keys == ("b",), error.keys
    else:
        raise AssertionError("a write into a deleted database reported success")
    assert dict(s.items()) == {}, dict(s.items())  # the truth: the database and its keys are gone
    s["c"] = 3  # usable again, in a fresh database
    await s.sync()
    assert dict((await storage("deleted")).items()) == {"c": 3}

    # IndexedDB refused (as on an opaque origin) or absent: simulated on this page.
    js.eval(
        """Object.defineProperty(globalThis, "indexedDB", {configurable: true,
          get() { throw new DOMException("IndexedDB is refused here", "SecurityError"); }})"""
    )
    await refused("refused", "SecurityError", "refused")
    js.eval('Object.defineProperty(globalThis, "indexedDB", {configurable: true, value: undefined})')
    await refused("absent", "NotSupportedError", "not available")
    # An engine that never answers: the open is bounded (OPEN_TIMEOUT, shortened here).
    indexeddb.OPEN_TIMEOUT = 1.0
    never_answers = "{open() { return {}; }}"
    js.eval(f'Object.defineProperty(globalThis, "indexedDB", {{configurable: true, value: {never_answers}}})')
    await refused("silent", "TimeoutError", "within 1000 ms")
    return blocked


DAMAGED_KEYS = 100

_BEFORE_DAMAGE = Python(
    f"""
    from pyscript_storage import storage
    # one copy: what the engine itself does with damaged files (scenario mirror: the default)
    s = await storage("damaged", mirror=False)
    for i in range({DAMAGED_KEYS}):
        s[f"k{{i}}"] = {{"i": i, "pad": "x" * 200}}
    await s.sync()
    """
)

_AFTER_DAMAGE = Python(
    f"""
    from pyscript_storage import storage
    s = await storage("damaged", mirror=False)
    if s.data_loss:  # the engine threw the database away, and the store says why
        assert dict(s.items()) == {{}}, sorted(s)
        result = {{"figures": {{"{DISCARDED}": 1}},
                   "notes": [f"the engine discarded the database; its reason: {{s.data_loss}}"],
                   "data_loss": [s.data_loss]}}
    else:  # ...or every synced key is there: never a silently emptied or partial store
        expected = {{f"k{{i}}": {{"i": i, "pad": "x" * 200}} for i in range({DAMAGED_KEYS})}}
        assert dict(s.items()) == expected, f"{{len(s)}} of {DAMAGED_KEYS} keys, data_loss None"
        result = {{"figures": {{"{DISCARDED}": 0}}}}
    s["after"] = "written after the damage"  # usable either way
    await s.sync()
    """
)

_AFTER_RECOVERY = Python(
    """
    from pyscript_storage import storage
    s = await storage("damaged", mirror=False)
    assert s["after"] == "written after the damage" and s.data_loss is None, (len(s), s.data_loss)
    """
)


OVERWRITES = 70  # single-key syncs after the first batch: more than the log takes before it compacts


async def _mirrored_before_damage(keys: int, overwrites: int) -> None:
    import js

    from pyscript_storage import Storage, storage

    s: Storage = await storage("mirrored")  # the mirror is on by default
    for i in range(keys):
        s[f"k{i}"] = {"i": i, "pad": "x" * 200}
    for _ in range(2):  # an update() reaches the mirror too
        await s.update("counted", lambda n: n + 1, 0)
    for round_ in range(overwrites):  # the log compacts on the way
        s["k0"] = {"i": 0, "pad": "y" * 400, "round": round_}
        await s.sync()
    # sync() returns once the store's database committed, and the copy to the mirror
    # follows; close() waits for that copy too. The damage below falls on the store's
    # database with nothing in flight, which Chromium never did by itself here; so,
    # without close(), the last copy could still be on its way.
    await s.close()
    records = await js.eval(
        """(async () => {
          if (!navigator.storageBuckets) return -1;
          const bucket = await navigator.storageBuckets.open("pyscript-storage-mirror");
          const db = await new Promise((ok, no) => {
            const r = bucket.indexedDB.open("pyscript-storage-mirror/IDBMap/@pyscript/mirrored");
            r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error);
          });
          const count = await new Promise((ok, no) => {
            const request = db.transaction("log").objectStore("log").count();
            request.onsuccess = () => ok(request.result); request.onerror = () => no(request.error);
          });
          db.close();
          return count;
        })()"""
    )
    assert int(records) < overwrites, f"the log holds {records} records: it never compacted"
    # A writer without the mirror (as upstream PyScript): the next open finds the log behind.
    one: Storage = await storage("mirrored", mirror=False)
    one["one copy"] = "written without the mirror"
    await one.close()
    s = await storage("mirrored")
    await s.close()  # waits for the comparison that rewrites the log


async def _mirrored_after_damage(keys: int, overwrites: int) -> dict[str, Any]:
    """Chromium discards the damaged default bucket's database: rebuilt from the mirror."""
    import js

    from pyscript_storage import Storage, storage

    s: Storage = await storage("mirrored")
    expected: dict[str, Any] = {f"k{i}": {"i": i, "pad": "x" * 200} for i in range(keys)}
    expected["k0"] = {"i": 0, "pad": "y" * 400, "round": overwrites - 1}
    expected.update({"counted": 2, "one copy": "written without the mirror"})
    assert dict(s.items()) == expected, f"{len(s)} of {len(expected)} keys; data_loss: {s.data_loss}"
    buckets = bool(js.eval("typeof navigator !== 'undefined' && !!navigator.storageBuckets"))
    if buckets:  # Chromium: the damage made it discard the primary, and the store says so
        said = f"({len(expected)} entries restored from the mirror bucket)"
        assert s.data_loss and said in s.data_loss, s.data_loss
    else:  # Firefox and WebKit keep their SQLite files' readable records: nothing discarded
        assert s.data_loss is None, s.data_loss
    s["after"] = "written after the damage"
    await s.sync()
    restored = int(bool(buckets))
    return {
        "figures": {"databases restored from the mirror": restored, "synced keys lost": 0},
        "notes": [f"data_loss: {s.data_loss}"] if s.data_loss else [],
        "data_loss": [s.data_loss] if s.data_loss else [],
    }


async def _mirrored_after_reload(keys: int) -> None:
    from pyscript_storage import Storage, storage

    s: Storage = await storage("mirrored")
    assert s.data_loss is None and len(s) == keys + 3, (s.data_loss, len(s))
    assert s["after"] == "written after the damage" and s["k0"]["pad"] == "y" * 400, s["k0"]


CRASH_TRIALS = 2  # storage-process kills per cell (--soak N: N)
CRASH_ROUNDS = 60  # batches of 3 keys each page writes and syncs, about 3 s in all


async def _write_through_a_crash(trial: int, rounds: int) -> None:
    """Write and sync batches in the background, log each sync's outcome, post the log.

    The harness kills the storage process meanwhile; the log reaches it through the
    server's mailbox, since the browser's driver may not survive that.
    """
    import asyncio
    import json

    import js

    from pyscript_storage import Storage, StorageError, storage

    store: Storage = await storage("crash")
    post = js.eval("(url, body) => fetch(url, { method: 'POST', body })")
    # A spy on IndexedDB itself: which keys each transaction that fired "complete" put,
    # and when; so a batch acknowledged and then lost shows whether the engine had
    # reported it committed (the engine lost it) or not (the acknowledgement was ours).
    js.eval(
        """if (!globalThis.committedPuts) {
          const committed = (globalThis.committedPuts = []);
          const put = IDBObjectStore.prototype.put;
          IDBObjectStore.prototype.put = function (value, key) {
            const tx = this.transaction;
            if (!tx.putKeys) {
              tx.putKeys = [];
              tx.addEventListener("complete", () => committed.push([tx.putKeys, Date.now()]));
            }
            tx.putKeys.push(key);
            return put.call(this, value, key);
          };
        }"""
    )

    async def writer() -> None:
        log: list[list[Any]] = []
        for i in range(rounds + 1):  # the last: is the store usable after the crash?
            for part in "abc":
                store[f"{trial}-{i}-{part}"] = i
            started = js.performance.now()
            try:
                await asyncio.wait_for(store.sync(), 15)
                outcome = "ok"
            except StorageError as error:
                outcome = f"StorageError: {error.message}"
            except Exception as error:  # noqa: BLE001 - a hang (TimeoutError) or a bug: logged
                outcome = f"{type(error).__name__}: {error}"
            log.append([i, outcome, (js.performance.now() - started) / 1000, js.Date.now()])
            await asyncio.sleep(0.05)
        committed = js.JSON.stringify(js.globalThis.committedPuts)
        await post(f"/mailbox/storage-crash-{trial}", json.dumps({"log": log, "committed": committed}))

    asyncio.get_event_loop().create_task(writer())


async def _after_the_crash(trial: int) -> dict[str, Any]:
    """Every batch whose sync returned is stored; the others wholly absent; none hung."""
    import json

    import js

    from pyscript_storage import Storage, storage

    text = await js.eval(f"fetch('/mailbox/storage-crash-{trial}').then((r) => r.ok ? r.text() : '')")
    assert text, "the page never posted its log: it did not live through the kill"
    posted = json.loads(text)
    log = posted["log"]
    completed = {key: at for keys, at in json.loads(posted["committed"]) for key in keys}
    store: Storage = await storage("crash")
    stored = dict(store.items())
    lost: list[int] = []  # batches whose sync returned, missing after the restart
    wrong: list[str] = []
    refusals: set[str] = set()
    for i, outcome, seconds, _ in log:
        there = sum(f"{trial}-{i}-{part}" in stored for part in "abc")
        if there not in (0, 3):
            wrong.append(f"batch {i} ({outcome}) half-written: {there} of 3 keys")
        if seconds > 10 or outcome.startswith("TimeoutError"):
            wrong.append(f"batch {i} hung: {outcome} after {seconds:.1f} s")
        if outcome == "ok":
            if f"{trial}-{i}-a" not in completed:
                wrong.append(f"batch {i}: sync() returned, yet IndexedDB never fired 'complete' for it")
            if there != 3:
                lost.append(i)
        else:
            refusals.add(outcome.split(" (refused batch")[0])
            if not outcome.startswith("StorageError"):
                wrong.append(f"batch {i}: not a StorageError: {outcome}")
    refused = [i for i, outcome, *_ in log if outcome != "ok"]
    assert refused, "no sync was refused: the kill came after the writes (or killed nothing)"
    # Seen in WebKit on MicroPython pages only (3 of 268 trials, all among the first 78, on a
    # heavily loaded machine; 0 of 67 on Pyodide, 0 of 20 with raw IndexedDB on a MicroPython
    # page): the one or two batches acknowledged last before the kill are gone after it. Not
    # explained yet (issue #20): counted and said, with when IndexedDB fired their complete
    # event, so the figure shows it; any other loss fails.
    last_lost = bool(lost) and lost == list(range(refused[0] - len(lost), refused[0]))
    if lost and not last_lost:
        wrong.append(f"synced batches {lost} lost (the first refused: {refused[0]})")
    assert not wrong, "; ".join(wrong)
    store[f"{trial}-after"] = True  # usable again in the new browser
    await store.sync()
    notes = sorted(refusals)
    if last_lost:
        acked = {i: at for i, _, _, at in log}
        engine = [completed.get(f"{trial}-{i}-a") for i in lost]
        notes.append(
            f"LOST: batches {lost}, the last acknowledged before the kill, are not stored "
            f"(their syncs returned at {[acked[i] for i in lost]} ms, Unix time; IndexedDB fired "
            f"'complete' for their transactions at {engine})"
        )
    return {
        "figures": {
            "storage-process kills": 1,
            "syncs committed before the kill": len(log) - len(refused),
            "syncs refused after it": len(refused),
            "acknowledged batches lost at the kill": len(lost),
            "syncs accepted after the kill on the same page": int(log[-1][1] == "ok"),
        },
        "notes": notes,
    }


def storage_process_crash(trials: int = CRASH_TRIALS) -> Scenario:
    """Kill the process holding IndexedDB under a live page that is writing, ``trials`` times."""
    steps: list[Step] = []
    for trial in range(trials):
        steps += [
            Python.call(_write_through_a_crash, trial, CRASH_ROUNDS),
            KillStorage(mail=f"storage-crash-{trial}"),
            Python.call(_after_the_crash, trial),
        ]
    no_process = (
        "IndexedDB runs in the browser process itself (it holds the files): killing it is `durability`"
    )
    return Scenario(
        "storage-process-crash",
        f"{trials} x the process holding IndexedDB (WebKit's network process) killed under a page that "
        "writes and syncs: every sync commits or raises StorageError, none hangs, no synced key lost, "
        "no batch half-written",
        tuple(steps),
        not_applicable={"chromium": no_process, "firefox": no_process},
        time_limit=60.0 + 20.0 * trials,
        interpreters=BOTH,
    )


FAULTS: tuple[Scenario, ...] = (
    durability(),
    storage_process_crash(),
    Scenario(
        "mirror",
        "storage(name), mirrored by default: a batch, updates, single-key syncs (the log compacts) "
        "and a write without the mirror (the next open rewrites the log); then the default bucket's "
        "IndexedDB files damaged while the browser is dead: Chromium discards that database and the "
        "store rebuilds it from the mirror bucket with every synced key (data_loss says so); engines "
        "without Storage Buckets have no mirror",
        (
            Python.call(_mirrored_before_damage, DAMAGED_KEYS, OVERWRITES),
            Kill(damage=True),
            Python.call(_mirrored_after_damage, DAMAGED_KEYS, OVERWRITES),
            Reload(),
            Python.call(_mirrored_after_reload, DAMAGED_KEYS),
        ),
        interpreters=BOTH,
    ),
    Scenario(
        "damaged-files",
        "the engine's IndexedDB files damaged while the browser is dead (as a write torn by a "
        "crash leaves them): the store opens with every synced key, or empty with data_loss "
        "giving the engine's reason; it stays usable",
        (_BEFORE_DAMAGE, Kill(damage=True), _AFTER_DAMAGE, Reload(), _AFTER_RECOVERY),
        interpreters=BOTH,
    ),
    Scenario(
        "open-faults",
        "opening a store whose database another connection blocks, or with IndexedDB refused, "
        "absent or silent, fails with a clear StorageError in bounded time; a database deleted "
        "underneath fails the next sync() clearly and the store recovers",
        (Python.call(_open_faults),),
        interpreters=BOTH,
    ),
    Scenario(
        "quota",
        "over a 2 MB quota sync() raises StorageError naming the engine's error and the keys; "
        "nothing of the batch is stored or shown; the store stays usable, also right after "
        "batches of 5M characters, and the engine keeps nothing of them",
        (
            Python.call(_over_quota, RANDOM_TEXT),
            Python.call(_far_over_quota, RANDOM_TEXT, 3, 10, 500_000),
            Reload(),
            _AFTER_RELOAD,
        ),
        quota=QUOTA_BYTES,
        interpreters=BOTH,
    ),
)
