"""A browser that hangs or crashes mid-scenario is a failed cell within the time limit; the run goes on."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from pyscript_storage_harness.config import Project
from pyscript_storage_harness.runner import Session, run_cell
from pyscript_storage_harness.scenarios import JavaScript, Python, Scenario

HANG = Scenario(
    "hang",
    "a page whose main thread never returns",
    (JavaScript("while (true) {}"),),
    time_limit=20.0,
)
AFTER = Scenario("after", "a cell after the hung one", (Python("result = 1 + 1"),))


@contextmanager
def killing_browsers(session: Session, seconds: float, which: Callable[[int], bool]) -> Iterator[list[int]]:
    """The session's browsers are SIGKILLed ``seconds`` into their first Python step, as if
    crashed, when ``which(n)`` says so for the n-th (from 0); yields how many were made.
    (Counted from the step, not from the browser's start: a page that boots slowly under
    load must not be killed before the step it is meant to die under.)"""
    original = session.driver
    made: list[int] = []
    session.drop_kept_browsers()  # a browser kept from an earlier test was made unpatched

    def driver_that_dies(*args, **kwargs):  # type: ignore[no-untyped-def]
        driver = original(*args, **kwargs)
        if which(len(made)):
            run_step = driver.run_python_outcome

            def run_then_die(*step_args, **step_kwargs):  # type: ignore[no-untyped-def]
                threading.Timer(seconds, driver.kill_processes).start()
                driver.run_python_outcome = run_step  # once
                return run_step(*step_args, **step_kwargs)

            driver.run_python_outcome = run_then_die
        made.append(1)
        return driver

    session.driver = driver_that_dies  # type: ignore[method-assign]
    try:
        yield made
    finally:
        session.driver = original  # type: ignore[method-assign]
        session.drop_kept_browsers()  # nor may a later test inherit one that is set to die


def test_a_hung_browser_fails_its_cell_in_time_and_the_next_cell_runs(
    storage_session: Session, storage_project: Project
) -> None:
    started = time.monotonic()
    hung = run_cell(storage_session, HANG, storage_project)
    assert hung.status == "failed"
    assert "time limit of 20 s" in hung.detail, hung.detail
    assert time.monotonic() - started < 20 + 90  # the limit, plus starting and stopping browsers
    assert run_cell(storage_session, AFTER, storage_project).status == "passed"


def test_a_crashed_browser_fails_its_cell_with_the_reason(
    storage_session: Session, storage_project: Project
) -> None:
    crash = Scenario(
        "crash", "the browser dies under a long step", (Python("import asyncio\nawait asyncio.sleep(60)"),)
    )
    with killing_browsers(storage_session, 2.0, lambda n: True):  # every attempt crashes
        cell = run_cell(storage_session, crash, storage_project)
    assert cell.status == "failed" and cell.seconds < 60, (cell.seconds, cell.detail)
    assert cell.detail.strip(), "a crash must come with a reason"
    assert "step 1 (Python)" in cell.detail, cell.detail  # and says where it happened


def test_a_browser_that_breaks_once_is_replaced_and_the_cell_is_flaky(
    storage_session: Session, storage_project: Project
) -> None:
    """A renderer crash is the engine's hiccup, not a storage bug: one retry, reported as flaky."""
    step = Scenario(
        "breaks-once",
        "a step outlives its first browser",
        (Python("import asyncio\nawait asyncio.sleep(3)"),),
    )
    with killing_browsers(storage_session, 1.5, lambda n: n == 0) as started:  # only the first dies
        cell = run_cell(storage_session, step, storage_project)
    assert cell.status == "flaky" and len(started) == 2, (cell.status, cell.detail)
    assert cell.notes[0].startswith("attempt 1 was retried: its browser broke:"), cell.notes
    never = run_cell(
        storage_session, Scenario("fails", "a failed step", (Python("assert False"),)), storage_project
    )
    assert never.status == "failed" and not any("retried" in note for note in never.notes)


@contextmanager
def stalled_webdriver_endpoint() -> Iterator[tuple[str, list[str]]]:
    """A WebDriver endpoint that starts a session, then never answers a navigation, as a
    hung grid would; nothing of its browser runs here to kill. Yields its URL and the
    requests it saw."""
    seen: list[str] = []
    released = threading.Event()

    class Endpoint(BaseHTTPRequestHandler):
        def _answer(self, value: object) -> None:
            body = json.dumps({"value": value}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            seen.append(f"{self.command} {self.path}")
            if self.path == "/session" and self.command == "POST":
                self._answer(
                    {"sessionId": "s1", "capabilities": {"browserName": "stalled", "browserVersion": "1"}}
                )
            elif self.path.endswith("/url"):
                released.wait()  # hung: only the test's end lets it go
            elif self.path.endswith("/window"):
                self._answer("tab-1")
            else:
                self._answer(None)

        do_GET = do_POST = do_DELETE = _handle

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Endpoint)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        released.set()
        server.shutdown()
        server.server_close()


def test_a_hung_webdriver_endpoint_fails_its_cell_in_time(storage_session: Session) -> None:
    """The endpoint owns the browser, so there is nothing to kill: the harness stops waiting."""
    scenario = Scenario("hang", "the endpoint never answers", (Python("result = 1"),), time_limit=5.0)
    with stalled_webdriver_endpoint() as (url, seen):
        project = Project(name="stalled", engine="chromium", driver="webdriver", webdriver_url=url)
        started = time.monotonic()
        cell = run_cell(storage_session, scenario, project)
        took = time.monotonic() - started
    assert cell.status == "failed", (cell.status, cell.detail)
    assert "time limit of 5 s" in cell.detail, cell.detail
    assert took < 5 + 10 + 30, took  # the limit, the grace after it, ending the session
    assert "DELETE /session/s1" in seen, seen  # it asked the endpoint to end the session
