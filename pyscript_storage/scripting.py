"""The Scripting app's flat ``Storage`` API, on the same store engine.

    import scripting; Storage = scripting.Storage

    Storage.set("counter", 42)                      # this script's own key
    Storage.set("session_token", "abc", shared=True)  # every script of the origin
    Storage.get("counter")                          # 42 (None when missing)

Synchronous, as the seed documents it. Each script's keys live in its own
store, ``@pyscript/scripting/script/<name>``; shared keys in
``@pyscript/scripting/shared``, verbatim. Values must be JSON: str, int,
float, bool, None, list, dict (str keys) and their combinations; anything else
raises TypeError and stores nothing.

On plain CPython the stores are in the SQLite file ``storage()`` uses and
every call reads or commits at once. The script's name is
``$PYSCRIPT_STORAGE_SCRIPT``, else the file name of ``sys.argv[0]`` without
its extension. (In the browser: not yet, see the project's issue 5.)
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from . import codec
from .engine import Batch

__all__ = ["Storage", "Script", "script_name"]

STORE_PREFIX = "@pyscript/scripting/"


def script_name() -> str:
    """The current script's name, which namespaces its private keys."""
    explicit = os.environ.get("PYSCRIPT_STORAGE_SCRIPT")
    if explicit:
        return explicit
    argv0 = sys.argv[0] if sys.argv and sys.argv[0] not in ("", "-c", "-") else ""
    return Path(argv0).stem or "interactive"


class _Domain:
    """One store of the flat API, read once and written through at once."""

    def __init__(self, store_name: str) -> None:
        if sys.platform == "emscripten":
            raise NotImplementedError("the flat Storage API in the browser is not built yet")
        from .sqlite import SQLiteBackend

        self.backend = SQLiteBackend(store_name)
        self.entries: dict[Any, Any] = self.backend.load_now()

    def write(self, batch: Batch) -> None:
        self.backend.flush_now(batch)


_domains: dict[str, _Domain] = {}


def _domain(shared: bool) -> _Domain:
    name = STORE_PREFIX + ("shared" if shared else f"script/{script_name()}")
    if name not in _domains:
        _domains[name] = _Domain(name)
    return _domains[name]


def _check_key(key: Any) -> None:
    if not isinstance(key, str):
        raise TypeError(f"Storage keys are str, not {type(key).__name__}")


def _json_text(value: Any) -> str:
    """The stored text of a JSON value; TypeError for anything JSON cannot hold exactly."""
    try:
        json.dumps(value, allow_nan=False)  # refuses sets, bytes, NaN, circular values...
        if isinstance(value, (bytearray, memoryview)):
            raise TypeError(f"{type(value).__name__} is not JSON")
        return codec.encode(value)
    except (TypeError, ValueError) as error:
        raise TypeError(f"Storage values must be JSON-serializable: {error}") from None


class Storage:
    """Per-script persistent key-value storage, with a shared domain (static methods)."""

    @staticmethod
    def set(key: str, value: Any, shared: bool = False) -> bool:
        """Persist ``value`` under ``key``; True once it is stored."""
        _check_key(key)
        text = _json_text(value)
        domain = _domain(shared)
        domain.write(Batch(puts={key: text}))
        domain.entries[key] = codec.decode(text)
        return True

    @staticmethod
    def get(key: str, shared: bool = False) -> Any:
        """The value stored under ``key``, or None."""
        _check_key(key)
        return _domain(shared).entries.get(key)

    @staticmethod
    def remove(key: str, shared: bool = False) -> None:
        """Delete ``key``; nothing happens when it is missing."""
        _check_key(key)
        domain = _domain(shared)
        if key in domain.entries:
            domain.write(Batch(deletes={key}))
            del domain.entries[key]

    @staticmethod
    def contains(key: str, shared: bool = False) -> bool:
        """Whether ``key`` is stored."""
        _check_key(key)
        return key in _domain(shared).entries

    @staticmethod
    def keys() -> list[str]:
        """This script's keys (never the shared domain's)."""
        return list(_domain(False).entries)

    @staticmethod
    def clear() -> None:
        """Remove this script's keys; the shared domain and other scripts keep theirs."""
        domain = _domain(False)
        domain.write(Batch(clear=True))
        domain.entries.clear()


class Script:
    """The little of the Scripting app's ``Script`` the seed's examples use."""

    @staticmethod
    def exit(result: Any = None) -> None:
        """End the script with ``result``, printed as JSON on CPython."""
        if result is not None:
            print(json.dumps(result))
        raise SystemExit(0)
