"""The store engine: one protocol for every backend, and the write queue.

A backend does two things: ``load()`` every entry of a store at once, and
``flush(batch)`` apply a coalesced batch of writes in one transaction. The
queue sits in front of it: mutations are recorded synchronously (the dict API
is synchronous), repeated writes of a key coalesce into one, a clear drops
everything queued before it, and batches reach the backend strictly in order.
"""

import asyncio

from .codec import decode, restore_key
from .jsbridge import call_soon, event_loop

try:  # MicroPython has no typing module, and never evaluates annotations
    from collections.abc import Awaitable, Callable
    from typing import Any
except ImportError:  # pragma: no cover - MicroPython
    pass

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Protocol

    Key = Any  # str, int or float; see codec.check_key

    class SynchronousBackend(Protocol):
        """A backend that can also load and write without an event loop (SQLite, for the flat API)."""

        def load_now(self) -> dict[Key, Any]:
            """Every stored entry, decoded, read before returning."""
            ...

        def flush_now(self, batch: "Batch") -> None:
            """Apply ``batch`` atomically before returning; raise StorageError if refused."""
            ...
else:
    Key = object


class Backend:
    """What a store engine backend provides; each backend subclasses it.

    ``load`` and ``flush`` are its own. The rest are optional capabilities with
    the defaults of a backend that lacks them: no change notices (``notices``
    is False and ``watch`` returns None: live=True refuses it), reading some
    keys by loading them all, nothing to close, no report of data loss.
    """

    notices = False  # True when watch() tells of other contexts' commits
    data_loss: "str | None" = None  # the engine's report that it discarded the database on open

    async def load(self) -> "dict[Key, Any]":
        """Every stored entry, read at once and decoded (see codec.decode)."""
        raise NotImplementedError

    async def flush(self, batch: "Batch") -> None:
        """Apply ``batch`` atomically; raise StorageError if it was refused."""
        raise NotImplementedError

    async def read(self, keys: "list[Key]") -> "dict[Key, Any]":
        """The stored values of ``keys`` (as stored in a notice's head), decoded; absent keys absent."""
        wanted = {restore_key(key) for key in keys}
        return {key: value for key, value in (await self.load()).items() if key in wanted}

    def watch(self, on_change: "Callable[[dict[str, Any]], None]") -> "Callable[[], None] | None":
        """Call ``on_change(head)`` after another context's commit; returns unwatch (None: no notices)."""
        return None

    def close(self) -> None:
        """Let go of the connection; later use fails."""

    async def drain(self) -> None:
        """Wait for work a flush left running after it returned (none here; see IndexedDBBackend)."""

    async def update(self, key: "Key", apply: "Callable[[str | None], str | None]") -> bool:
        """Read-modify-write ``key`` in one transaction no other writer can enter: ``apply``
        gets its stored text (None when absent) and answers the new text, or None to write
        nothing. True once the new text is committed."""
        raise StorageError(f"NotSupportedError: {type(self).__name__} has no atomic update")

    async def storage_manager(self, what: str) -> Any:
        """The origin's StorageManager on ``what``: "persist" and "persisted" answer a bool,
        "estimate" {"usage": bytes, "quota": bytes}. StorageError where there is none."""
        raise StorageError(f"NotSupportedError: {type(self).__name__} has no storage manager ({what}())")


__all__ = [
    "Backend",
    "Batch",
    "MemoryBackend",
    "StorageError",
    "WriteQueue",
    "apply_stored",
    "restore_failed",
]


