"""The issue-2 scenarios: persistence, isolation, types, workers."""

from __future__ import annotations

from dataclasses import replace

from .model import BOTH, Python, Reload, Restart, Scenario, Visit


# Values of every supported kind, and what each must read back as. These two run on the
# page (Python.call): functions, so they are linted and typed with the rest.
async def _round_trip_write() -> None:
    from pyscript_storage import Storage, storage

    s: Storage = await storage("types")
    s["none"] = None
    s["true"] = True
    s["false"] = False
    s["int"] = 42
    s["negative"] = -7
    s["big"] = 2**60
    s["float"] = 3.25
    s["minus_zero"] = -0.0
    s["whole_float"] = 2.0
    s["str"] = "héllo ✓ 🐍"
    s["empty"] = ""
    s["list"] = [1, "two", [3.5, None]]
    s["tuple"] = (1, (2, "x"))
    s["dict"] = {"a": {"b": [True, False]}, "": "empty key"}
    s["bytearray"] = bytearray(b"\x00\x01\xfe\xff")
    s["memoryview"] = memoryview(bytearray(b"view"))
    s[7] = "int key"
    s[2**53 - 1] = "largest exact int key"  # beyond 32 bits: MicroPython's JS numbers truncate there
    s[-(2**40)] = "negative int key"
    s[2.5] = "float key"
    s[("tuple", 1)] = "tuple key"
    await s.sync()


async def _round_trip_check() -> dict[str, str]:
    import math

    from pyscript_storage import Storage, storage

    s: Storage = await storage("types")
    expected: dict[object, tuple[object, str]] = {
        "none": (None, "NoneType"), "true": (True, "bool"), "false": (False, "bool"),
        "int": (42, "int"), "negative": (-7, "int"), "big": (2**60, "int"),
        "float": (3.25, "float"), "minus_zero": (-0.0, "float"), "whole_float": (2.0, "float"),
        "str": ("héllo ✓ 🐍", "str"), "empty": ("", "str"),
        "list": ([1, "two", [3.5, None]], "list"), "tuple": ([1, [2, "x"]], "list"),
        "dict": ({"a": {"b": [True, False]}, "": "empty key"}, "dict"),
        "bytearray": (bytearray(b"\x00\x01\xfe\xff"), "bytearray"),
        "memoryview": (b"view", "memoryview"),
        7: ("int key", "str"), 2**53 - 1: ("largest exact int key", "str"),
        -(2**40): ("negative int key", "str"), 2.5: ("float key", "str"), ("tuple", 1): ("tuple key", "str"),
    }  # fmt: skip
    assert set(s) == set(expected), sorted(map(repr, s))
    for key, (value, type_name) in expected.items():
        got = s[key]
        assert type(got).__name__ == type_name, (key, type(got).__name__)
        if type_name == "memoryview":
            got = bytes(got)
        assert got == value, (key, got, value)
    assert math.copysign(1, s["minus_zero"]) == -1
    return {repr(k): type(v).__name__ for k, v in s.items()}


# The raw IndexedDB entries are exactly upstream PyScript's format.
_RAW_FORMAT_CHECK = """
import js
raw = await js.eval('''(async () => {
  const db = await new Promise((ok, no) => {
    const r = indexedDB.open("IDBMap/@pyscript/types");
    r.onsuccess = () => ok(r.result); r.onerror = () => no(new Error(String(r.error)));
  });
  const store = db.transaction("entries").objectStore("entries");
  const get = (k) => new Promise((ok) => { const r = store.get(k); r.onsuccess = () => ok(r.result); });
  const out = [await get("none"), await get("str"), await get("bytearray"), await get(7)];
  db.close();
  return JSON.stringify(out);
})()''')
import json
assert json.loads(raw) == [
    '[["1",0],"null"]',
    '[["1","2"],"generic","héllo ✓ 🐍"]',
    '[["1","2"],"bytearray",[0,1,254,255]]',
    '[["1","2"],"generic","int key"]',
], raw
"""

