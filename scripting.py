"""``import scripting``: the Scripting app's module name for the flat Storage API.

Installed with pyscript_storage so scripts written for the app run unchanged:
``import scripting; Storage = scripting.Storage``. In the browser the page
runs ``await scripting.ready(name)`` before the script (see
pyscript_storage.scripting).
"""

from pyscript_storage.scripting import Script, ScriptExit, Storage, ready, sync

__all__ = ["Script", "ScriptExit", "Storage", "ready", "sync"]
