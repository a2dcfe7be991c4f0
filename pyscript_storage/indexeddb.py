"""The IndexedDB backend, for Python running in a browser (Pyodide).

Its JavaScript (``indexeddb.js``, shipped as package data) is evaluated once,
on first use, so the wheel needs no set-up on the page and works in a Web
Worker too. The database is named as upstream PyScript names it
("IDBMap/" + name, object store "entries"), so either reads the other's data.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from .codec import restore_key
from .engine import Batch, Key, StorageError

__all__ = ["IndexedDBBackend", "DATABASE_PREFIX"]

DATABASE_PREFIX = "IDBMap/"

_js: Any = None


def _module() -> Any:
    """The JavaScript helpers, evaluated once per interpreter."""
    global _js
    if _js is None:
        from pyodide.code import run_js  # only importable inside Pyodide

        source = resources.files(__package__).joinpath("indexeddb.js").read_text("utf-8")
        _js = run_js(source)
    return _js


def _storage_error(error: Exception, keys: tuple[Key, ...] = ()) -> StorageError:
    message = str(error)
    # JsException text is "StorageError: <engine error name>: <message>"
    message = message.removeprefix("Error: ").removeprefix("StorageError: ")
    return StorageError(message, keys)


class IndexedDBBackend:
    """One IndexedDB database holding one store's entries."""

    def __init__(self, name: str, durability: str = "strict") -> None:
        self.database = DATABASE_PREFIX + name
        self.durability = durability
        self._db: Any = None

    async def _connection(self) -> Any:
        if self._db is None:
            try:
                self._db = await _module().open(self.database)
            except Exception as error:
                raise _storage_error(error) from None
        return self._db

    async def load(self) -> dict[Key, str]:
        db = await self._connection()
        try:
            text = await _module().load(db)
        except Exception as error:
            raise _storage_error(error) from None
        keys, values = json.loads(text)
        return {restore_key(key): value for key, value in zip(keys, values, strict=True)}

    async def flush(self, batch: Batch) -> None:
        db = await self._connection()
        payload = json.dumps(
            {
                "clear": batch.clear,
                "deletes": list(batch.deletes),
                "puts": list(batch.puts.items()),
            }
        )  # ASCII-only JSON: lone surrogates cross to JavaScript as escapes
        try:
            await _module().flush(db, payload, self.durability)
        except Exception as error:
            raise _storage_error(error, batch.keys()) from None
