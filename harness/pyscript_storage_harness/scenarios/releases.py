"""Stores written under older PyScript releases still read back, and ours read there.

Which releases: those whose ``pyscript.storage`` or the code under it could change
what is stored (the pyscript repository's tags: ``storage.py``, ``flatted.py``, and
the IDBMap bundled in core), read off those files' history:

- 2024.6.2 (core 0.4.50, served as 0.4.51): the first release with ``pyscript.storage``;
  Pyodide 0.26.1 (Python 3.12), MicroPython 1.24.0-preview.
- 2026.1.1 (core 0.7.12): ``storage.py`` and ``flatted.py`` rewritten (documented,
  renamed helpers, ``Storage.__store__`` now ``_store``); Pyodide 0.29.1 (Python 3.13),
  MicroPython 1.27.0.

Left out, and why: 2025.2.4 (both files restyled: ``list(value)`` for a
comprehension), 2025.8.1 (``is_none`` for ``value is None``: a JavaScript null,
which no Python value is), 2024.10.1 (IDBMap 0.3.1 -> 0.3.2: only ``close()`` added
to IDBMapSync; every release from 2024.6.2 bundles one of the two). The newest
release is the pinned core (2026.7.3). Each cell: ours writes a store; each old
release reads it and writes its own; the newest upstream and ours read every old
release's store; each value is compared with what was written (a tuple reads back
as a list, documented), and every difference is listed.
"""

from __future__ import annotations

from typing import Any

from .model import BOTH, Python, Scenario, Visit

# The releases whose storage changed, oldest first (see above).
MATRIX_RELEASES = ("2024.6.2", "2026.1.1")


async def _write_and_compare(write: str | None, read: list[str]) -> dict[str, list[str]]:
    """Compare the stores ``read`` with the values, value for value; then write them to ``write``.

    Fails listing every difference; its notes say which interpreter read and wrote.
    """
    import sys

    from pyscript import storage

    values: dict[str, Any] = {
        "none": None,
        "true": True,
        "false": False,
        "zero": 0,
        "int": -123,
        "beyond_2_53": 2**53 + 1,
        "float": 3.14159,
        "whole_float": 2.0,
        "str": "plain",
        "unicode": "héllo ✓ 🐍 中文",
        "empty_str": "",
        "list": [1, "two", None, [3.5, [True]]],
        "dict": {"a": {"b": [1, {"c": None}]}, "é": "ü"},
        "tuple": (1, (2, "x")),
        "bytearray": bytearray(range(256)),
        "memoryview": memoryview(bytearray(b"view")),
        "ключ ✓": "unicode key",
    }
    circular: list[Any] = [1]
    circular.append(circular)
    twice = ["s"]
    shared = [twice, twice]
    values["circular"], values["shared"] = circular, shared

    # Type comments, not annotations: an older Pyodide (Python 3.12) evaluates these.
    def as_read(value):  # type: (Any) -> Any
        return [as_read(item) for item in value] if isinstance(value, tuple) else value

    def same(got, want):  # type: (Any, Any) -> bool
        if want is circular:  # [1, itself]: Flatted keeps the reference
            return isinstance(got, list) and len(got) == 2 and got[0] == 1 and got[1] is got
        if want is shared:  # [x, x]: one list twice, read back as one list twice
            return isinstance(got, list) and got == want and got[0] is got[1]
        if isinstance(want, memoryview):
            return isinstance(got, memoryview) and bytes(got) == bytes(want)
        return type(got) is type(want) and got == want

    differences = []
    for name in read:
        store = await storage(name)
        keys = set(store)
        if keys != set(values):
            differences.append(f"{name}: keys {sorted(keys ^ set(values))} differ")
        for key, value in values.items():
            if key in keys and not same(store[key], as_read(value)):
                got = store[key]
                try:
                    said = f"{got!r} ({type(got).__name__}), written {value!r}"
                except RuntimeError:  # MicroPython's repr of a circular list recurses without end
                    said = f"a {type(got).__name__} that is not what was written"
                differences.append(f"{name}[{key!r}]: {said}")
    if write:
        store = await storage(write)
        for key, value in values.items():
            store[key] = value
        await store.sync()
    try:
        import pyodide  # type: ignore[import-not-found,unused-ignore]

        interpreter = f"Pyodide {pyodide.__version__}"
    except ImportError:
        interpreter = f"{sys.implementation.name} {sys.implementation.version}"
    if differences:
        raise AssertionError(f"on {interpreter}, read back differently:\n" + "\n".join(differences))
    said = f"read {', '.join(read)} value for value" if read else "read nothing"
    return {"notes": [f"{interpreter}: {said}" + (f"; wrote {write}" if write else "")]}


def _steps() -> tuple[Visit | Python, ...]:
    written = [f"by-{release}" for release in MATRIX_RELEASES]
    steps: list[Visit | Python] = [Visit(0, "runner"), Python.call(_write_and_compare, "by-ours", [])]
    for release in MATRIX_RELEASES:
        steps += [
            Visit(0, "upstream", release=release),
            Python.call(_write_and_compare, f"by-{release}", ["by-ours"]),
        ]
    steps += [Visit(0, "upstream"), Python.call(_write_and_compare, None, written)]
    steps += [Visit(0, "runner"), Python.call(_write_and_compare, None, written)]
    return tuple(steps)


RELEASES: tuple[Scenario, ...] = (
    Scenario(
        "across-releases",
        "stores written under the PyScript releases whose storage changed (2024.6.2, 2026.1.1)"
        " read back value for value in the newest upstream and here, and ours read back in each of them",
        _steps(),
        interpreters=BOTH,
    ),
)
