"""Values that upstream's format allows but that are easy to lose.

MicroPython's variant (see docs/micropython.md): its strings are UTF-8, so they hold no
lone surrogates, and as PyScript loads it, its heap may refuse one block of
more than about 1 MiB (MemoryError), so its big values are smaller. Its random
module is the module-level one only.
"""

from __future__ import annotations

from typing import Any

from .model import BOTH, Python, Reload, Scenario

# The same pseudo-random data on both interpreters' random modules, written and checked.
# Pyodide makes its 5 MiB string from random bytes in a few calls (code units below
# 0x3000: no surrogates); a character at a time took seconds of each step's time.
# (Indented as the steps are: Python() dedents the whole step.)
_DATA = """
                import random, sys
                MICROPYTHON = sys.implementation.name == "micropython"
                STR, BYTES, LIST = (100_000, 2**16, 100_000) if MICROPYTHON else (5 * 2**20, 2**20, 200_000)
                random.seed(2026)
                if MICROPYTHON:  # no randbytes, translate or UTF-16 there
                    big_str = "".join(chr(random.randrange(32, 0x2FFF)) for _ in range(STR))
                    big_bytes = bytearray(random.getrandbits(8) for _ in range(BYTES))
                else:
                    units = bytearray(random.randbytes(2 * STR))  # UTF-16-LE: high bytes kept < 0x30
                    units[1::2] = units[1::2].translate(bytes(i % 0x30 for i in range(256)))
                    big_str = units.decode("utf-16-le")
                    big_bytes = bytearray(random.randbytes(BYTES))
"""

LARGE_KEYS = 20_000  # small entries, beside the large values
# Store sizes whose cost per key must not grow (issue #16: linear to 100,000 keys), and how
# much it may grow from one size to the next, ten times larger, before it is not linear: a
# quadratic cost grows tenfold there, n log n 1.25-fold; measured 0.6-1.2 (2026-11-28), and the
# margin is for a busy machine (the larger store's writes take seconds, the smaller's not).
SCALE_SIZES = (1_000, 10_000, 100_000)
SCALE_GROWTH_LIMIT = 3.0
OPENS_PER_SIZE = 3  # in the same fresh page, each a new connection reading and decoding everything
LARGE_VALUES = 8  # values of about a million characters each, half of them astral (two UTF-16 units)


async def _write_large_store(keys: int, values: int) -> None:
    from pyscript_storage import Storage, storage

    s: Storage = await storage("large")
    s.update({f"k{i}": {"i": i, "tag": f"entry {i}"} for i in range(keys)})
    for i in range(values):  # astral characters at odd offsets: a piece of the load's text
        # (jsbridge.js) that ended between the two halves of one would corrupt it
        s[f"big-{i}"] = f"{i}" + "\U0001f40d" * 250_000 + "x" * 500_000
    await s.sync()


async def _write_scaled_stores(sizes: list[int]) -> None:
    """Set n small entries then sync, for each size; the seconds per key are kept for the next step."""
    import time

    from pyscript_storage import Storage, storage

    per_key = {}
    for n in sizes:
        s: Storage = await storage(f"scale-{n}")  # opened before the clock: an empty store
        started = time.perf_counter()
        for i in range(n):
            s[f"key-{i}"] = {"i": i, "name": f"item {i}", "tags": ["a", "b"]}
        await s.sync()
        per_key[str(n)] = (time.perf_counter() - started) / n
    timings: Storage = await storage("scale-timings")
    timings["write then sync"] = per_key
    await timings.sync()


async def _open_scaled_stores(sizes: list[int], limit: float, opens: int) -> dict[str, Any]:
    """Open each store in a fresh page; neither open nor write may cost more per key as n grows.

    Then the Python heap the largest open store takes, beside the size of its data.
    """
    import time
    import tracemalloc

    from pyscript_storage import Storage, codec, storage

    timings: Storage = await storage("scale-timings")  # also loads the module's JavaScript, once a page
    per_key = {}
    for n in sizes:
        best = float("inf")
        for _ in range(opens):  # the best of a few: a small store's open is milliseconds
            started = time.perf_counter()
            s: Storage = await storage(f"scale-{n}")
            best = min(best, time.perf_counter() - started)
            last = n - 1
            assert len(s) == n and s[f"key-{last}"] == {"i": last, "name": f"item {last}", "tags": ["a", "b"]}
            await s.close()
        per_key[str(n)] = best / n
    figures: dict[str, int] = {}
    largest = str(max(sizes))
    opened_in = f"open (best of {opens} in a fresh page)"
    for what, seconds in (("write then sync", timings["write then sync"]), (opened_in, per_key)):
        for size, per in seconds.items():
            figures[f"{what}: microseconds per key at {int(size):,} keys"] = round(per * 1e6)
        for smaller, larger in zip(sizes, sizes[1:], strict=False):  # tenfold steps: superlinear shows
            growth = seconds[str(larger)] / seconds[str(smaller)]
            figures[f"{what}: cost per key at {larger:,}, % of at {smaller:,}"] = round(100 * growth)
            assert growth <= limit, f"{what} is not linear: {growth:.2f}x per key, {smaller:,} to {larger:,}"
    del s
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    opened: Storage = await storage(f"scale-{largest}")
    heap = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    stored = sum(len(str(key)) + len(codec.encode(value)) for key, value in opened.items())
    keys = len(opened)
    figures[f"Python heap of an open store of {keys:,} keys, bytes per key"] = round(heap / keys)
    figures["its stored text (keys and values), characters per key"] = round(stored / keys)
    return {"figures": figures}


