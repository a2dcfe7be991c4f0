"""The package on MicroPython's WebAssembly build (the one PyScript loads), run in Node.

The browsers run it for real (the scenarios' MicroPython rows); this checks
quickly, without a browser, that the package imports there, that it writes
the very same stored text as on CPython, and that bad input raises the same
exceptions.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from pyscript_storage import codec
from pyscript_storage_harness import assets

ROOT = Path(__file__).resolve().parents[2]
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(NODE is None, reason="Node.js is needed (bin/setup installs it)")

# Values of every kind; stored text must be identical on both interpreters.
VALUES: list[Any] = [
    None, True, False, 0, -7, 2**53 - 1, 2**70, 3.25, -0.0, 2.0, 1e300, 5e-324, 0.1 + 0.2,
    "", "héllo ✓ 🐍 中文", "a\x00b", [1, "two", [3.5, None]], (1, (2, "x")),
    {"a": {"b": [True, False]}, "": "empty", "é": "ü"}, bytearray(b"\x00\x01\xfe\xff"),
    # long strings: MicroPython escapes them itself (codec._json_string), to the same text
    "q\"b\\n\n\x01\x1f\t\x7fé🐍" * 200, ["short", "x" * 1001, {"k": "\\" * 1500}],
]  # fmt: skip
BAD: list[str] = [
    "{1, 2}", "object()", "[bytearray(b'x')]", "{1: 'int key'}", "float('nan')", "print", "[10**5000]",
]  # fmt: skip


def micropython(code: str) -> str:
    """What ``code`` prints on MicroPython; fails the test with its traceback if it raises."""
    assert NODE is not None
    done = subprocess.run(
        [NODE, str(Path(__file__).with_name("micropython_run.mjs")), str(assets.ensure(assets.MICROPYTHON)),
         str(ROOT / "pyscript_storage")],
        input=code, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


SUBNORMAL = 5e-324


def test_stored_text_is_the_same_as_on_cpython() -> None:
    code = (
        "import json\nfrom pyscript_storage import codec\n"
        f"print(json.dumps([codec.encode(v) for v in {VALUES!r}]))"
    )
    on_micropython = json.loads(micropython(code))
    on_cpython = [codec.encode(value) for value in VALUES]
    for value, ours, theirs in zip(VALUES, on_micropython, on_cpython, strict=True):
        # MicroPython spells the subnormal 4.940656458412465e-324 (the same double), and
        # lists a dict's keys in its own order (its dicts keep no insertion order).
        if value == SUBNORMAL or isinstance(value, dict):
            assert codec.decode(ours) == codec.decode(theirs), value
        else:
            assert ours == theirs, value


def test_stored_text_reads_back_the_same() -> None:
    texts = [codec.encode(value) for value in VALUES]
    expected = [codec.decode(text) for text in texts]  # tuples read back as lists on both
    code = (
        "from pyscript_storage import codec\n"
        f"for text, want in zip({texts!r}, {expected!r}):\n"
        "    got = codec.decode(text)\n"
        "    print(got == want and type(got) is type(want))\n"
    )
    assert micropython(code).split() == ["True"] * len(VALUES)


def test_bad_values_raise_the_same_exceptions() -> None:
    code = "from pyscript_storage import codec\n" + "".join(
        f"try:\n    codec.encode({bad})\n    print('accepted')\nexcept (TypeError, ValueError) as e:\n"
        "    print(type(e).__name__)\n"
        for bad in BAD
    )
    expected = []
    for bad in BAD:
        try:
            codec.encode(eval(bad))  # noqa: S307 - our own literals
            expected.append("accepted")
        except (TypeError, ValueError) as error:
            expected.append(type(error).__name__)
    assert micropython(code).split() == expected


def test_storage_queues_and_recovers_on_micropython() -> None:
    """Every dict mutation reaches the backend; a refused batch is reported and the dict reconciled."""
    code = """
from pyscript_storage import storage, Storage, StorageError
from pyscript_storage.engine import MemoryBackend

class Logged(Storage):
    seen = []
    def __setitem__(self, key, value):
        Logged.seen.append(key)
        super().__setitem__(key, value)

backend = MemoryBackend()
s = await storage("m", Logged, backend=backend)
s["a"] = 1
s.update({"b": [1, 2]}, c="x")
s.setdefault("d", None)
s.pop("c")
await s.sync()
print(sorted(backend.entries), sorted(Logged.seen))
backend.fail = "QuotaExceededError: full"
s["z"] = "refused"
try:
    await s.sync()
except StorageError as error:
    print(error.keys, "z" in s)
