"""``import scripting``: the Scripting app's module name for the flat Storage API.

Installed with pyscript_storage so scripts written for the app run unchanged:
``import scripting; Storage = scripting.Storage``.
"""

from pyscript_storage.scripting import Script, Storage

__all__ = ["Script", "Storage"]
