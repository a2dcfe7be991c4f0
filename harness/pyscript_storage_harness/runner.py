"""Runs scenarios in browsers: a Session holds what cells share, run_cell runs one.

A Session starts the server (several origins), the Playwright driver process
and the wheel under test once. A cell that restarts, kills or caps its browser
gets a fresh browser on a fresh profile; any other cell runs on origins of its
own (new ports, so IndexedDB no earlier cell could reach) in a browser the
session keeps per engine, where the engine's table says that pays. Either way
cells cannot see each other's data, and a cell that fails takes its browser
with it. Everything started is stopped when the session ends, also on failure
and Ctrl-C. run_cells runs several cells at a time, each worker thread with
its own Playwright and browsers.
"""

from __future__ import annotations

import queue
import re
import shutil
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import assets, cdn
from .config import Config, Project
from .drivers import Driver, PlaywrightDriver, StepFailed, make_driver
from .engines import engine, indexeddb_record_files
from .recording import Recording
from .results import Cell, Status
from .scenarios import Interpreter, Page, Scenario, Step
from .scenarios import model as steps
from .server import Server
from .wheel import Wheel, unpack

__all__ = ["CellBrowser", "Session", "browser_action", "run_cell", "run_cells", "start_server", "PAGES"]

PAGES = {
    "runner": "/pages/runner.html",
    "upstream": "/pages/upstream.html",
    "pyscript-worker": "/pages/pyscript-worker.html",
}
# A traceback's last line: "playwright._impl._errors.TargetClosedError: ...".
_ERROR_LINE = re.compile(r"[A-Za-z_][\w.]*(Error|Exception)\b")
# Seconds past a cell's time limit that a driver which cannot kill its browser still waits.
ABORT_GRACE_SECONDS = 10.0


def start_server(config: Config, wheel: Wheel, cold_boot: bool = False) -> Server:
    """The loopback server on the configured origins: pages, both interpreters, PyScript and the wheel.

    ``cold_boot``: Pyodide boots from scratch on every page, not from the run's memory
    snapshot of a fresh interpreter (see pages/boot.js.j2): slower, for comparison.
    """
    unpacked, wheel_files = unpack(wheel, assets.cache_dir() / "wheels")
    return Server(
        {
            "/pyodide/": assets.ensure(assets.PYODIDE),
            "/micropython/": assets.ensure(assets.MICROPYTHON),
            "/pyscript/": assets.ensure(assets.PYSCRIPT_CORE),
            "/wheel/": wheel.path.parent,
            "/wheel-files/": unpacked,
        },
        {
            "pyodide_base": "/pyodide/",
            "pyodide_version": assets.PYODIDE.version,
            "pyodide_sha256": assets.PYODIDE.sha256,
            "pyodide_snapshots": not cold_boot,
            "micropython_base": "/micropython/",
            "micropython_version": assets.MICROPYTHON.version,
            "wheel_files_base": "/wheel-files/",
            "wheel_files": wheel_files,
            "pyscript_base": "/pyscript/",
            "pyscript_version": assets.PYSCRIPT_CORE.version,
            "wheel_url": f"/wheel/{wheel.path.name}",
            "wheel_name": wheel.path.name,
        },
        host=config.server.host,
        ports=config.server.ports,
        immutable=("/pyodide/", "/micropython/", "/pyscript/", cdn.PREFIX),
    )


@dataclass
class CellBrowser:
    """The browser one cell runs in, and the origins its pages are on (the session's, or new)."""

    driver: Driver
    origins: list[str]
    shared: bool  # kept by the session for other cells (see Session.cell_browser)
    healthy: bool = True  # cleared when the cell failed or ran past its limit: not kept then


