"""Issue #16's performance targets, judged from one benchmarks report.

Each target is a ratio of medians measured side by side in the same run, per
engine (the issue's own words in ``goal``); a target's figure is its worst
case over the workloads it covers, with that workload named. Nothing here is
a timed assertion: the figures are printed, written to JSON and to a Markdown
table for the README, and a missed target stays a figure with its reason in
docs/performance.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .workloads import WORKLOADS

__all__ = ["Target", "TARGETS", "Verdict", "judge", "markdown", "rows"]

Medians = dict[str, float | None]


@dataclass(frozen=True)
class Target:
    name: str
    goal: str  # the wording
    workloads: tuple[str, ...]
    ratio: Callable[[Medians], float | None]  # of one workload's medians
    limit: float | None  # None: a figure shown beside the targets, not one of them
    higher_is_better: bool  # True: at least ``limit``; False: at most ``limit``
    form: str = "{:.2f}x"


@dataclass(frozen=True)
class Verdict:
    """A target in one engine: the worst ratio over its workloads, and where."""

    value: float | None  # None: none of its workloads measured (not run, or failed)
    workload: str
    met: bool | None  # None: not measured, or not a target

    def text(self, form: str) -> str:
        if self.value is None:
            return "not measured"
        verdict = "" if self.met is None else " met" if self.met else " missed"
        return f"{form.format(self.value)}{verdict} ({self.workload})"


def _over(a: str, b: str) -> Callable[[Medians], float | None]:
    def ratio(medians: Medians) -> float | None:
        top, bottom = medians.get(a), medians.get(b)
        return top / bottom if top is not None and bottom else None

    return ratio


FIRST_OPENS = ("first-open-1000", "first-open-10000", "first-open-100000")
WITH_UPSTREAM = tuple(w.name for w in WORKLOADS if not w.upstream)
ON_MICROPYTHON = tuple(w.name for w in WORKLOADS if not w.micropython)

_PER_INTERPRETER = (
    ("open vs upstream", "open at least 10x faster than upstream (a fresh page's first storage())",
     FIRST_OPENS, "upstream", None, 10.0, True, "{:.1f}x"),
    ("open vs raw", "open at most 1.5x raw IndexedDB (a fresh page's open + getAll)",
     FIRST_OPENS, None, "raw", 1.5, False, "{:.2f}x"),
    ("write vs raw", "write then sync at most 1.3x raw at 10,000 and 100,000 keys",
     ("write-10000", "write-100000"), None, "raw", 1.3, False, "{:.2f}x"),
)  # fmt: skip


def _interpreter_targets(ours: str, label: str) -> tuple[Target, ...]:
    """The targets on ours and on the interpreter's side: ``ours`` fills the empty slot of each ratio."""
    return tuple(
        Target(name + label, goal + label, workloads, _over(top or ours, bottom or ours), limit, higher, form)
        for name, goal, workloads, top, bottom, limit, higher, form in _PER_INTERPRETER
    )


TARGETS: tuple[Target, ...] = (
    *_interpreter_targets("ours", ""),
    Target(
        "no slower than upstream",
        "no workload slower than upstream at upstream's durability "
        "(ours relaxed against upstream: upstream/ours)",
        WITH_UPSTREAM,
        _over("upstream", "ours-relaxed"),
        1.0,
        True,
    ),
    Target(
        "strict sync vs raw",
        "1,000 x (set, sync) at most 1.2x raw doing the same strict commits",
        ("latency-1000",),
        _over("ours", "raw"),
        1.2,
        False,
    ),
    Target(
        "strict sync vs Python's floor",
        "the same against Python awaiting each of raw's strict commits (the floor of any Python code; "
        "not a target)",
        ("latency-1000",),
        _over("ours", "python-floor"),
        None,
        False,
    ),
    Target(
        "MicroPython vs Pyodide",
        "MicroPython within 1.5x of Pyodide on every workload (mpy/ours)",
        ON_MICROPYTHON,
        _over("ours-mpy", "ours"),
        1.5,
        False,
    ),
    *_interpreter_targets("ours-mpy", ", on MicroPython"),
)


def judge(target: Target, medians: dict[str, Medians]) -> Verdict:
    """``target`` against one engine's medians (workload -> implementation -> seconds)."""
    measured = [
        (ratio, workload)
        for workload in target.workloads
        if workload in medians and (ratio := target.ratio(medians[workload])) is not None
    ]
    if not measured:
        return Verdict(None, "", None)
    value, workload = min(measured) if target.higher_is_better else max(measured)
    if target.limit is None:
        return Verdict(value, workload, None)
    met = value >= target.limit if target.higher_is_better else value <= target.limit
    return Verdict(value, workload, met)


def rows(report: dict[str, Any]) -> list[tuple[Target, list[Verdict]]]:
    """Each target with its verdict in each engine of ``report``, in the report's engine order."""
    engines = report["engines"].values()
    return [(target, [judge(target, result["medians"]) for result in engines]) for target in TARGETS]


def markdown(report: dict[str, Any]) -> str:
    """The targets as a Markdown table, one column per engine (what the README shows)."""
    versions = [result["version"] for result in report["engines"].values()]
    lines = ["| target | " + " | ".join(versions) + " |", "|---" * (len(versions) + 1) + "|"]
    for target, judged in rows(report):
        lines.append(f"| {target.goal} | " + " | ".join(v.text(target.form) for v in judged) + " |")
    return "\n".join(lines) + "\n"
