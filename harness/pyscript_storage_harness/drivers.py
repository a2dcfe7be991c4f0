"""One small interface for every engine: open a page, run Python, reload, restart.

``PlaywrightDriver`` drives Chromium, Firefox (WebDriver BiDi on Debian's
Firefox ESR) and Playwright's own WebKit where it is installed.
``WebKitGTKDriver`` drives WebKitGTK through Selenium and WebKitWebDriver,
with ``webkit_launcher.py`` as the browser so the profile persists, under an
Xvfb it starts itself. Every process a driver starts is stopped by ``close()``.
A driver speaks to a page only through the page protocol (``harnessReady``,
``runPython``, ``runPythonInWorker``: docs/harness.md); what a fault step does
to a browser from outside (kill, damage) is in profile_faults.py.
"""

from __future__ import annotations

import json
import os
import select
import shlex
import shutil
import signal
import subprocess
import threading
import time
import urllib.request
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from selenium.webdriver.remote.command import Command
from selenium.webdriver.remote.remote_connection import RemoteConnection

from . import cpu
from .config import ConfigError, Project
from .engines import engine
from .profile_faults import damage_databases, kill_browser, kill_storage_process
from .recording import Recording
from .results import StepFailed

__all__ = [
    "Driver",
    "PlaywrightDriver",
    "SeleniumDriver",
    "StepFailed",  # results.StepFailed, where drivers' users have always found it
    "WebDriverEndpointDriver",
    "WebKitGTKDriver",
    "Xvfb",
    "launcher_command",
    "make_driver",
]

LAUNCHER = Path(__file__).resolve().parent / "webkit_launcher.py"
SYSTEM_PYTHON = "/usr/bin/python3"
BOOT_TIMEOUT_MS = 120_000
# A browser or WebDriver session that takes longer to start failed to start.
SESSION_START_SECONDS = 180.0
# How long ending a WebDriver session may take (a hung endpoint must not hold the run).
SESSION_END_SECONDS = 30.0

# Resolves (as JSON text) once the runner page has booted Pyodide, or fails in time.
_WAIT_READY = """new Promise((resolve) => {
  const deadline = Date.now() + args[0];
  const late = () => resolve(JSON.stringify(
    {ok: false, error: `page never booted: not ready within ${args[0] / 1000} s`}));
  setTimeout(late, args[0]);
  const poll = () => {
    if (window.harnessReady) window.harnessReady.then((r) => resolve(JSON.stringify(r)));
    else if (Date.now() > deadline) late();
    else setTimeout(poll, 50);
  };
  poll();
})"""


# Runs a JavaScript step (BODY) bounded in time; resolves JSON text {ok, result | error}.
_RUN_JS = """Promise.race([
  (async () => {
BODY
  })().then(
    (result) => JSON.stringify({ok: true, result: result === undefined ? null : result}),
    (e) => JSON.stringify({ok: false, error: e instanceof Error
      ? `${e.name}: ${e.message}\\n${e.stack || ""}` : String(e)})),
  new Promise((resolve) => setTimeout(() => resolve(JSON.stringify(
    {ok: false, error: `JavaScript step timed out after ${args[0]} ms`})), args[0])),
])"""


