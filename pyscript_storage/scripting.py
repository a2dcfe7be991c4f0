"""The Scripting app's flat ``Storage`` API, on the same store engine.

    import scripting; Storage = scripting.Storage

    Storage.set("counter", 42)                      # this script's own key
    Storage.set("session_token", "abc", shared=True)  # every script of the origin
    Storage.get("counter")                          # 42 (None when missing)

Synchronous, as the seed documents it. Each script's keys live in its own
store, ``@pyscript/scripting/script/<name>``; shared keys in
``@pyscript/scripting/shared``, verbatim. Values must be JSON: str, int,
float, bool, None, list, dict (str keys) and their combinations; anything else
raises TypeError and stores nothing. ``setData``/``getData`` hold bytes.

Where the entries live:
- plain CPython: the SQLite file ``storage()`` uses; the stores are read on
  first use and every call commits at once.
- the browser (Pyodide or MicroPython): IndexedDB, through the same write queue as
  ``storage()``. IndexedDB is asynchronous, so the page loads both stores
  first with ``await scripting.ready(name)``; after that every call answers
  at once, writes are queued and flushed in the background, and
  ``await scripting.sync()`` returns once they are committed (or raises
  StorageError naming the keys of a refused batch). ``ready()`` also puts the
  JavaScript twin on the page as ``globalThis.scripting.Storage``.

The script's name is the one given to ``ready()``, else
``$PYSCRIPT_STORAGE_SCRIPT``, else the file name of ``sys.argv[0]`` (CPython)
or of the page's address (browser) without its extension.
"""

import json
import sys

from . import codec, jsbridge
from .engine import Batch, WriteQueue, restore_failed

try:  # MicroPython has no typing module, and never evaluates annotations
    from collections.abc import Callable
    from typing import Any
except ImportError:  # pragma: no cover - MicroPython
    pass

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .engine import Backend, SynchronousBackend

__all__ = ["Storage", "Script", "ScriptExit", "ready", "sync", "script_name", "reset"]

STORE_PREFIX = "@pyscript/scripting/"


def _stem(path: str) -> str:
    """A path's last part without its extension, as pathlib's ``stem`` (MicroPython has no pathlib)."""
    name = path.rstrip("/").rsplit("/", 1)[-1]
    dot = name.rfind(".")
    return name[:dot] if dot > 0 else name


def script_name() -> str:
    """The current script's name, which namespaces its private keys."""
    if _state.script is not None:
        return _state.script
    explicit = jsbridge.environment_variable("PYSCRIPT_STORAGE_SCRIPT")
    if explicit:
        return explicit
    if _state.in_browser:
        return _stem(jsbridge.page_path()) or "index"
    argv0 = sys.argv[0] if sys.argv and sys.argv[0] not in ("", "-c", "-") else ""
    return _stem(argv0) or "interactive"


class _Domain:
    """One store of the flat API: its entries in memory and the way writes reach disk.

    With ``queue`` (the browser) a write is queued and ``sync()`` waits for it;
    without (CPython's SQLite) ``write_now`` commits it before the call returns.
    """

    def __init__(
        self,
        entries: "dict[Any, Any]",
        queue: "WriteQueue | None" = None,
        write_now: "Callable[[Batch], None] | None" = None,
    ) -> None:
        self.entries = entries
        self.queue = queue
        self.write_now = write_now

    def put(self, key: str, text: str) -> None:
        if self.queue is not None:
            self.queue.put(key, text)
        elif self.write_now is not None:
            self.write_now(Batch(puts={key: text}))
        self.entries[key] = codec.decode(text)

    def delete(self, key: str) -> None:
        if self.queue is not None:
            self.queue.delete(key)
        elif self.write_now is not None:
            self.write_now(Batch(deletes={key}))
        del self.entries[key]

    def clear(self) -> None:
        if self.queue is not None:
            self.queue.clear()
        elif self.write_now is not None:
            self.write_now(Batch(clear=True))
        self.entries.clear()

    async def sync(self) -> None:
        if self.queue is not None:
            await self.queue.sync()


class _State:
    """What the flat API holds in this interpreter: its loaded stores and the script's name."""

    def __init__(self, in_browser: bool = jsbridge.IN_BROWSER) -> None:
        self.domains: dict[str, _Domain] = {}
        self.script: str | None = None
        self.in_browser = in_browser  # stores come from ready() (IndexedDB), not lazily from SQLite


_state = _State()


def reset(*, in_browser: "bool | None" = None) -> None:
    """Forget the loaded stores and the script's name, as a new process would (tests).

    ``in_browser`` applies the browser's rules (``ready()`` first) on CPython too.
    """
    global _state
    _state = _State(jsbridge.IN_BROWSER if in_browser is None else in_browser)


def _store_name(shared: bool) -> str:
    return STORE_PREFIX + ("shared" if shared else f"script/{script_name()}")


def _default_backend(store_name: str) -> "Backend":
    from .storage import open_backend

    return open_backend(store_name)


