"""The JavaScript twin of the flat Storage API, for the page Python runs on.

``install()`` (called by ``scripting.ready()`` in the browser) evaluates
``scripting_twin.js`` once and sets ``globalThis.scripting`` to
``{Storage, ready, sync}``. The twin does not keep entries of its own: each
call goes to the same in-memory entries and write queue the Python API uses,
so a value set on one side is read on the other at once, and both persist
through one queue. (It is not ``globalThis.Storage``: that name is the
browser's Web Storage interface.) Everything crosses as JSON text, on both
interpreters: a value, bytes as a list of numbers, and the answer
``[error_name, message, value]`` for the twin to return or throw.
"""

import json

from . import jsbridge

try:  # MicroPython has no typing module, and never evaluates annotations
    from typing import Any
except ImportError:  # pragma: no cover - MicroPython
    pass

__all__ = ["install", "call"]

_installed: "Any" = None  # the JS object, once installed; keeps its proxies alive


def call(method: str, key: "Any", payload: "str | None", shared: bool) -> str:
    """One call from JavaScript: the JSON text of ``[error_name, message, value]`` ("" on success).

    ``payload`` is the JSON text of a value (set) or of a list of byte values (setData);
    ``value`` is the value (get), a list of byte values (getData), a list of keys, or a bool.
    """
    from .scripting import Storage

    try:
        if method == "set":
            value: Any = Storage.set(key, json.loads(payload or "null"), shared)
        elif method == "setData":
            value = Storage.setData(key, bytes(json.loads(payload or "[]")), shared)
        elif method == "get":
            value = Storage.get(key, shared)
        elif method == "getData":
            data = Storage.getData(key, shared)
            value = None if data is None else list(data)
        elif method == "remove":
            value = Storage.remove(key, shared)
        elif method == "contains":
            value = Storage.contains(key, shared)
        elif method == "keys":
            value = Storage.keys()
        elif method == "clear":
            value = Storage.clear()
        else:
            raise TypeError(f"Storage has no method {method!r}")
    except (TypeError, ValueError, RuntimeError) as error:
        return json.dumps([type(error).__name__, str(error), None])
    return json.dumps(["", "", value])


def install() -> "Any":
    """Put ``globalThis.scripting`` on the page (once); returns it."""
    global _installed
    if _installed is None:
        import js

        from . import scripting

        factory = jsbridge.run_js(jsbridge.package_text("scripting_twin.js"))
        _installed = factory(
            jsbridge.create_proxy(call),
            jsbridge.create_proxy(scripting.ready),
            jsbridge.create_proxy(scripting.sync),
        )
        js.globalThis.scripting = _installed
    return _installed
