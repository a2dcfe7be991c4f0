"""Every scenario's Python steps compile (as the page runs them: top-level await allowed)."""

from __future__ import annotations

import ast

import pytest

from pyscript_storage_harness.scenarios import SCENARIOS, Python, Scenario, durability

ALL = (*SCENARIOS, durability(2, idle=True))


@pytest.mark.parametrize("scenario", ALL, ids=lambda s: s.name)
def test_python_steps_compile(scenario: Scenario) -> None:
    steps = [step for step in scenario.steps if isinstance(step, Python)]
    for index, step in enumerate(steps):
        compile(step.code, f"<{scenario.name} step {index}>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)


def test_idle_durability_counts_the_batches_as_synced() -> None:
    writes = [step.code for step in durability(1, idle=True).steps if isinstance(step, Python)]
    assert "await s.sync(); await asyncio.sleep(1)" in writes[0]
    assert 'synced keys written": 450' in writes[0]
    assert "await asyncio.sleep(1)" not in durability(1).steps[0].code  # type: ignore[union-attr]
