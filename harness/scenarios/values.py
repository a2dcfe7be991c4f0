"""Values that upstream's format allows but that are easy to lose."""

from __future__ import annotations

from .model import Python, Reload, Scenario

HARD_VALUES: tuple[Scenario, ...] = (
    Scenario(
        "hard-values",
        "circular and shared references, 10,000-deep nesting, lone surrogates and NUL,"
        " and multi-megabyte values round-trip exactly",
        (
            Python(
                """
                import random
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
                s["surrogates"] = "lone \\ud800 high, lone \\udfff low, pair \\U0001f40d"
                s["nul"] = "before\\x00after\\x00"
                s["lone \\udc00 key"] = "key with a lone surrogate"
                s["nul\\x00key"] = "key with NUL"
                rng = random.Random(2026)  # the check regenerates the same data
                s["big-str"] = "".join(chr(rng.randrange(32, 0x2FFF)) for _ in range(5 * 2**20))
                s["big-bytes"] = bytearray(rng.randbytes(2**20))
                s["big-list"] = list(range(200_000))
                await s.sync()
                """
            ),
            Reload(),
            Python(
                """
                import random
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
                assert s["surrogates"] == "lone \\ud800 high, lone \\udfff low, pair \\U0001f40d"
                assert s["nul"] == "before\\x00after\\x00"
                assert s["lone \\udc00 key"] == "key with a lone surrogate"
                assert s["nul\\x00key"] == "key with NUL"
                rng = random.Random(2026)
                assert s["big-str"] == "".join(chr(rng.randrange(32, 0x2FFF)) for _ in range(5 * 2**20))
                assert s["big-bytes"] == bytearray(rng.randbytes(2**20))
                assert type(s["big-bytes"]) is bytearray
                assert s["big-list"] == list(range(200_000))
                result = {"big-str": len(s["big-str"]), "big-bytes": len(s["big-bytes"])}
                """
            ),
        ),
    ),
)
