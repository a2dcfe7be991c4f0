"""pytest plugin: test your storage code in real browsers (registered as ``pytest11``).

A session that asks for none of its fixtures is left alone: no config is read,
nothing is parametrized. Every option and fixture carries the ``storage`` prefix,
so it sits beside pytest-playwright in one environment.

Options:
    --storage-engine PROJECT   a project of the config; repeat for several (default: all)
    --storage-interpreter NAME pyodide or micropython; repeat for both (default: both)
    --storage-wheel PATH       the wheel under test (default: built from the checkout
                               pytest runs in, else the installed pyscript_storage)
    --storage-config PATH      a playwright.config.toml (also the ini key ``storage_config``,
                               relative to the ini file); default: the packaged projects

Fixtures:
    storage_page         a fresh browser of each chosen engine on a fresh profile, showing
                         a page where pyscript_storage is installed, on each chosen
                         interpreter (tests are parametrized over both):
                         ``.run(python)`` or ``.run(function, *args)``, ``.js(code)``,
                         ``.reload()``, ``.restart()``,
                         ``.visit(origin=1)``, ``.interpreter``.
    storage_project      the engine's project (parametrized), for tests that drive a browser themselves
    storage_interpreter  the page's interpreter (parametrized)
    storage_session      the server on two origins, Playwright and the wheel (once per session)
    storage_wheel        the wheel under test

At the end the scenario x engine matrix is printed with each engine's version.
"""

from __future__ import annotations

import re
import textwrap
import time
from collections.abc import Callable, Generator, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from . import assets
from .app import AppPage, AppServer, CdnOptions
from .config import DEFAULT_PATH, Config, ConfigError, Project, load
from .drivers import Driver, StepFailed, make_driver
from .page_code import page_code
from .recording import Recording
from .report import print_matrix
from .results import Cell, Run
from .runner import Session
from .scenarios import INTERPRETERS, Interpreter
from .shard import ShardError, parse_shard, split
from .wheel import Wheel, prepared

__all__ = ["AppPage", "StepFailed", "StoragePage", "record", "selected_interpreters"]

_RUN_KEY = pytest.StashKey[Run]()
_STARTED_KEY = pytest.StashKey[float]()
_CONFIG_KEY = pytest.StashKey[Config]()
_FAILED_KEY = pytest.StashKey[bool]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup(
        "pyscript-storage-harness", "real-browser storage tests (pyscript-storage-harness)"
    )
    group.addoption(
        "--storage-engine",
        action="append",
        default=[],
        metavar="PROJECT",
        help="browser project of the config (chromium, firefox, webkit); repeatable; default: all",
    )
    group.addoption(
        "--storage-interpreter",
        action="append",
        default=[],
        choices=INTERPRETERS,
        help="PyScript interpreter of the pages (pyodide, micropython); repeatable; default: both",
    )
    group.addoption(
        "--storage-wheel",
        type=Path,
        metavar="PATH",
        help="the pyscript_storage wheel under test (default: built from the checkout here, "
        "else the installed module)",
    )
    group.addoption(
        "--storage-config",
        type=Path,
        metavar="PATH",
        help="a playwright.config.toml with the browser projects (default: the ini key "
        "storage_config, else the packaged one)",
    )
    parser.addini(
        "storage_config", "playwright.config.toml for the storage fixtures (relative to the ini file)"
    )
    group.addoption(
        "--storage-app",
        type=Path,
        metavar="FOLDER",
        help="the PyScript app folder storage_app serves (default: the ini key storage_app)",
    )
    parser.addini("storage_app", "the PyScript app folder storage_app serves (relative to the ini file)")
    group.addoption(
        "--storage-shard",
        metavar="I/N",
        help="run only shard I of N of the collected tests (a stable split by test id, as "
        "pyscript-storage-harness run --shard does for cells)",
    )
    group.addoption(
        "--storage-cold-boot",
        action="store_true",
        help="boot Pyodide from scratch on every page, not from the session's memory snapshot of a "
        "fresh interpreter (slower; to compare)",
    )
    group.addoption(
        "--storage-fresh-browsers",
        action="store_true",
        help="a browser on a fresh profile for every scenario cell, none kept for the engine "
        "(slower; to compare, or to rule the kept browser out)",
    )
    group.addoption(
        "--storage-pyscript",
        metavar="RELEASE",
        help="storage_app pages run under this PyScript release (e.g. 2026.7.3), not the one they pin",
    )
    group.addoption(
        "--storage-exact-versions",
        action="store_true",
        help="storage_app refuses a release whose exact core npm lacks (default: the nearest later "
        "patch of its minor version, said in the page's console and storage_app.notes)",
    )
    group.addoption(
        "--storage-drop-integrity",
        action="store_true",
        help="drop integrity= from the <script>/<link> tags of files the harness serves, only those "
        "(default: such a page fails, naming the file)",
    )
    group.addoption(
        "--storage-online",
        action="store_true",
        default=None,
        help="storage_app pages load every outside address from the real network, unchanged; the "
        "harness serves only the app (also the ini key storage_online = true)",
    )
    parser.addini("storage_online", "true: storage_app pages load outside addresses from the network")
    group.addoption(
        "--storage-app-fixed",
        action="store_true",
        help="storage_app pages get pyscript_storage in place of PyScript's own pyscript.storage "
        "(does the app work with the fixed storage?); default: PyScript's own",
    )


