"""What a scenario is: steps of Python and browser actions, plus expected failures.

``Python`` steps run on the current page (or in its Web Worker) and assert
what they expect themselves: a failed assertion is the cell's failure, with
its Python traceback. ``JavaScript`` steps run on the page itself (the JS
side of a page, e.g. the flat API's twin) and fail by throwing. ``Reload``,
``Restart`` and ``Visit`` act on the browser between them. ``xfail`` names
engines that truly cannot do a scenario, with the reason, so the report
shows an expected failure, never a silent skip.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from ..page_code import page_code

__all__ = [
    "Python",
    "JavaScript",
    "Kill",
    "KillStorage",
    "Tab",
    "Reload",
    "Restart",
    "Visit",
    "Scenario",
    "Step",
    "Page",
    "Interpreter",
    "INTERPRETERS",
    "BOTH",
]

# runner: plain Pyodide with the wheel under test (and a `pyscript` stand-in);
# upstream: a real PyScript page whose `pyscript.storage` is upstream's own.
Page = Literal["runner", "upstream", "pyscript-worker"]

# PyScript's two interpreters; a scenario says which it runs on.
Interpreter = Literal["pyodide", "micropython"]
INTERPRETERS: tuple[Interpreter, ...] = ("pyodide", "micropython")
BOTH = INTERPRETERS


@dataclass(frozen=True)
class Python:
    """Run Python on the page (or in its worker); the step asserts its expectations.

    ``Python.call(function, *args)`` runs a real function instead (linted and typed with
    the scenario): its own source, called with JSON arguments; a failure's traceback gives
    its file and lines.
    """

    code: str
    worker: bool = False
    filename: str | None = None  # the function's file, for a step made by call()

    def __post_init__(self) -> None:
        if self.filename is None:  # code text; a function's source keeps its line padding
            object.__setattr__(self, "code", textwrap.dedent(self.code).strip() + "\n")

    @classmethod
    def call(cls, function: Callable[..., Any], *args: Any, worker: bool = False) -> Python:
        """A step that runs ``function`` on the page with ``args``; its return value is the result."""
        code = page_code(function, *args)
        return cls(code.python, worker, code.filename)


@dataclass(frozen=True)
class JavaScript:
    """Run JavaScript on the page, as the body of an async function; it throws to fail."""

    code: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "code", textwrap.dedent(self.code).strip() + "\n")


@dataclass(frozen=True)
class Reload:
    """Reload the page: a new Python interpreter, same browser."""


@dataclass(frozen=True)
class Restart:
    """Quit the browser and start a new one on the same profile."""


@dataclass(frozen=True)
class Tab:
    """Switch to tab ``index`` of the browser; the next index opens a new tab on the runner page."""

    index: int


@dataclass(frozen=True)
class Kill:
    """SIGKILL the browser (no clean shutdown), then start a new one on the same profile.

    ``damage``: in between, damage the profile's IndexedDB files as a torn write would.
    """

    damage: bool = False


@dataclass(frozen=True)
class KillStorage:
    """SIGKILL the process that holds the profile's IndexedDB files, when it is not the browser itself.

    Only WebKit has one (its network process); Chromium and Firefox keep IndexedDB in the
    browser process, and the step fails saying so. The page lives on and reports to the
    server's mailbox under ``mail``; once that came (or ``wait`` seconds passed), the
    browser is started again on the same profile (WebKitGTK's WebDriver session does not
    survive the kill), for the next steps to check what is stored.
    """

    mail: str
    after: float = 1.0  # seconds after the step starts (the page's writes are under way)
    wait: float = 60.0


@dataclass(frozen=True)
class Visit:
    """Open a page (a new interpreter) on an origin (index into the server's origins).

    ``interpreter`` boots that one instead of the cell's (data crossing interpreters).
    ``release`` (upstream page only): that PyScript release, with the interpreter it loads
    by default, from its CDN addresses answered from npm, instead of the pinned core.
    """

    origin: int = 0
    page: Page = "runner"
    interpreter: Interpreter | None = None
    release: str | None = None

    def __post_init__(self) -> None:
        if self.release is not None and self.page != "upstream":
            raise ValueError(f"Visit(release={self.release!r}) is for the upstream page, not {self.page!r}")


Step = Python | JavaScript | Reload | Restart | Kill | KillStorage | Tab | Visit


@dataclass(frozen=True)
class Scenario:
    name: str
    doc: str
    steps: tuple[Step, ...]
    xfail: dict[str, str] = field(default_factory=dict)  # engine -> reason (a known defect)
    # engine or interpreter -> why it cannot have this scenario at all: the cell is "n/a" with
    # the reason, never run, and never closes a gate (only a real failure may). An interpreter
    # the scenario does not declare needs one, so its row says why instead of missing.
    not_applicable: dict[str, str] = field(default_factory=dict)
    quota: int | None = None  # bytes each origin may store (the engine's own knob), or the default
    # A browser that hangs or crashes fails the cell once this runs out (it is killed), and
    # the run goes on to the next cell.
    time_limit: float = 240.0
    # Where it runs (docs/micropython.md: what differs there).
    interpreters: tuple[Interpreter, ...] = ("pyodide",)

    def why_not(self, engine: str, interpreter: Interpreter) -> str | None:
        """Why this scenario cannot run in ``engine`` on ``interpreter``, or None when it can."""
        if interpreter not in self.interpreters:
            return self.not_applicable.get(interpreter) or f"{self.name} is not written for {interpreter}"
        return self.not_applicable.get(engine)

    @property
    def needs_own_browser(self) -> bool:
        """Restarts, kills or caps the browser: it cannot run in a browser kept from an earlier cell.

        Any other scenario may run, on origins of its own, in a browser an earlier
        cell of the run started (runner.Session.cell_browser): the engine keeps each
        origin's IndexedDB apart, so it sees nothing of that cell's data.
        """
        browser_steps = (Restart, Kill, KillStorage)
        return self.quota is not None or any(isinstance(step, browser_steps) for step in self.steps)