class Session:
    """The server, Playwright and the wheel, shared by every cell of a run."""

    def __init__(
        self,
        config: Config,
        wheel: Wheel,
        artifacts: Path | None = None,
        playwright: Any = None,
        cold_boot: bool = False,
        fresh_browsers: bool = False,
    ) -> None:
        """``playwright``: a started Playwright to share (pytest-playwright's), else one of our own.

        One thread can run only one sync Playwright: beside pytest-playwright, both use its.
        ``cold_boot``: no Pyodide memory snapshot (see start_server). ``fresh_browsers``:
        every cell in a browser of its own, none kept (see cell_browser): slower, to compare.
        """
        self.cold_boot = cold_boot
        self.fresh_browsers = fresh_browsers
        self.config = config
        self.wheel = wheel
        self._tmp = Path(tempfile.mkdtemp(prefix="pyscript-storage-"))
        self.artifacts = artifacts
        self._playwright_manager: Any = None
        self.playwright: Any = playwright
        self.server: Server | None = None
        self._templates: dict[str, Path] = {}  # project -> its profile template (see driver())
        self._template_lock = threading.Lock()  # workers (run_cells) share the templates
        self._thread = threading.local()  # a worker thread's own Playwright (see worker())

    def __enter__(self) -> Session:
        try:
            self.server = start_server(self.config, self.wheel, self.cold_boot)
            if self.playwright is None:
                from playwright.sync_api import sync_playwright

                self._playwright_manager = sync_playwright()
                self.playwright = self._playwright_manager.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self.drop_kept_browsers()  # this thread's; each worker's drops its own (see worker())
        if self._playwright_manager is not None:
            self._playwright_manager.__exit__(None, None, None)
            self._playwright_manager = None
        self.playwright = None
        if self.server is not None:
            self.server.close()
            self.server = None
        shutil.rmtree(self._tmp, ignore_errors=True)

    @contextmanager
    def worker(self) -> Iterator[None]:
        """Cells run in this (non-main) thread with a Playwright of its own, stopped after.

        A sync Playwright belongs to the thread that started it: each worker of
        run_cells starts one; the session's own serves the thread that made it.
        """
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            self._thread.playwright = playwright
            try:
                yield
            finally:
                self.drop_kept_browsers()
                self._thread.playwright = None

    def _playwright(self) -> Any:
        return getattr(self._thread, "playwright", None) or self.playwright

    @property
    def profiles(self) -> Path:
        """The folder holding each cell's browser profile, until the session ends."""
        return self._tmp

    def driver(
        self, project: Project, quota: int | None = None, recording: Recording | None = None
    ) -> Driver:
        """A new browser for ``project`` on a fresh persistent profile (not started).

        ``quota`` caps each origin's storage (bytes) with the engine's own knob;
        ``recording``: traces and videos of Playwright's browsers (see recording.py).
        """
        profile = Path(tempfile.mkdtemp(prefix=f"{project.name}-", dir=self._tmp))
        driver = make_driver(project, profile, self._playwright(), quota=quota, recording=recording)
        # (A Playwright server's browser has no profile of ours to start from.)
        templated = engine(project.engine).profile_template and not project.connect
        if templated and isinstance(driver, PlaywrightDriver):
            _copy_profile(self._profile_template(project), profile)
        return driver

    def _profile_template(self, project: Project) -> Path:
        """A profile ``project``'s browser was started on once and closed, before any cell ran.

        It never saw a page of ours, so a copy holds no site data; a browser starts
        faster on it than on an empty folder (Firefox: no first-run set-up).
        """
        with self._template_lock:
            template = self._templates.get(project.name)
            if template is None:
                template = self._tmp / f"{project.name}-template"
                with make_driver(project, template, self._playwright()):
                    pass  # started and stopped: the profile is set up
                # The browser's own databases (Firefox's storage/permanent/chrome) may be there;
                # a web origin's may not.
                sites = [
                    f for f in indexeddb_record_files(template) if "http" in str(f.relative_to(template))
                ]
                if sites:
                    raise RuntimeError(f"the profile template {template} holds a site's IndexedDB: {sites}")
                self._templates[project.name] = template
            return template

    @contextmanager
    def cell_browser(self, scenario: Scenario, project: Project) -> Iterator[CellBrowser]:
        """The browser and origins one cell of ``scenario`` runs in, in ``project``.

        A scenario that restarts, kills or caps its browser gets a new one on a fresh
        profile (stopped after), on the session's origins. Any other, in an engine whose
        table entry says keeping pays (``keep_browser``), runs in the browser this thread
        keeps for ``project`` (started by the first such cell, which pays for it), on new
        origins no page was on: the engine keeps each origin's IndexedDB apart, so the
        cell sees nothing an earlier one stored, and it still reloads into new
        interpreters as before. The browser is dropped (stopped) when the cell fails or
        ran past its limit, and with the session (or its worker thread).
        """
        assert self.server is not None, "session not started"
        if not self.keeps_browser(scenario, project):
            with self.driver(project, quota=scenario.quota) as driver:
                yield CellBrowser(driver, list(self.server.origins), shared=False)
            return
        driver = self._kept_browser(project)
        browser = CellBrowser(driver, self.server.open_origins(len(self.server.origins)), shared=True)
        try:
            yield browser
        except BaseException:
            browser.healthy = False
            raise
        finally:
            self.server.close_origins(browser.origins)
            if browser.healthy:
                try:
                    driver.next_cell()
                except Exception:  # noqa: BLE001 - a browser that cannot go blank is not kept
                    browser.healthy = False
            if not browser.healthy:
                self.drop_kept_browsers()

    def keeps_browser(self, scenario: Scenario, project: Project) -> bool:
        """Whether a cell of ``scenario`` in ``project`` runs in a kept browser (see cell_browser)."""
        return (
            not self.fresh_browsers
            and engine(project.engine).keep_browser
            and project.driver == "playwright"  # the kept browser is left blank by Playwright
            and not project.connect  # a Playwright server's browser: killed by no one here
            and not scenario.needs_own_browser
        )

    def _kept_browser(self, project: Project) -> PlaywrightDriver:
        """This thread's kept browser for ``project``, started now if it has none.

        A thread keeps one browser at a time (another project's is stopped first), so
        N workers hold at most N kept browsers; run_cells hands each worker the cells
        of the project it holds a browser for first.
        """
        kept: PlaywrightDriver | None = getattr(self._thread, "kept", None)
        if kept is not None and kept.project.name != project.name:
            self.drop_kept_browsers()
            kept = None
        if kept is None:
            driver = self.driver(project)
            assert isinstance(driver, PlaywrightDriver), "only Playwright's browsers are kept"
            driver.__enter__()  # started: the first cell pays for it
            kept = self._thread.kept = driver
        return kept

    def drop_kept_browsers(self) -> None:
        """Stop the browser this thread keeps, if any (the next such cell starts a new one)."""
        kept: Driver | None = getattr(self._thread, "kept", None)
        self._thread.kept = None
        if kept is not None:
            kept.close()

    def url(
        self,
        origin: int = 0,
        page: Page = "runner",
        interpreter: Interpreter = "pyodide",
        origins: Sequence[str] | None = None,
        release: str | None = None,
    ) -> str:
        """The address of a page (runner or upstream PyScript) on an origin, booting ``interpreter``.

        ``origin`` indexes ``origins`` (a cell's: see cell_browser), else the server's;
        ``release``: the upstream page at that PyScript release.
        """
        assert self.server is not None, "session not started"
        path = PAGES[page]
        url = origins[origin] + path if origins is not None else self.server.url(path, origin)
        query = [f"interpreter={interpreter}"] if interpreter != "pyodide" else []
        query += [f"release={release}"] if release else []
        return f"{url}?{'&'.join(query)}" if query else url


