"""The SQLite backend, for plain CPython: the same stores, in one database file.

What is durable when: ``flush`` commits a batch in one ``BEGIN IMMEDIATE``
transaction in WAL mode. With ``durability="strict"`` (the default) that is
``synchronous=FULL``: once ``sync()`` returns the batch is on disk and
survives a crash of the process or the machine. "relaxed" and "default" are
``synchronous=NORMAL``: committed, and it survives a crash of the process, but
a crash of the machine right after may lose it (as IndexedDB's relaxed
commits). Several processes may use one file at once: writers take turns
(SQLite's lock, waiting up to ``busy_timeout``), and a flush writes only the
keys it changed. ``flush`` waits for that lock in a thread, so the event loop
runs on meanwhile.

Keys are stored as their JSON text, normalized as IndexedDB compares them
(``1.0`` is the key ``1``, a tuple is an array), so a key means the same here
and in the browser.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .codec import decode, restore_key
from .engine import Backend, Batch, Key, StorageError

__all__ = ["SQLiteBackend", "default_path"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    store TEXT NOT NULL,
    key   TEXT NOT NULL,  -- JSON text of the key
    value TEXT NOT NULL,  -- the stored (Flatted) text, as in IndexedDB
    PRIMARY KEY (store, key)
) WITHOUT ROWID
"""


def default_path() -> Path:
    """``$PYSCRIPT_STORAGE_DB``, else ``$XDG_DATA_HOME/pyscript-storage/storage.sqlite3``."""
    explicit = os.environ.get("PYSCRIPT_STORAGE_DB")
    if explicit:
        return Path(explicit)
    data_home = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data_home) / "pyscript-storage" / "storage.sqlite3"


def _normal_key(key: Any) -> Any:
    if isinstance(key, tuple):
        return [_normal_key(item) for item in key]
    if isinstance(key, float) and key.is_integer():
        return int(key)
    return key


def _key_text(key: Key) -> str:
    return json.dumps(_normal_key(key))  # ASCII: lone surrogates stay escaped


# SQLite's synchronous setting for each of IndexedDB's durability hints.
_SYNCHRONOUS = {"strict": "FULL", "default": "NORMAL", "relaxed": "NORMAL"}


class SQLiteBackend(Backend):
    """One store (a ``store`` value) in a SQLite database file."""

    def __init__(
        self,
        name: str,
        path: Path | str | None = None,
        busy_timeout: float = 30.0,
        durability: str = "strict",
    ) -> None:
        if durability not in _SYNCHRONOUS:
            raise ValueError(f"durability must be one of {tuple(_SYNCHRONOUS)}, not {durability!r}")
        self.store = "IDBMap/" + name  # the IndexedDB database name, for one naming scheme
        self.path = Path(path) if path is not None else default_path()
        self.busy_timeout = busy_timeout
        self.durability = durability
        self._db: sqlite3.Connection | None = None
        self._lock = threading.Lock()  # the connection: a flush's thread, or the caller's

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            # Switching a new file to WAL and creating the table can meet another
            # process doing the same; SQLite then answers "locked" at once, without
            # waiting for busy_timeout, so the set-up is retried until it runs out.
            deadline = time.monotonic() + self.busy_timeout
            while True:
                try:
                    self._db = self._open()
                    break
                except sqlite3.OperationalError as error:
                    if "locked" not in str(error) or time.monotonic() > deadline:
                        raise StorageError(f"cannot open {self.path}: {error}") from None
                    time.sleep(0.02)
                except (OSError, sqlite3.Error) as error:
                    raise StorageError(f"cannot open {self.path}: {error}") from None
        return self._db

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(
            self.path, timeout=self.busy_timeout, isolation_level=None, check_same_thread=False
        )
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(f"PRAGMA synchronous={_SYNCHRONOUS[self.durability]}")
            db.execute(_SCHEMA)
        except BaseException:
            db.close()
            raise
        return db

    async def load(self) -> dict[Key, Any]:
        return self.load_now()

    async def flush(self, batch: Batch) -> None:
        """flush_now in a thread: waiting for another process's lock does not stop the event loop."""
        await asyncio.to_thread(self.flush_now, batch)

    def load_now(self) -> dict[Key, Any]:
        """load(), synchronously: SQLite needs no event loop (the flat API uses this)."""
        with self._lock:
            db = self._connection()
            try:
                rows = db.execute("SELECT key, value FROM entries WHERE store = ?", (self.store,)).fetchall()
            except sqlite3.Error as error:
                raise StorageError(f"{type(error).__name__}: {error}") from None
        return {restore_key(json.loads(key)): decode(value) for key, value in rows}

    def flush_now(self, batch: Batch) -> None:
        """flush(), synchronously: committed (on disk, with strict durability) when it returns."""
        with self._lock:
            self._flush(batch)

    def _flush(self, batch: Batch) -> None:
        db = self._connection()
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                if batch.clear:
                    db.execute("DELETE FROM entries WHERE store = ?", (self.store,))
                db.executemany(
                    "DELETE FROM entries WHERE store = ? AND key = ?",
                    [(self.store, _key_text(key)) for key in batch.deletes],
                )
                db.executemany(
                    "INSERT OR REPLACE INTO entries (store, key, value) VALUES (?, ?, ?)",
                    [(self.store, _key_text(key), text) for key, text in batch.puts.items()],
                )
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        except sqlite3.Error as error:
            raise StorageError(f"{type(error).__name__}: {error}", batch.keys()) from None

    async def storage_manager(self, what: str) -> Any:
        """A file on disk is never evicted: persist() and persisted() are True; estimate() is
        the database's files (with its WAL) as usage, and usage plus the disk's free space as quota."""
        if what in ("persist", "persisted"):
            return True
        if what != "estimate":
            return await super().storage_manager(what)
        files = [self.path, self.path.with_name(self.path.name + "-wal")]
        usage = sum(path.stat().st_size for path in files if path.exists())
        folder = self.path.parent if self.path.parent.exists() else Path.home()
        return {"usage": usage, "quota": usage + shutil.disk_usage(folder).free}

    async def update(self, key: Key, apply: Callable[[str | None], str | None]) -> bool:
        """One ``BEGIN IMMEDIATE`` transaction: no other connection writes between the read
        and the write (they wait for SQLite's lock). In a thread, as flush."""
        return await asyncio.to_thread(self._update_now, key, apply)

    def _update_now(self, key: Key, apply: Callable[[str | None], str | None]) -> bool:
        with self._lock:
            db = self._connection()
            try:
                db.execute("BEGIN IMMEDIATE")
                try:
                    row = db.execute(
                        "SELECT value FROM entries WHERE store = ? AND key = ?", (self.store, _key_text(key))
                    ).fetchone()
                    text = apply(row[0] if row else None)
                    if text is not None:
                        db.execute(
                            "INSERT OR REPLACE INTO entries (store, key, value) VALUES (?, ?, ?)",
                            (self.store, _key_text(key), text),
                        )
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
                db.execute("COMMIT")
            except sqlite3.Error as error:
                raise StorageError(f"{type(error).__name__}: {error}", (key,)) from None
        return text is not None

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