def _ini_path(config: pytest.Config, name: str) -> Path | None:
    """An ini key's path, relative to the ini file (or the rootdir)."""
    value = config.getini(name)
    if not value:
        return None
    base = config.inipath.parent if config.inipath else config.rootpath
    return base / str(value)


def _config_path(config: pytest.Config) -> Path:
    given: Path | None = config.getoption("storage_config")
    return given or _ini_path(config, "storage_config") or DEFAULT_PATH


def storage_config(config: pytest.Config) -> Config:
    """The harness config, read once and only when a fixture of the plugin is used."""
    if _CONFIG_KEY not in config.stash:
        try:
            config.stash[_CONFIG_KEY] = load(_config_path(config), option="--storage-config")
        except ConfigError as error:
            raise pytest.UsageError(str(error)) from None
    return config.stash[_CONFIG_KEY]


def _projects(config: pytest.Config) -> list[Project]:
    harness_config = storage_config(config)
    names = config.getoption("storage_engine")
    try:
        return [harness_config.project(n) for n in names] if names else list(harness_config.projects)
    except ConfigError as error:
        raise pytest.UsageError(f"--storage-engine: {error}") from None


def selected_interpreters(config: pytest.Config) -> tuple[Interpreter, ...]:
    """The interpreters chosen with --storage-interpreter (default: both)."""
    chosen = config.getoption("storage_interpreter")
    return tuple(i for i in INTERPRETERS if i in chosen) if chosen else INTERPRETERS


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """--storage-shard I/N: keep shard I of the collected tests, deselect the rest."""
    given = config.getoption("storage_shard")
    if not given:
        return
    try:
        index, count = parse_shard(given, "--storage-shard")
    except ShardError as error:
        raise pytest.UsageError(str(error)) from None
    mine = set(split([item.nodeid for item in items], count)[index - 1])
    kept = [item for item in items if item.nodeid in mine]
    deselected = [item for item in items if item.nodeid not in mine]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "storage_interpreter" in metafunc.fixturenames:
        chosen = selected_interpreters(metafunc.config)
        metafunc.parametrize("storage_interpreter", chosen, ids=list(chosen))
    if "storage_project" in metafunc.fixturenames:
        projects = _projects(metafunc.config)
        metafunc.parametrize("storage_project", projects, ids=[p.name for p in projects], scope="session")


@pytest.fixture(scope="session")
def storage_wheel(request: pytest.FixtureRequest) -> Iterator[Wheel]:
    """The wheel under test: --storage-wheel, or one built or packed for this session."""
    with ExitStack() as stack:
        try:
            wheel = stack.enter_context(prepared(request.config.getoption("storage_wheel")))
        except ValueError as error:
            raise pytest.UsageError(str(error)) from None
        yield wheel


