"""``python -m pyscript_storage_harness``: the same as the ``pyscript-storage-harness`` command."""

from .cli import main

raise SystemExit(main())
