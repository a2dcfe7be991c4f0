"""pytest plugin: run scenarios (or your own Python) in real browsers.

Options, in the style of pytest-playwright's ``--browser``:
    --engine PROJECT   a project of playwright.config.toml; repeat for several (default: all)
    --wheel PATH       the wheel under test (default: built from the source tree)

Fixtures: ``harness_session`` (server, Playwright and the wheel, once per test
session) and ``project`` (parametrized over the chosen engines). At the end
the scenario x engine matrix is printed with each engine's version.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from . import assets
from .config import DEFAULT_PATH, Project, load
from .report import print_matrix
from .results import Cell, Run
from .runner import Session
from .wheel import build, inspect

_RUN_KEY = pytest.StashKey[Run]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("pyscript-storage", "real-browser storage tests")
    group.addoption(
        "--engine",
        action="append",
        default=[],
        metavar="PROJECT",
        help="browser project from playwright.config.toml (chromium, firefox, webkit); repeatable",
    )
    group.addoption("--wheel", type=Path, help="wheel under test (default: build from source)")
    group.addoption("--harness-config", type=Path, default=DEFAULT_PATH, help="browser projects")


def _projects(config: pytest.Config) -> list[Project]:
    harness_config = load(config.getoption("harness_config"))
    names = config.getoption("engine")
    return [harness_config.project(n) for n in names] if names else list(harness_config.projects)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "project" in metafunc.fixturenames:
        projects = _projects(metafunc.config)
        metafunc.parametrize("project", projects, ids=[p.name for p in projects], scope="session")


@pytest.fixture(scope="session")
def harness_session(request: pytest.FixtureRequest) -> Iterator[Session]:
    """The server on two origins, Playwright, and the wheel under test."""
    config = request.config
    with tempfile.TemporaryDirectory(prefix="pyscript-storage-wheel-") as tmp:
        given = config.getoption("wheel")
        wheel = inspect(given) if given else build(Path(tmp))
        run = Run(
            wheel={"name": wheel.name, "version": wheel.version, "sha256": wheel.sha256},
            interpreter=f"Pyodide {assets.PYODIDE.version}",
        )
        config.stash[_RUN_KEY] = run
        started = time.monotonic()
        artifacts = Path(config.rootpath) / "reports" / "e2e"
        with Session(load(config.getoption("harness_config")), wheel, artifacts) as session:
            yield session
        run.seconds = time.monotonic() - started


def record(config: pytest.Config, cell: Cell) -> None:
    """Add a cell to the matrix printed at the end of the test session."""
    run = config.stash.get(_RUN_KEY, None)
    if run is not None:
        run.cells.append(cell)
        run.engines.setdefault(cell.project, cell.engine_version)
        if run.engines[cell.project] == "unknown":
            run.engines[cell.project] = cell.engine_version


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    run = config.stash.get(_RUN_KEY, None)
    if run is None or not run.cells:
        return
    from rich.console import Console

    terminalreporter.section("scenario x engine matrix")
    print_matrix(run, Console(file=terminalreporter._tw._file, width=120))