async def ready(
    name: str | None = None,
    *,
    backend: "Callable[[str], Backend] | None" = None,
) -> None:
    """Load this script's keys and the shared ones, so every call can answer at once.

    Needed in the browser (IndexedDB cannot be read synchronously) before the
    script's code runs; harmless on CPython. ``name`` sets the script's name
    (see module docs); ``backend`` maps a store name to a Backend (tests).
    In the browser it also installs the JavaScript twin, ``globalThis.scripting``.
    """
    if name is not None:
        if not isinstance(name, str) or not name:
            raise ValueError("a script's name must be a non-empty str")
        _state.script = name
    for shared in (False, True):
        store_name = _store_name(shared)
        if store_name in _state.domains:
            continue
        if backend is None and not _state.in_browser:
            _domain(shared)  # SQLite: loaded synchronously, written at once
            continue
        opened = (backend or _default_backend)(store_name)
        entries = await opened.load()

        async def restore(
            failed: Batch, pending: Batch, entries: "dict[Any, Any]" = entries, opened: "Backend" = opened
        ) -> None:
            await restore_failed(entries, opened, failed, pending)

        _state.domains[store_name] = _Domain(entries, queue=WriteQueue(opened.flush, restore))
    if jsbridge.IN_BROWSER:  # a real page (tests may apply the browser's rules without one)
        from .scripting_twin import install

        install()


async def sync() -> None:
    """Wait until every queued write of the flat API is committed (StorageError if refused)."""
    for domain in list(_state.domains.values()):
        await domain.sync()


def _domain(shared: bool) -> _Domain:
    store_name = _store_name(shared)
    domain = _state.domains.get(store_name)
    if domain is not None:
        return domain
    if _state.in_browser:
        raise RuntimeError(
            "the Storage API is not loaded for this script: in the browser, "
            "run `await scripting.ready()` (or ready('name')) before the script's code"
        )
    from .sqlite import SQLiteBackend

    backend: SynchronousBackend = SQLiteBackend(store_name)  # the flat API is synchronous on CPython
    domain = _state.domains[store_name] = _Domain(backend.load_now(), write_now=backend.flush_now)
    return domain


def _check_key(key: Any) -> None:
    if not isinstance(key, str):
        raise TypeError(f"Storage keys are str, not {type(key).__name__}")


def _json_text(value: Any) -> str:
    """The stored text of a JSON value; TypeError for anything JSON cannot hold exactly."""
    try:
        codec.check_json(value)  # sets, bytes, circular values, NaN...
        if isinstance(value, (bytearray, memoryview)):
            raise TypeError(f"{type(value).__name__} is not JSON (store bytes with setData)")
        return codec.encode(value)
    except (TypeError, ValueError, RuntimeError) as error:  # RuntimeError: too deep (RecursionError)
        raise TypeError(f"Storage values must be JSON-serializable: {error}") from None


def _is_data(value: Any) -> bool:
    return isinstance(value, (bytearray, memoryview))


class Storage:
    """Per-script persistent key-value storage, with a shared domain (static methods)."""

    @staticmethod
    def set(key: str, value: Any, shared: bool = False) -> bool:
        """Persist ``value`` under ``key``; True once it is stored (browser: queued)."""
        _check_key(key)
        _domain(shared).put(key, _json_text(value))
        return True

    @staticmethod
    def get(key: str, shared: bool = False) -> Any:
        """The value stored under ``key``, or None; TypeError if it holds bytes (use getData)."""
        _check_key(key)
        value = _domain(shared).entries.get(key)
        if _is_data(value):
            raise TypeError(f"the key {key!r} holds binary data: read it with Storage.getData")
        return value

    @staticmethod
    def setData(key: str, data: "bytes | bytearray | memoryview", shared: bool = False) -> bool:  # noqa: N802
        """Persist binary ``data`` under ``key``; True once it is stored (browser: queued)."""
        _check_key(key)
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"Storage.setData takes bytes, not {type(data).__name__}")
        _domain(shared).put(key, codec.encode(bytearray(data)))
        return True

    @staticmethod
    def getData(key: str, shared: bool = False) -> "bytes | None":  # noqa: N802
        """The bytes stored under ``key``, or None; TypeError if it holds a JSON value."""
        _check_key(key)
        domain = _domain(shared)
        if key not in domain.entries:
            return None
        value = domain.entries[key]
        if not _is_data(value):
            raise TypeError(f"the key {key!r} holds a JSON value, not data: read it with Storage.get")
        return bytes(value)

    @staticmethod
    def remove(key: str, shared: bool = False) -> None:
        """Delete ``key``; nothing happens when it is missing."""
        _check_key(key)
        domain = _domain(shared)
        if key in domain.entries:
            domain.delete(key)

    @staticmethod
    def contains(key: str, shared: bool = False) -> bool:
        """Whether ``key`` is stored."""
        _check_key(key)
        return key in _domain(shared).entries

    @staticmethod
    def keys() -> "list[str]":
        """This script's keys (never the shared domain's), sorted: the same order on every interpreter."""
        return sorted(_domain(False).entries)

    @staticmethod
    def clear() -> None:
        """Remove this script's keys; the shared domain and other scripts keep theirs."""
        _domain(False).clear()


class ScriptExit(SystemExit):
    """Raised by ``Script.exit``; ``result`` is the value the script ended with."""

    def __init__(self, result: Any = None) -> None:
        super().__init__(0)
        self.result = result


class Script:
    """The little of the Scripting app's ``Script`` the seed's examples use."""

    @staticmethod
    def exit(result: Any = None) -> None:
        """End the script with ``result``, printed as JSON (a page's host reads ``.result``)."""
        if result is not None:
            print(json.dumps(result))
        raise ScriptExit(result)
