"""Hostile input (issue 7): a table of bad keys and values, each refused at set time.

Every entry goes through several doors (``s[k] = v``, ``update``,
``setdefault``, ``|=``) and must raise TypeError or ValueError with the
dict and the write queue unchanged; after a sync and a reload the store
holds exactly what it held before. The table runs on the page, with
JavaScript proxies among the bad values.
"""

from __future__ import annotations

from typing import Any

from .model import BOTH, Python, Reload, Scenario

ENTRIES = 85  # 57 values and 28 keys; MicroPython: 82 (no decimal or fractions module)


async def _try_everything(entries: int) -> dict[str, Any]:
    """Each bad key and value through every door: refused, the dict and the queue unchanged."""
    import datetime
    import pathlib

    import js

    from pyscript_storage import Storage, storage

    class Custom:
        pass

    def nested(depth: int, leaf: Any) -> Any:
        value = leaf
        for _ in range(depth):
            value = [value]
        return value

    cyclic: list[Any] = []
    cyclic.append(cyclic)
    cyclic.append({1, 2})  # a cycle with something unstorable in it

    bad_values: list[Any] = [
        set(), frozenset({1}), {1, 2}, object(), Custom(), lambda: 1, print, len, type, Custom,
        complex(1, 2), b"bytes", bytes(3), range(3), iter([1]), (x for x in "ab"), ...,
        NotImplemented, ValueError("x"),
        datetime.date(2024, 1, 1), datetime.datetime(2024, 1, 1), pathlib.Path("/tmp"),
        float("nan"), float("inf"), float("-inf"), [1, float("nan")], {"x": float("inf")},
        [bytearray(b"x")], {"k": bytearray(b"x")}, [memoryview(b"x")], ({"b": b"x"},),
        {1: "int key"}, {(1, 2): "tuple key"}, {None: 1}, {"ok": {2.5: "float key"}},
        [{1, 2}], {"deep": [[{"set": {3}}]]}, 10**5000, [10**5000], cyclic,
        nested(5000, set()), nested(100_000, object()),
        js.Object.new(), js.Array.new(), js.Map.new(), js.eval("() => 1"), js.Uint8Array.new(3),
        js.JSON.parse('{"a": 1}'), js.Promise.resolve(1), js.Symbol("s"), js.Date.new(0),
        [js.Object.new()], {"js": js.Array.new()},
    ]  # fmt: skip
    if hasattr(js, "document"):
        bad_values += [js.document, js.document.body]
    bad_keys: list[Any] = [
        None, True, False, [1], [], {}, set(), frozenset(), object(), b"key", bytearray(b"k"),
        2**53, -(2**53), 10**20, float("nan"), float("inf"), float("-inf"), complex(1, 0),
        (1, [2]), (None,), ((True,),), ("a", (1, {})), (float("nan"),), Custom(), print,
        js.Object.new(), js.Array.new(),
    ]  # fmt: skip
    left_out = []
    try:  # not in MicroPython
        import decimal
        import fractions
    except ImportError:
        left_out.append("Decimal and Fraction values and a Decimal key: no decimal or fractions module here")
    else:
        bad_values += [decimal.Decimal("1.5"), fractions.Fraction(1, 3)]
        bad_keys += [decimal.Decimal(1)]

    s: Storage = await storage("hostile")
    s["kept"] = {"a": [1, 2.5, None, True]}
    s[("tuple", 1)] = "tuple key"
    await s.sync()
    baseline = dict(s.items())
    queue = s._store.queue

    def refused(action: Any, what: str) -> None:
        try:
            action()
        except (TypeError, ValueError):
            pass
        else:
            raise AssertionError(f"accepted {what}")
        assert dict(s.items()) == baseline, f"{what} changed the dict: {sorted(map(repr, s))}"
        assert not queue._pending, f"{what} queued a write"

    tried = 0
    for value in bad_values:
        what = f"value {type(value).__name__}"
        refused(lambda: s.__setitem__("bad", value), what)  # noqa: B023 - called at once
        refused(lambda: s.update({"fine": 1, "bad": value}), f"{what} in update()")  # noqa: B023
        refused(lambda: s.update(fine=1, bad=value), f"{what} in update(**kw)")  # noqa: B023
        refused(lambda: s.setdefault("bad", value), f"{what} in setdefault()")  # noqa: B023
        refused(lambda: s.__ior__({"bad": value}), f"{what} in |=")  # noqa: B023
        refused(lambda: s.__setitem__("kept", value), f"{what} over an existing key")  # noqa: B023
        tried += 1
    for key in bad_keys:
        what = f"key {type(key).__name__} {key!r:.40}"
        refused(lambda: s.__setitem__(key, 1), what)  # noqa: B023
        refused(lambda: s.update([("fine", 1), (key, 1)]), f"{what} in update()")  # noqa: B023
        refused(lambda: s.setdefault(key, 1), f"{what} in setdefault()")  # noqa: B023
        tried += 1
    expected = entries - 3 * len(left_out)
    assert tried == expected, f"the table has {tried} entries here; {expected} expected"
    await s.sync()
    return {"figures": {"bad inputs tried": tried}, "notes": [f"left out: {why}" for why in left_out]}


_UNCHANGED_AFTER_RELOAD = Python(
    """
    from pyscript_storage import storage
    s = await storage("hostile")
    expected = {"kept": {"a": [1, 2.5, None, True]}, ("tuple", 1): "tuple key"}
    assert dict(s.items()) == expected, dict(s.items())
    """
)

HOSTILE: tuple[Scenario, ...] = (
    Scenario(
        "hostile-input",
        "a table of 85 bad inputs, 57 values and 28 keys (sets, objects, functions, JS proxies, NaN, nested "
        "binary, huge ints, cycles, deep nesting...) refused at set time through every door, "
        "dict and queue unchanged, store unchanged after a reload",
        (Python.call(_try_everything, ENTRIES), Reload(), _UNCHANGED_AFTER_RELOAD),
        interpreters=BOTH,
    ),
)