def _copy_profile(template: Path, profile: Path) -> None:
    """``template``'s files into the empty folder ``profile`` (not its lock files)."""
    shutil.copytree(
        template,
        profile,
        symlinks=True,
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns("lock", ".parentlock"),
    )


def _run_steps(
    session: Session,
    driver: Driver,
    scenario: Scenario,
    figures: dict[str, int],
    interpreter: Interpreter,
    data_loss: list[str],
    origins: Sequence[str] | None = None,
) -> None:
    """Run the steps on ``origins``; a step whose ``result`` is ``{"figures": {...}}`` adds to ``figures``.

    Its ``"notes"`` (a list of text) go to the cell's notes, and its ``"data_loss"`` (the
    engine's reason for each database it discarded) to ``data_loss``.
    """
    if not isinstance(scenario.steps[0], steps.Visit):
        driver.goto(session.url(0, interpreter=interpreter, origins=origins))
        running = driver.run_python("import sys\nresult = sys.implementation.name")
        if running != {"pyodide": "cpython"}.get(interpreter, interpreter):
            raise StepFailed(f"the page runs {running!r}, not {interpreter}")
    for index, step in enumerate(scenario.steps, 1):
        try:
            if isinstance(step, steps.Python):
                filename = step.filename or f"<{scenario.name} step {index}>"
                result = driver.run_python(step.code, worker=step.worker, filename=filename)
                if isinstance(result, dict) and isinstance(result.get("figures"), dict):
                    for name, value in result["figures"].items():
                        figures[name] = figures.get(name, 0) + int(value)
                if isinstance(result, dict) and isinstance(result.get("notes"), list):
                    driver.notes.extend(f"step {index}: {note}" for note in result["notes"])
                if isinstance(result, dict) and isinstance(result.get("data_loss"), list):
                    data_loss.extend(str(reason) for reason in result["data_loss"])
            elif isinstance(step, steps.JavaScript):
                driver.run_javascript(step.code)
            else:
                browser_action(session, driver, step, interpreter, origins)
        except StepFailed as failure:
            raise StepFailed(f"step {index} ({type(step).__name__}) failed:\n{failure}") from None
        except Exception as error:  # a browser or driver failure: its traceback says which step
            error.add_note(f"during step {index} ({type(step).__name__}) of {scenario.name}")
            raise


