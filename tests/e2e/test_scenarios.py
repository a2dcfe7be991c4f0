"""Every persistence scenario in every configured engine (see harness/scenarios.py)."""

from __future__ import annotations

import pytest

from harness.config import Project
from harness.pytest_plugin import record
from harness.runner import Session, run_cell
from harness.scenarios import SCENARIOS, Scenario


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_scenario(
    harness_session: Session, scenario: Scenario, project: Project, request: pytest.FixtureRequest
) -> None:
    cell = run_cell(harness_session, scenario, project)
    record(request, harness_session, cell)
    if cell.status == "xfailed":
        pytest.xfail(cell.detail)
    assert cell.status == "passed", f"{scenario.name} in {cell.engine_version}:\n{cell.detail}"
