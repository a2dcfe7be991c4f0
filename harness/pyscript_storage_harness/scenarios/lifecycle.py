"""A store's life: close() and ``async with`` let go of everything a store holds.

fresh-interpreter: every page load boots an interpreter that knows nothing of
the pages before it (the harness boots Pyodide from a memory snapshot of a
fresh one, see pages/boot.js.j2): no module of ours imported, no variable, no
state; what it knows of an earlier page comes from IndexedDB only.

A spy on the page counts what is really open, independently of the module:
IndexedDB connections (``indexedDB.open`` results not yet ``close()``-d) and
BroadcastChannels (made and not closed). A thousand live stores opened,
written and closed on one page must leave both at zero, and the Python heap
where it was after the first hundred.
"""

from __future__ import annotations

from typing import Any

from .model import BOTH, JavaScript, Python, Reload, Scenario

STORES = 1000  # opened, written and closed on one page
WARM_UP = 100  # stores before the heap is first measured (caches, first imports)
NAMES = 50  # distinct store names, cycled: each a database of its own

# Counts IndexedDB connections and BroadcastChannels as the engine hands them out.
_SPY = JavaScript(
    """
    const connections = new Set();
    const channels = new Set();
    const open = IDBFactory.prototype.open;
    IDBFactory.prototype.open = function (...args) {
      const request = open.apply(this, args);
      request.addEventListener("success", () => connections.add(request.result));
      return request;
    };
    const close = IDBDatabase.prototype.close;
    IDBDatabase.prototype.close = function () { connections.delete(this); return close.call(this); };
    const Channel = globalThis.BroadcastChannel;
    globalThis.BroadcastChannel = class extends Channel {
      constructor(name) { super(name); channels.add(this); }
      close() { channels.delete(this); super.close(); }
    };
    globalThis.storageSpy = { connections: () => connections.size, channels: () => channels.size };
    """
)


async def _open_and_close_many(stores: int, warm_up: int, names: int) -> dict[str, Any]:
    import gc

    import js

    from pyscript_storage import Storage, StorageError, storage

    def heap() -> int:
        """Pyodide: objects the collector tracks; MicroPython: bytes allocated (no get_objects)."""
        gc.collect()
        get_objects = getattr(gc, "get_objects", None)
        return len(get_objects()) if get_objects is not None else int(gc.mem_alloc())  # type: ignore[attr-defined]

    async def one_store(i: int) -> None:
        async with await storage(f"closing-{i % names}", live=True) as store:
            store["n"] = i
            store.on_change(lambda keys: None)

    for i in range(warm_up):
        await one_store(i)
    assert js.storageSpy.connections() == 0 and js.storageSpy.channels() == 0, "left open after the warm-up"
    before = heap()
    for i in range(warm_up, stores):
        await one_store(i)
    growth = heap() - before
    connections, channels = int(js.storageSpy.connections()), int(js.storageSpy.channels())
    assert connections == 0, f"{connections} IndexedDB connections left open"
    assert channels == 0, f"{channels} BroadcastChannels left open"
    micropython = not hasattr(gc, "get_objects")
    # A store kept alive holds its dict, queue, backend and closures: dozens of objects, or
    # about 700 bytes on MicroPython (measured with a leaking watch). MicroPython also keeps
    # what each awaited JavaScript promise held until JavaScript's collector runs (a
    # FinalizationRegistry), some 60 to 100 bytes per store here: hence its allowance.
    per_store = growth / (stores - warm_up)
    limit = 300 if micropython else 0.2
    assert per_store < limit, f"the heap grew by {growth} {'bytes' if micropython else 'objects'}"

    last: Storage = await storage(f"closing-{(stores - 1) % names}")
    assert dict(last.items()) == {"n": stores - 1}, dict(last.items())
    await last.close()
    for use in ("write", "sync"):
        try:
            if use == "write":
                last["after"] = 1
            else:
                await last.sync()
        except StorageError as error:
            assert "is closed" in str(error), error
        else:
            raise AssertionError(f"a {use} after close() was accepted")
    unit = "bytes" if micropython else "objects"
    return {
        "figures": {
            "stores opened and closed": stores,
            "IndexedDB connections left open": connections,
            "BroadcastChannels left open": channels,
            f"heap growth over the last {stores - warm_up} stores ({unit})": growth,
        }
    }


async def _closed_writes_were_synced(names: int, stores: int) -> None:
    from pyscript_storage import storage

    for name in range(names):
        last = max(i for i in range(stores) if i % names == name)
        async with await storage(f"closing-{name}") as store:
            assert dict(store.items()) == {"n": last}, (name, dict(store.items()))


CLOSE = Scenario(
    "close",
    f"close() and async with: {STORES} live stores opened and closed on one page leave no connection, "
    "channel or heap growth; writes after close raise",
    (
        _SPY,
        Python.call(_open_and_close_many, STORES, WARM_UP, NAMES),
        Reload(),
        Python.call(_closed_writes_were_synced, NAMES, STORES),
    ),
    interpreters=BOTH,
)


async def _leave_traces() -> dict[str, Any]:
    import random
    import sys

    import js

    from pyscript_storage import Storage, storage

    booted = str(getattr(js, "harnessBootedFrom", "cold"))  # MicroPython pages always boot cold
    assert booted in ("cold", "snapshot", "snapshot (made here)"), booted
    sys.modules["harness_trace"] = {"left": "by the first page"}  # type: ignore[assignment]
    globals()["left_behind"] = True
    store: Storage = await storage("fresh")
    store["written"] = "by the first page"
    store["draw"] = random.random()  # a page with the same random state would draw it again
    store["hash"] = hash("pyscript-storage")
    await store.sync()
    return {"notes": [f"pages booted from: {booted}"]}


async def _find_no_traces() -> dict[str, Any]:
    import sys

    import js

    booted = str(getattr(js, "harnessBootedFrom", "cold"))
    leftovers = sorted(name for name in sys.modules if name.startswith("pyscript_storage"))
    assert not leftovers, f"modules of an earlier page: {leftovers}"
    assert "harness_trace" not in sys.modules, "sys.modules kept an earlier page's entry"
    assert "left_behind" not in globals(), "the namespace kept an earlier page's variable"
    import random

    from pyscript_storage import Storage, storage

    store: Storage = await storage("fresh")  # the only way to the first page's data
    assert store["written"] == "by the first page", dict(store.items())
    assert random.random() != store["draw"], "the random module drew what the first page drew"
    # One memory snapshot per run means one hash seed per run (as PYTHONHASHSEED would): said, not failed.
    same = hash("pyscript-storage") == store["hash"]
    seed = "the same as the first page's" if same else "a new one"
    return {"notes": [f"after the reload, booted from: {booted}; str hash seed: {seed}"]}


FRESH_INTERPRETER = Scenario(
    "fresh-interpreter",
    "a reloaded page's interpreter knows nothing of the page before (no module, variable or "
    "state; booted from a snapshot of a fresh Pyodide): its data comes from IndexedDB only",
    (
        Python.call(_leave_traces),
        Reload(),
        Python.call(_find_no_traces),
    ),
    interpreters=BOTH,
)

LIFECYCLE: tuple[Scenario, ...] = (CLOSE, FRESH_INTERPRETER)