@pytest.fixture(scope="session")
def storage_playwright(request: pytest.FixtureRequest) -> Iterator[Any]:
    """Playwright, started once: pytest-playwright's own when it is installed (a thread runs
    only one sync Playwright), else one of ours."""
    if _beside_pytest_playwright(request.config):
        yield request.getfixturevalue("playwright")
        return
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


def _artifacts(config: pytest.Config) -> Path:
    return Path(config.rootpath) / "reports" / "e2e"


@pytest.fixture(scope="session")
def storage_session(
    request: pytest.FixtureRequest, storage_wheel: Wheel, storage_playwright: Any
) -> Iterator[Session]:
    """The server on two origins, Playwright, and the wheel under test (one per xdist worker)."""
    config = storage_config(request.config)
    cold = bool(request.config.getoption("storage_cold_boot"))
    artifacts = _artifacts(request.config)
    fresh = bool(request.config.getoption("storage_fresh_browsers"))
    with Session(
        config, storage_wheel, artifacts, storage_playwright, cold_boot=cold, fresh_browsers=fresh
    ) as session:
        yield session


def _beside_pytest_playwright(config: pytest.Config) -> bool:
    return config.pluginmanager.hasplugin("playwright")


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
    # Selenium (the WebKitGTK driver) warns about its own internals on every session.
    config.addinivalue_line("filterwarnings", "ignore:setting remote_server_addr:DeprecationWarning")
    run = Run(wheel={}, interpreter=assets.interpreters_label(), kind="tests")
    config.stash[_RUN_KEY] = run
    config.stash[_STARTED_KEY] = time.monotonic()
    config.pluginmanager.register(_Collector(run), "pyscript-storage-harness-collector")


class StoragePage:
    """A real browser showing a page with pyscript_storage installed, for one test."""

    def __init__(self, session: Session, driver: Driver, interpreter: Interpreter = "pyodide") -> None:
        self.session = session
        self.driver = driver
        self.interpreter = interpreter  # the page's Python: "pyodide" or "micropython"

    @property
    def engine_version(self) -> str:
        return self.driver.version

    def run(self, code: str | Callable[..., Any], *args: Any, timeout: float = 60) -> Any:
        """Run Python on the page; the value it leaves in ``result`` (or the function's return).

        ``code`` is text (top-level await allowed; steps share variables) or a function
        (``def`` or ``async def``) whose own source runs on the page with ``args`` (as
        JSON). A Python exception fails the test with the page's traceback, which
        gives a function's own file and line numbers.
        """
        timeout_ms = int(timeout * 1000)
        if callable(code):
            step = page_code(code, *args)
            return self.driver.run_python(step.python, timeout_ms=timeout_ms, filename=step.filename)
        if args:
            raise TypeError("arguments go with a function; code text takes none")
        return self.driver.run_python(textwrap.dedent(code), timeout_ms=timeout_ms)

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


def _recording(config: pytest.Config) -> Recording | None:
    """pytest-playwright's --headed, --slowmo, --tracing and --video, when it is installed."""
    if not _beside_pytest_playwright(config):
        return None
    headed, slow_mo = bool(config.getoption("headed")), float(config.getoption("slowmo") or 0)
    tracing, video = str(config.getoption("tracing")), str(config.getoption("video"))
    if not (headed or slow_mo or tracing != "off" or video != "off"):
        return None  # nothing to record: no scratch folder either (one a test was left behind)
    return Recording(headed=headed, slow_mo=slow_mo, tracing=tracing, video=video)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Remember a failure, for recordings kept on failure."""
    report: pytest.TestReport = yield
    if report.failed:
        item.stash[_FAILED_KEY] = True
    return report


@contextmanager
def _browser(request: pytest.FixtureRequest, start: Callable[[Recording | None], Driver]) -> Iterator[Driver]:
    """A browser for one test, recorded as pytest-playwright's options say."""
    recording = _recording(request.config)
    try:
        with start(recording) as driver:
            yield driver
    finally:
        if recording is not None:
            failed = request.node.stash.get(_FAILED_KEY, False)
            recording.finish(Path(str(request.config.getoption("output"))), request.node.nodeid, failed)