s["later"] = 2
await s.sync()
print(sorted(backend.entries))
"""
    lines = micropython(code).splitlines()
    assert lines == [
        "['a', 'b', 'd'] ['a', 'b', 'c', 'd']",
        "('z',) False",
        "['a', 'b', 'd', 'later']",
    ]


def test_a_listener_that_raises_is_reported_on_micropython() -> None:
    """Another page's change reaches the dict; a broken listener is printed, the next still runs."""
    code = """
from pyscript_storage import storage, codec
from pyscript_storage.engine import MemoryBackend

backend = MemoryBackend({"a": codec.encode(1)})
s = await storage("live", backend=backend)
heard = []

def broken(keys):
    raise RuntimeError("a listener's bug")

s.on_change(broken)
s.on_change(heard.append)
backend.entries["a"] = codec.encode(2)
await s._store._refresh({"keys": ["a"], "deletes": [], "clear": False})
print(s["a"], sorted(heard[0]))
"""
    assert micropython(code).splitlines()[-1] == "2 ['a']"


def test_long_texts_cross_from_javascript_whole() -> None:
    """jsbridge.text_of: pieces never split a surrogate pair; empty and huge texts arrive whole."""
    code = """
import js
from pyscript_storage import jsbridge

make = js.eval("(k, n) => Promise.resolve('a'.repeat(k) + '\\\\u{1F40D}'.repeat(n))")
for k, n in ((0, 0), (262143, 1), (262144, 1), (262145, 2), (1, 3_000_000)):
    text = await jsbridge.text_of(make(k, n))
    print(len(text) == k + n and text[:k] == "a" * k and text[k:] == "\\U0001f40d" * n)
try:
    await jsbridge.text_of(js.eval("Promise.reject(new Error('refused'))"))
except Exception as error:
    print(jsbridge.error_text(error))
"""
    assert micropython(code).splitlines() == ["True"] * 5 + ["Error: refused"]


def test_utf16_lengths_match_javascript() -> None:
    """The flush's body is cut by these lengths in JavaScript: one off and values mix."""
    texts = ["", "ascii", "é中", "🐍", "a🐍é中\U0010ffff" * 1000]
    code = (
        "import js\nfrom pyscript_storage.jsbridge import utf16_length\n"
        f"for text in {texts!r}:\n"
        "    print(utf16_length(text), js.eval('(t) => t.length')(text))\n"
    )
    lines = micropython(code).splitlines()
    assert [line.split() for line in lines] == [[str(len(t.encode("utf-16-le")) // 2)] * 2 for t in texts]


def test_a_refused_indexeddb_is_a_storage_error_on_micropython() -> None:
    """MicroPython cannot catch what a JavaScript function throws (its run stops): open() rejects instead."""
    code = """
import js
from pyscript_storage import storage, StorageError

for setup in ("value: undefined", "get() { throw new Error('IndexedDB is refused here'); }"):
    js.eval("Object.defineProperty(globalThis, 'indexedDB', {configurable: true, " + setup + "})")
    try:
        await storage("x")
    except StorageError as error:
        print(error)
"""
    assert micropython(code).splitlines() == [
        "NotSupportedError: IndexedDB is not available in this context",
        "Error: IndexedDB is refused here",
    ]


def test_a_large_allocation_is_tried_twice_on_micropython() -> None:
    """MicroPython's heap grows only after refusing an allocation: jsbridge.twice asks again."""
    code = """
from pyscript_storage import codec, jsbridge
try:
    "x" * 5242880
    print("the first allocation succeeded")
except MemoryError:
    print("refused once")
value = jsbridge.twice(lambda: "y" * 6291456)
print(len(codec.encode(value)))
"""
    refused, encoded = micropython(code).splitlines()
    assert encoded == str(len(codec.encode("y" * 6291456)))
    # Not a test of ours, a witness of the reason: if this changes, twice() may go.
    assert refused == "refused once"


def test_the_flat_api_on_micropython() -> None:
    """scripting imports there (no pathlib, typing or os.environ), and keeps its state in one object."""
    code = """
from pyscript_storage import scripting
from pyscript_storage.engine import MemoryBackend

scripting.reset(in_browser=True)
try:
    scripting.Storage.get("x")
except RuntimeError as error:
    print("ready" in str(error))
backends = {}
await scripting.ready("mp", backend=lambda name: backends.setdefault(name, MemoryBackend()))
scripting.Storage.set("b", [1, "two"])
scripting.Storage.set("a", {"x": None}, shared=True)
scripting.Storage.setData("c", b"\\x00\\xff")
await scripting.sync()
print(scripting.Storage.keys(), sorted(backends))
"""
    assert micropython(code).splitlines() == [
        "True",
        "['b', 'c'] ['@pyscript/scripting/script/mp', '@pyscript/scripting/shared']",
    ]
