"""pyscript_storage: PyScript's persistent ``storage`` module, done carefully.

``await storage(name)`` returns a ``Storage`` (a ``dict``) persisted to
IndexedDB in the upstream PyScript format, so data moves both ways between
this module and ``pyscript.storage``.
"""

from .engine import StorageError
from .storage import Storage, storage

__all__ = ["Storage", "StorageError", "storage"]
__version__ = "0.1.0"
