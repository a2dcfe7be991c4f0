"""The IndexedDB backend, for Python running in a browser (Pyodide or MicroPython).

Its JavaScript (``indexeddb.js``, shipped as package data) is evaluated once,
on first use, so the wheel needs no set-up on the page and works in a Web
Worker too. The database is named as upstream PyScript names it
("IDBMap/" + name, object store "entries"), so either reads the other's data.
"""

import json

from . import jsbridge
from .codec import decode, decode_table, restore_key
from .engine import Backend, Batch, Key, StorageError

try:  # MicroPython has no typing module, and never evaluates annotations
    from collections.abc import Callable
    from typing import Any
except ImportError:  # pragma: no cover - MicroPython
    pass

__all__ = ["IndexedDBBackend", "DATABASE_PREFIX", "flush_head"]

DATABASE_PREFIX = "IDBMap/"
OPEN_TIMEOUT = 10.0  # seconds an open may go unanswered before it is a StorageError (TimeoutError)

_js: Any = None
# Change notices reach Python through one proxy per interpreter, which looks up the
# watcher by id: a proxy per store would keep the store alive after unwatch until
# JavaScript's collector got round to it (MicroPython frees a proxy's object only then).
_watchers: "dict[str, Callable[[str, str], None]]" = {}
_dispatch_proxy: Any = None


def _dispatch(watch_id: str, text: str, sender: str) -> None:
    notice = _watchers.get(watch_id)
    if notice is not None:  # unwatched while the notice was on its way: dropped
        notice(text, sender)


def _dispatcher() -> Any:
    """The one JavaScript function that delivers change notices to their watchers."""
    global _dispatch_proxy
    if _dispatch_proxy is None:
        _dispatch_proxy = jsbridge.create_proxy(_dispatch)
    return _dispatch_proxy


_appliers: dict[str, Callable[[Any], Any]] = {}  # an update's id -> its apply (see update)
_apply_proxy: Any = None


def _apply(number: str, stored: Any = None) -> Any:  # (MicroPython drops an undefined last argument)
    return _appliers[number](stored)


def _applier() -> Any:
    """The one JavaScript function that calls each update's apply (no proxy made per call)."""
    global _apply_proxy
    if _apply_proxy is None:
        _apply_proxy = jsbridge.create_proxy(_apply)
    return _apply_proxy


def _module() -> Any:
    """The JavaScript helpers, evaluated once per interpreter."""
    global _js
    if _js is None:
        _js = jsbridge.run_js(jsbridge.package_text("indexeddb.js"))
    return _js


def _storage_error(error: Exception, keys: tuple[Key, ...] = ()) -> StorageError:
    message = jsbridge.error_text(error)
    # the JavaScript error is "StorageError: <engine error name>: <message>"
    for prefix in ("Error: ", "StorageError: "):
        if message.startswith(prefix):
            message = message[len(prefix) :]
    return StorageError(message, keys)


def flush_head(clear: bool, deletes: list[Key], keys: list[Key], texts: list[str]) -> str:
    """A batch's head, as JSON text: whether it clears the store, the keys it deletes and
    puts, and each put text's length in UTF-16 units (the body is the texts joined). Change
    notices carry it too (other stores read its keys back). ASCII-only JSON: lone surrogates
    in keys cross as escapes."""
    lengths = [jsbridge.utf16_length(text) for text in texts]
    return json.dumps({"clear": clear, "deletes": deletes, "keys": keys, "lengths": lengths})


def _pairs(keys: list[Any], values: list[Any]) -> list[tuple[Any, Any]]:
    if len(keys) != len(values):
        raise StorageError(f"IndexedDB answered {len(keys)} keys but {len(values)} values")
    return [(keys[i], values[i]) for i in range(len(keys))]  # MicroPython's zip has no strict=


