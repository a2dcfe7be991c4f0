"""pytest plugin: test your storage code in real browsers (registered as ``pytest11``).

Options, in the style of pytest-playwright's ``--browser``:
    --engine PROJECT   a project of playwright.config.toml; repeat for several (default: all)
    --interpreter NAME pyodide or micropython; repeat for both (default: both):
                       the page's Python for storage_page, and the scenarios' rows
    --wheel PATH       the wheel under test (default: built from the source tree)
    --harness-config   another playwright.config.toml

Fixtures:
    storage_page     a fresh browser of each chosen engine on a fresh profile, showing
                     a page where pyscript_storage is installed, on each chosen
                     interpreter (tests are parametrized over both):
                     ``.run(python)``, ``.js(code)``, ``.reload()``, ``.restart()``,
                     ``.visit(origin=1)``, ``.interpreter``.
    project          the engine's project (parametrized), for tests that drive a browser themselves
    harness_session  the server on two origins, Playwright and the wheel (once per session)
    built_wheel      the wheel under test

At the end the scenario x engine matrix is printed with each engine's version.
"""

from __future__ import annotations

import tempfile
import textwrap
import time
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from . import assets
from .config import DEFAULT_PATH, Project, load
from .drivers import Driver
from .report import print_matrix
from .results import Cell, Run
from .runner import Session
from .scenarios import INTERPRETERS, Interpreter
from .wheel import Wheel, build, inspect

__all__ = ["StoragePage", "record", "selected_interpreters"]

_RUN_KEY = pytest.StashKey[Run]()
_STARTED_KEY = pytest.StashKey[float]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("pyscript-storage", "real-browser storage tests")
    group.addoption(
        "--engine",
        action="append",
        default=[],
        metavar="PROJECT",
        help="browser project from playwright.config.toml (chromium, firefox, webkit); repeatable",
    )
    group.addoption(
        "--interpreter",
        action="append",
        default=[],
        choices=INTERPRETERS,
        help="PyScript interpreter the scenarios run on (pyodide, micropython); repeatable; default: both",
    )
    group.addoption("--wheel", type=Path, help="wheel under test (default: build from source)")
    group.addoption("--harness-config", type=Path, default=DEFAULT_PATH, help="browser projects")


def _projects(config: pytest.Config) -> list[Project]:
    harness_config = load(config.getoption("harness_config"))
    names = config.getoption("engine")
    return [harness_config.project(n) for n in names] if names else list(harness_config.projects)


def selected_interpreters(config: pytest.Config) -> tuple[Interpreter, ...]:
    """The interpreters chosen with --interpreter (default: both)."""
    chosen = config.getoption("interpreter")
    return tuple(i for i in INTERPRETERS if i in chosen) if chosen else INTERPRETERS


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "page_interpreter" in metafunc.fixturenames:
        chosen = selected_interpreters(metafunc.config)
        metafunc.parametrize("page_interpreter", chosen, ids=list(chosen))
    if "project" in metafunc.fixturenames:
        projects = _projects(metafunc.config)
        metafunc.parametrize("project", projects, ids=[p.name for p in projects], scope="session")


@pytest.fixture(scope="session")
def built_wheel(request: pytest.FixtureRequest) -> Iterator[Wheel]:
    """The wheel under test: --wheel, or one built from the source tree for this session."""
    given = request.config.getoption("wheel")
    if given:
        yield inspect(given)
        return
    with tempfile.TemporaryDirectory(prefix="pyscript-storage-wheel-") as tmp:
        yield build(Path(tmp))


@pytest.fixture(scope="session")
def harness_session(request: pytest.FixtureRequest, built_wheel: Wheel) -> Iterator[Session]:
    """The server on two origins, Playwright, and the wheel under test (one per xdist worker)."""
    artifacts = Path(request.config.rootpath) / "reports" / "e2e"
    with Session(load(request.config.getoption("harness_config")), built_wheel, artifacts) as session:
        yield session


class _Collector:
    """Gathers the cells tests recorded into the run's matrix (in the xdist controller too)."""

    def __init__(self, run: Run) -> None:
        self.run = run

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when != "call":
            return
        for name, value in report.user_properties:
            if name == "harness_cell" and isinstance(value, dict):
                cell = Cell(**value)
                self.run.cells.append(cell)
                if self.run.engines.get(cell.project, "unknown") == "unknown":
                    self.run.engines[cell.project] = cell.engine_version
            elif name == "harness_wheel" and isinstance(value, dict):
                self.run.wheel = value


def pytest_configure(config: pytest.Config) -> None:
    run = Run(wheel={}, interpreter=assets.interpreters_label())
    config.stash[_RUN_KEY] = run
    config.stash[_STARTED_KEY] = time.monotonic()
    config.pluginmanager.register(_Collector(run), "pyscript-storage-collector")


class StoragePage:
    """A real browser showing a page with pyscript_storage installed, for one test."""

    def __init__(self, session: Session, driver: Driver, interpreter: Interpreter = "pyodide") -> None:
        self.session = session
        self.driver = driver
        self.interpreter = interpreter  # the page's Python: "pyodide" or "micropython"

    @property
    def engine_version(self) -> str:
        return self.driver.version

    def run(self, code: str, *, timeout: float = 60) -> Any:
        """Run Python (top-level await allowed; steps share variables); the value of ``result``.

        A Python exception fails the test with the page's traceback.
        """
        return self.driver.run_python(textwrap.dedent(code), timeout_ms=int(timeout * 1000))

    def js(self, code: str, *, timeout: float = 60) -> Any:
        """Run JavaScript on the page as an async function body; what it returns."""
        return self.driver.run_javascript(textwrap.dedent(code), timeout_ms=int(timeout * 1000))

    def reload(self) -> None:
        """Reload the page: a new interpreter, the same IndexedDB."""
        self.driver.reload()

    def restart(self) -> None:
        """Quit the browser and start it again on the same profile."""
        self.driver.restart()

    def visit(self, origin: int = 1) -> None:
        """Open the page on another origin of the server (0 is the first)."""
        self.driver.goto(self.session.url(origin, interpreter=self.interpreter))


@pytest.fixture
def storage_page(
    harness_session: Session, project: Project, page_interpreter: Interpreter
) -> Iterator[StoragePage]:
    """A fresh browser of ``project`` on a fresh profile, on a page with the module loaded."""
    with harness_session.driver(project) as driver:
        driver.goto(harness_session.url(0, interpreter=page_interpreter))
        yield StoragePage(harness_session, driver, page_interpreter)


def record(request: pytest.FixtureRequest, session: Session, cell: Cell) -> None:
    """Add a cell to the matrix printed at the end of the test run (xdist workers included)."""
    wheel = session.wheel
    request.node.user_properties.append(
        ("harness_wheel", {"name": wheel.name, "version": wheel.version, "sha256": wheel.sha256})
    )
    request.node.user_properties.append(("harness_cell", asdict(cell)))


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    run = config.stash.get(_RUN_KEY, None)
    if run is None or not run.cells:
        return
    run.seconds = time.monotonic() - config.stash[_STARTED_KEY]
    from rich.console import Console

    terminalreporter.section("scenario x engine matrix")
    print_matrix(run, Console(file=terminalreporter._tw._file, width=120))
