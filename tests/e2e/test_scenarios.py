"""Every persistence scenario in every configured engine, on each interpreter it declares."""

from __future__ import annotations

import pytest

from pyscript_storage_harness.config import Project
from pyscript_storage_harness.pytest_plugin import record, selected_interpreters
from pyscript_storage_harness.runner import Session, case_id, cases, run_cell
from pyscript_storage_harness.scenarios import SCENARIOS, Interpreter, Scenario


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "scenario" in metafunc.fixturenames:
        rows = cases(SCENARIOS, selected_interpreters(metafunc.config))
        metafunc.parametrize(("scenario", "interpreter"), rows, ids=[case_id(s, i) for s, i in rows])


def test_scenario(
    storage_session: Session,
    scenario: Scenario,
    interpreter: Interpreter,
    storage_project: Project,
    request: pytest.FixtureRequest,
) -> None:
    cell = run_cell(storage_session, scenario, storage_project, interpreter)
    record(request, storage_session, cell)
    if cell.status == "xfailed":
        pytest.xfail(cell.detail)
    if cell.status == "n/a":
        pytest.skip(cell.detail)  # the engine cannot have it: the reason, in every report
    # flaky: passed once its broken browser was replaced (the matrix and the notes say so)
    assert cell.status in ("passed", "flaky"), f"{cell.case} in {cell.engine_version}:\n{cell.detail}"