class StorageError(Exception):
    """A write or read that the underlying store refused.

    ``keys`` holds the keys of the batch that failed (empty for a load);
    ``message`` the engine's own error. ``str()`` gives both, e.g.
    ``QuotaExceededError: ... (refused batch of 2 keys: 'a', 'huge')``.
    """

    def __init__(self, message: str, keys: tuple[Key, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.keys = keys

    def __str__(self) -> str:
        if not self.keys:
            return self.message
        shown = ", ".join(repr(key) for key in self.keys[:10])
        more = f" and {len(self.keys) - 10} more" if len(self.keys) > 10 else ""
        count = f"{len(self.keys)} key" + ("s" if len(self.keys) != 1 else "")
        return f"{self.message} (refused batch of {count}: {shown}{more})"


class Batch:
    """What one flush writes: an optional clear first, then puts and deletes.

    ``puts`` maps key to stored text; ``deletes`` holds removed keys. A key is
    in at most one of the two.
    """

    def __init__(
        self, clear: bool = False, puts: dict[Key, str] | None = None, deletes: set[Key] | None = None
    ) -> None:
        self.clear = clear
        self.puts: dict[Key, str] = {} if puts is None else puts
        self.deletes: set[Key] = set() if deletes is None else deletes

    def __repr__(self) -> str:
        return f"Batch(clear={self.clear!r}, puts={self.puts!r}, deletes={self.deletes!r})"

    def __bool__(self) -> bool:
        return self.clear or bool(self.puts) or bool(self.deletes)

    def keys(self) -> tuple[Key, ...]:
        return tuple(self.puts) + tuple(self.deletes)


class MemoryBackend(Backend):
    """A backend in a dict, for unit tests; ``fail`` makes the next flush fail."""

    def __init__(self, entries: dict[Key, str] | None = None) -> None:
        self.entries: dict[Key, str] = dict(entries or {})
        self.flushes: list[Batch] = []
        self.fail: str | None = None
        self.closed = False

    def close(self) -> None:
        self.closed = True

    async def load(self) -> dict[Key, Any]:
        return {key: decode(text) for key, text in self.entries.items()}

    async def update(self, key: Key, apply: "Callable[[str | None], str | None]") -> bool:
        await asyncio.sleep(0)
        text = apply(self.entries.get(key))
        if text is not None:
            self.entries[key] = text
        return text is not None

    async def flush(self, batch: Batch) -> None:
        await asyncio.sleep(0)
        if self.closed:
            raise StorageError("flush after close", batch.keys())
        if self.fail:
            message, self.fail = self.fail, None
            raise StorageError(message, batch.keys())
        self.flushes.append(batch)
        if batch.clear:
            self.entries.clear()
        for key in batch.deletes:
            self.entries.pop(key, None)
        self.entries.update(batch.puts)


class WriteQueue:
    """Coalesces mutations and hands them to a backend in order.

    A mutation schedules a background write for the next turn of the event
    loop, so writes made together go out as one batch. ``sync()`` writes what
    is pending itself (no task to wait for: the latency case is one backend
    call), after any batch already being written, and raises the StorageError
    of any batch that failed since the last ``sync()``.
    """

    def __init__(
        self,
        flush: Callable[[Batch], Awaitable[None]],
        on_failure: Callable[[Batch, Batch], Awaitable[None]] | None = None,
    ) -> None:
        self._flush = flush
        self._on_failure = on_failure  # (failed batch, what is pending now), before sync() raises
        self._pending = Batch()
        self._writing: asyncio.Event | None = None  # set when the batch in flight is done
        self._scheduled = False
        self._errors: list[StorageError] = []

    @property
    def pending(self) -> Batch:
        """What is queued and not yet handed to the backend (read only)."""
        return self._pending

    def put(self, key: Key, text: str) -> None:
        self._pending.deletes.discard(key)
        self._pending.puts[key] = text
        self._kick()

    def delete(self, key: Key) -> None:
        self._pending.puts.pop(key, None)
        self._pending.deletes.add(key)
        self._kick()

    def clear(self) -> None:
        self._pending = Batch(clear=True)
        self._kick()

    def _kick(self) -> None:
        """Write in the background on the loop's next turn, unless already scheduled."""
        if self._scheduled:
            return
        loop = event_loop()
        if loop is None:
            return
        self._scheduled = True
        call_soon(loop, self._background_turn, loop)

    def _background_turn(self, loop: asyncio.AbstractEventLoop) -> None:
        # a task only when there is something to write: sync() often wrote it already
        self._scheduled = False
        if self._pending and self._writing is None:
            loop.create_task(self._write_pending())

    async def _write_pending(self) -> None:
        """Write the pending batch as one backend call; failures are kept for sync()."""
        if not self._pending or self._writing is not None:
            return
        batch, self._pending = self._pending, Batch()
        self._writing = asyncio.Event()
        try:
            try:
                await self._flush(batch)
            except StorageError as error:
                self._errors.append(error)
                await self._failed(batch)
            except Exception as error:  # noqa: BLE001 - surfaced through sync()
                self._errors.append(StorageError(f"{type(error).__name__}: {error}", batch.keys()))
                await self._failed(batch)
        finally:
            writing, self._writing = self._writing, None
            writing.set()
            if self._pending:  # written meanwhile: keep draining in the background
                self._kick()

    async def _failed(self, batch: Batch) -> None:
        if self._on_failure is not None:
            try:
                await self._on_failure(batch, self._pending)
            except Exception:  # noqa: BLE001 - the batch's own error is what sync() reports
                pass

    async def sync(self) -> None:
        while self._pending or self._writing is not None:
            if self._writing is not None:
                await self._writing.wait()
            else:
                await self._write_pending()
        if self._errors:
            errors, self._errors = self._errors, []
            if len(errors) == 1:
                raise errors[0]
            keys = tuple([k for e in errors for k in e.keys])
            raise StorageError("; ".join(e.message for e in errors), keys)


async def restore_failed(
    entries: dict[Key, Any], backend: "Backend", failed: Batch, pending: Batch, raw: Any = None
) -> None:
    """After a refused batch, make ``entries`` say what is stored.

    The rule: once ``sync()`` has raised, the in-memory dict shows exactly
    what the backend holds (read again in full), except keys written since
    the refused batch (still in ``pending``), which keep their newer value.
    That covers a refused write (its keys come back as stored, or go), a
    refused clear (every stored key comes back) and a database deleted
    underneath (everything goes). Nothing is queued by this (``raw``: see
    ``apply_stored``).
    """
    if pending.clear:  # cleared again since: memory already says what will be stored
        return
    stored = await backend.load()
    apply_stored(entries, stored, (set(entries) | set(stored)) - set(pending.keys()), raw)


def apply_stored(entries: dict[Key, Any], stored: dict[Key, Any], keys: set[Key], raw: Any = None) -> None:
    """Make ``entries`` hold, for each of ``keys``, the stored value, or nothing if none is stored.

    ``raw`` gives dict's own ``__setitem__``/``__delitem__`` for a dict
    subclass (``super(Storage, entries)``), so nothing is queued. MicroPython
    cannot call ``dict.__setitem__`` on a subclass's instance.
    """
    raw = entries if raw is None else raw
    for key in keys:
        if key in stored:
            raw.__setitem__(key, stored[key])
        elif key in entries:
            raw.__delitem__(key)
