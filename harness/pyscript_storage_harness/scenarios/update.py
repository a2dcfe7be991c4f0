"""atomic-update: two tabs and a worker each add 1 to one key a thousand times at once with
``await store.update(key, fn)``, and the store ends at exactly three thousand. The same loop
with plain assignment (read the dict, write it back, sync) runs beside it: its count, in the
cell's figures, is the loss that update() prevents."""

from __future__ import annotations

from typing import Any

from .model import BOTH, Python, Reload, Scenario, Tab

ADDS = 1000  # per tab and per worker


async def _count(who: str, adds: int, background: bool) -> None:
    import asyncio

    from pyscript_storage import Storage, storage

    atomic: Storage = await storage("atomic")
    plain: Storage = await storage("plain")

    async def add_all():  # type: () -> None
        seen = []
        for _ in range(adds):
            seen.append(await atomic.update("n", lambda n: n + 1, 0))
            plain["n"] = plain.get("n", 0) + 1  # what an app writes without update()
            await plain.sync()
        atomic[who] = [seen[0], seen[-1]]  # the first and last count it made
        await atomic.sync()

    if background:  # runs on while the harness goes to the next context
        globals()["counting"] = asyncio.create_task(add_all())
    else:
        await add_all()


async def _finish() -> None:
    await globals()["counting"]


async def _add_up(adds: int, contexts: list[str]) -> dict[str, Any]:
    from pyscript_storage import Storage, storage

    atomic: Storage = await storage("atomic")
    plain: Storage = await storage("plain")
    assert all(who in atomic for who in contexts), dict(atomic.items())
    expected = adds * len(contexts)
    assert atomic["n"] == expected, f"update(): {atomic['n']} of {expected} increments kept"
    spans = {who: atomic[who] for who in contexts}
    # Two contexts counted at once when their spans of counts interleave.
    together = [
        a
        for a in contexts
        for b in contexts
        if a != b and spans[a][0] < spans[b][1] and spans[b][0] < spans[a][1]
    ]
    said = ", ".join(f"{who} {span[0]}-{span[1]}" for who, span in spans.items())
    assert together, f"no two contexts counted at once ({said}): atomicity was not put to the test"
    lost = expected - plain["n"]
    at_once = ", ".join(sorted(set(together)))
    return {
        "figures": {"update(): increments kept": atomic["n"], "plain assignment: increments lost": lost},
        "notes": [f"counts each context made: {said}; counting at once: {at_once}"],
    }


async def _refused_updates() -> None:
    """A function that raises, or answers what cannot be stored: its error, and nothing written."""
    from pyscript_storage import Storage, storage

    store: Storage = await storage("atomic")
    before = store["n"]
    for fn, error in ((lambda n: n // 0, ZeroDivisionError), (lambda n: object(), TypeError)):
        try:
            await store.update("n", fn)
        except error:
            pass
        else:
            raise AssertionError(f"update() with {fn} raised no {error.__name__}")
    assert store["n"] == before, store["n"]
    again: Storage = await storage("atomic")  # read from IndexedDB anew
    assert again["n"] == before, again["n"]


CONTEXTS = ["tab 0", "worker", "tab 1"]

ATOMIC_UPDATE = Scenario(
    "atomic-update",
    f"two tabs and a worker each add 1 to one key {ADDS:,} times at once with await "
    "store.update(key, fn): exactly three times that at the end; plain assignment beside it loses; "
    "a function that raises or answers what cannot be stored writes nothing",
    (
        Python.call(_count, "tab 0", ADDS, True),
        Python.call(_count, "worker", ADDS, True, worker=True),
        Tab(1),
        Python.call(_count, "tab 1", ADDS, False),
        Tab(0),  # the worker is tab 0's
        Python.call(_finish, worker=True),
        Python.call(_finish),
        Reload(),
        Python.call(_add_up, ADDS, CONTEXTS),
        Python.call(_refused_updates),
    ),
    interpreters=BOTH,
)

UPDATE: tuple[Scenario, ...] = (ATOMIC_UPDATE,)