def browser_action(
    session: Session,
    driver: Driver,
    step: Step,
    interpreter: Interpreter = "pyodide",
    origins: Sequence[str] | None = None,
) -> None:
    """Carry out a step that acts on the browser: reload, restart, kill, another tab or origin.

    ``origins``: the cell's (see Session.cell_browser), else the session's.
    """
    if isinstance(step, steps.Reload):
        driver.reload()
    elif isinstance(step, steps.Restart):
        driver.restart()
    elif isinstance(step, steps.Kill):
        driver.kill_and_restart(damage=step.damage)
    elif isinstance(step, steps.KillStorage):
        assert session.server is not None, "session not started"
        time.sleep(step.after)
        killed = driver.kill_storage_process()
        mail = session.server.wait_for_mail(step.mail, step.wait)
        driver.notes.append(f"killed {killed}; the page's report {'came' if mail else 'never came'}")
        driver.kill_and_restart()
    elif isinstance(step, steps.Tab):
        driver.tab(step.index, session.url(0, interpreter=interpreter, origins=origins))
    elif isinstance(step, steps.Visit):
        driver.goto(
            session.url(step.origin, step.page, step.interpreter or interpreter, origins, step.release)
        )
    else:
        raise TypeError(f"not a browser action: {step!r}")


def _remote_reason(scenario: Scenario, project: Project) -> str | None:
    """Why a scenario cannot pass on a remote browser, or None."""
    if project.remote and any(isinstance(step, (steps.Kill, steps.KillStorage)) for step in scenario.steps):
        return "a remote browser's processes cannot be SIGKILLed from here"
    if project.connect and any(isinstance(step, steps.Restart) for step in scenario.steps):
        return "a browser of a Playwright server has no persistent profile: nothing survives its restart"
    if project.driver == "webdriver":
        if any(isinstance(step, steps.Restart) for step in scenario.steps):
            return (
                "a WebDriver endpoint starts each session on a profile of its own: nothing survives a restart"
            )
        if scenario.quota is not None:
            return "a WebDriver endpoint's browser has no per-origin quota knob the harness can set"
    return None


def cases(
    chosen: Sequence[Scenario], interpreters: Sequence[Interpreter]
) -> list[tuple[Scenario, Interpreter]]:
    """The matrix's rows: each scenario on each chosen interpreter it declares, or says why not
    (an n/a row), in order."""
    return [
        (scenario, i)
        for scenario in chosen
        for i in interpreters
        if i in scenario.interpreters or i in scenario.not_applicable
    ]


def case_id(scenario: Scenario, interpreter: Interpreter) -> str:
    """A row's name as a test id: the scenario's name, with the interpreter unless Pyodide."""
    return scenario.name if interpreter == "pyodide" else f"{scenario.name}-{interpreter}"


def plan(
    chosen: Sequence[Scenario], interpreters: Sequence[Interpreter], projects: Sequence[Project]
) -> list[tuple[Scenario, Interpreter, Project]]:
    """Every cell to run, engine by engine: each row of ``cases`` in each project."""
    return [(scenario, i, project) for project in projects for scenario, i in cases(chosen, interpreters)]


