"""The on-disk value format shared with upstream PyScript.

Every stored value is the Flatted text of ``[kind, data]`` where ``kind`` is
``"null"``, ``"generic"``, ``"bytearray"`` or ``"memoryview"``. Flatted is JSON
in which every string, list and object is moved into one flat array and
referred to by its index (written as a string), so shared and circular
references survive. Both directions here are iterative: no recursion limit
applies to deeply nested values.

``encode`` checks the whole value before producing anything, so an
unsupported value raises before any state anywhere changes.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

__all__ = ["encode", "decode", "stringify", "parse", "check_key", "restore_key"]

# JavaScript numbers hold integers exactly only up to 2**53.
MAX_SAFE_INTEGER = 2**53 - 1

_dumps_str = json.JSONEncoder(ensure_ascii=False).encode
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _json_str(text: str) -> str:
    """JSON text of a string the way JavaScript's JSON.stringify writes it."""
    out = _dumps_str(text)
    if _LONE_SURROGATE.search(out):
        # Python leaves lone surrogates raw; JS escapes them (well-formed JSON.stringify).
        out = _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", out)
    return out


def _json_scalar(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    return float.__repr__(value)


def stringify(value: Any) -> str:
    """Flatted text of ``value`` (lists, tuples, dicts with str keys, scalars).

    Matches npm ``flatted``'s ``stringify`` byte for byte, except that floats
    keep Python's spelling (``1.0``), so a float reads back as a float.
    """
    known: dict[Any, str] = {}  # str values by value, containers by id()
    table: list[Any] = []

    def relate(item: Any) -> str:
        if isinstance(item, str):
            ref = known.get(item)
            if ref is None:
                ref = known[item] = str(len(table))
                table.append(item)
            return '"' + ref + '"'
        if isinstance(item, (list, tuple, dict)):
            ref = known.get(id(item))
            if ref is None:
                ref = known[id(item)] = str(len(table))
                table.append(item)
            return '"' + ref + '"'
        return _json_scalar(item)

    relate(value)
    output: list[str] = []
    i = 0
    while i < len(table):
        item = table[i]
        i += 1
        if isinstance(item, str):
            output.append(_json_str(item))
        elif isinstance(item, dict):
            output.append("{" + ",".join(_json_str(k) + ":" + relate(v) for k, v in item.items()) + "}")
        elif isinstance(item, (list, tuple)):
            output.append("[" + ",".join(relate(v) for v in item) + "]")
    if not table:  # a scalar at the top
        output.append(_json_scalar(value))
    return "[" + ",".join(output) + "]"


def parse(text: str) -> Any:
    """Value of a Flatted text, with shared and circular references restored."""
    table = json.loads(text)
    if not isinstance(table, list) or not table:
        raise ValueError("not Flatted text: expected a non-empty JSON array")
    for entry in table:
        if isinstance(entry, list):
            for i, child in enumerate(entry):
                if isinstance(child, str):
                    entry[i] = table[int(child)]
        elif isinstance(entry, dict):
            for k, child in entry.items():
                if isinstance(child, str):
                    entry[k] = table[int(child)]
    return table[0]


def _check_generic(value: Any) -> None:
    """Raise TypeError/ValueError unless ``value`` round-trips as "generic"."""
    seen: set[int] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if item is None or isinstance(item, (bool, str)):
            continue
        if isinstance(item, int):
            continue
        if isinstance(item, float):
            if not math.isfinite(item):
                raise ValueError(f"cannot store {item!r}: JSON has no NaN or infinity")
            continue
        if isinstance(item, (list, tuple, dict)):
            if id(item) in seen:
                continue
            seen.add(id(item))
            if isinstance(item, dict):
                for k in item:
                    if not isinstance(k, str):
                        raise TypeError(
                            f"cannot store a dict with a {type(k).__name__} key ({k!r}):"
                            " keys inside stored values must be str"
                        )
                stack.extend(item.values())
            else:
                stack.extend(item)
            continue
        if isinstance(item, (bytearray, memoryview)):
            raise TypeError(
                f"cannot store {type(item).__name__} inside a container:"
                " binary data is supported only as a top-level value"
            )
        raise TypeError(f"Cannot serialize type {type(item).__name__} for storage.")


def encode(value: Any) -> str:
    """Stored text of ``value``; TypeError/ValueError if it cannot round-trip."""
    if value is None:
        return stringify(["null", 0])
    if isinstance(value, bytearray):
        return stringify(["bytearray", list(value)])
    if isinstance(value, memoryview):
        return stringify(["memoryview", list(value.tobytes())])
    _check_generic(value)
    return stringify(["generic", value])


def decode(text: Any) -> Any:
    """Python value of a stored text (anything not ours comes back as is)."""
    if not isinstance(text, str):
        return text
    kind, data = parse(text)
    if kind == "null":
        return None
    if kind == "generic":
        return data
    if kind == "bytearray":
        return bytearray(data)
    if kind == "memoryview":
        return memoryview(bytearray(data))
    return text


def check_key(key: Any) -> None:
    """Raise TypeError unless ``key`` comes back equal (and hashable) from IndexedDB.

    A key is stored as an IndexedDB key: a str, a number JavaScript holds
    exactly, or a tuple of keys (an IndexedDB array key, read back as a tuple
    by ``restore_key``). bool and None are refused, as IndexedDB refuses them.
    """
    stack = [key]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            continue
        if isinstance(item, tuple):
            stack.extend(item)
            continue
        if isinstance(item, bool) or not isinstance(item, (int, float)):
            raise TypeError(
                f"storage keys must be str, int, float or a tuple of those, not {type(item).__name__}"
            )
        if isinstance(item, int) and abs(item) > MAX_SAFE_INTEGER:
            raise TypeError(f"int key {item} is beyond 2**53 - 1 and would not come back exactly")
        if isinstance(item, float) and not math.isfinite(item):
            raise TypeError(f"float key {item!r} is not a valid IndexedDB key")


def restore_key(key: Any) -> Any:
    """A key as read from IndexedDB (arrays arrive as lists) made hashable again."""
    if isinstance(key, list):
        return tuple(restore_key(item) for item in key)
    return key
