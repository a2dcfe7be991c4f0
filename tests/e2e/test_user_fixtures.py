"""The pytest plugin's fixtures, used as a user would (this is the README's example test)."""

from pyscript_storage_harness.pytest_plugin import StoragePage


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
