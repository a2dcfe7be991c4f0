"""A cell run in a browser an earlier cell used sees nothing it stored (Session.cell_browser)."""

from __future__ import annotations

from pyscript_storage_harness.config import Project
from pyscript_storage_harness.engines import engine
from pyscript_storage_harness.runner import Session, run_cell
from pyscript_storage_harness.scenarios import Python, Reload, Restart, Scenario

WRITE = Scenario(
    "leaves-data",
    "a cell stores a value, in IndexedDB and localStorage, and leaves it there",
    (
        Python(
            "from pyscript_storage import storage\n"
            "import js\n"
            's = await storage("isolation")\n'
            's["secret"] = "left by the first cell"\n'
            "await s.sync()\n"
            'js.localStorage.setItem("secret", "left by the first cell")\n'
        ),
        Reload(),
        Python(
            "from pyscript_storage import storage\n"
            'assert (await storage("isolation"))["secret"] == "left by the first cell"\n'
        ),
    ),
)
READ = Scenario(
    "finds-nothing",
    "the next cell finds no database, no store and nothing in localStorage",
    (
        Python(
            "from pyscript_storage import storage\n"
            "import js\n"
            "databases = [d.name for d in await js.indexedDB.databases()]\n"
            "assert databases == [], databases\n"
            's = await storage("isolation")\n'
            "assert dict(s) == {}, dict(s)\n"
            "assert js.localStorage.length == 0, js.localStorage.length\n"
        ),
    ),
)


def test_the_next_cell_in_the_same_browser_sees_nothing_of_the_last(
    storage_session: Session, storage_project: Project
) -> None:
    storage_session.drop_kept_browsers()  # the first cell starts the kept browser
    first = run_cell(storage_session, WRITE, storage_project, retries=0)
    second = run_cell(storage_session, READ, storage_project, retries=0)
    assert first.status == "passed", first.detail
    assert second.status == "passed", second.detail
    shared = storage_session.keeps_browser(READ, storage_project)
    local_playwright = storage_project.driver == "playwright" and not storage_project.connect
    if local_playwright and not storage_session.fresh_browsers:
        assert shared is engine(storage_project.engine).keep_browser  # Chromium and Firefox
    assert first.shared_browser is second.shared_browser is shared
    if shared:  # the same browser: only the first cell started it
        assert "browser starts" in first.spent and "browser starts" not in second.spent, second.spent
    else:
        assert "browser starts" in second.spent, second.spent


def test_a_failed_cell_takes_its_kept_browser_with_it(
    storage_session: Session, storage_project: Project
) -> None:
    """The cell after a failure starts a browser of its own: a failure's browser is never reused."""
    storage_session.drop_kept_browsers()
    failed = run_cell(
        storage_session, Scenario("fails", "a failed step", (Python("assert False"),)), storage_project
    )
    after = run_cell(storage_session, READ, storage_project, retries=0)
    assert failed.status == "failed" and after.status == "passed", after.detail
    assert "browser starts" in after.spent, after.spent


def test_a_scenario_that_restarts_its_browser_gets_one_of_its_own(
    storage_session: Session, storage_project: Project
) -> None:
    restarts = Scenario("restarts", "a restart", (Python("result = 1"), Restart(), Python("result = 2")))
    assert restarts.needs_own_browser and not READ.needs_own_browser
    cell = run_cell(storage_session, restarts, storage_project, retries=0)
    assert cell.status == "passed" and not cell.shared_browser, cell.detail
