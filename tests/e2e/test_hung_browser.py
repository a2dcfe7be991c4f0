"""A browser that hangs or crashes mid-scenario is a failed cell within the time limit; the run goes on."""

from __future__ import annotations

import threading
import time

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
    original = storage_session.driver

    def driver_that_crashes(*args, **kwargs):  # type: ignore[no-untyped-def]
        driver = original(*args, **kwargs)
        threading.Timer(8.0, driver.kill_processes).start()  # as if the browser crashed
        return driver

    storage_session.driver = driver_that_crashes  # type: ignore[method-assign]
    try:
        cell = run_cell(storage_session, crash, storage_project)
    finally:
        storage_session.driver = original  # type: ignore[method-assign]
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
    original = storage_session.driver
    started: list[int] = []

    def driver_that_breaks_once(*args, **kwargs):  # type: ignore[no-untyped-def]
        driver = original(*args, **kwargs)
        if not started:
            threading.Timer(1.5, driver.kill_processes).start()  # only the first browser dies
        started.append(1)
        return driver

    storage_session.driver = driver_that_breaks_once  # type: ignore[method-assign]
    try:
        cell = run_cell(storage_session, step, storage_project)
    finally:
        storage_session.driver = original  # type: ignore[method-assign]
    assert cell.status == "flaky" and len(started) == 2, (cell.status, cell.detail)
    assert cell.notes[0].startswith("attempt 1 was retried: its browser broke:"), cell.notes
    never = run_cell(
        storage_session, Scenario("fails", "a failed step", (Python("assert False"),)), storage_project
    )
    assert never.status == "failed" and not any("retried" in note for note in never.notes)
