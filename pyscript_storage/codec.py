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

import json
import math

from .jsbridge import json_check, json_text

try:  # MicroPython has no typing module, and never evaluates annotations
    from typing import Any
except ImportError:  # pragma: no cover - MicroPython
    pass

__all__ = [
    "check_json",
    "encode",
    "decode",
    "decode_table",
    "stringify",
    "parse",
    "resolve",
    "check_key",
    "restore_key",
]

# JavaScript numbers hold integers exactly only up to 2**53.
MAX_SAFE_INTEGER = 2**53 - 1
# CPython refuses to print or parse an int of more than 4300 digits (sys.set_int_max_str_digits):
# refused at set time with that reason, also on MicroPython, which would write one Pyodide cannot load.
_MAX_DIGITS_INT = 10**4300 - 1

_CONTAINERS = (list, tuple, dict)
_SCALARS = (int, float, bool, type(None))


def stringify(value: Any) -> str:
    """Flatted text of ``value``; TypeError/ValueError if it holds what JSON cannot.

    Matches npm ``flatted``'s ``stringify`` byte for byte, except that floats
    keep Python's spelling (``1.0``), so a float reads back as a float. Every
    string, list and object becomes a row of the table, referred to by its
    index; the rows are then written by the C JSON encoder in one call.
    """
    known: dict[Any, str] = {}  # strings by value, containers by id()
    table: list[Any] = []

    def relate(item: Any) -> Any:
        kind = type(item)
        if kind is str:
            ref = known.get(item)
            if ref is None:
                ref = known[item] = str(len(table))
                table.append(item)
            return ref
        if kind is int:
            if not -_MAX_DIGITS_INT <= item <= _MAX_DIGITS_INT:
                raise ValueError(
                    "cannot store an int of more than 4300 digits: Pyodide (CPython) could not read it back"
                )
            return item
        if kind is bool or item is None:
            return item
        if kind is float:
            if not math.isfinite(item):
                raise ValueError(f"cannot store NaN or infinity: JSON has neither ({item!r})")
            return item
        if kind is list or kind is dict or kind is tuple or isinstance(item, _CONTAINERS):
            ref = known.get(id(item))
            if ref is None:
                ref = known[id(item)] = str(len(table))
                table.append(item)
            return ref
        if isinstance(item, str):
            return relate(str(item))
        if isinstance(item, _SCALARS):
            return item
        if isinstance(item, (bytearray, memoryview)):
            raise TypeError(
                f"cannot store {type(item).__name__} inside a container:"
                " binary data is supported only as a top-level value"
            )
        raise TypeError(f"Cannot serialize type {type(item).__name__} for storage.")

    root = relate(value)
    if not table:  # a scalar at the top
        rows: list[Any] = [root]
    else:
        rows = []
        i = 0
        while i < len(table):
            item = table[i]
            i += 1
            if type(item) is str:
                rows.append(item)
            elif isinstance(item, dict):
                row = {}
                for key, child in item.items():
                    if type(key) is not str and not isinstance(key, str):
                        raise TypeError(
                            f"cannot store a dict with a {type(key).__name__} key ({key!r}):"
                            " keys inside stored values must be str"
                        )
                    row[key] = relate(child)
                rows.append(row)
            else:
                rows.append([relate(child) for child in item])
    return json_text(rows)


def parse(text: str) -> Any:
    """Value of a Flatted text, with shared and circular references restored."""
    return resolve(json.loads(text))


def resolve(table: Any) -> Any:
    """Value of an already JSON-parsed Flatted table (references restored in place)."""
    if not isinstance(table, list) or not table:
        raise ValueError("not Flatted text: expected a non-empty JSON array")
    for entry in table:
        kind = type(entry)
        if kind is list:
            entry[:] = [table[int(child)] if type(child) is str else child for child in entry]
        elif kind is dict:
            for key, child in entry.items():
                if type(child) is str:
                    entry[key] = table[int(child)]
    return table[0]


def encode(value: Any) -> str:
    """Stored text of ``value``; TypeError/ValueError if it cannot round-trip."""
    if value is None:
        return stringify(["null", 0])
    if isinstance(value, bytearray):
        return stringify(["bytearray", list(value)])
    if isinstance(value, memoryview):
        return stringify(["memoryview", list(bytes(value))])
    return stringify(["generic", value])


def decode(text: Any) -> Any:
    """Python value of a stored text (anything not ours comes back as is)."""
    if not isinstance(text, str):
        return text
    return decode_table(json.loads(text), text)


def decode_table(table: Any, original: Any = None) -> Any:
    """Python value of a stored text that is already JSON-parsed into its table."""
    kind, data = resolve(table)
    if kind == "null":
        return None
    if kind == "generic":
        return data
    if kind == "bytearray":
        return bytearray(data)
    if kind == "memoryview":
        return memoryview(bytearray(data))
    return original if original is not None else table


def check_json(value: Any) -> None:
    """TypeError or ValueError unless ``value`` is plain JSON: no sets, bytes, cycles or NaN."""
    json_check(value)


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
