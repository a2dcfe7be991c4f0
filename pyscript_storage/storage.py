"""``storage()`` and ``Storage``: the pyscript.storage front end.

``Storage`` is a real ``dict`` whose every mutation is queued for the backend.
``__setitem__``, ``__delitem__`` and ``clear`` are the only places that write;
``update``, ``setdefault``, ``pop``, ``popitem`` and ``|=`` go through them, so
nothing bypasses persistence and a subclass overriding ``__setitem__`` sees
every write. A value or key that cannot round-trip raises before anything
changes.
"""

import asyncio
import sys

from . import codec
from .engine import Batch, StorageError, WriteQueue, apply_stored, restore_failed
from .jsbridge import IN_BROWSER, last_key, print_exception

try:  # MicroPython has no typing module, and never evaluates annotations
    from collections.abc import Callable, Iterable
    from typing import Any
except ImportError:  # pragma: no cover - MicroPython
    pass

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TypeVar

    from .engine import Backend

    S = TypeVar("S", bound="Storage")

__all__ = ["Storage", "storage", "open_backend"]

_MISSING = object()


class _Store:
    """What a Storage wraps: its name, backend, loaded entries and write queue."""

    def __init__(self, name: str, backend: "Backend", entries: dict[Any, Any]) -> None:
        self.name = name
        self.backend = backend
        self.entries = entries
        self.view: dict[Any, Any] = entries  # the Storage itself, once it exists
        self.queue = WriteQueue(backend.flush, self._restore)
        self.listeners: list[Callable[[frozenset[Any]], object]] = []
        self.unwatch: Callable[[], None] | None = None  # stops change notices (live=True)
        self.closed = False

    def check_open(self) -> None:
        """Raise StorageError if the store was closed: a write now would be lost."""
        if self.closed:
            raise StorageError(f"store {self.name!r} is closed; open it again with storage({self.name!r})")

    async def close(self) -> None:
        """Write what is queued, then let go of the notices and the connection, even if the write fails."""
        if self.closed:
            return
        try:
            await self.queue.sync()
            await self.backend.drain()
        finally:
            self.closed = True
            self.listeners.clear()
            unwatch, self.unwatch = self.unwatch, None
            if unwatch is not None:
                unwatch()
            self.backend.close()

    async def _restore(self, failed: Batch, pending: Batch) -> None:
        await restore_failed(self.view, self.backend, failed, pending, self._raw())

    def _raw(self) -> Any:
        """dict's own item methods on the view: updates from the store queue nothing."""
        return super(Storage, self.view) if isinstance(self.view, Storage) else self.view

    def remote_change(self, head: dict[str, Any]) -> None:
        """Another page or worker committed a flush to this store: read its keys in the background."""
        asyncio.get_event_loop().create_task(self._refresh(head))

    async def _refresh(self, head: dict[str, Any]) -> None:
        """Bring the keys another context changed into the dict, as IndexedDB now holds them.

        Keys this store has queued and not yet written keep their local value:
        its own write lands later and wins, as the last writer does.
        """
        try:
            if head.get("clear"):
                stored = await self.backend.load()
                keys = set(self.view) | set(stored)
            else:
                changed = list(head.get("keys", ())) + list(head.get("deletes", ()))
                keys = {codec.restore_key(key) for key in changed}
                stored = await self.backend.read(changed)
        except Exception:  # noqa: BLE001 - a notice we cannot follow; the next one may do
            return
        pending = self.queue.pending
        if pending.clear or self.closed:
            return
        keys -= set(pending.keys())
        apply_stored(self.view, stored, keys, self._raw())
        for listener in list(self.listeners):
            try:
                listener(frozenset(keys))
            except Exception as error:  # noqa: BLE001 - a listener's bug must not stop the others
                print_exception(error)