@pytest.fixture
def storage_page(
    request: pytest.FixtureRequest,
    storage_session: Session,
    storage_project: Project,
    storage_interpreter: Interpreter,
) -> Iterator[StoragePage]:
    """A fresh browser of ``storage_project`` on a fresh profile, on a page with the module loaded.

    Beside pytest-playwright, its --headed, --slowmo, --tracing, --video and --output apply
    to the Playwright engines: ``playwright show-trace <output>/<test>/trace.zip``.
    """

    def start(recording: Recording | None) -> Driver:
        return storage_session.driver(storage_project, recording=recording)

    with _browser(request, start) as driver:
        driver.goto(storage_session.url(0, interpreter=storage_interpreter))
        yield StoragePage(storage_session, driver, storage_interpreter)


@pytest.fixture(scope="session")
def storage_app_folder(request: pytest.FixtureRequest) -> Path:
    """The app folder ``storage_app`` serves: --storage-app, the ini key storage_app, or override me."""
    folder = request.config.getoption("storage_app") or _ini_path(request.config, "storage_app")
    if folder is None:
        raise pytest.UsageError(
            "storage_app needs the app's folder: --storage-app FOLDER, the ini key storage_app, "
            "or a storage_app_folder fixture of your own"
        )
    return Path(folder)


def _cdn_options(config: pytest.Config) -> CdnOptions:
    online = config.getoption("storage_online")
    if online is None:
        online = str(config.getini("storage_online")).strip().lower() in ("1", "true", "yes", "on")
    return CdnOptions(
        exact=bool(config.getoption("storage_exact_versions")),
        drop_integrity=bool(config.getoption("storage_drop_integrity")),
        online=bool(online),
        pyscript=config.getoption("storage_pyscript"),
    )


@pytest.fixture(scope="session")
def storage_app_servers() -> Iterator[dict[Path, AppServer]]:
    """The session's app servers, one per app folder, all closed when the session ends."""
    servers: dict[Path, AppServer] = {}
    try:
        yield servers
    finally:
        for server in servers.values():
            server.close()


@pytest.fixture
def storage_app_server(
    request: pytest.FixtureRequest, storage_app_folder: Path, storage_app_servers: dict[Path, AppServer]
) -> AppServer:
    """The app folder on the config's origins, its CDN addresses answered from npm packages.

    One server per folder for the whole session: test modules that each override
    ``storage_app_folder`` (two apps in one run) each get their own app."""
    folder = storage_app_folder.resolve()
    if folder not in storage_app_servers:
        try:
            storage_app_servers[folder] = AppServer(
                storage_config(request.config),
                folder,
                fixed_storage=bool(request.config.getoption("storage_app_fixed")),
                options=_cdn_options(request.config),
            )
        except ValueError as error:
            raise pytest.UsageError(str(error)) from None
    return storage_app_servers[folder]


@pytest.fixture
def storage_app(
    request: pytest.FixtureRequest,
    storage_app_server: AppServer,
    storage_playwright: Any,
    storage_project: Project,
    storage_interpreter: Interpreter,
    tmp_path: Path,
) -> Iterator[AppPage]:
    """Your PyScript app in a fresh browser of each chosen engine (fresh profile), its
    scripts switched to each chosen interpreter. ``open()`` a page first, or ``seed()`` a store."""

    def start(recording: Recording | None) -> Driver:
        return make_driver(storage_project, tmp_path / "profile", storage_playwright, recording=recording)

    with _browser(request, start) as driver:
        name = re.sub(r"[^\w.-]+", "-", request.node.name)
        yield AppPage(storage_app_server, driver, storage_interpreter, _artifacts(request.config), name)


def record(request: pytest.FixtureRequest, session: Session, cell: Cell) -> None:
    """Add a cell to the matrix printed at the end of the test run (xdist workers included)."""
    wheel = session.wheel
    request.node.user_properties.append(("harness_wheel", wheel.describe()))
    request.node.user_properties.append(("harness_cell", asdict(cell)))


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    run = config.stash.get(_RUN_KEY, None)
    if run is None or not run.cells:
        return
    run.seconds = time.monotonic() - config.stash[_STARTED_KEY]
    from rich.console import Console

    terminalreporter.section("scenario x engine matrix")
    print_matrix(run, Console(file=terminalreporter._tw._file, width=120))