_BASICS: tuple[Scenario, ...] = (
    Scenario(
        "reload",
        "values written and synced survive a page reload",
        (
            Python(
                """
                from pyscript_storage import storage
                s = await storage("user-preferences")
                assert dict(s.items()) == {}, dict(s.items())
                s["theme"] = "dark"
                s["font_size"] = 14
                s["settings"] = {"notifications": True, "sound": False}
                await s.sync()
                """
            ),
            Reload(),
            Python(
                """
                from pyscript_storage import storage
                s = await storage("user-preferences")
                assert dict(s.items()) == {
                    "theme": "dark", "font_size": 14,
                    "settings": {"notifications": True, "sound": False},
                }, dict(s.items())
                del s["font_size"]
                s.update(theme="light")
                await s.sync()
                """
            ),
            Reload(),
            Python(
                """
                from pyscript_storage import storage
                s = await storage("user-preferences")
                assert dict(s.items()) == {
                    "theme": "light", "settings": {"notifications": True, "sound": False},
                }, dict(s.items())
                """
            ),
        ),
    ),
    Scenario(
        "restart",
        "values survive quitting the browser and starting it again on the same profile",
        (
            Python(
                """
                from pyscript_storage import storage
                s = await storage("restart")
                s["counter"] = 1
                s["payload"] = {"list": list(range(100))}
                await s.sync()
                """
            ),
            Restart(),
            Python(
                """
                from pyscript_storage import storage
                s = await storage("restart")
                stored = dict(s.items())
                assert stored == {"counter": 1, "payload": {"list": list(range(100))}}, stored
                """
            ),
        ),
    ),
    Scenario(
        "origins",
        "a store written on one origin is invisible on another",
        (
            Python(
                """
                from pyscript_storage import storage
                s = await storage("shared-name")
                s["origin"] = "first"
                await s.sync()
                """
            ),
            Visit(1),
            Python(
                """
                from pyscript_storage import storage
                s = await storage("shared-name")
                assert dict(s.items()) == {}, dict(s.items())
                s["origin"] = "second"
                await s.sync()
                """
            ),
            Visit(0),
            Python(
                """
                from pyscript_storage import storage
                s = await storage("shared-name")
                assert dict(s.items()) == {"origin": "first"}, dict(s.items())
                """
            ),
        ),
    ),
    Scenario(
        "names",
        "two names in one origin are separate stores (one written with relaxed durability)",
        (
            Python(
                """
                from pyscript_storage import storage
                settings = await storage("app-settings")
                cache = await storage("api-cache", durability="relaxed")
                settings["k"] = "settings"
                cache["k"] = "cache"
                cache["only-in-cache"] = 1
                await settings.sync()
                await cache.sync()
                """
            ),
            Reload(),
            Python(
                """
                from pyscript_storage import storage
                found = {}  # a loop: on MicroPython a comprehension with await is a generator
                for name in ("app-settings", "api-cache"):
                    found[name] = dict((await storage(name)).items())
                settings, cache = {"k": "settings"}, {"k": "cache", "only-in-cache": 1}
                assert found == {"app-settings": settings, "api-cache": cache}, found
                """
            ),
        ),
    ),
    Scenario(
        "round-trip",
        "every supported type reads back equal and of the documented type after a reload,"
        " stored in upstream PyScript's format",
        (Python.call(_round_trip_write), Reload(), Python.call(_round_trip_check), Python(_RAW_FORMAT_CHECK)),
    ),
    Scenario(
        "unsupported",
        "unsupported values raise TypeError and leave the store and its queue unchanged",
        (
            Python(
                """
                from pyscript_storage import storage
                s = await storage("strict")
                s["keep"] = [1, 2]
                await s.sync()
                failures = 0
                for bad in ({1, 2}, object(), b"bytes", print, [bytearray(b"x")], {1: "int key"}):
                    try:
                        s["bad"] = bad
                    except TypeError:
                        failures += 1
                try:
                    s.update({"fine": 1, "bad": {3}})
                except TypeError:
                    failures += 1
                try:
                    s[(1, None)] = "tuple key holding None"
                except TypeError:
                    failures += 1
                assert failures == 8, failures
                assert dict(s.items()) == {"keep": [1, 2]}, dict(s.items())
                await s.sync()
                """
            ),
            Reload(),
            Python(
                """
                from pyscript_storage import storage
                s = await storage("strict")
                assert dict(s.items()) == {"keep": [1, 2]}, dict(s.items())
                """
            ),
        ),
    ),
    Scenario(
        "worker",
        "the module works inside a Web Worker, and the page reads what the worker wrote",
        (
            Python(
                """
                import js
                from pyscript_storage import storage
                in_worker = "typeof WorkerGlobalScope !== 'undefined' && self instanceof WorkerGlobalScope"
                assert js.eval(in_worker) is True, "this step did not run in a worker"
                s = await storage("from-worker")
                s["where"] = "worker"
                s["data"] = bytearray(b"binary")
                await s.sync()
                """,
                worker=True,
            ),
            Reload(),
            Python(
                """
                from pyscript_storage import storage
                s = await storage("from-worker")
                assert dict(s.items()) == {"where": "worker", "data": bytearray(b"binary")}, dict(s.items())
                """
            ),
        ),
    ),
)


async def _write_in_a_pyscript_worker() -> str:
    """In the interpreter of a PyScript ``<script worker>``, with the package installed by its own code."""
    import sys

    import js

    from pyscript_storage import Storage, storage

    assert not hasattr(js, "document"), "this step did not run in a worker"
    s: Storage = await storage("from-pyscript-worker")
    s["where"] = "a PyScript worker script"
    s["data"] = bytearray(b"binary")
    s["interpreter"] = sys.implementation.name
    await s.sync()
    return str(sys.implementation.name)


async def _read_what_the_pyscript_worker_wrote() -> None:
    import sys

    from pyscript_storage import Storage, storage

    s: Storage = await storage("from-pyscript-worker")
    expected = {
        "where": "a PyScript worker script",
        "data": bytearray(b"binary"),
        "interpreter": sys.implementation.name,
    }
    assert dict(s.items()) == expected, dict(s.items())


_BASICS += (
    Scenario(
        "pyscript-worker",
        'the module in a PyScript worker script (<script type="mpy" worker>, or type="py"), installed '
        "by the worker's own code; the runner page reads what it wrote",
        (
            Visit(0, "pyscript-worker"),
            Python.call(_write_in_a_pyscript_worker, worker=True),
            Visit(0, "runner"),
            Python.call(_read_what_the_pyscript_worker_wrote),
        ),
    ),
)

BASICS = tuple(replace(scenario, interpreters=BOTH) for scenario in _BASICS)
