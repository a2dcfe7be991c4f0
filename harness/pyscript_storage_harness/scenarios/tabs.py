"""Two tabs of one origin on one store (issue 7).

two-tabs: both tabs write; each flush writes only the keys it changed, so
no key of one tab is lost by the other's flush, and after a reload every
key has its last writer's value.

live-tabs: beyond upstream, ``storage(name, live=True)`` sees the other
tab's synced changes (a BroadcastChannel notice after each committed flush),
with ``on_change`` called with the keys.
"""

from __future__ import annotations

from dataclasses import replace

from .model import BOTH, Python, Reload, Scenario, Tab

TWO_TABS = Scenario(
    "two-tabs",
    "two tabs write one store: no key of one is lost by the other's flush; last writer wins",
    (
        Python(
            """
            from pyscript_storage import storage
            s = await storage("tabs")
            s["a"] = "tab 0"
            s["only0"] = 0
            await s.sync()
            """
        ),
        Tab(1),
        Python(
            """
            from pyscript_storage import storage
            s = await storage("tabs")
            assert dict(s.items()) == {"a": "tab 0", "only0": 0}, dict(s.items())
            s["a"] = "tab 1"  # the later writer of "a"
            s["only1"] = 1
            await s.sync()
            """
        ),
        Tab(0),
        Python(
            """
            # Tab 0 still holds its own view (not live) and writes one more key:
            # its flush must not write "a" or drop "only1".
            s["later0"] = "tab 0 again"
            await s.sync()
            """
        ),
        Reload(),
        Python(
            """
            from pyscript_storage import storage
            s = await storage("tabs")
            assert dict(s.items()) == {
                "a": "tab 1", "only0": 0, "only1": 1, "later0": "tab 0 again",
            }, dict(s.items())
            """
        ),
    ),
)

LIVE_TABS = Scenario(
    "live-tabs",
    "storage(name, live=True) sees another tab's synced writes, deletes and clear; on_change gets the keys",
    (
        Python(
            """
            import asyncio
            from pyscript_storage import storage
            s = await storage("live", live=True)
            s["mine"] = "tab 0"
            s["gone soon"] = 1
            await s.sync()
            seen = []
            s.on_change(lambda keys: seen.append(keys))

            async def wait_for(condition, what, seconds=10):
                for _ in range(seconds * 20):
                    if condition():
                        return
                    await asyncio.sleep(0.05)
                raise AssertionError(f"not seen in {seconds} s: {what}; dict is {dict(s.items())}")
            """
        ),
        Tab(1),
        Python(
            """
            from pyscript_storage import storage
            other = await storage("live")  # a plain store: its flushes still send notices
            other["theirs"] = {"from": "tab 1"}
            other[("t", 1)] = [1, 2]
            del other["gone soon"]
            await other.sync()
            """
        ),
        Tab(0),
        Python(
            """
            await wait_for(lambda: "theirs" in s and "gone soon" not in s, "tab 1's writes")
            assert s["theirs"] == {"from": "tab 1"} and s[("t", 1)] == [1, 2], dict(s.items())
            assert seen and set().union(*seen) == {"theirs", ("t", 1), "gone soon"}, seen
            s["mine"] = "tab 0, again"  # a local write still persists
            await s.sync()
            """
        ),
        Tab(1),
        Python(
            """
            other.clear()
            other["after clear"] = True
            await other.sync()
            """
        ),
        Tab(0),
        Python(
            """
            await wait_for(lambda: dict(s.items()) == {"after clear": True}, "tab 1's clear")
            """
        ),
    ),
)

TABS: tuple[Scenario, ...] = tuple(replace(s, interpreters=BOTH) for s in (TWO_TABS, LIVE_TABS))
