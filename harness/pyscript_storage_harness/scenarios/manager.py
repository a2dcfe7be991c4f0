"""The origin's StorageManager through a store: persist(), persisted() and estimate(), as each
engine answers them (docs/guarantees.md keeps the table), on the page and in a worker."""

from __future__ import annotations

from typing import Any

from .model import BOTH, Python, Reload, Scenario

WRITTEN = 256 * 1024  # characters of random hex text: Firefox compresses what it stores


async def _ask_on_the_page(size: int) -> dict[str, Any]:
    import random

    from pyscript_storage import Storage, StorageError, storage

    said = []

    async def ask(what):  # type: (str) -> Any
        """The store's answer, or None (said) where the engine has no such method."""
        try:
            return await getattr(store, what)()
        except StorageError as error:
            assert f"NotSupportedError: this browser has no navigator.storage.{what}()" in str(error), error
            if f"{what}(): {error}" not in said:
                said.append(f"{what}(): {error}")
            return None

    store: Storage = await storage("manager")
    before = await ask("estimate")
    store["blob"] = "".join(f"{random.getrandbits(32):08x}" for _ in range(size // 8))
    await store.sync()
    after = await ask("estimate")
    was, granted, now = await ask("persisted"), await ask("persist"), await ask("persisted")
    if granted is not None:
        assert isinstance(granted, bool) and isinstance(was, bool), (granted, was)
        assert now == granted, f"persist() said {granted}, persisted() then said {now}"
        said.append(f"persisted() {was}, persist() {granted}, persisted() then {now}")
    store["granted"] = granted
    await store.sync()
    figures: dict[str, Any] = {}
    if after is not None:
        assert 0 <= after["usage"] <= after["quota"], after
        assert after["usage"] > before["usage"], f"{size} characters stored, usage {before} -> {after}"
        figures = {"usage before (bytes)": before["usage"], "usage after (bytes)": after["usage"]}
        figures["quota (bytes)"] = after["quota"]
    return {"notes": said, "figures": figures}


async def _the_grant_outlives_the_page() -> None:
    from pyscript_storage import Storage, StorageError, storage

    store: Storage = await storage("manager")
    try:
        persisted = await store.persisted()
    except StorageError:
        persisted = None  # the engine has none (said by the first step)
    assert persisted == store["granted"], (persisted, store["granted"])


async def _ask_in_a_worker() -> dict[str, Any]:
    from pyscript_storage import Storage, StorageError, storage

    store: Storage = await storage("manager")
    answers = []
    for what in ("persist", "persisted", "estimate"):
        try:
            answer = await getattr(store, what)()
        except StorageError as error:
            assert f"NotSupportedError: this worker has no navigator.storage.{what}()" in str(error), error
            answer = None
            answers.append(f"{what}(): {error}")
        else:
            answers.append(f"{what}(): {answer}")
        if what == "persisted":
            assert answer == store["granted"], (answer, store["granted"])
    return {"notes": ["in a worker: " + "; ".join(answers)]}


STORAGE_MANAGER = Scenario(
    "storage-manager",
    f"persist(), persisted() and estimate() answer what navigator.storage answers: {WRITTEN:,} "
    "characters stored raise the usage, persisted() agrees with persist() after a reload and in a "
    "worker, and what an engine or a worker lacks is a NotSupportedError naming it",
    (
        Python.call(_ask_on_the_page, WRITTEN),
        Reload(),
        Python.call(_the_grant_outlives_the_page),
        Python.call(_ask_in_a_worker, worker=True),
    ),
    interpreters=BOTH,
)

MANAGER: tuple[Scenario, ...] = (STORAGE_MANAGER,)
