"""Storage's dict semantics against the in-memory backend (CPython)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from pyscript_storage import Storage, StorageError, codec, storage
from pyscript_storage.engine import MemoryBackend

from .aio import run


async def reopen(backend: MemoryBackend) -> Storage:
    return await storage("again", backend=backend)


def stored(backend: MemoryBackend) -> dict[Any, Any]:
    return {k: codec.decode(v) for k, v in backend.entries.items()}


def test_name_is_checked() -> None:
    with pytest.raises(ValueError):
        run(storage("", backend=MemoryBackend()))
    with pytest.raises(TypeError):
        run(storage(42, backend=MemoryBackend()))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        run(storage("x", storage_class=dict, backend=MemoryBackend()))  # type: ignore[type-var]
    with pytest.raises(ValueError, match="durability"):
        run(storage("x", durability="eventually", backend=MemoryBackend()))


def test_loads_existing_entries_and_persists_every_mutation() -> None:
    backend = MemoryBackend({"old": codec.encode("value")})

    async def scenario() -> None:
        s = await storage("s", backend=backend)
        assert s == {"old": "value"}
        s["a"] = 1
        s.update({"b": 2}, c=3)
        s.update([("d", 4)])
        s |= {"e": 5}
        assert s.setdefault("f", 6) == 6
        assert s.setdefault("f", 7) == 6
        assert s.pop("old") == "value"
        assert s.pop("missing", None) is None
        assert s.popitem() == ("f", 6)
        del s["a"]
        await s.sync()
        assert stored(backend) == dict(s) == {"b": 2, "c": 3, "d": 4, "e": 5}

    run(scenario())


def test_clear_then_writes_is_one_batch() -> None:
    backend = MemoryBackend({"x": codec.encode(1)})

    async def scenario() -> None:
        s = await storage("s", backend=backend)
        s["a"] = 1
        s.clear()
        s["b"] = 2
        s["b"] = 3
        await s.sync()
        assert stored(backend) == {"b": 3}
        assert len(backend.flushes) == 1
        batch = backend.flushes[0]
        assert batch.clear and batch.puts == {"b": codec.encode(3)} and not batch.deletes

    run(scenario())


def test_unsupported_value_changes_nothing() -> None:
    backend = MemoryBackend()

    async def scenario() -> None:
        s = await storage("s", backend=backend)
        s["keep"] = 1
        await s.sync()
        flushes = len(backend.flushes)
        for bad in ({1}, object(), [bytearray(b"x")]):
            with pytest.raises(TypeError):
                s["new"] = bad
        with pytest.raises(TypeError):
            s.update({"ok": 1, "bad": {2}})
        with pytest.raises(TypeError):
            s[(1, None)] = "tuple key holding None"
        await s.sync()
        assert dict(s) == {"keep": 1} == stored(backend)
        assert len(backend.flushes) == flushes

    run(scenario())


def test_subclass_setitem_sees_every_write() -> None:
    seen: list[Any] = []

    class Logging(Storage):
        def __setitem__(self, key: Any, value: Any) -> None:
            seen.append(key)
            super().__setitem__(key, value)

    async def scenario() -> None:
        s = await storage("s", Logging, backend=MemoryBackend())
        assert isinstance(s, Logging)
        s["a"] = 1
        s.update(b=2)
        s.setdefault("c", 3)
        s |= {"d": 4}

    run(scenario())
    assert seen == ["a", "b", "c", "d"]


def test_failed_flush_is_raised_by_sync_with_keys_and_store_stays_usable() -> None:
    backend = MemoryBackend()

    async def scenario() -> None:
        s = await storage("s", backend=backend)
        backend.fail = "QuotaExceededError: too big"
        s["big"] = "x"
        with pytest.raises(StorageError) as caught:
            await s.sync()
        assert "QuotaExceededError" in str(caught.value) and caught.value.keys == ("big",)
        s["small"] = 1
        await s.sync()
        assert stored(backend) == {"small": 1}

    run(scenario())


def test_after_a_refused_batch_the_dict_tells_what_is_stored() -> None:
    backend = MemoryBackend({"kept": codec.encode("old"), "gone": codec.encode(1), "other": codec.encode(2)})

    async def scenario() -> None:
        s = await storage("s", backend=backend)
        backend.fail = "QuotaExceededError: too big"
        s["kept"] = "new"  # refused: back to "old"
        s["added"] = [1]  # refused: removed again
        del s["gone"]  # refused: back
        with pytest.raises(StorageError) as caught:
            await s.sync()
        assert set(caught.value.keys) == {"kept", "added", "gone"}
        assert dict(s) == {"kept": "old", "gone": 1, "other": 2} == stored(backend)

        backend.fail = "QuotaExceededError: too big"
        s.clear()  # a refused clear brings everything back
        with pytest.raises(StorageError):
            await s.sync()
        assert dict(s) == stored(backend) == {"kept": "old", "gone": 1, "other": 2}

        # A key written again after the refused batch was taken keeps its newer value.
        backend.fail = "QuotaExceededError: too big"
        s["kept"] = "refused"
        while s._store.queue._writing is None:  # until the batch is taken and in flight
            await asyncio.sleep(0)
        s["kept"] = "newest"
        with pytest.raises(StorageError):
            await s.sync()
        assert s["kept"] == "newest" == stored(backend)["kept"]

    run(scenario())


def test_sync_with_nothing_queued_returns() -> None:
    async def scenario() -> None:
        s = await storage("s", backend=MemoryBackend())
        await s.sync()

    run(scenario())


def test_fromkeys_is_refused() -> None:
    with pytest.raises(TypeError):
        Storage.fromkeys(["a"])


def test_writes_reach_the_backend_without_sync_in_one_batch() -> None:
    backend = MemoryBackend()

    async def scenario() -> None:
        s = await storage("s", backend=backend)
        for i in range(100):
            s[f"k{i}"] = i
        for _ in range(5):
            await asyncio.sleep(0)
        assert len(backend.flushes) == 1 and len(backend.entries) == 100

    run(scenario())


def test_sync_waits_for_the_batch_in_flight_then_writes_the_rest_in_order() -> None:
    backend = MemoryBackend()

    async def scenario() -> None:
        s = await storage("s", backend=backend)
        s["k"] = "first"
        await asyncio.sleep(0)  # the background write is scheduled...
        await asyncio.sleep(0)  # ...and starts: "first" is in flight
        s["k"] = "second"
        await s.sync()
        assert [b.puts for b in backend.flushes] == [
            {"k": codec.encode("first")},
            {"k": codec.encode("second")},
        ]
        assert stored(backend) == {"k": "second"}

    run(scenario())


def test_another_pages_change_reaches_the_dict_and_every_listener(capsys: pytest.CaptureFixture[str]) -> None:
    """A notice of another page's flush brings the stored values in; a listener that raises
    is reported (with its traceback) and does not stop the next one."""
    backend = MemoryBackend({"a": codec.encode(1)})
    heard: list[frozenset[Any]] = []

    async def scenario() -> Storage:
        s = await storage("live", backend=backend)

        @s.on_change
        def broken(keys: frozenset[Any]) -> None:
            raise RuntimeError("a listener's bug")

        s.on_change(heard.append)
        backend.entries.update({"a": codec.encode(2), "b": codec.encode("new")})  # another page's flush
        await s._store._refresh({"keys": ["a", "b"], "deletes": [], "clear": False})
        return s

    s = run(scenario())
    assert dict(s.items()) == {"a": 2, "b": "new"} and heard == [frozenset({"a", "b"})]
    assert "RuntimeError: a listener's bug" in capsys.readouterr().err
    assert backend.flushes == []  # what came from the store is not written back


def test_data_loss_reported_by_the_backend_is_shown_and_printed(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(storage("kept", backend=MemoryBackend())).data_loss is None

    class Discarded(MemoryBackend):
        data_loss = "total: the database was corrupt"

    s = run(storage("lost", backend=Discarded()))
    assert s.data_loss == "total: the database was corrupt"
    assert "discarded store 'lost': total: the database was corrupt" in capsys.readouterr().err


def test_close_syncs_then_refuses_writes() -> None:
    backend = MemoryBackend()

    async def scenario() -> None:
        s = await storage("closing", backend=backend)
        s["queued"] = 1
        assert not s.closed
        await s.close()
        assert s.closed and backend.closed
        assert stored(backend) == {"queued": 1}  # close() wrote what was queued
        assert s == {"queued": 1}  # still readable
        for write in (
            lambda: s.__setitem__("x", 1),
            lambda: s.__delitem__("queued"),
            s.clear,
            lambda: s.update(x=1),
            lambda: s.setdefault("new", 1),
            lambda: s.pop("queued"),
            s.popitem,
            lambda: s.on_change(print),
        ):
            with pytest.raises(StorageError, match=r"store 'closing' is closed; open it again"):
                write()
        with pytest.raises(StorageError, match="is closed"):
            await s.sync()
        assert s == {"queued": 1} and stored(backend) == {"queued": 1}  # nothing changed
        await s.close()  # twice: nothing happens

    run(scenario())


def test_close_raises_a_refused_final_sync_and_is_closed_anyway() -> None:
    backend = MemoryBackend()

    async def scenario() -> None:
        s = await storage("refused", backend=backend)
        s["lost"] = 1
        backend.fail = "QuotaExceededError: no room"
        with pytest.raises(StorageError, match="QuotaExceededError"):
            await s.close()
        assert s.closed and backend.closed and "lost" not in s  # the dict says what is stored

    run(scenario())


def test_close_waits_for_what_a_flush_left_running_before_closing() -> None:
    """Backend.drain (the mirror's last copy in Chromium) runs after the final sync, before close."""
    calls: list[str] = []

    class Draining(MemoryBackend):
        async def flush(self, batch: Any) -> None:
            calls.append("flush")
            await super().flush(batch)

        async def drain(self) -> None:
            await asyncio.sleep(0)
            calls.append("drain")

        def close(self) -> None:
            calls.append("close")
            super().close()

    async def scenario() -> None:
        s = await storage("draining", backend=Draining())
        s["queued"] = 1
        await s.close()
        assert calls == ["flush", "drain", "close"], calls

    run(scenario())


def test_async_with_closes_on_leaving_also_on_an_exception() -> None:
    backend = MemoryBackend()

    async def scenario() -> None:
        async with await storage("block", backend=backend) as s:
            s["inside"] = True
        assert s.closed and stored(backend) == {"inside": True}
        with pytest.raises(RuntimeError, match="boom"):
            async with await storage("block", backend=MemoryBackend()) as t:
                t["before"] = 1
                raise RuntimeError("boom")
        assert t.closed

    run(scenario())


def test_a_backend_with_only_load_and_flush_gets_every_other_capabilitys_default() -> None:
    """engine.Backend: no notices (live=True refused), reads by loading, nothing to close, no loss."""
    from pyscript_storage.engine import Backend, Batch

    class Minimal(Backend):
        def __init__(self) -> None:
            self.entries: dict[Any, str] = {"a": codec.encode(1), "1": codec.encode("one")}

        async def load(self) -> dict[Any, Any]:
            return {codec.restore_key(key): codec.decode(text) for key, text in self.entries.items()}

        async def flush(self, batch: Batch) -> None:
            self.entries.update(batch.puts)

    async def scenario() -> None:
        backend = Minimal()
        with pytest.raises(ValueError, match="live=True needs a browser"):
            await storage("m", live=True, backend=backend)
        s = await storage("m", backend=backend)
        assert s.data_loss is None
        assert await backend.read(["a", "missing"]) == {"a": 1}
        backend.entries["a"] = codec.encode(2)  # another context's commit, as a notice says it
        s._store.remote_change({"keys": ["a"], "deletes": [], "clear": False})
        await asyncio.sleep(0.01)
        assert s["a"] == 2
        s["b"] = 3
        await s.close()  # Backend.close: nothing to let go of
        assert codec.decode(backend.entries["b"]) == 3

    run(scenario())


def test_a_backend_without_a_storage_manager_says_so() -> None:
    async def ask(what: str) -> Any:
        s = await storage("m", backend=MemoryBackend())
        return await getattr(s, what)()

    for what in ("persist", "persisted", "estimate"):
        with pytest.raises(
            StorageError, match=rf"NotSupportedError: MemoryBackend has no storage manager \({what}\(\)\)"
        ):
            run(ask(what))


def test_update_with_a_function_is_a_read_modify_write_of_the_committed_value() -> None:
    backend = MemoryBackend({"n": codec.encode(41)})

    async def scenario() -> None:
        s = await storage("u", backend=backend)
        backend.entries["n"] = codec.encode(100)  # another tab wrote since this store opened
        assert await s.update("n", lambda n: n + 1) == 101
        assert s["n"] == 101 and stored(backend)["n"] == 101
        assert await s.update("new", lambda v: v + [1], default=[]) == [1]
        assert await s.update("new", lambda v: v + [2], []) == [1, 2]
        s["queued"] = 1  # committed before the update reads
        assert await s.update("queued", lambda v: v * 10) == 10
        s.update({"plain": 1}, other=2)  # dict.update still
        s.update(more=3)
        await s.sync()
        assert stored(backend) == {"n": 101, "new": [1, 2], "queued": 10, "plain": 1, "other": 2, "more": 3}

    run(scenario())


def test_an_update_whose_function_fails_or_returns_what_cannot_be_stored_writes_nothing() -> None:
    backend = MemoryBackend({"n": codec.encode(1)})

    async def scenario() -> None:
        s = await storage("u", backend=backend)
        with pytest.raises(ZeroDivisionError):
            await s.update("n", lambda n: n / 0)
        with pytest.raises(TypeError):
            await s.update("n", lambda n: object())
        with pytest.raises(TypeError):
            await s.update(None, lambda n: n)  # a key that cannot be stored
        assert s["n"] == 1 and stored(backend) == {"n": 1}
        with pytest.raises(TypeError, match="or a key and a function"):
            s.update("n", 5)
        await s.close()
        with pytest.raises(StorageError, match="is closed"):
            await s.update("n", lambda n: n + 1)

    run(scenario())
