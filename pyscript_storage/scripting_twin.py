"""The JavaScript twin of the flat Storage API, for the page Python runs on.

``install()`` (called by ``scripting.ready()`` in the browser) evaluates
``scripting_twin.js`` once and sets ``globalThis.scripting`` to
``{Storage, ready, sync}``. The twin does not keep entries of its own: each
call goes to the same in-memory entries and write queue the Python API uses,
so a value set on one side is read on the other at once, and both persist
through one queue. (It is not ``globalThis.Storage``: that name is the
browser's Web Storage interface.) Values cross as JSON text, bytes as a
Uint8Array; errors come back as ``[name, message]`` for the twin to throw.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

__all__ = ["install", "call"]

_installed: Any = None  # the JS object, once installed; keeps its proxy alive


def call(method: str, key: Any, payload: Any, shared: bool) -> Any:
    """One call from JavaScript: ``[error_name, message, value]`` (error_name is "" on success).

    ``payload`` is the JSON text of a value (set) or a Uint8Array (setData);
    ``value`` is JSON text (get, keys), bytes (getData) or a bool.
    """
    from pyodide.ffi import to_js

    from .scripting import Storage

    try:
        if method == "set":
            value: Any = Storage.set(key, json.loads(payload), shared)
        elif method == "setData":
            value = Storage.setData(key, payload.to_bytes(), shared)
        elif method == "get":
            value = json.dumps(Storage.get(key, shared), allow_nan=False)
        elif method == "getData":
            value = Storage.getData(key, shared)
        elif method == "remove":
            value = Storage.remove(key, shared)
        elif method == "contains":
            value = Storage.contains(key, shared)
        elif method == "keys":
            value = json.dumps(Storage.keys())
        elif method == "clear":
            value = Storage.clear()
        else:
            raise TypeError(f"Storage has no method {method!r}")
    except (TypeError, ValueError, RuntimeError) as error:
        return to_js([type(error).__name__, str(error), None])
    return to_js(["", "", value])


def install() -> Any:
    """Put ``globalThis.scripting`` on the page (once); returns it."""
    global _installed
    if _installed is None:
        import js
        from pyodide.code import run_js
        from pyodide.ffi import create_proxy

        from . import scripting

        source = resources.files(__package__).joinpath("scripting_twin.js").read_text("utf-8")
        factory = run_js(source)
        _installed = factory(
            create_proxy(call),
            create_proxy(scripting.ready),
            create_proxy(scripting.sync),
        )
        js.globalThis.scripting = _installed
    return _installed
