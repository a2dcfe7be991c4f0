"""The scenarios, run on every engine: see model.py for what a scenario is."""

from __future__ import annotations

from .basics import BASICS
from .faults import FAULTS, durability, storage_process_crash
from .hostile import HOSTILE
from .interop import INTEROP
from .lifecycle import LIFECYCLE
from .manager import MANAGER
from .model import (
    BOTH,
    INTERPRETERS,
    Interpreter,
    JavaScript,
    Kill,
    KillStorage,
    Page,
    Python,
    Reload,
    Restart,
    Scenario,
    Step,
    Tab,
    Visit,
)
from .mutations import MUTATIONS
from .releases import MATRIX_RELEASES, RELEASES
from .scripting import SCRIPTING
from .seed import SEED_EXAMPLES
from .tabs import TABS
from .update import UPDATE
from .values import HARD_VALUES

__all__ = [
    "BOTH",
    "INTERPRETERS",
    "MATRIX_RELEASES",
    "Interpreter",
    "JavaScript",
    "Kill",
    "KillStorage",
    "Page",
    "Python",
    "Reload",
    "Restart",
    "Scenario",
    "Step",
    "Tab",
    "Visit",
    "SCENARIOS",
    "durability",
    "storage_process_crash",
    "select",
]

SCENARIOS: tuple[Scenario, ...] = (
    BASICS
    + MUTATIONS
    + HARD_VALUES
    + INTEROP
    + RELEASES
    + SEED_EXAMPLES
    + SCRIPTING
    + FAULTS
    + HOSTILE
    + TABS
    + LIFECYCLE
    + MANAGER
    + UPDATE
)


def select(names: list[str] | None = None, keyword: str | None = None) -> list[Scenario]:
    """Scenarios by exact name and/or a substring of name or description."""
    if names:
        unknown = set(names) - {s.name for s in SCENARIOS}
        if unknown:
            raise ValueError(f"unknown scenario(s): {', '.join(sorted(unknown))}")
    chosen = [s for s in SCENARIOS if not names or s.name in names]
    if keyword:
        chosen = [s for s in chosen if keyword in s.name or keyword in s.doc]
    return chosen
