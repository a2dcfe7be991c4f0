"""Data moves both ways between upstream PyScript's storage and ours.

The same Python text writes (or checks) the store on both pages: on the
upstream page ``from pyscript import storage`` is upstream's own; on the
runner page it is the module under test (the harness's ``pyscript`` stand-in).
Each direction crosses a navigation, so the reader is a new interpreter that
sees only what reached IndexedDB.
"""

from __future__ import annotations

from .model import BOTH, Python, Scenario, Visit

_VALUES = """
VALUES = {
    "none": None, "true": True, "false": False,
    "zero": 0, "int": -123, "beyond_2_53": 2**53 + 1, "big": 2**64 + 1,
    "float": 3.14159, "minus_zero": -0.0, "whole_float": 2.0,
    "tiny": 5e-324, "huge": 1.7976931348623157e308,
    "str": "plain", "unicode": "héllo ✓ 🐍 中文", "nul": "a\\x00b", "empty_str": "",
    "list": [1, "two", None, [3.5, [True]]],
    "dict": {"a": {"b": [1, {"c": None}]}, "é": "ü", "": "empty"},
    "tuple": (1, (2, "x")),
    "bytearray": bytearray(range(256)),
    "memoryview": memoryview(bytearray(b"view")),
    "ключ ✓": "unicode key",
    "": "empty-string key",
}
MANY = {f"key-{i}": {"i": i, "s": str(i)} for i in range(1000)}
"""

_WRITE = (
    _VALUES
    + """
from pyscript import storage
s = await storage("interop")
for key, value in VALUES.items():
    s[key] = value
circular = [1]
circular.append(circular)
s["circular"] = circular
shared = ["s"]
s["shared"] = [shared, shared]
await s.sync()
many = await storage("interop-many")
for key, value in MANY.items():
    many[key] = value
await many.sync()
"""
)

_CHECK = (
    _VALUES
    + """
import math
from pyscript import storage

def as_read(value):
    # What a value reads back as: tuples become lists (documented), the rest is kept.
    if isinstance(value, tuple):
        return [as_read(item) for item in value]
    return value

s = await storage("interop")
assert set(s) == set(VALUES) | {"circular", "shared"}, sorted(set(s) ^ set(VALUES))
for key, value in VALUES.items():
    got = s[key]
    want = as_read(value)
    assert type(got) is type(want), (key, type(got).__name__, type(want).__name__)
    if isinstance(want, memoryview):
        assert bytes(got) == bytes(want), key
    else:
        assert got == want, (key, got, want)
assert math.copysign(1.0, s["minus_zero"]) == -1.0
circular = s["circular"]
assert circular[0] == 1 and circular[1] is circular
shared = s["shared"]
assert shared[0] is shared[1] and shared[0] == ["s"]
many = await storage("interop-many")
assert dict(many.items()) == MANY, len(many)
"""
)

# Which implementation `from pyscript import storage` is on each page (and which
# interpreter runs it: the page's, unless a Visit names another).
_IS_UPSTREAM = Python(
    """
    from pyscript import storage
    try:
        import pyscript_storage
    except ImportError:
        pass  # not installed on PyScript's page: storage is upstream's own
    else:
        raise AssertionError("pyscript_storage is on the upstream page")
    """
)
_IS_OURS = Python(
    """
    import pyscript_storage
    from pyscript import storage
    assert storage is pyscript_storage.storage, storage
    """
)

# Where upstream (0.7.31) and the documentation disagree, upstream's behaviour is
# pinned here so a change shows up, and ours is checked against the documentation.
_UPSTREAM_WRITES = """
from pyscript import storage
s = await storage("differences")
s["set"] = 1
s.update(updated=2)                   # documented: "all standard dictionary methods work"
s.setdefault("defaulted", 3)
s["int-keys"] = {1: "one"}            # a dict is a documented type
await s.sync()
tuple_keyed = await storage("tuple-key")
tuple_keyed[("t", 1)] = "tuple key"   # accepted at set time...
try:
    await tuple_keyed.sync()           # ...refused by IndexedDB at sync time
except Exception as error:
    assert "DataError" in str(error), error
else:
    raise AssertionError("upstream stored a tuple key")
tuple_keyed["plain"] = "after the failure"
try:
    await tuple_keyed.sync()           # and the store's queue stays rejected
except Exception as error:
    assert "DataError" in str(error), error
else:
    raise AssertionError("upstream's queue recovered")
assert ("t", 1) in tuple_keyed         # the dict shows a key that is not stored
import sys
lost = "update, setdefault and int keys lost; a tuple key jams the queue"
result = {"notes": [f"upstream on {sys.implementation.name}: {lost}"]}
"""

_UPSTREAM_READS = """
from pyscript import storage
s = await storage("differences")
# upstream: update() and setdefault() never reached IndexedDB; the int key became a str
assert dict(s.items()) == {"set": 1, "int-keys": {"1": "one"}}, dict(s.items())
assert dict((await storage("tuple-key")).items()) == {}   # nothing of that store was written
"""

_OURS_ON_THE_SAME_DATA = """
from pyscript import storage
tuple_keyed = await storage("tuple-key")
tuple_keyed[("t", 1)] = "tuple key"        # an IndexedDB array key, read back as a tuple
tuple_keyed["plain"] = "next to it"
await tuple_keyed.sync()
s = await storage("differences")
assert dict(s.items()) == {"set": 1, "int-keys": {"1": "one"}}, dict(s.items())
s.update(updated=2)
s.setdefault("defaulted", 3)
try:
    s["int-keys"] = {1: "one"}
except TypeError:
    pass  # refused at set time instead of coming back with a str key
else:
    raise AssertionError("a dict with an int key was accepted")
await s.sync()
"""