class Driver(ABC):
    """A real browser with a persistent profile, showing the runner page."""

    quota_knob = "none"  # how this driver caps an origin's storage (shown in reports)

    def __init__(self, project: Project, profile: Path, quota: int | None = None) -> None:
        self.project = project
        self.profile = profile
        self.quota = quota  # bytes an origin may store, or None for the engine's default
        self.url: str | None = None
        self.version = "unknown"
        self.notes: list[str] = []  # infrastructure hiccups worth showing in the report
        self.console: list[str] = []  # the page's console messages, where the driver sees them
        self.spent: dict[str, float] = {}  # seconds in browser starts and page loads (Pyodide boots)
        self.cpu: dict[str, float] = {}  # the browser's CPU seconds in the same phases (see cpu.py)
        self._cpu_last: cpu.Sample = {}  # the browser's processes at the last count
        self._cpu_total = 0.0  # the CPU seconds they used, counted sample to sample
        self._cpu_lock = threading.Lock()  # abort() counts from the watchdog's thread
        self.boot_timeout_ms = BOOT_TIMEOUT_MS  # how long a page may take to say it is ready
        self.retry_boot = True  # the runner page's boot is infrastructure: retried once
        # time.monotonic() by which the cell is over (the runner sets it): a driver that
        # cannot kill its browser (a WebDriver endpoint's) gives up waiting for it then.
        self.deadline: float | None = None

    @abstractmethod
    def start(self) -> None:
        """Launch the browser on ``self.profile``."""

    @abstractmethod
    def stop(self) -> None:
        """Quit the browser (the profile stays on disk)."""

    @abstractmethod
    def _navigate(self, url: str) -> None: ...

    @abstractmethod
    def _reload(self) -> None: ...

    @abstractmethod
    def evaluate(self, expression: str, args: list[Any], timeout_ms: int) -> Any:
        """Value of a JS expression (may be a promise) that can read ``args``."""

    @abstractmethod
    def screenshot(self, path: Path) -> None:
        """Save a PNG of the page as it is now."""

    def _booted(self) -> str | None:
        """None once the page has booted Python, else why it did not."""
        wait = self.boot_timeout_ms
        outcome = json.loads(self.evaluate(_WAIT_READY, [wait], wait + 10_000))
        return None if outcome.get("ok") else str(outcome.get("error"))

    def _load(self, action: Callable[[], None]) -> None:
        """Navigate or reload, then wait for the boot; a failed boot is retried once.

        Booting Pyodide is the harness's infrastructure, not the module under
        test, and WebKitGTK has been seen to abort a wasm boot now and then.
        The retry is a reload and is noted in the report.
        """
        with self._timed("page loads"):
            action()
            failure = self._booted()
            if failure is None:
                return
            if not self.retry_boot:
                raise StepFailed(f"page did not boot: {failure}")
            self.notes.append(f"page boot failed once and was reloaded: {failure.splitlines()[0]}")
            self._reload()
            failure = self._booted()
            if failure is not None:
                raise StepFailed(f"page did not boot (twice): {failure}")

    def cpu_count(self) -> float:
        """The browser's CPU seconds so far (this driver's browsers, one after the other),
        counted from sample to sample: the harness counts before it stops or kills a browser,
        so the seconds of a browser that ends are counted up to its end."""
        with self._cpu_lock:
            now = cpu.sample(self.profile, self._cpu_extra())
            self._cpu_total += cpu.used(self._cpu_last, now)
            self._cpu_last = now
            return self._cpu_total

    def _cpu_extra(self) -> list[int]:
        """Processes of the browser that do not name its profile (WebKitGTK's Xvfb)."""
        return []

    @contextmanager
    def _timed(self, what: str) -> Iterator[None]:
        """Add the time spent in the block to ``self.spent[what]`` (what a cell pays for what),
        and the browser's CPU seconds in it to ``self.cpu[what]``."""
        started, before = time.monotonic(), self.cpu_count()
        try:
            yield
        finally:
            self.spent[what] = self.spent.get(what, 0.0) + time.monotonic() - started
            self.cpu[what] = self.cpu.get(what, 0.0) + self.cpu_count() - before

    def _start(self) -> None:
        with self._timed("browser starts"):
            self.start()

    def goto(self, url: str) -> None:
        self.url = url
        self._load(lambda: self._navigate(url))

    def reload(self) -> None:
        self._load(self._reload)

    def tab(self, index: int, url: str) -> None:
        """Show tab ``index`` of this browser (0 is the first); a new one opens ``url``.

        Only the next tab may be opened (index == number of tabs).
        """
        count = self._tab_count()
        if index > count or index < 0:
            raise StepFailed(f"tab {index} does not exist and is not the next one ({count} open)")
        if index < count:
            self._switch_tab(index)
            return
        self._open_tab()
        self._load(lambda: self._navigate(url))

    @abstractmethod
    def _tab_count(self) -> int: ...

    @abstractmethod
    def _switch_tab(self, index: int) -> None: ...

    @abstractmethod
    def _open_tab(self) -> None:
        """Open a new blank tab and make it the current one."""

    def restart(self) -> None:
        """Quit the browser and start a new one on the same profile and page."""
        self.cpu_count()
        self.stop()
        self._start()
        if self.url:
            self.goto(self.url)

    def kill_and_restart(self, damage: bool = False) -> int:
        """SIGKILL the browser's processes (no clean close), then start it again on the profile.

        With ``damage``, the profile's IndexedDB files are damaged in between (see
        damage_databases). Returns how many processes were killed; StepFailed if none was found.
        """
        killed = self.kill_processes()
        if not killed:
            raise StepFailed(f"no browser process using {self.profile} was found to kill")
        if damage:
            damaged = damage_databases(self.profile)
            if not damaged:
                raise StepFailed(f"no IndexedDB file to damage was found under {self.profile}")
            names = ", ".join(str(path.relative_to(self.profile)) for path in damaged)
            self.notes.append(f"damaged: {names}")
        self.restart()  # its stop() forgets the dead session
        return killed

    def kill_processes(self) -> int:
        """SIGKILL the browser's processes (see profile_faults.kill_browser); how many."""
        self.cpu_count()
        return kill_browser(self.profile)

    def abort(self) -> None:
        """The cell ran past its time limit: make the call a step is blocked in return now.

        Called from another thread. Killing the browser's processes does it for a
        browser of ours; a driver whose browser is someone else's overrides this.
        """
        self.kill_processes()

    def kill_storage_process(self) -> str:
        """SIGKILL the process holding the profile's IndexedDB open (see profile_faults); which."""
        self.cpu_count()
        return kill_storage_process(self.profile)

    def run_python(
        self, code: str, *, worker: bool = False, timeout_ms: int = 60_000, filename: str = "<step>"
    ) -> Any:
        """Run a Python step on the page (or its worker); its ``result``, or StepFailed."""
        return self.run_python_outcome(code, worker=worker, timeout_ms=timeout_ms, filename=filename).get(
            "result"
        )

    def run_python_outcome(
        self, code: str, *, worker: bool = False, timeout_ms: int = 60_000, filename: str = "<step>"
    ) -> dict[str, Any]:
        """Run a Python step; ``{"result", "output"}`` (what it printed), or StepFailed.

        A failed step's StepFailed carries its traceback, after what it printed; the
        traceback calls the code ``filename`` and shows its lines.
        """
        function = "runPythonInWorker" if worker else "runPython"
        text = self.evaluate(
            f"window.{function}(args[0], args[1], args[2])", [code, timeout_ms, filename], timeout_ms + 30_000
        )
        outcome: dict[str, Any] = json.loads(text)
        if not outcome.get("ok"):
            printed = outcome.get("output") or ""
            error = outcome.get("error", "unknown failure")
            raise StepFailed(f"{printed}{error}" if printed else error)
        return outcome

    def run_javascript(self, code: str, *, timeout_ms: int = 60_000) -> Any:
        """Run ``code`` on the page as an async function body; its return value, or StepFailed."""
        text = self.evaluate(_RUN_JS.replace("BODY", code), [timeout_ms], timeout_ms + 30_000)
        outcome = json.loads(text)
        if not outcome.get("ok"):
            raise StepFailed(outcome.get("error", "unknown failure"))
        return outcome.get("result")

    def close(self) -> None:
        self.stop()

    def __enter__(self) -> Driver:
        self._start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class PlaywrightDriver(Driver):
    """Chromium, Firefox or Playwright's WebKit through Playwright's sync API."""

    def __init__(
        self,
        project: Project,
        profile: Path,
        quota: int | None,
        playwright: Any,
        recording: Recording | None = None,
    ) -> None:
        super().__init__(project, profile, quota)  # the base's three, then Playwright's own
        self._playwright = playwright
        self._recording = recording
        self._context: Any = None
        self._page: Any = None
        self._cdp: Any = None
        self._browser: Any = None  # only for a browser of a Playwright server
        self._pages: list[Any] = []
        self._quota_origins: set[str] = set()
        self._quota_kind = engine(project.engine).playwright_quota
        if self._quota_kind != "none":
            self.quota_knob = engine(project.engine).quota_knob
        elif quota is not None:
            raise ConfigError(
                f"{project.name}: Playwright's WebKit has no per-origin quota setting; "
                'use driver = "webkitgtk" for quota cases'
            )

    def start(self) -> None:
        browser_type = getattr(self._playwright, self.project.engine)
        options: dict[str, Any] = {"headless": self.project.headless, "args": self.project.args}
        if self.project.executable:
            options["executable_path"] = self.project.executable
        if self.project.channel:
            options["channel"] = self.project.channel
        prefs = dict(engine(self.project.engine).launch_prefs)
        if self.quota is not None and self._quota_kind == "firefox pref":
            # In KiB; it caps the whole temporary storage, so each origin gets at most this.
            prefs["dom.quotaManager.temporaryStorage.fixedLimit"] = max(1, self.quota // 1024)
        if prefs:
            options["firefox_user_prefs"] = prefs
        recording = self._recording if not self.project.connect else None
        if recording is not None:
            options["headless"] = options["headless"] and not recording.headed
            options["slow_mo"] = recording.slow_mo
            if recording.video_dir is not None:
                options["record_video_dir"] = str(recording.video_dir)
        if self.project.connect:
            self._context = self._connect(browser_type, options)
        else:
            try:
                self._context = browser_type.launch_persistent_context(str(self.profile), **options)
            except Exception as error:
                if "record_video_dir" in options and "ffmpeg" in str(error):
                    raise ConfigError(
                        "--video needs Playwright's own ffmpeg build (playwright install ffmpeg); "
                        f"without it, run without --video ({str(error).splitlines()[0]})"
                    ) from None
                raise
        if recording is not None and recording.trace:
            self._context.tracing.start(screenshots=True, snapshots=True, sources=True)
        browser = self._context.browser
        self.version = f"{engine(self.project.engine).display} {browser.version if browser else '?'}"
        self._page = self._context.pages[0] if self._context.pages else self._context.new_page()
        self._pages = [self._page]
        self._listen(self._page)

    def _connect(self, browser_type: Any, options: dict[str, Any]) -> Any:
        """A context in a browser a Playwright server launches (with our launch options).

        It has no persistent profile: nothing survives a restart there.
        """
        camel = {"executable_path": "executablePath", "firefox_user_prefs": "firefoxUserPrefs"}
        launch = {camel.get(key, key): value for key, value in options.items()}
        launch["args"] = list(launch.get("args", ()))
        self._browser = browser_type.connect(
            self.project.connect, headers={"x-playwright-launch-options": json.dumps(launch)}
        )
        return self._browser.new_context()

    def _listen(self, page: Any) -> None:
        page.on("console", lambda message: self.console.append(message.text))
        page.on("response", self._note_failed_response)
        page.on("pageerror", lambda error: self.console.append(f"page error: {error}"))
        page.on("crash", lambda _: self.notes.append(f"the page's renderer crashed at {page.url}"))

    def _note_failed_response(self, response: Any) -> None:
        """The console's "Failed to load resource" does not say which: the response does."""
        if response.status >= 400:
            self.console.append(f"HTTP {response.status} for {response.url}")

    def _tab_count(self) -> int:
        return len(self._pages)

    def _switch_tab(self, index: int) -> None:
        self._page = self._pages[index]
        self._page.bring_to_front()

    def _open_tab(self) -> None:
        self._page = self._context.new_page()
        self._pages.append(self._page)
        self._listen(self._page)

    def stop(self) -> None:
        self._cdp = None
        self._quota_origins.clear()
        if self._context is not None:
            context, self._context, self._page = self._context, None, None
            if self._recording is not None and self._recording.trace:
                try:
                    context.tracing.stop(path=str(self._recording.next_trace()))
                except Exception:  # noqa: BLE001 - a killed browser's trace is lost with it
                    pass
            try:
                context.close()
            except Exception:  # noqa: BLE001 - the browser was killed: nothing left to close
                pass
        if self._browser is not None:
            browser, self._browser = self._browser, None
            try:
                browser.close()  # a Playwright server's browser: closed there
            except Exception:  # noqa: BLE001
                pass

    def next_cell(self) -> None:
        """Leave the browser as a new cell should find it: one new blank tab, nothing noted.

        The tabs of the cell that ends are closed (their interpreters, workers and
        database connections end with them), and with them their renderer process:
        Chromium kept one renderer for a tab navigated from port to port (127.0.0.1
        is one site), and a renderer that had carried many cells' pages crashed on
        `scaling`'s 100,000 keys; a new tab gets a new one.
        """
        self.cpu_count()  # the closing tabs' renderers end: their seconds so far are the cell's
        fresh = self._context.new_page()
        for page in self._pages:
            page.close()
        self._page = fresh
        self._pages = [fresh]
        self._listen(fresh)
        self.url = None
        self.notes, self.console, self.spent, self.cpu = [], [], {}, {}
        self.deadline = None

    def _navigate(self, url: str) -> None:
        if self.quota is not None and self._quota_kind == "devtools":
            origin = _origin(url)
            if origin not in self._quota_origins:
                if self._cdp is None:
                    self._cdp = self._context.new_cdp_session(self._page)
                self._cdp.send("Storage.overrideQuotaForOrigin", {"origin": origin, "quotaSize": self.quota})
                self._quota_origins.add(origin)
        self._page.goto(url)

    def _reload(self) -> None:
        self._page.reload()

    def evaluate(self, expression: str, args: list[Any], timeout_ms: int) -> Any:
        # The page bounds its own waits (see pages/boot.js); evaluate has no timeout of its own.
        return self._page.evaluate(f"(args) => ({expression})", args)

    def screenshot(self, path: Path) -> None:
        if self._page is not None:
            self._page.screenshot(path=str(path))


class Xvfb:
    """A private X display for WebKitGTK, stopped by ``close()``."""

    def __init__(self) -> None:
        if shutil.which("Xvfb") is None:
            raise ConfigError("Xvfb is not installed: apt-get install -y xvfb")
        # The read end stays open while Xvfb lives: Xvfb writes its display number
        # again when it resets (its last client quit) and dies if the pipe is closed.
        read_end, write_end = os.pipe()
        self._read_end: int | None = read_end
        self.process = subprocess.Popen(
            [
                "Xvfb",
                "-displayfd",
                str(write_end),
                "-screen",
                "0",
                "1280x1024x24",
                "-nolisten",
                "tcp",
            ],
            pass_fds=[write_end],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        os.close(write_end)
        ready, _, _ = select.select([read_end], [], [], 30)
        number = os.read(read_end, 64).decode().split()[0:1] if ready else []
        if not number:
            self.close()
            raise StepFailed("Xvfb did not report a display within 30 s")
        self.display = f":{number[0]}"

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._read_end is not None:
            os.close(self._read_end)
            self._read_end = None


class SeleniumDriver(Driver):
    """What every browser driven over classic WebDriver shares: pages, tabs, scripts."""

    def __init__(self, project: Project, profile: Path, quota: int | None = None) -> None:
        super().__init__(project, profile, quota)
        self._driver: Any = None
        self._handles: list[str] = []

    def _after_start(self, label: str) -> None:
        self._handles = [self._driver.current_window_handle]
        self._driver.set_script_timeout(BOOT_TIMEOUT_MS / 1000)
        self.version = f"{label} {self._driver.capabilities.get('browserVersion', '?')}"

    def _remote(self, url: str, options: Any) -> Any:
        """A session at the WebDriver endpoint ``url`` whose every request gives up in time."""
        from selenium import webdriver

        return webdriver.Remote(command_executor=_BoundedConnection(url, self), options=options)

    def abort(self) -> None:
        """Kill what runs here of the browser; at an endpoint, also end the session.

        Ending it closes the browser on a healthy endpoint, which fails the blocked
        command at once; on a hung one the command's own request still gives up at
        the deadline (see _BoundedConnection).
        """
        self.kill_processes()
        url, driver = self.project.webdriver_url, self._driver
        if url and driver is not None and driver.session_id:
            request = urllib.request.Request(
                f"{url.rstrip('/')}/session/{driver.session_id}", method="DELETE"
            )
            try:
                urllib.request.urlopen(request, timeout=SESSION_END_SECONDS).close()
            except OSError:  # a hung or gone endpoint: the deadline is the backstop
                pass

    def _quit(self) -> None:
        driver, self._driver = self._driver, None
        if driver is not None:
            try:
                driver.quit()
            except Exception:  # noqa: BLE001 - a dead session has nothing to quit
                pass

    def stop(self) -> None:
        self._quit()

    def _navigate(self, url: str) -> None:
        self._driver.get(url)

    # WebDriver does not promise window_handles in creation order: keep our own.
    def _tab_count(self) -> int:
        return len(self._handles)

    def _switch_tab(self, index: int) -> None:
        self._driver.switch_to.window(self._handles[index])

    def _open_tab(self) -> None:
        self._driver.switch_to.new_window("tab")
        self._handles.append(self._driver.current_window_handle)

    def _reload(self) -> None:
        self._driver.refresh()

    def evaluate(self, expression: str, args: list[Any], timeout_ms: int) -> Any:
        self._driver.set_script_timeout(timeout_ms / 1000)
        return self._driver.execute_async_script(
            "const args = arguments[0]; const done = arguments[arguments.length - 1];"
            f"Promise.resolve({expression}).then(done, (e) => done(JSON.stringify("
            "{ok: false, error: String(e)})));",
            args,
        )

    def screenshot(self, path: Path) -> None:
        if self._driver is not None:
            self._driver.save_screenshot(str(path))


class WebKitGTKDriver(SeleniumDriver):
    """WebKitGTK through Selenium: WebKitWebDriver starts webkit_launcher.py under Xvfb."""

    quota_knob = engine("webkit").quota_knob

    def __init__(self, project: Project, profile: Path, quota: int | None = None) -> None:
        super().__init__(project, profile, quota)
        for path, fix in (
            (project.webdriver, "apt-get install -y webkit2gtk-driver"),
            (SYSTEM_PYTHON, "apt-get install -y python3 python3-gi gir1.2-webkit2-4.1"),
        ):
            if not project.webdriver_url and not Path(path).exists():
                raise ConfigError(f"{project.name}: {path} not found: {fix}")
        self._xvfb: Xvfb | None = None
        self._group: int | None = None  # WebKitWebDriver's process group

    def _cpu_extra(self) -> list[int]:
        return [self._xvfb.process.pid] if self._xvfb is not None else []

    def start(self) -> None:
        from selenium import webdriver
        from selenium.webdriver.webkitgtk.options import Options
        from selenium.webdriver.webkitgtk.service import Service

        options = Options()
        options.binary_location = str(launcher_command(self.profile.parent))
        options.add_argument("--automation")
        options.add_argument(f"--profile={self.profile}")
        if self.quota is not None:  # a fraction of the volume the profile is on
            ratio = self.quota / shutil.disk_usage(self.profile).total
            options.add_argument(f"--origin-storage-ratio={ratio:.12f}")
        if self.project.webdriver_url:  # a WebKitWebDriver (or Grid) elsewhere, with its own display
            self._driver = self._remote(self.project.webdriver_url, options)
            self._after_start("WebKitGTK")
            return
        if self._xvfb is None:
            self._xvfb = Xvfb()
        env = {**os.environ, "DISPLAY": self._xvfb.display}
        service = Service(
            executable_path=self.project.webdriver,
            env=env,
            popen_kw={"start_new_session": True},
        )
        self._driver = webdriver.WebKitGTK(options=options, service=service)  # starts service
        self._group = service.process.pid
        self._after_start("WebKitGTK")

    def stop(self) -> None:
        group, self._group = self._group, None
        self._quit()  # the process group is killed below anyway
        if group is not None:
            try:  # WebKitWebDriver, the launcher and its web processes
                os.killpg(group, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def close(self) -> None:
        try:
            self.stop()
        finally:
            if self._xvfb is not None:
                self._xvfb.close()
                self._xvfb = None


class WebDriverEndpointDriver(SeleniumDriver):
    """Any W3C WebDriver endpoint (chromedriver, safaridriver, a Selenium Grid, a cloud grid):
    a new session with the project's capabilities. The endpoint owns the browser: no
    profile of ours, no processes to kill, no quota knob (those scenarios are expected
    failures with that reason)."""

    def start(self) -> None:
        from selenium.webdriver.common.options import ArgOptions

        options = ArgOptions()
        for name, value in self.project.capabilities.items():
            options.set_capability(name, value)
        url = self.project.webdriver_url
        assert url is not None, "the config checks that a webdriver project has webdriver_url"
        self._driver = self._remote(url, options)
        self._after_start(f"{self.project.capabilities.get('browserName', '?')} (WebDriver)")


class _BoundedConnection(RemoteConnection):
    """A connection to a WebDriver endpoint whose requests give up at ``owner.deadline``.

    Without a bound Selenium waits for an answer forever, and the endpoint owns the
    browser, so the harness cannot kill it to make the wait end: one hung command
    at an endpoint held a whole CI run.
    """

    def __init__(self, url: str, owner: Driver) -> None:
        super().__init__(url)
        self._owner = owner

    def execute(self, command: str, params: dict[str, Any]) -> Any:
        if command == Command.NEW_SESSION:
            bound = SESSION_START_SECONDS
        elif command == Command.QUIT:
            bound = SESSION_END_SECONDS
        elif self._owner.deadline is None:  # outside a cell: a page's boot is the longest wait
            bound = SESSION_START_SECONDS + BOOT_TIMEOUT_MS / 1000
        else:
            bound = max(1.0, self._owner.deadline - time.monotonic())
        self.client_config.timeout = bound
        return super().execute(command, params)


def launcher_command(folder: Path) -> Path:
    """An executable in ``folder`` that runs webkit_launcher.py with Debian's Python.

    WebKitWebDriver starts the browser binary directly, and an installed wheel does
    not keep the launcher's executable bit: this wrapper does not need it.
    """
    wrapper = folder / "webkit-launcher"
    if not wrapper.exists():
        temporary = folder / f".webkit-launcher.{os.getpid()}"
        temporary.write_text(f'#!/bin/sh\nexec {SYSTEM_PYTHON} {shlex.quote(str(LAUNCHER))} "$@"\n')
        temporary.chmod(0o755)
        temporary.replace(wrapper)
    return wrapper


def playwright_webkit_installed(playwright: Any) -> bool:
    try:
        return Path(playwright.webkit.executable_path).exists()
    except Exception:  # noqa: BLE001 - Playwright raises when it has no WebKit build
        return False


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def make_driver(
    project: Project,
    profile: Path,
    playwright: Any,
    *,
    quota: int | None = None,
    recording: Recording | None = None,
) -> Driver:
    """The driver a project asks for ("auto": Playwright's WebKit if installed).

    ``quota`` caps each origin's storage in bytes, with the engine's own knob;
    ``recording`` (traces, videos, headed) applies to Playwright's browsers.
    """
    kind = project.driver
    if kind == "auto":  # Playwright's WebKit has no quota knob: WebKitGTK's launcher has one
        use_playwright = quota is None and playwright_webkit_installed(playwright)
        kind = "playwright" if use_playwright else "webkitgtk"
    if kind == "webkitgtk":
        return WebKitGTKDriver(project, profile, quota)
    if kind == "webdriver":
        return WebDriverEndpointDriver(project, profile, quota)
    if project.executable and not project.connect and not Path(project.executable).exists():
        raise ConfigError(
            f"{project.name}: executable {project.executable} not found "
            f"(install it, or change project.executable in playwright.config.toml)"
        )
    return PlaywrightDriver(project, profile, quota, playwright, recording)
