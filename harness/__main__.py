"""The harness's command line: ``python -m harness run`` is the cross-browser suite."""

from harness.cli import main

raise SystemExit(main())
