"""The flat Scripting Storage API on CPython: the seed's examples, verbatim, across processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pyscript_storage.engine import StorageError
from pyscript_storage_harness.scenarios.scripting import COUNTER, LIST_AND_CLEAR, SHARE

from .aio import run

ROOT = Path(__file__).resolve().parents[2]

# The seed's three examples, verbatim, as the browser scenarios run them too.


def script(tmp_path: Path, name: str, code: str) -> str:
    """Run ``code`` as the script file ``name``.py in a new process; its stdout."""
    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(code))
    env = {**os.environ, "PYSCRIPT_STORAGE_DB": str(tmp_path / "db.sqlite3"), "PYTHONPATH": str(ROOT)}
    env.pop("PYSCRIPT_STORAGE_SCRIPT", None)
    done = subprocess.run([sys.executable, str(path)], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_counter_survives_across_runs(tmp_path: Path) -> None:
    assert [json.loads(script(tmp_path, "counter", COUNTER)) for _ in range(3)] == [
        {"hits": 1},
        {"hits": 2},
        {"hits": 3},
    ]


def test_scripts_are_isolated_and_shared_keys_are_seen_by_both(tmp_path: Path) -> None:
    script(tmp_path, "counter", COUNTER)
    script(tmp_path, "sharer", SHARE)
    other = """
        import scripting; Storage = scripting.Storage
        print(Storage.get("hits"), Storage.contains("hits"), Storage.keys(),
              Storage.get("session_token", shared=True))
    """
    assert script(tmp_path, "other", other) == "None False [] abc123"
    mine = """
        import scripting; Storage = scripting.Storage
        print(Storage.get("hits"), Storage.get("session_token"), Storage.get("session_token", shared=True))
    """
    assert script(tmp_path, "counter", mine) == "1 None abc123"


def test_listing_and_clearing_leaves_shared_and_other_scripts(tmp_path: Path) -> None:
    setup = """
        import scripting; Storage = scripting.Storage
        Storage.set("a", 1); Storage.set("b", {"x": [1, 2.5, None, True]})
        Storage.set("keep", "shared", shared=True)
    """
    script(tmp_path, "lister", setup)
    script(tmp_path, "neighbour", 'import scripting; scripting.Storage.set("mine", 1)')
    assert script(tmp_path, "lister", LIST_AND_CLEAR) == "Stored keys: ['a', 'b']"
    after = """
        import scripting; Storage = scripting.Storage
        print(Storage.keys(), Storage.get("keep", shared=True))
    """
    assert script(tmp_path, "lister", after) == "[] shared"
    assert script(tmp_path, "neighbour", 'import scripting; print(scripting.Storage.get("mine"))') == "1"


@pytest.fixture
def in_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The flat API in this process, on a fresh SQLite file, as the script "in-process"."""
    monkeypatch.setenv("PYSCRIPT_STORAGE_DB", str(tmp_path / "db.sqlite3"))
    monkeypatch.setenv("PYSCRIPT_STORAGE_SCRIPT", "in-process")
    from pyscript_storage import scripting

    scripting.reset()
    yield scripting
    scripting.reset()


def test_api_semantics_in_process(in_process: Any) -> None:
    storage = in_process.Storage
    assert storage.set("user", {"name": "Alice", "premium": True}) is True
    assert storage.get("user") == {"name": "Alice", "premium": True}
    assert storage.get("missing") is None
    storage.remove("missing")  # no-op
    for bad in ({1, 2}, b"bytes", bytearray(b"x"), float("nan"), object(), {1: "int key"}):
        with pytest.raises(TypeError):
            storage.set("bad", bad)
    circular: list[object] = []
    circular.append(circular)
    with pytest.raises(TypeError):
        storage.set("bad", circular)
    with pytest.raises(TypeError):
        storage.set(1, "int key")  # type: ignore[arg-type]
    assert not storage.contains("bad") and storage.keys() == ["user"]
    storage.remove("user")
    assert storage.keys() == []


def test_binary_data_on_cpython(in_process: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    scripting = in_process
    storage = scripting.Storage
    assert storage.setData("blob", bytes(range(256))) is True
    assert storage.setData("view", memoryview(b"abc"), shared=True) is True
    assert storage.getData("blob") == bytes(range(256))
    assert storage.getData("view", shared=True) == b"abc"
    assert storage.getData("missing") is None
    storage.set("json", [1])
    with pytest.raises(TypeError, match="getData"):
        storage.get("blob")
    with pytest.raises(TypeError, match="Storage.get"):
        storage.getData("json")
    with pytest.raises(TypeError):
        storage.setData("text", "not bytes")  # type: ignore[arg-type]
    scripting.reset()  # a new process, as far as the API knows
    assert storage.getData("blob") == bytes(range(256)) and storage.keys() == ["blob", "json"]


@pytest.fixture
def browser_rules() -> Iterator[Any]:
    """The flat API with the browser's rules (ready() first), on this CPython; forgotten after."""
    from pyscript_storage import scripting

    scripting.reset(in_browser=True)
    yield scripting
    scripting.reset()


def test_queued_path_as_in_the_browser(browser_rules: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """What Pyodide runs: ready() loads both stores, writes wait in the queue until sync()."""
    from pyscript_storage.engine import MemoryBackend

    scripting = browser_rules

    backends: dict[str, MemoryBackend] = {}

    def backend(name: str) -> MemoryBackend:
        return backends.setdefault(name, MemoryBackend())

    monkeypatch.setenv("PYSCRIPT_STORAGE_SCRIPT", "page")  # not the page's address: no js here
    storage = scripting.Storage
    with pytest.raises(RuntimeError, match="ready"):
        storage.get("x")

    async def first_run() -> None:
        await scripting.ready("one", backend=backend)
        storage.set("x", {"a": 1})
        storage.set("token", "t", shared=True)
        storage.setData("blob", b"\x00\xff")
        assert storage.get("x") == {"a": 1}  # answered from memory at once
        assert backends["@pyscript/scripting/script/one"].entries == {}  # not yet written
        await scripting.sync()
        assert set(backends["@pyscript/scripting/script/one"].entries) == {"x", "blob"}
        assert set(backends["@pyscript/scripting/shared"].entries) == {"token"}

    run(first_run())
    scripting.reset(in_browser=True)  # a reload: memory is gone, the backends stay

    async def second_run() -> None:
        await scripting.ready("two", backend=backend)
        assert storage.keys() == [] and storage.get("token", shared=True) == "t"
        await scripting.ready("one", backend=backend)
        assert storage.get("x") == {"a": 1} and storage.getData("blob") == b"\x00\xff"
        backends["@pyscript/scripting/script/one"].fail = "QuotaExceededError: full"
        storage.set("y", 2)
        with pytest.raises(StorageError) as failed:
            await scripting.sync()
        assert failed.value.keys == ("y",)
        storage.clear()
        await scripting.sync()  # the store stays usable
        assert backends["@pyscript/scripting/script/one"].entries == {}

    run(second_run())
    with pytest.raises(ValueError):
        run(scripting.ready(""))