class Storage(dict):  # type: ignore[type-arg]
    """A persistent dictionary backed by IndexedDB (SQLite on plain CPython).

    Every mutation is queued, and written in the background:

        >>> prefs = await storage("preferences")
        >>> prefs["color"] = "blue"       # queued for writing
        >>> prefs.update(count=42)        # every dict mutation is persisted
        >>> await prefs.sync()            # both are now committed
        >>> await prefs.close()           # or: async with await storage("preferences") as prefs:
    """

    def __init__(self, store: _Store) -> None:
        super().__init__(store.entries)
        self._store = store
        store.view = self

    def __setitem__(self, key: Any, value: Any) -> None:
        """Set ``key`` to ``value``, queueing the write; TypeError if it cannot be stored."""
        self._store.check_open()
        codec.check_key(key)
        text = codec.encode(value)
        super().__setitem__(key, value)
        self._store.queue.put(key, text)

    def __delitem__(self, key: Any) -> None:
        """Delete ``key``, queueing the deletion."""
        self._store.check_open()
        super().__delitem__(key)
        self._store.queue.delete(key)

    def clear(self) -> None:
        """Remove every item, queueing one clear of the store."""
        self._store.check_open()
        super().clear()
        self._store.queue.clear()

    def update(self, *args: Any, **kwargs: Any) -> Any:
        """dict.update, persisted; nothing changes if any item cannot be stored.

        With a key and a function, ``await store.update(key, fn, default=None)`` is an atomic
        read-modify-write instead (see ``_update_key``).
        """
        if len(args) in (2, 3) and callable(args[1]) and set(kwargs) <= {"default"}:
            default = args[2] if len(args) == 3 else kwargs.get("default")
            return self._update_key(args[0], args[1], default)
        if len(args) > 1:
            raise TypeError(
                f"update expected at most 1 argument, got {len(args)} "
                "(or a key and a function: await store.update(key, fn, default=None))"
            )
        self._store.check_open()
        other = args[0] if args else ()
        items: list[tuple[Any, Any]] = []
        if hasattr(other, "keys"):
            items.extend((key, other[key]) for key in other.keys())
        else:
            for pair in other:
                key, value = pair
                items.append((key, value))
        items.extend(kwargs.items())
        texts = []
        for key, value in items:
            codec.check_key(key)
            texts.append(codec.encode(value))
        if type(self).__setitem__ is not Storage.__setitem__:  # a subclass sees every write
            for key, value in items:
                self[key] = value
            return
        for i in range(len(items)):  # each value encoded once (MicroPython's zip has no strict=)
            key, value = items[i]
            super().__setitem__(key, value)
            self._store.queue.put(key, texts[i])

    async def _update_key(self, key: Any, fn: "Callable[[Any], Any]", default: Any) -> Any:
        """``fn(value)`` stored in place of ``key``'s committed value (``default`` when absent),
        read and written in one transaction: atomic across the tabs and workers of the origin
        (two that each add 1 a thousand times end at 2,000). The dict shows the result, which
        is returned. What this store has queued is committed first. If ``fn`` raises, or its
        result cannot be stored (TypeError), nothing is written and the error is raised.
        ``fn`` must be quick and synchronous: it runs inside the transaction.
        """
        self._store.check_open()
        codec.check_key(key)
        await self._store.queue.sync()
        outcome: dict[str, Any] = {}

        def apply(stored: "str | None") -> "str | None":
            try:
                value = fn(default if stored is None else codec.decode(stored))
                text = codec.encode(value)
            except BaseException as error:  # noqa: BLE001 - raised again below, after the transaction
                outcome["error"] = error
                return None
            outcome["value"] = value
            return text

        written = await self._store.backend.update(key, apply)
        if "error" in outcome:
            raise outcome["error"]
        if not written:
            raise StorageError(f"the update of {key!r} was not written", (key,))
        value = outcome["value"]
        pending = self._store.queue.pending  # a write or clear queued since lands later and wins
        if not pending.clear and key not in pending.keys():
            super().__setitem__(key, value)
        return value

    def setdefault(self, key: Any, default: Any = None) -> Any:
        """dict.setdefault, persisted."""
        if key not in self:
            self[key] = default
        return super().__getitem__(key)

    def pop(self, key: Any, default: Any = _MISSING) -> Any:
        """dict.pop, persisted."""
        if key not in self:
            if default is _MISSING:
                raise KeyError(key)
            return default
        value = super().__getitem__(key)
        del self[key]
        return value

    def popitem(self) -> tuple[Any, Any]:
        """dict.popitem (last in, first out), persisted."""
        if not self:
            raise KeyError("popitem(): storage is empty")
        key = last_key(self)  # (any key on MicroPython: its dicts keep no insertion order)
        value = super().__getitem__(key)
        del self[key]
        return key, value

    def __ior__(self: "S", other: "Iterable[Any]") -> "S":  # type: ignore[override,misc]
        self.update(other)
        return self

    @classmethod
    def fromkeys(cls, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        raise TypeError("Storage.fromkeys() is not supported: open a store with storage(name)")

    def on_change(self, listener: Callable[[frozenset[Any]], object]) -> Callable[[frozenset[Any]], object]:
        """Call ``listener(keys)`` after another page's changes are in the dict (``live=True``).

        Usable as a decorator. ``keys`` are the keys that changed, as a frozenset.
        """
        self._store.check_open()
        self._store.listeners.append(listener)
        return listener

    @property
    def name(self) -> str:
        """The store's name, as given to storage()."""
        return self._store.name

    @property
    def data_loss(self) -> "str | None":
        """The engine's reason if it discarded this store's database before it opened, else None.

        Chromium deletes a database it finds damaged (say, after the browser was
        killed) and says so on the next open; the store then opens empty.
        """
        return self._store.backend.data_loss

    async def sync(self) -> None:
        """Wait until every write queued so far is committed.

        Raises StorageError (naming the keys) if a queued batch was refused.
        By then the dict tells the truth: each key of the refused batch that
        was not written again since has its stored value back (or is gone).
        """
        self._store.check_open()
        await self._store.queue.sync()

    async def persist(self) -> bool:
        """Ask the browser never to evict this origin's storage (``navigator.storage.persist()``).

        True once granted (now or before), False when the browser says no; it is the
        whole origin's storage, not this store's. StorageError where the context has
        none (a worker). Safari evicts script-written storage unused for seven days
        unless persisted. On CPython: True (a file on disk is never evicted).
        """
        return bool(await self._store.backend.storage_manager("persist"))

    async def persisted(self) -> bool:
        """True if the origin's storage is persistent (``navigator.storage.persisted()``)."""
        return bool(await self._store.backend.storage_manager("persisted"))

    async def estimate(self) -> "dict[str, int]":
        """The origin's usage and quota in bytes, as the engine estimates them:
        ``{"usage": ..., "quota": ...}`` (``navigator.storage.estimate()``).

        Every engine rounds or pads these (they are estimates, on purpose); StorageError
        where the engine has none (WebKitGTK). On CPython: the database file's size, and
        that plus the disk's free space.
        """
        answer = await self._store.backend.storage_manager("estimate")
        return {"usage": int(answer.get("usage", 0)), "quota": int(answer.get("quota", 0))}

    @property
    def closed(self) -> bool:
        """True once close() has run: writes, sync() and on_change() then raise StorageError."""
        return self._store.closed

    async def close(self) -> None:
        """Sync (and wait for the mirror's copy, in Chromium), then release the store's
        change notices and its database connections.

        The dict keeps what it holds, to read; a later write, ``sync()`` or
        ``on_change()`` raises StorageError (it would be lost). Closing twice
        does nothing. If the final sync is refused, the store is closed anyway
        and the StorageError is raised, as ``sync()`` raises it.
        """
        await self._store.close()

    async def __aenter__(self: "S") -> "S":
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        """Close on leaving ``async with await storage(name) as store:``, also on an exception."""
        await self.close()


DURABILITIES = ("strict", "default", "relaxed")


def open_backend(name: str, durability: str = "strict", mirror: bool = True) -> "Backend":
    """The backend for the store ``name`` on this interpreter (``mirror``: IndexedDB only)."""
    if IN_BROWSER:
        from .indexeddb import IndexedDBBackend

        return IndexedDBBackend(name, durability, mirror)
    from .sqlite import SQLiteBackend

    return SQLiteBackend(name, durability=durability)


async def storage(
    name: str = "",
    storage_class: "type[S]" = Storage,  # type: ignore[assignment]
    *,
    durability: str = "strict",
    live: bool = False,
    mirror: bool = True,
    backend: "Backend | None" = None,
) -> "S":
    """Open (or create) the persistent store ``name``; contents are loaded at once.

    Raises ValueError for an empty name. ``storage_class`` may be a subclass of
    Storage. ``durability`` is the IndexedDB transaction hint for every write:
    "strict" (default: sync() returns once the data is flushed to disk),
    "relaxed" (faster; committed, but an OS crash right after may lose it) or
    "default" (the engine's choice; upstream PyScript's). On CPython it sets
    SQLite's synchronous mode: FULL for "strict", NORMAL for the others. ``live=True``
    keeps the dict up to date with what other pages and workers of the origin
    commit to the store (a BroadcastChannel notice after each of their
    flushes; see ``Storage.on_change``). ``mirror`` (Chromium; on by default)
    copies every committed batch to a Storage Bucket of its own, after
    ``sync()`` returns and before the next write, and rebuilds the store from
    it when Chromium discarded the database after a crash (see ``data_loss``);
    ``mirror=False`` writes one copy only. Engines without Storage Buckets
    ignore it.
    ``backend`` overrides where entries live (tests use MemoryBackend).

        >>> settings = await storage("app-settings")
    """
    if not isinstance(name, str):
        raise TypeError(f"Storage name must be a str, not {type(name).__name__}")
    if not name:
        raise ValueError("Storage name must be a non-empty string")
    if not (isinstance(storage_class, type) and issubclass(storage_class, Storage)):
        raise TypeError("storage_class must be Storage or a subclass of it")
    if durability not in DURABILITIES:
        raise ValueError(f"durability must be one of {DURABILITIES}, not {durability!r}")
    full_name = f"@pyscript/{name}"
    backend = backend or open_backend(full_name, durability, mirror)
    if live and not backend.notices:
        raise ValueError("live=True needs a browser: this backend has no change notices")
    store = _Store(name, backend, await backend.load())
    opened = storage_class(store)
    if opened.data_loss:
        print(f"pyscript_storage: the engine discarded store {name!r}: {opened.data_loss}", file=sys.stderr)
    if live:
        store.unwatch = backend.watch(store.remote_change)
    return opened
