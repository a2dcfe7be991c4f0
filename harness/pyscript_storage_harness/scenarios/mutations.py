"""Every way of changing a Storage persists (upstream keeps most of them in memory only)."""

from __future__ import annotations

from dataclasses import replace

from .model import BOTH, Python, Reload, Scenario

_MUTATIONS: tuple[Scenario, ...] = (
    Scenario(
        "mutations",
        "update (every call form), setdefault, pop, popitem, |=, del and clear all persist",
        (
            Python(
                """
                import sys
                from pyscript_storage import storage
                micropython = sys.implementation.name == "micropython"
                s = await storage("mutations")
                s["gone"] = 1
                s.update({"mapping": 1})
                s.update([("pairs", 2)])
                s.update(keywords=3)
                s.update({"both": 4}, more=5)
                s.update(iter([("iterator", 6)]))
                if micropython:  # |= never calls a dict subclass's __ior__ there: nothing is queued (docs)
                    alias = s
                    alias |= {"unsaved": 0}
                    assert type(alias) is dict and alias["unsaved"] == 0, type(alias)
                    s.update(ior=7)
                else:
                    s |= {"ior": 7}
                assert s.setdefault("default", 8) == 8
                assert s.setdefault("default", 9) == 8
                s["popped"] = "x"
                assert s.pop("popped") == "x"
                assert s.pop("missing", "fallback") == "fallback"
                s["last"] = "popitem"
                if micropython:  # its dicts keep no insertion order: popitem takes any item (docs)
                    key, value = s.popitem()
                    assert key not in s and value is not None, (key, value)
                    if key != "last":
                        s[key] = value
                        del s["last"]
                else:
                    assert s.popitem() == ("last", "popitem")
                del s["gone"]
                await s.sync()
                result = dict(s.items())
                """
            ),
            Reload(),
            Python(
                """
                from pyscript_storage import storage
                s = await storage("mutations")  # on MicroPython, "unsaved" (|=) did not persist
                assert dict(s.items()) == {
                    "mapping": 1, "pairs": 2, "keywords": 3, "both": 4, "more": 5,
                    "iterator": 6, "ior": 7, "default": 8,
                }, dict(s.items())
                s.clear()
                s["after-clear"] = True
                await s.sync()
                """
            ),
            Reload(),
            Python(
                """
                from pyscript_storage import storage
                s = await storage("mutations")  # on MicroPython, "unsaved" (|=) did not persist
                assert dict(s.items()) == {"after-clear": True}, dict(s.items())
                """
            ),
        ),
    ),
    Scenario(
        "subclass-writes",
        "a subclass overriding __setitem__ (the seed's LoggingStorage, ValidatingStorage)"
        " sees every write, whichever dict method made it",
        (
            Python(
                """
                from pyscript import storage, Storage

                seen = []

                class LoggingStorage(Storage):
                    def __setitem__(self, key, value):
                        seen.append(key)
                        super().__setitem__(key, value)

                class ValidatingStorage(Storage):
                    def __setitem__(self, key, value):
                        if not isinstance(key, str):
                            raise TypeError("Keys must be strings")
                        super().__setitem__(key, value)

                logged = await storage("logged", storage_class=LoggingStorage)
                logged["item"] = 1
                logged.update({"update": 2}, kw=3)
                logged.setdefault("setdefault", 4)
                import sys
                if sys.implementation.name == "micropython":  # no |= on a dict subclass there (docs)
                    logged.update(ior=5)
                else:
                    logged |= {"ior": 5}
                assert seen == ["item", "update", "kw", "setdefault", "ior"], seen

                validated = await storage("validated", ValidatingStorage)
                validated["ok"] = 1
                for write in (
                    lambda: validated.__setitem__(1, "x"),
                    lambda: validated.update({2: "x"}),
                    lambda: validated.setdefault(3, "x"),
                ):
                    try:
                        write()
                    except TypeError as error:
                        assert "Keys must be strings" in str(error)
                    else:
                        raise AssertionError("ValidatingStorage let a non-str key through")
                await logged.sync()
                await validated.sync()
                """
            ),
            Reload(),
            Python(
                """
                from pyscript import storage
                logged = await storage("logged")
                validated = await storage("validated")
                assert dict(logged.items()) == {"item": 1, "update": 2, "kw": 3, "setdefault": 4, "ior": 5}
                assert dict(validated.items()) == {"ok": 1}, dict(validated.items())
                """
            ),
        ),
    ),
)

MUTATIONS = tuple(replace(scenario, interpreters=BOTH) for scenario in _MUTATIONS)
