"""The SQLite backend on CPython: persistence across processes, and two writers at once."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from pyscript_storage import storage
from pyscript_storage.sqlite import SQLiteBackend, default_path

from .aio import run

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "store.sqlite3"
    monkeypatch.setenv("PYSCRIPT_STORAGE_DB", str(path))
    return path


def python(code: str, db_path: Path) -> str:
    """Run ``code`` in a new CPython process using the same database file."""
    env = {**os.environ, "PYSCRIPT_STORAGE_DB": str(db_path), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_default_path_honours_environment(db_path: Path) -> None:
    assert default_path() == db_path


def test_values_and_keys_round_trip_through_the_file(db_path: Path) -> None:
    async def write() -> None:
        s = await storage("types")
        s.update({"none": None, "list": [1, "a", {"b": 2.5}], "bytes": bytearray(b"\x00\xff")})
        s[7] = "int key"
        s[("t", 1)] = "tuple key"
        s["lone \udc00"] = "surrogate key"
        s[2.0] = "float key that equals 2"
        await s.sync()

    async def read() -> dict[Any, Any]:
        return dict(await storage("types"))

    run(write())
    assert run(read()) == {
        "none": None,
        "list": [1, "a", {"b": 2.5}],
        "bytes": bytearray(b"\x00\xff"),
        7: "int key",
        ("t", 1): "tuple key",
        "lone \udc00": "surrogate key",
        2: "float key that equals 2",
    }


def test_counter_survives_across_processes(db_path: Path) -> None:
    counter = """
        import asyncio
        from pyscript_storage import storage

        async def main():
            s = await storage("counter")
            s["hits"] = s.get("hits", 0) + 1
            await s.sync()
            print(s["hits"])

        asyncio.run(main())
    """
    assert [python(counter, db_path) for _ in range(3)] == ["1", "2", "3"]


def test_two_processes_writing_at_once_lose_nothing(db_path: Path) -> None:
    writer = """
        import asyncio, sys
        from pyscript_storage import storage

        async def main(tag):
            s = await storage("shared")
            for i in range(200):
                s[f"{tag}-{i}"] = i
                if i % 10 == 0:
                    await s.sync()
            await s.sync()

        asyncio.run(main(sys.argv[1]))
    """
    env = {**os.environ, "PYSCRIPT_STORAGE_DB": str(db_path), "PYTHONPATH": str(ROOT)}
    code = textwrap.dedent(writer)
    procs = [
        subprocess.Popen([sys.executable, "-c", code, tag], env=env, stderr=subprocess.PIPE, text=True)
        for tag in ("a", "b")
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err

    async def read() -> dict[Any, Any]:
        return dict(await storage("shared"))

    stored = run(read())
    assert stored == {f"{tag}-{i}": i for tag in ("a", "b") for i in range(200)}


def test_a_flush_writes_only_its_own_keys(db_path: Path) -> None:
    async def scenario() -> dict[Any, Any]:
        first = await storage("two-handles")
        second = await storage("two-handles")
        first["a"] = 1
        await first.sync()
        second["b"] = 2
        await second.sync()
        return dict(await storage("two-handles"))

    assert run(scenario()) == {"a": 1, "b": 2}


def test_names_are_separate_stores_in_one_file(db_path: Path) -> None:
    async def scenario() -> tuple[dict[Any, Any], dict[Any, Any]]:
        one = await storage("one")
        two = await storage("two")
        one["k"] = "one"
        two["k"] = "two"
        await one.sync()
        await two.sync()
        return dict(await storage("one")), dict(await storage("two"))

    assert run(scenario()) == ({"k": "one"}, {"k": "two"})


def test_unwritable_path_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    backend = SQLiteBackend("x", blocker / "sub" / "db.sqlite3")
    with pytest.raises(Exception, match="cannot open"):
        run(backend.load())


def test_close_commits_and_releases_the_file(db_path: Path) -> None:
    async def write_and_close() -> SQLiteBackend:
        async with await storage("closed") as s:
            s["kept"] = [1, 2]
            backend = s._store.backend
            assert isinstance(backend, SQLiteBackend)
        return backend

    backend = run(write_and_close())
    assert backend._db is None  # the connection is closed
    read = "import asyncio\nfrom pyscript_storage import storage\nprint(dict(asyncio.run(storage('closed'))))"
    assert python(read, db_path) == "{'kept': [1, 2]}"


@pytest.mark.parametrize(("durability", "synchronous"), [("strict", 2), ("default", 1), ("relaxed", 1)])
def test_durability_sets_sqlites_synchronous_mode(db_path: Path, durability: str, synchronous: int) -> None:
    """strict: FULL (2), on disk when sync() returns; relaxed and default: NORMAL (1)."""
    backend = SQLiteBackend("d", durability=durability)
    assert backend._connection().execute("PRAGMA synchronous").fetchone()[0] == synchronous
    backend.close()


def test_an_unknown_durability_is_refused(db_path: Path) -> None:
    with pytest.raises(ValueError, match="durability must be one of"):
        SQLiteBackend("d", durability="eventually")


def test_a_flush_waiting_for_another_process_lets_the_loop_run(db_path: Path) -> None:
    """Another connection holds the write lock for a while: sync() waits for it in a thread."""
    import asyncio
    import sqlite3
    import threading

    async def scenario() -> int:
        s = await storage("waits")
        holder = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
        holder.execute("BEGIN IMMEDIATE")  # as another process writing
        threading.Timer(0.5, lambda: holder.execute("COMMIT")).start()
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        task = asyncio.get_running_loop().create_task(ticker())
        s["k"] = 1
        await s.sync()  # blocked on the lock for about 0.5 s
        task.cancel()
        holder.close()
        return ticks

    assert run(scenario()) >= 10  # the loop went on while the flush waited
    assert SQLiteBackend("@pyscript/waits").load_now() == {"k": 1}


def test_a_file_on_disk_is_persistent_and_its_estimate_counts_the_file(db_path: Path) -> None:
    async def ask() -> tuple[bool, bool, dict[str, int], dict[str, int]]:
        s = await storage("manager")
        empty = await s.estimate()
        s["big"] = "x" * 200_000
        await s.sync()
        return await s.persist(), await s.persisted(), empty, await s.estimate()

    persist, persisted, empty, full = run(ask())
    assert persist is True and persisted is True
    assert full["usage"] >= empty["usage"] + 200_000
    assert full["quota"] > full["usage"]


def test_updates_from_two_processes_at_once_lose_no_increment(db_path: Path) -> None:
    code = """
        import asyncio
        from pyscript_storage import storage

        async def main():
            s = await storage("counter")
            for _ in range(300):
                await s.update("n", lambda n: n + 1, 0)

        asyncio.run(main())
    """
    env = {**os.environ, "PYSCRIPT_STORAGE_DB": str(db_path), "PYTHONPATH": str(ROOT)}
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(code)], env=env, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    for process in processes:
        assert process.wait(timeout=120) == 0, process.stderr.read() if process.stderr else ""

    async def read() -> Any:
        return (await storage("counter"))["n"]

    assert run(read()) == 600