def run_cells(
    session: Session,
    cells: Sequence[tuple[Scenario, Interpreter, Project]],
    retries: int = 1,
    workers: int = 1,
    on_cell: Callable[[Cell], None] = lambda cell: None,
) -> list[Cell]:
    """Run ``cells``, up to ``workers`` at a time; their results in the same order.

    A serial run leaves part of the machine idle (1.5 of 2 cores busy here): two
    workers ran the matrix in 477 s instead of 635 s; a third gained nothing, as the
    cores were then full (docs/harness.md). Each worker is a thread with its own
    Playwright and browsers; it takes the first cell in ``cells``' order of the project
    whose browser it keeps (Session.cell_browser), else the first left, so kept browsers
    are not stopped and started again for every change of engine.
    ``on_cell`` is called in this thread as each cell ends.
    """
    if workers <= 1 or len(cells) <= 1:
        serial = []
        for scenario, interpreter, project in cells:
            serial.append(run_cell(session, scenario, project, interpreter, retries))
            on_cell(serial[-1])
        return serial
    todo = list(enumerate(cells))
    todo_lock = threading.Lock()
    ended: queue.SimpleQueue[tuple[int, Cell | BaseException]] = queue.SimpleQueue()

    def take(held: str) -> tuple[int, tuple[Scenario, Interpreter, Project]] | None:
        """The next cell of project ``held`` if one is left, else the next; None when none is."""
        with todo_lock:
            same = next((n for n, (_, cell) in enumerate(todo) if cell[2].name == held), 0)
            return todo.pop(same) if todo else None

    def work() -> None:
        held = ""  # the project of this worker's last cell: its browser may be kept
        try:
            with session.worker():
                while (taken := take(held)) is not None:
                    index, (scenario, interpreter, project) = taken
                    held = project.name
                    ended.put((index, run_cell(session, scenario, project, interpreter, retries)))
        except BaseException as error:  # noqa: BLE001 - handed to the calling thread, raised there
            ended.put((-1, error))

    threads = [threading.Thread(target=work, name=f"cells-{n}", daemon=True) for n in range(workers)]
    for thread in threads:
        thread.start()
    results: dict[int, Cell] = {}
    while len(results) < len(cells):
        try:
            index, outcome = ended.get(timeout=1)  # a timeout keeps Ctrl-C responsive
        except queue.Empty:
            continue
        if isinstance(outcome, BaseException):
            raise outcome
        results[index] = outcome
        on_cell(outcome)
    for thread in threads:
        thread.join()
    return [results[index] for index in range(len(cells))]


def run_cell(
    session: Session,
    scenario: Scenario,
    project: Project,
    interpreter: Interpreter = "pyodide",
    retries: int = 1,
) -> Cell:
    """Run one scenario in a new browser of ``project`` on ``interpreter``; never raises for a failure.

    A cell whose browser broke under it (a renderer crash, a browser that did not
    launch: an error of the browser or its driver, not of a step) is run again, up to
    ``retries`` times, in a new browser; one that then passes is "flaky", never "passed",
    and its notes say why each attempt was retried. A failed step or a hung browser is
    never retried.
    """
    why_not = scenario.why_not(project.engine, interpreter)
    if why_not:
        return Cell(
            scenario.name,
            project.name,
            "n/a",
            0.0,
            detail=f"not applicable: {why_not}",
            interpreter=interpreter,
        )
    retried: list[str] = []
    while True:
        cell, broken = _attempt(session, scenario, project, interpreter)
        if not (broken and cell.status == "failed" and len(retried) < retries):
            break
        retried.append(_broke_because(cell.detail))
    if retried:
        cell.notes[:0] = [
            f"attempt {n} was retried: its browser broke: {why}" for n, why in enumerate(retried, 1)
        ]
        if cell.status == "passed":
            cell.status = "flaky"
    return cell


def _broke_because(detail: str) -> str:
    """The error line of a broken attempt's traceback, and the step it broke in.

    The traceback ends with the note naming the step (see _run_steps); the error
    itself is the line before it.
    """
    lines = [line.strip() for line in detail.strip().splitlines() if line.strip()]
    notes = [line for line in lines if line.startswith("during step ")]
    others = [line for line in lines if not line.startswith("during step ")]
    # (Playwright's messages go on over several lines: the error's own line comes first.)
    errors = [line for line in others if _ERROR_LINE.match(line)] or others
    said = (errors[-1] if errors else "?")[:300]
    return f"{said} ({notes[-1]})" if notes else said