_OURS_AFTER_RELOAD = """
from pyscript import storage
s = await storage("differences")
assert dict(s.items()) == {"set": 1, "int-keys": {"1": "one"}, "updated": 2, "defaulted": 3}, dict(s.items())
tuple_keyed = await storage("tuple-key")
assert dict(tuple_keyed.items()) == {("t", 1): "tuple key", "plain": "next to it"}, dict(tuple_keyed.items())
"""

# Installs the wheel under test into the PyScript page's own interpreter, as a
# user would: Pyodide gets the wheel file unpacked into site-packages (micropip
# needs a CDN); MicroPython gets the package's files in /lib (PyScript's `files`).
_INSTALL_OURS_IN_PYSCRIPT = """
import sys
import js
if sys.implementation.name == "micropython":
    import os
    for name in js.window.harnessWheelFiles:
        response = await js.fetch(js.window.harnessWheelFilesBase + name)
        assert response.ok, (name, response.status)
        folder = ""
        for part in ["lib"] + name.split("/")[:-1]:  # /lib is on MicroPython's sys.path
            folder += "/" + part
            try:
                os.mkdir(folder)
            except OSError:
                pass  # exists
        with open("/lib/" + name, "w") as file:
            file.write(await response.text())
else:
    import io, site, zipfile
    from pyodide.http import pyfetch
    response = await pyfetch(js.window.harnessWheelUrl)
    assert response.ok, response.status
    zipfile.ZipFile(io.BytesIO(await response.bytes())).extractall(site.getsitepackages()[0])
"""

_BOTH_IN_ONE_PAGE = """
from pyscript import storage as upstream_storage
from pyscript_storage import storage
ours = await storage("side-by-side")
ours["from-ours"] = {"written": "by pyscript_storage", "n": [1, 2.5]}
await ours.sync()
theirs = await upstream_storage("side-by-side")
assert dict(theirs.items()) == {"from-ours": {"written": "by pyscript_storage", "n": [1, 2.5]}}
theirs["from-upstream"] = bytearray(b"upstream")
await theirs.sync()
again = await storage("side-by-side")
assert dict(again.items()) == {
    "from-ours": {"written": "by pyscript_storage", "n": [1, 2.5]},
    "from-upstream": bytearray(b"upstream"),
}, dict(again.items())
"""

_IS_MICROPYTHON = Python(
    """
    import sys
    assert sys.implementation.name == "micropython", sys.implementation
    """
)

# Empties both stores, so the next _WRITE starts from nothing (and is the only writer).
_CLEAR = """
from pyscript import storage
for name in ("interop", "interop-many"):
    store = await storage(name)
    store.clear()
    await store.sync()
"""

INTEROP: tuple[Scenario, ...] = (
    Scenario(
        "pyscript-page",
        "the wheel installs into a real PyScript page's interpreter and works beside upstream's storage",
        (Visit(0, "upstream"), Python(_INSTALL_OURS_IN_PYSCRIPT), Python(_BOTH_IN_ONE_PAGE)),
        interpreters=BOTH,
    ),
    Scenario(
        "interop-from-upstream",
        "a store written by upstream PyScript reads back value for value and type for type here",
        (Visit(0, "upstream"), _IS_UPSTREAM, Python(_WRITE), Visit(0, "runner"), _IS_OURS, Python(_CHECK)),
        interpreters=BOTH,
    ),
    Scenario(
        "interop-to-upstream",
        "a store written here reads back value for value and type for type in upstream PyScript",
        (Visit(0, "runner"), _IS_OURS, Python(_WRITE), Visit(0, "upstream"), _IS_UPSTREAM, Python(_CHECK)),
        interpreters=BOTH,
    ),
    Scenario(
        "across-interpreters",
        "a store written on Pyodide reads back value for value on MicroPython, and the other way"
        " round, for ours and for upstream PyScript's",
        (
            Visit(0, "runner", "pyodide"),
            Python(_WRITE),
            Visit(0, "runner", "micropython"),
            _IS_MICROPYTHON,
            Python(_CHECK),
            Python(_CLEAR),
            Python(_WRITE),
            Visit(0, "runner", "pyodide"),
            Python(_CHECK),
            Python(_CLEAR),
            Visit(0, "upstream", "micropython"),
            _IS_MICROPYTHON,
            Python(_WRITE),
            Visit(0, "upstream", "pyodide"),
            Python(_CHECK),
        ),
        not_applicable={
            "micropython": "each cell already crosses both interpreters (its pages name the one they "
            "boot): a MicroPython row would run the same steps again"
        },
    ),
    Scenario(
        "upstream-differences",
        "where upstream loses data (update/setdefault not persisted, a tuple key that fails sync"
        " and jams the queue, int keys turned to str) ours follows the documentation",
        (
            Visit(0, "upstream"),
            Python(_UPSTREAM_WRITES),
            Visit(0, "upstream"),
            Python(_UPSTREAM_READS),
            Visit(0, "runner"),
            Python(_OURS_ON_THE_SAME_DATA),
            Visit(0, "runner"),
            Python(_OURS_AFTER_RELOAD),
        ),
        interpreters=BOTH,
    ),
)
