"""One result model for every report: a cell is one scenario in one browser."""

from __future__ import annotations

import json
import platform
import socket
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Literal

__all__ = ["Cell", "Run", "Status", "StepFailed"]


class StepFailed(Exception):
    """A page or browser action failed; the message says what and why (the cell's detail)."""


# flaky: passed after its browser broke under it and the cell was run again (see runner.run_cell)
# "n/a": the engine cannot have the scenario (the reason is the detail); never run.
Status = Literal["passed", "failed", "xfailed", "xpassed", "flaky", "n/a"]
OK: tuple[Status, ...] = ("passed", "xfailed", "flaky", "n/a")


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
    shard: str = ""  # "2/3" when a sharded run ran it (set by merge)
    host: str = ""  # the machine that ran it, in a merged run
    # The engine's reason for each database it discarded (Chromium's IDBVersionChangeEvent.dataLoss),
    # as the steps reported it: data, where the notes are prose.
    data_loss: list[str] = field(default_factory=list)
    # Ran, on origins of its own, in a browser other cells of the run ran in too (and did not
    # pay its start unless it was the first): see runner.Session.cell_browser.
    shared_browser: bool = False
    # CPU seconds: the browser's (its process tree, see cpu.py) in each phase of ``spent``, and
    # "harness", the harness thread that ran the cell (the server's threads are the run's).
    cpu: dict[str, float] = field(default_factory=dict)

    @property
    def case(self) -> str:
        """The matrix row: the scenario, marked when it ran on MicroPython."""
        return self.scenario if self.interpreter == "pyodide" else f"{self.scenario} ({self.interpreter})"

    @property
    def ok(self) -> bool:
        return self.status in OK


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _host() -> str:
    system = f"{platform.system()} {platform.machine()}, Python {platform.python_version()}"
    return f"{socket.gethostname()} ({system})"


def _harness_version() -> str:
    try:
        return metadata.version("pyscript-storage-harness")
    except metadata.PackageNotFoundError:
        return "unknown"


@dataclass
class Run:
    """A whole run: what ran (kind, wheel, engines), when and where, and every cell.

    ``wheel`` holds name, version, sha256, where it came from and, when it was
    built from a git checkout, the commit. A gate's ``verdict`` is "open" or
    "closed" (``blocking`` lists what closed it); a suite has none.
    """

    wheel: dict[str, str]
    interpreter: str
    cells: list[Cell] = field(default_factory=list)
    engines: dict[str, str] = field(default_factory=dict)  # project -> version string
    seconds: float = 0.0
    # CPU seconds of the harness's own process over the run: the cells' threads, the server's,
    # the reports (the browsers' are the cells' cpu); a merged run's is its shards' sum.
    harness_cpu: float = 0.0
    kind: Literal["suite", "gate", "tests", "app check"] = "suite"
    verdict: str | None = None
    blocking: list[str] = field(default_factory=list)
    selection: str = ""  # the options that chose part of the matrix ("" when all of it)
    shard: str = ""  # "I/N" for one shard of a run (run --shard)
    planned: list[str] = field(default_factory=list)  # a sharded run's whole plan, as cell ids
    started: str = field(default_factory=_now)  # UTC, ISO 8601
    host: str = field(default_factory=_host)
    harness: str = field(default_factory=_harness_version)

    @property
    def ok(self) -> bool:
        if self.verdict is not None:
            return self.verdict == "open"
        return bool(self.cells) and all(cell.ok for cell in self.cells)

    @property
    def title(self) -> str:
        """What the run was and how it ended, for report titles."""
        if self.kind == "gate":
            return f"pyscript-storage gate: {'OPEN' if self.ok else 'CLOSED'}"
        return f"pyscript-storage {self.kind}: {'OK' if self.ok else 'FAILED'}"

    def close_gate(self, allowed: tuple[Status, ...]) -> None:
        """Decide a gate: open only when cells ran and every one has an allowed status; a cell
        the engine cannot have ("n/a") never closes it."""
        self.kind = "gate"
        self.blocking = [
            f"{c.case} x {c.project} ({c.status})" for c in self.cells if c.status not in (*allowed, "n/a")
        ]
        if not any(c.status != "n/a" for c in self.cells):
            self.blocking = ["no cells ran"]
        self.verdict = "closed" if self.blocking else "open"

    def spent(self) -> dict[str, float]:
        """Seconds the whole run spent starting browsers, loading pages (Pyodide boots), in steps."""
        total: dict[str, float] = {}
        for cell in self.cells:
            for what, seconds in cell.spent.items():
                total[what] = total.get(what, 0.0) + seconds
        return total

    def cpu(self, project: str | None = None) -> dict[str, float]:
        """CPU seconds the cells (of ``project``, or all) cost, per phase (the browsers') and
        "harness" (the threads that ran them)."""
        total: dict[str, float] = {}
        for cell in self.cells:
            if project is None or cell.project == project:
                for what, seconds in cell.cpu.items():
                    total[what] = total.get(what, 0.0) + seconds
        return total

    def slowest(self, count: int = 10) -> list[Cell]:
        """The ``count`` cells that took longest, longest first (as pytest's --durations)."""
        return sorted(self.cells, key=lambda cell: cell.seconds, reverse=True)[:count]

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for cell in self.cells:
            counts[cell.status] = counts.get(cell.status, 0) + 1
        return counts

    def write_json(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        data = asdict(self) | {
            "title": self.title,
            "ok": self.ok,
            "counts": self.counts(),
            "spent": self.spent(),
            "cpu": self.cpu(),
        }
        path.write_text(json.dumps(data, indent=2) + "\n", "utf-8")
