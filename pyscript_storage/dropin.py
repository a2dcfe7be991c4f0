"""The drop-in's swap (see ``dropin.js``): PyScript's ``pyscript.storage`` becomes this module.

``dropin.js`` runs :func:`install` before every script of the page, on the main
thread and in workers, so an app keeps ``from pyscript import storage`` (and
``import pyscript.storage``) and gets ``pyscript_storage``, which reads and writes
the same databases in the same format.
"""

import sys


def install() -> str:
    """Point ``pyscript.storage`` and ``pyscript.Storage`` (the package's names and the
    ``pyscript.storage`` module) at this module; its name, which the page's JavaScript
    can read as ``globalThis.pyscriptStorageModule`` (a test's way to tell)."""
    import js  # the page's global object: only in a browser
    import pyscript  # PyScript's own package, on every page the drop-in runs

    import pyscript_storage

    pyscript.storage, pyscript.Storage = pyscript_storage.storage, pyscript_storage.Storage
    sys.modules["pyscript.storage"] = pyscript_storage
    js.globalThis.pyscriptStorageModule = pyscript_storage.__name__
    return pyscript_storage.__name__
