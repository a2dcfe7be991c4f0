"""The pyscript.storage documentation's own examples, run unchanged.

Each example's code is copied verbatim from the seed document
(shared/seeds/000_27cb966c9f83990f.txt) and imports through the module name
the document uses, ``pyscript``; on the runner page that name is the
harness's stand-in over the module under test. Checks follow each example.
"""

from __future__ import annotations

from .model import BOTH, Python, Reload, Scenario

_MODULE_EXAMPLE = """
from pyscript import storage


# Create or open a named storage.
my_data = await storage("user-preferences")

# Use like a regular dictionary.
my_data["theme"] = "dark"
my_data["font_size"] = 14
my_data["settings"] = {"notifications": True, "sound": False}

# Changes are queued automatically.
# To ensure immediate write, sync explicitly.
await my_data.sync()

# Read values (survives page reload).
theme = my_data.get("theme", "light")
"""

_STORAGE_CLASS_EXAMPLE = """
from pyscript import storage


# Open a storage.
prefs = await storage("preferences")

# Use as a dictionary.
prefs["color"] = "blue"
prefs["count"] = 42

# Iterate like a dict.
for key, value in prefs.items():
    print(f"{key}: {value}")

# Ensure writes complete immediately.
await prefs.sync()
"""

_SUBCLASS_EXAMPLE = """
from pyscript import storage, Storage, window


class LoggingStorage(Storage):
    def __setitem__(self, key, value):
        window.console.log(f"Setting {key} = {value}")
        super().__setitem__(key, value)

my_store = await storage("app-data", storage_class=LoggingStorage)
my_store["test"] = 123  # Logs to console.
"""

_SYNC_EXAMPLE = """
store = await storage("important-data")
store["critical_value"] = data

# Ensure it's written before proceeding.
await store.sync()
"""

_STORAGE_FUNCTION_EXAMPLE = """
from pyscript import storage


# Basic usage.
user_data = await storage("user-profile")
user_data["name"] = "Alice"
user_data["age"] = 30

# Multiple independent storages.
settings = await storage("app-settings")
cache = await storage("api-cache")

# With custom Storage class.
class ValidatingStorage(Storage):
    def __setitem__(self, key, value):
        if not isinstance(key, str):
            raise TypeError("Keys must be strings")
        super().__setitem__(key, value)

validated = await storage("validated-data", ValidatingStorage)
"""

SEED_EXAMPLES: tuple[Scenario, ...] = (
    Scenario(
        "seed-examples",
        "the pyscript.storage documentation's examples run unchanged and behave as it says",
        (
            Python(_MODULE_EXAMPLE + '\nassert theme == "dark"\n'),
            Python(
                _STORAGE_CLASS_EXAMPLE + '\nassert dict(prefs.items()) == {"color": "blue", "count": 42}\n'
            ),
            Python(
                _SUBCLASS_EXAMPLE
                + "\nassert isinstance(my_store, LoggingStorage) and my_store['test'] == 123"
                + "\nawait my_store.sync()\n"
            ),
            # The document's sync() example uses `data` without defining it.
            Python('data = {"balance": 100}\n' + _SYNC_EXAMPLE),
            # ...and its storage() example uses Storage without importing it.
            Python(
                "from pyscript import Storage\n"
                + _STORAGE_FUNCTION_EXAMPLE
                + """
try:
    validated[1] = "not a str key"
except TypeError as error:
    assert str(error) == "Keys must be strings"
else:
    raise AssertionError("ValidatingStorage accepted an int key")
validated["fine"] = "ok"
for store in (user_data, settings, cache, validated):
    await store.sync()
"""
            ),
            Reload(),
            Python(
                """
                from pyscript import storage
                assert (await storage("user-preferences")).get("theme", "light") == "dark"
                assert dict((await storage("preferences")).items()) == {"color": "blue", "count": 42}
                assert dict((await storage("app-data")).items()) == {"test": 123}
                assert dict((await storage("important-data")).items()) == {"critical_value": {"balance": 100}}
                assert dict((await storage("user-profile")).items()) == {"name": "Alice", "age": 30}
                assert not (await storage("app-settings")) and not (await storage("api-cache"))
                assert dict((await storage("validated-data")).items()) == {"fine": "ok"}
                try:
                    await storage("")
                except ValueError:
                    pass
                else:
                    raise AssertionError("an empty name was accepted")
                """
            ),
        ),
        interpreters=BOTH,
    ),
)
