"""Where Python meets JavaScript, on both of PyScript's interpreters.

Pyodide offers ``pyodide.code.run_js`` and ``pyodide.ffi``; MicroPython's
WebAssembly port offers only its ``js`` and ``jsffi`` modules, and reports a
rejected promise as ``JsException(js_error, name, message)``. The rest of the
package calls these helpers and never asks which interpreter it is on.
"""

import sys

try:  # MicroPython has no typing module, and never evaluates annotations
    from collections.abc import Callable
    from typing import Any
except ImportError:  # pragma: no cover - MicroPython
    pass

__all__ = [
    "IN_BROWSER",
    "MICROPYTHON",
    "create_proxy",
    "error_text",
    "package_text",
    "random_id",
    "run_js",
    "text_of",
    "twice",
]

MICROPYTHON = sys.implementation.name == "micropython"
IN_BROWSER = sys.platform in ("emscripten", "webassembly")  # Pyodide, MicroPython's WebAssembly port


def package_text(name: str) -> str:
    """A text file shipped in this package (its JavaScript helpers)."""
    if MICROPYTHON:  # no importlib.resources: the file lies next to this module
        with open(__file__.rsplit("/", 1)[0] + "/" + name) as file:
            return file.read()
    from importlib import resources

    return resources.files(__name__.rpartition(".")[0]).joinpath(name).read_text("utf-8")


def run_js(source: str) -> Any:
    """Evaluate JavaScript source in the global scope; its completion value."""
    if MICROPYTHON:
        import js

        return js.eval(source)  # indirect eval: global scope, as Pyodide's run_js
    from pyodide.code import run_js as pyodide_run_js

    return pyodide_run_js(source)


_parking: Any = None


def twice(make: "Callable[[], Any]") -> Any:
    """``make()``, once more after a MemoryError: MicroPython's heap grows only after refusing an allocation.

    (Its WebAssembly port, as PyScript loads it: the first allocation larger than
    the free heap fails, the same one right after succeeds.)
    """
    try:
        return make()
    except MemoryError:
        return make()


async def text_of(promise: Any) -> str:
    """The text a JavaScript promise resolves to, however long.

    MicroPython's await never returns for a promise of a long string (see
    ``jsbridge.js``): there the text is parked in JavaScript and taken in pieces.
    """
    if not MICROPYTHON:
        return str(await promise)
    global _parking
    if _parking is None:
        _parking = run_js(package_text("jsbridge.js"))
    number = await _parking.park(promise)
    pieces = []
    piece = _parking.take(number)
    while piece:
        pieces.append(piece)
        piece = _parking.take(number)
    return twice(lambda: "".join(pieces))


def create_proxy(function: Callable[..., Any]) -> Any:
    """A JavaScript function that calls ``function`` (kept alive as long as JavaScript holds it)."""
    if MICROPYTHON:
        import jsffi

        return jsffi.create_proxy(function)
    from pyodide.ffi import create_proxy as pyodide_create_proxy

    return pyodide_create_proxy(function)


def random_id() -> str:
    """An identifier no other page or worker of the origin picks (16 hex digits)."""
    if MICROPYTHON:  # no secrets module; its random is not seeded per page
        import js

        return str(js.crypto.randomUUID()).replace("-", "")[:16]
    import secrets

    return secrets.token_hex(8)


def error_text(error: BaseException) -> str:
    """The text of a JavaScript error raised into Python: ``"<name>: <message>"``."""
    args = error.args
    if MICROPYTHON and len(args) == 3 and isinstance(args[1], str):
        return f"{args[1]}: {args[2]}"  # JsException(js_error, name, message)
    return str(error)