def _attempt(
    session: Session, scenario: Scenario, project: Project, interpreter: Interpreter
) -> tuple[Cell, bool]:
    """One run of a cell, and whether its browser (not a step) broke."""
    started = time.monotonic()
    broken = False
    reason = scenario.xfail.get(project.engine) or _remote_reason(scenario, project)
    version = "unknown"
    detail = ""
    screenshot = None
    notes: list[str] = []
    figures: dict[str, int] = {}
    data_loss: list[str] = []
    expired = threading.Event()
    spent: dict[str, float] = {}
    used: dict[str, float] = {}  # CPU seconds: the browser's per phase, the harness thread's
    thread_cpu = time.thread_time()
    shared = False
    try:
        with session.cell_browser(scenario, project) as browser, _cpu_counted(browser.driver, used):
            driver, shared = browser.driver, browser.shared
            notes = driver.notes
            version = driver.version
            spent = driver.spent

            def expire() -> None:  # a hung or crashed browser: kill it, so the step's call returns
                expired.set()
                driver.abort()

            # A driver that cannot kill its browser stops waiting a little after the
            # watchdog fired: the cell then fails for its time limit, not as a broken browser.
            driver.deadline = time.monotonic() + scenario.time_limit + ABORT_GRACE_SECONDS
            watchdog = threading.Timer(scenario.time_limit, expire)
            watchdog.daemon = True
            watchdog.start()
            try:
                _run_steps(session, driver, scenario, figures, interpreter, data_loss, browser.origins)
            except Exception:
                if session.artifacts is not None:
                    screenshot = _screenshot(session.artifacts, scenario, project, interpreter, driver)
                if driver.console:
                    notes.append("page console (last lines): " + " | ".join(driver.console[-10:]))
                raise
            finally:
                watchdog.cancel()
            browser.healthy = not expired.is_set()  # a browser killed at the limit is not kept
        failed = expired.is_set()  # killed at the limit, though the last step happened to return
    except StepFailed as failure:
        failed, detail = True, str(failure)
    except Exception:  # noqa: BLE001 - a broken browser is this cell's failure, not the run's
        failed, detail = True, traceback.format_exc()
        broken = not expired.is_set()
    if expired.is_set():
        detail = (
            f"ran past the scenario's time limit of {scenario.time_limit:g} s (a hung or crashed "
            f"browser?): the browser was killed\n{detail}"
        )
    seconds = time.monotonic() - started
    spent = dict(spent)
    spent["steps and the rest"] = max(0.0, seconds - sum(spent.values()))
    used["harness"] = time.thread_time() - thread_cpu
    status: Status
    if reason:
        status = "xfailed" if failed else "xpassed"
        detail = f"expected failure: {reason}\n{detail}".rstrip()
    else:
        status = "failed" if failed else "passed"
    cell = Cell(
        scenario.name,
        project.name,
        status,
        seconds,
        version,
        detail,
        screenshot,
        list(notes),
        figures,
        spent,
        interpreter,
        data_loss=data_loss,
        shared_browser=shared,
        cpu={what: round(seconds, 3) for what, seconds in used.items()},
    )
    return cell, broken


@contextmanager
def _cpu_counted(driver: Driver, used: dict[str, float]) -> Iterator[None]:
    """The browser's CPU seconds in the block into ``used``: per phase as the driver counts
    them (a start before the block included), the rest as "steps and the rest"."""
    before, counted = driver.cpu_count(), dict(driver.cpu)
    try:
        yield
    finally:
        in_block = driver.cpu_count() - before
        phases = sum(driver.cpu.values()) - sum(counted.values())
        used.update(driver.cpu)
        used["steps and the rest"] = max(0.0, in_block - phases)


def _screenshot(
    folder: Path, scenario: Scenario, project: Project, interpreter: Interpreter, driver: Driver
) -> str | None:
    path = folder / f"{scenario.name}-{project.name}-{interpreter}.png"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        driver.screenshot(path)
    except Exception:  # noqa: BLE001 - a screenshot is a bonus, never the failure
        return None
    return str(path)
