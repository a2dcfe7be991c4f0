"""The pytest plugin's fixtures, used as a user would (this is the README's example test)."""

from pathlib import Path

import pytest

from pyscript_storage_harness.pytest_plugin import StepFailed, StoragePage


def test_preferences_survive_reload_and_restart(storage_page: StoragePage) -> None:
    storage_page.run(
        """
        from pyscript_storage import storage
        prefs = await storage("prefs")
        prefs["theme"] = "dark"
        await prefs.sync()
        """
    )
    read_theme = """
        from pyscript_storage import storage
        result = (await storage("prefs"))["theme"]
    """
    storage_page.reload()  # a new interpreter: import again
    assert storage_page.run(read_theme) == "dark"
    storage_page.restart()
    assert storage_page.run(read_theme) == "dark"
    storage_page.visit(origin=1)  # another origin: its own IndexedDB
    assert storage_page.run("from pyscript_storage import storage\nresult = len(await storage('prefs'))") == 0
    assert storage_page.js("return typeof indexedDB") == "object"


async def count_visits(name: str) -> int:
    """Runs on the page: its own source goes there, the argument as JSON."""
    from pyscript_storage import storage

    store = await storage(name)
    store["visits"] = store.get("visits", 0) + 1
    await store.sync()
    return store["visits"]


def read_missing(name: str) -> None:
    import sys

    missing = name + "-missing"
    print("looking for", missing, "on", sys.implementation.name)
    raise KeyError(missing)  # the page's traceback points here


def test_functions_run_on_the_page_and_fail_with_their_own_lines(storage_page: StoragePage) -> None:
    assert storage_page.run(count_visits, "counter") == 1
    storage_page.reload()
    assert storage_page.run(count_visits, "counter") == 2
    with pytest.raises(StepFailed) as failed:
        storage_page.run(read_missing, "counter")
    source = Path(__file__).read_text().splitlines()
    line = next(n for n, text in enumerate(source, 1) if "# the page's traceback points here" in text)
    assert f'File "{__file__}", line {line}' in str(failed.value)
    assert "looking for counter-missing" in str(failed.value) and "counter-missing" in str(failed.value)
