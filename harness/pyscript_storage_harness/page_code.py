"""A Python function as code for the page: its own source, called with JSON arguments.

As pytest-pyodide's ``run_in_pyodide`` does, a test (or a scenario) writes a real
function, linted and type-checked like the rest of its file; its source goes to
the page, padded with blank lines so that the page's traceback gives the
function's own file and line numbers. The function sees only what the page has:
it imports what it needs inside its body, and its arguments travel as JSON.
"""

from __future__ import annotations

import inspect
import json
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["PageCode", "page_code"]


@dataclass(frozen=True)
class PageCode:
    """Python for the page and the file name its traceback should carry."""

    python: str
    filename: str


def page_code(function: Callable[..., Any], *args: Any) -> PageCode:
    """The source of ``function`` and a call of it with ``args``, leaving its value in ``result``.

    ``async def`` functions are awaited (the page allows top-level await).
    TypeError if the function's source cannot be found (a lambda, a builtin) or an
    argument cannot travel as JSON.
    """
    if function.__name__ == "<lambda>" or not inspect.isfunction(function):
        raise TypeError(f"a page function must be a plain def or async def, not {function!r}")
    try:
        lines, first = inspect.getsourcelines(function)
        filename = inspect.getsourcefile(function) or "<page function>"
    except (OSError, TypeError) as error:
        raise TypeError(f"the source of {function.__qualname__} cannot be read: {error}") from None
    try:
        arguments = json.dumps(list(args))
    except (TypeError, ValueError) as error:
        raise TypeError(f"the arguments of {function.__qualname__} travel as JSON: {error}") from None
    source = textwrap.dedent("".join(lines)).splitlines()
    # Decorators are the test's business, not the page's: blank lines keep the numbering.
    body_starts = next(i for i, line in enumerate(source) if line.lstrip().startswith(("def ", "async def ")))
    source = [""] * body_starts + source[body_starts:]
    name = function.__name__
    awaited = "await " if inspect.iscoroutinefunction(function) else ""
    call = f"import json as _json\nresult = {awaited}{name}(*_json.loads({json.dumps(arguments)}))\n"
    python = "\n" * (first - 1) + "\n".join(source) + "\n" + call
    return PageCode(python, filename)
