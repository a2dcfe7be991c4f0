"""One result model for every report: a cell is one scenario in one browser."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

__all__ = ["Cell", "Run", "Status"]

Status = Literal["passed", "failed", "xfailed", "xpassed"]
OK: tuple[Status, ...] = ("passed", "xfailed")


@dataclass
class Cell:
    scenario: str
    project: str
    status: Status
    seconds: float
    engine_version: str = "unknown"
    detail: str = ""  # traceback or reason
    screenshot: str | None = None
    notes: list[str] = field(default_factory=list)  # e.g. a page boot that was retried
    figures: dict[str, int] = field(default_factory=dict)  # e.g. {"keys lost": 0}, summed over steps
    spent: dict[str, float] = field(default_factory=dict)  # seconds: browser starts, page loads, steps
    interpreter: str = "pyodide"  # or "micropython"

    @property
    def case(self) -> str:
        """The matrix row: the scenario, marked when it ran on MicroPython."""
        return self.scenario if self.interpreter == "pyodide" else f"{self.scenario} ({self.interpreter})"

    @property
    def ok(self) -> bool:
        return self.status in OK


@dataclass
class Run:
    """A whole suite run: the wheel, the engines and every cell."""

    wheel: dict[str, str]
    interpreter: str
    cells: list[Cell] = field(default_factory=list)
    engines: dict[str, str] = field(default_factory=dict)  # project -> version string
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return bool(self.cells) and all(cell.ok for cell in self.cells)

    def spent(self) -> dict[str, float]:
        """Seconds the whole run spent starting browsers, loading pages (Pyodide boots), in steps."""
        total: dict[str, float] = {}
        for cell in self.cells:
            for what, seconds in cell.spent.items():
                total[what] = total.get(what, 0.0) + seconds
        return total

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for cell in self.cells:
            counts[cell.status] = counts.get(cell.status, 0) + 1
        return counts

    def write_json(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        data = asdict(self) | {"ok": self.ok, "counts": self.counts(), "spent": self.spent()}
        path.write_text(json.dumps(data, indent=2) + "\n", "utf-8")