class IndexedDBBackend(Backend):
    """One IndexedDB database holding one store's entries."""

    notices = True  # watch(): other pages' and workers' commits, over a BroadcastChannel

    def __init__(self, name: str, durability: str = "strict", mirror: bool = True) -> None:
        """``mirror``: also keep a copy in a Storage Bucket of its own where the engine has them
        (Chromium; see indexeddb.js, startMirror)."""
        self.database = DATABASE_PREFIX + name
        self.durability = durability
        self.sender = jsbridge.random_id()  # names this store's flushes in change notices
        self.data_loss: str | None = None  # the engine's report that it discarded the database
        self.mirror = mirror  # still asked for: off once the engine has no buckets or the copy failed
        self._db: Any = None
        self._mirror: Any = None  # the JavaScript mirror of the open connection, if any
        self._closed = False

    async def _connection(self, start_mirror: bool = True) -> Any:
        """The open connection, opened if need be; ``start_mirror=False``: the mirror starts
        only if the engine discarded the database (load starts it after its read, so that
        the mirror's comparison does not slow the open)."""
        if self._closed:
            raise StorageError(f"the connection to {self.database} was closed")
        if self._db is None:
            try:
                self._db = await _module().open(self.database, int(OPEN_TIMEOUT * 1000))
            except Exception as error:
                raise _storage_error(error) from None
            discarded = str(_module().dataLoss(self._db))  # on this open
            self.data_loss = discarded or self.data_loss
            if self.mirror and (start_mirror or discarded):
                await self._start_mirror(self._db, discarded)
        return self._db

    @property
    def mirrored(self) -> bool:
        """The open connection has a mirror beside it that has not failed."""
        return self._mirror is not None and not str(self._mirror.failure)

    async def _start_mirror(self, db: Any, discarded: str) -> None:
        """Open the mirror beside a new connection; rebuild the database from it if the engine discarded it.

        Chromium discards a whole backing store it finds torn after a crash, and each
        Storage Bucket has its own. A flush commits to the store's database, then copies
        the batch to the mirror without waiting, and the next write waits for that copy:
        at most one of the two has a write in flight at any kill, and the one without
        holds every synced key. The other engines have no Storage Buckets, and need none.
        """
        if self._mirror is not None:  # the database was opened again: so is the mirror
            _module().closeMirror(self._mirror)
            self._mirror = None
        mirror = _module().startMirror(self.database, db, bool(discarded), int(OPEN_TIMEOUT * 1000))
        if mirror is False:  # no Storage Buckets here
            self.mirror = False
            return
        self._mirror = mirror
        if discarded:  # the copy back is awaited: the store reads nothing before it
            await mirror.pending
            restored = int(mirror.restored)
            if restored >= 0:
                self.data_loss = f"{discarded} ({restored} entries restored from the mirror bucket)"
        self._check_mirror()

    def _check_mirror(self) -> None:
        """A mirror that failed (its open, bringing it up to date, or a copy) is let go, and said."""
        if self._mirror is None:
            return
        failure = str(self._mirror.failure)
        if not failure:
            return
        import sys

        _module().closeMirror(self._mirror)
        self.mirror = False
        self._mirror = None
        print(f"pyscript_storage: mirror of {self.database}: {failure}; writing without it", file=sys.stderr)

    async def load(self) -> dict[Key, Any]:
        db = await self._connection(start_mirror=False)
        data = await self._read(db)
        if self.mirror and self._mirror is None:
            await self._start_mirror(db, "")
        keys = [restore_key(key) for key in data["keys"]]
        if "tables" in data:
            return {key: decode_table(table) for key, table in _pairs(keys, data["tables"])}
        return {key: decode(text) for key, text in _pairs(keys, data["values"])}

    async def _read(self, db: Any) -> Any:
        try:
            text = await jsbridge.text_of(_module().load(db))
            try:
                return json.loads(text)
            except json.JSONDecodeError:  # a value that is not JSON text: each as a string
                return json.loads(await jsbridge.text_of(_module().load(db, True)))
        except json.JSONDecodeError:
            raise
        except Exception as error:
            self._db = None  # a connection closed underneath: the next call opens a fresh one
            raise _storage_error(error) from None

    async def read(self, keys: list[Key]) -> dict[Key, Any]:
        """The stored values of ``keys``, decoded; a key that is not stored is absent."""
        db = await self._connection()
        try:
            data = json.loads(await jsbridge.text_of(_module().read(db, json.dumps(keys))))
        except Exception as error:
            raise _storage_error(error) from None
        return {
            restore_key(key): decode(text)
            for key, text in _pairs(data["keys"], data["values"])
            if text is not None
        }

    def watch(self, on_change: Callable[[dict[str, Any]], None]) -> Callable[[], None]:
        """Call ``on_change(head)`` when another page or worker commits a flush; returns unwatch.

        ``head`` says which keys were put or deleted and whether the store was cleared.
        """

        def notice(text: str, sender: str) -> None:
            if sender != self.sender:  # not this store's own flush
                on_change(json.loads(text))

        watch_id = jsbridge.random_id()
        _watchers[watch_id] = notice
        listener = _module().watch(self.database, _dispatcher(), watch_id)
        if listener is None:
            _watchers.pop(watch_id, None)
            raise StorageError("live=True needs BroadcastChannel, which this context does not have")

        def unwatch() -> None:
            _module().unwatch(listener)
            _watchers.pop(watch_id, None)

        return unwatch

    async def flush(self, batch: Batch) -> None:
        db = await self._connection()
        texts = list(batch.puts.values())
        body = jsbridge.twice(lambda: "".join(texts))
        head = flush_head(batch.clear, list(batch.deletes), list(batch.puts), texts)
        try:
            await _module().flush(db, head, body, self.durability, self._mirror)
        except Exception as error:
            # Firefox refuses every later write on a connection whose transaction
            # aborted for quota: the next flush (or load) opens a fresh one.
            self._db = None
            try:
                _module().close(db)
            except Exception:  # noqa: BLE001 - already closed
                pass
            raise _storage_error(error, batch.keys()) from None
        self._check_mirror()  # the previous copy's failure, if any
        self._announce(head)

    def _announce(self, head: str) -> None:
        """Committed: tell the origin's other pages and workers (a notice lost is no write lost)."""
        try:
            _module().announce(self.database, head, self.sender)
        except Exception:  # noqa: BLE001
            pass

    async def update(self, key: Key, apply: Callable[[str | None], str | None]) -> bool:
        """One readwrite transaction: the engine lets no other page's or worker's write in
        between the read and the write (see indexeddb.js, update)."""
        db = await self._connection()
        number = jsbridge.random_id()
        answered = []  # the text apply answered, for the change notice

        def remembered(stored: "str | None") -> "str | None":
            text = apply(stored)
            answered.append(text)
            return text

        _appliers[number] = remembered
        try:
            written = bool(
                await _module().update(db, json.dumps(key), _applier(), number, self.durability, self._mirror)
            )
        except Exception as error:
            raise _storage_error(error, (key,)) from None
        finally:
            del _appliers[number]
        self._check_mirror()
        text = answered[-1] if answered else None
        if not written or text is None:
            return False
        self._announce(flush_head(False, [], [key], [text]))
        return True

    async def storage_manager(self, what: str) -> Any:
        """navigator.storage's answer to ``what`` (persist, persisted, estimate), decoded."""
        try:
            return json.loads(await jsbridge.text_of(_module().manager(what)))
        except Exception as error:
            raise _storage_error(error) from None

    def close(self) -> None:
        """Close the database connection (and this page's notice channel); later use raises StorageError."""
        self._closed = True
        if self._db is not None:
            _module().close(self._db)
        if self._mirror is not None:
            _module().closeMirror(self._mirror)  # once its last copy is done
        self._db = None
        _module().forget(self.database)

    async def drain(self) -> None:
        """Wait for the mirror's copy of the last write (a flush does not wait for it)."""
        if self._mirror is not None:
            await self._mirror.pending
            self._check_mirror()
