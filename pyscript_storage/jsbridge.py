"""Where Python meets JavaScript, and where PyScript's two interpreters differ.

Pyodide offers ``pyodide.code.run_js`` and ``pyodide.ffi``; MicroPython's
WebAssembly port offers only its ``js`` and ``jsffi`` modules, and reports a
rejected promise as ``JsException(js_error, name, message)``. Its event loop,
tracebacks, strings and dicts differ too. The rest of the package calls these
helpers rather than asking which interpreter it is on; JSON is one of those
differences (``json_text``, ``json_check``).
"""

import asyncio
import json
import sys

try:  # MicroPython has no typing module, and never evaluates annotations
    from collections.abc import Callable
    from typing import Any
except ImportError:  # pragma: no cover - MicroPython
    pass

TYPE_CHECKING = False
if TYPE_CHECKING:  # the boundary's types as Pyodide names them (the pyodide-py package, on CPython)
    from pyodide.ffi import JsDoubleProxy

__all__ = [
    "IN_BROWSER",
    "MICROPYTHON",
    "call_soon",
    "create_proxy",
    "environment_variable",
    "error_text",
    "event_loop",
    "json_check",
    "json_text",
    "last_key",
    "page_path",
    "package_text",
    "print_exception",
    "random_id",
    "run_js",
    "text_of",
    "twice",
    "utf16_length",
]

MICROPYTHON = sys.implementation.name == "micropython"
IN_BROWSER = sys.platform in ("emscripten", "webassembly")  # Pyodide, MicroPython's WebAssembly port


def package_text(name: str) -> str:
    """A text file shipped in this package (its JavaScript helpers).

    Read beside this module: in a browser the package is always unpacked on the
    interpreter's file system (a wheel installed by micropip, or files copied to
    /lib), and importing importlib.resources cost a fresh Pyodide page about
    15 ms of its first storage().
    """
    with open(__file__.rsplit("/", 1)[0] + "/" + name, encoding="utf-8") as file:
        return file.read()


def environment_variable(name: str) -> "str | None":
    """An environment variable, or None (also on MicroPython, whose os has no environ)."""
    import os

    environ = getattr(os, "environ", None)
    return None if environ is None else environ.get(name)


def page_path() -> str:
    """The path of the page's URL (``/app/index.html``; in a worker, its script's), or "" without one."""
    import js

    location = getattr(js, "location", None)
    return str(location.pathname) if location else ""


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


async def text_of(promise: Any) -> str:  # a JsPromise (pyodide-py 0.25 types it without __await__)
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


def create_proxy(function: Callable[..., Any]) -> "JsDoubleProxy":
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
    import os  # (not secrets: importing it cost a fresh page's first storage() 8 ms, WebKitGTK 26)

    return os.urandom(8).hex()


def error_text(error: BaseException) -> str:
    """The text of a JavaScript error raised into Python: ``"<name>: <message>"``."""
    args = error.args
    if MICROPYTHON and len(args) == 3 and isinstance(args[1], str):
        return f"{args[1]}: {args[2]}"  # JsException(js_error, name, message)
    return str(error)


def event_loop() -> "asyncio.AbstractEventLoop | None":
    """The loop to write in the background on, or None (plain CPython code with no loop)."""
    if MICROPYTHON:
        return asyncio.get_event_loop()  # the WebAssembly port's loop runs on the page's
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        if not IN_BROWSER:
            return None  # sync() writes
        return asyncio.get_event_loop()  # Pyodide's WebLoop, also from JS callbacks


def print_exception(error: BaseException) -> None:
    """Print ``error`` with its traceback, as an uncaught one would be."""
    if MICROPYTHON:
        sys.print_exception(error)  # type: ignore[attr-defined]
    else:
        import traceback

        traceback.print_exception(error)


def last_key(mapping: "dict[Any, Any]") -> Any:
    """The key ``popitem()`` takes: the last set; any key on MicroPython, whose dicts keep no order."""
    return next(iter(mapping)) if MICROPYTHON else next(reversed(mapping))


def utf16_length(text: str) -> int:
    """Length of ``text`` in JavaScript (UTF-16 code units); stored texts hold no lone surrogates."""
    if MICROPYTHON:  # no str.isascii, no UTF-16 codec: an astral character is two units,
        # and its UTF-8 starts with one of the bytes F0-F4 (counted in C, not per character)
        utf8 = text.encode()
        if len(utf8) == len(text):
            return len(text)
        return len(text) + sum(utf8.count(lead) for lead in (b"\xf0", b"\xf1", b"\xf2", b"\xf3", b"\xf4"))
    return len(text) if text.isascii() else len(text.encode("utf-16-le")) // 2


def call_soon(loop: "asyncio.AbstractEventLoop", callback: "Callable[..., object]", *args: Any) -> None:
    """Call ``callback(*args)`` on the loop's next turn."""
    if MICROPYTHON:  # its loop has no call_soon: a task starts on the next turn too

        async def later() -> None:
            callback(*args)

        loop.create_task(later())
    else:
        loop.call_soon(callback, *args)


if MICROPYTHON:
    # Its json.dumps writes a string a character at a time (about 1 s per million
    # characters in a browser), and it has no fast way to find the characters JSON
    # escapes: a long string is escaped by JavaScript's JSON.stringify instead, which
    # writes the very same text as CPython's encoder (MicroPython's strings hold no
    # lone surrogates, the one place the two differ).
    _LONG = 1000

    def _json_row(row: Any) -> str:
        if type(row) is str and len(row) > _LONG:
            import js

            return twice(lambda: js.JSON.stringify(row))  # type: ignore[no-any-return]
        return json.dumps(row, separators=(",", ":"))

    def json_text(rows: "list[Any]") -> str:
        """Compact JSON of ``rows`` (finite numbers only: its json writes NaN as nan)."""
        if not any(type(row) is str and len(row) > _LONG for row in rows):
            return json.dumps(rows, separators=(",", ":"))
        return "[" + ",".join(_json_row(row) for row in rows) + "]"

    def json_check(value: Any) -> None:
        """ValueError or TypeError unless ``value`` is plain JSON (finite numbers only, as above)."""
        try:
            json.dumps(value)
        except RuntimeError as error:  # too deep: a cycle
            raise ValueError(str(error)) from None

else:
    import re

    _ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    _LONE_SURROGATE = re.compile("[\ud800-\udfff]")

    def json_text(rows: "list[Any]") -> str:
        """Compact JSON of ``rows``, as JavaScript's JSON.stringify writes it.

        Non-ASCII stays as is; a lone surrogate, which Python's encoder leaves raw
        and raw cannot cross to JavaScript, is escaped as \\uXXXX (as the
        well-formed JSON.stringify does). NaN and infinity raise ValueError.
        """
        try:
            text = _ENCODER.encode(rows)
        except ValueError as error:
            raise ValueError(f"cannot store NaN or infinity: JSON has neither ({error})") from None
        if text.isascii() or not _LONE_SURROGATE.search(text):
            return text
        return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)

    def json_check(value: Any) -> None:
        """ValueError or TypeError unless ``value`` is plain JSON: no sets, bytes, cycles or NaN."""
        json.dumps(value, allow_nan=False)