async def _open_large_store(keys: int, values: int) -> dict[str, Any]:
    """Opened in a fresh interpreter: every entry back, exactly."""
    import time

    from pyscript_storage import Storage, storage

    started = time.time()
    s: Storage = await storage("large")
    milliseconds = round((time.time() - started) * 1000)
    assert len(s) == keys + values, len(s)
    assert all(s[f"k{i}"] == {"i": i, "tag": f"entry {i}"} for i in range(keys))
    for i in range(values):
        assert s[f"big-{i}"] == f"{i}" + "\U0001f40d" * 250_000 + "x" * 500_000, f"big-{i} differs"
    characters = sum(len(s[f"big-{i}"]) for i in range(values))
    return {"figures": {"characters in large values": characters, "open milliseconds": milliseconds}}


HARD_VALUES: tuple[Scenario, ...] = (
    Scenario(
        "hard-values",
        "circular and shared references, 10,000-deep nesting, lone surrogates and NUL,"
        " and multi-megabyte values round-trip exactly (MicroPython: no lone surrogates, smaller values)",
        (
            Python(
                _DATA
                + """
                from pyscript_storage import storage
                s = await storage("hard")
                node = {"name": "root", "children": []}
                child = {"name": "child", "parent": node}
                node["children"].append(child)
                s["graph"] = node
                shared = {"x": [1]}
                s["shared"] = {"a": shared, "b": shared, "list": [shared, shared]}
                deep = []
                inner = deep
                for _ in range(10_000):
                    inner.append([])
                    inner = inner[0]
                s["deep"] = deep
                if not MICROPYTHON:
                    s["surrogates"] = "lone \\ud800 high, lone \\udfff low, pair \\U0001f40d"
                    s["lone \\udc00 key"] = "key with a lone surrogate"
                s["nul"] = "before\\x00after\\x00"
                s["nul\\x00key"] = "key with NUL"
                s["big-str"] = big_str
                s["big-bytes"] = big_bytes
                s["big-list"] = list(range(LIST))

                await s.sync()
                """
            ),
            Reload(),
            Python(
                _DATA
                + """
                from pyscript_storage import storage
                s = await storage("hard")
                node = s["graph"]
                assert node["children"][0]["parent"] is node and node["children"][0]["name"] == "child"
                shared = s["shared"]
                assert shared["a"] is shared["b"] is shared["list"][0] is shared["list"][1]
                assert shared["a"] == {"x": [1]}
                depth, inner = 0, s["deep"]
                while inner:
                    inner, depth = inner[0], depth + 1
                assert depth == 10_000, depth
                if not MICROPYTHON:
                    assert s["surrogates"] == "lone \\ud800 high, lone \\udfff low, pair \\U0001f40d"
                    assert s["lone \\udc00 key"] == "key with a lone surrogate"
                assert s["nul"] == "before\\x00after\\x00"
                assert s["nul\\x00key"] == "key with NUL"
                assert s["big-str"] == big_str
                assert s["big-bytes"] == big_bytes
                assert type(s["big-bytes"]) is bytearray
                assert s["big-list"] == list(range(LIST))
                result = {"big-str": len(s["big-str"]), "big-bytes": len(s["big-bytes"])}
                """
            ),
        ),
        interpreters=BOTH,
    ),
    Scenario(
        "large-store",
        f"a store of {LARGE_KEYS:,} entries and {LARGE_VALUES} values of 750,000 characters (half "
        "astral) opens whole in a fresh interpreter (MicroPython once never returned from opening one "
        "of 2 MB)",
        (
            Python.call(_write_large_store, LARGE_KEYS, LARGE_VALUES),
            Reload(),
            Python.call(_open_large_store, LARGE_KEYS, LARGE_VALUES),
        ),
        interpreters=BOTH,
    ),
    Scenario(
        "scaling",
        f"writing then opening stores of {', '.join(f'{n:,}' for n in SCALE_SIZES)} small entries: the "
        f"cost per key grows at most {SCALE_GROWTH_LIMIT}x from each to the next (linear), and the Python "
        "heap of the largest open store beside the size of its data (Pyodide; MicroPython's str hash is not: "
        "docs/micropython.md)",
        (
            Python.call(_write_scaled_stores, list(SCALE_SIZES)),
            Reload(),
            Python.call(_open_scaled_stores, list(SCALE_SIZES), SCALE_GROWTH_LIMIT, OPENS_PER_SIZE),
        ),
        not_applicable={
            "micropython": "MicroPython's str hash has 16 bits, so its dicts of 100,000 string keys grow "
            "worse than linearly (36 s to open): what this scenario would fail on is the interpreter's, "
            "measured in docs/micropython.md"
        },
    ),
)
