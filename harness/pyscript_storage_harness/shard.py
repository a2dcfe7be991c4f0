"""Splitting a run's cells into shards, and merging the shards' reports into one run.

A cell is named ``scenario|interpreter|project``. ``split`` is stable: the same
cells and the same durations give every machine the same shards. Given the
durations of a previous run (its JSON report), the longest cells are placed first,
each on the shard with the least time so far; without them, cells are dealt out in
turn. Each shard's report lists the whole plan, so ``merge`` can tell a missing or
duplicated cell, and refuses shards of different wheels.
"""

from __future__ import annotations

import json
import re
from dataclasses import fields
from itertools import zip_longest
from pathlib import Path

from .results import Cell, Run

__all__ = ["ShardError", "cell_id", "durations_from", "load_run", "merge", "parse_shard", "schedule", "split"]


class ShardError(ValueError):
    """Shards that cannot make one run, or a --shard that means nothing."""


def cell_id(scenario: str, interpreter: str, project: str) -> str:
    return f"{scenario}|{interpreter}|{project}"


def parse_shard(text: str, option: str = "--shard") -> tuple[int, int]:
    """``"2/3"`` as (2, 3); ShardError unless 1 <= I <= N."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if match is None or not 1 <= int(match[1]) <= int(match[2]):
        raise ShardError(f"{option} takes I/N with 1 <= I <= N (e.g. 2/3), not {text!r}")
    return int(match[1]), int(match[2])


def split(cells: list[str], count: int, durations: dict[str, float] | None = None) -> list[list[str]]:
    """``cells`` in ``count`` shards, each keeping the plan's order."""
    order = {cell: index for index, cell in enumerate(cells)}
    shards: list[list[str]] = [[] for _ in range(count)]
    if durations:
        known = [d for d in durations.values() if d > 0]
        default = sorted(known)[len(known) // 2] if known else 1.0  # a new cell weighs the median
        loads = [0.0] * count
        for cell in sorted(cells, key=lambda c: (-durations.get(c, default), order[c])):
            lightest = min(range(count), key=lambda i: (loads[i], i))
            shards[lightest].append(cell)
            loads[lightest] += durations.get(cell, default)
    else:
        for index, cell in enumerate(cells):
            shards[index % count].append(cell)
    return [sorted(shard, key=order.__getitem__) for shard in shards]


def schedule(cells: list[str], durations: dict[str, float] | None = None) -> list[str]:
    """The order in which workers running several cells at a time take ``cells``.

    Engines in turn, so cells running at the same time are in different engines
    (each engine's first page makes its Pyodide snapshot: once, not once per
    worker); with an earlier run's durations, the longest first, so no long cell
    starts last and runs alone (a cell the report lacks counts as long).
    """
    per_project: dict[str, list[str]] = {}
    for cell in cells:
        per_project.setdefault(cell.rsplit("|", 1)[-1], []).append(cell)
    in_turn = [cell for turn in zip_longest(*per_project.values()) for cell in turn if cell is not None]
    if not durations:
        return in_turn
    known = durations
    return sorted(in_turn, key=lambda cell: -known.get(cell, float("inf")))  # stable: ties in turn


def load_run(path: Path) -> Run:
    """A run back from its JSON report; ShardError if it is not one."""
    try:
        data = json.loads(path.read_text("utf-8"))
        cell_keys = {f.name for f in fields(Cell)}
        run_keys = {f.name for f in fields(Run)} - {"cells"}
        run = Run(**{k: v for k, v in data.items() if k in run_keys})
        run.cells = [Cell(**{k: v for k, v in cell.items() if k in cell_keys}) for cell in data["cells"]]
    except FileNotFoundError:
        raise ShardError(f"{path}: no such report") from None
    except (json.JSONDecodeError, KeyError, TypeError, AttributeError, UnicodeDecodeError) as error:
        raise ShardError(f"{path}: not a JSON report of the harness ({error})") from None
    except IsADirectoryError:
        raise ShardError(f"{path}: a folder, not a JSON report") from None
    return run


def durations_from(path: Path) -> dict[str, float]:
    """Each cell's seconds in an earlier run's JSON report."""
    return {cell_id(c.scenario, c.interpreter, c.project): c.seconds for c in load_run(path).cells}


def merge(runs: list[Run], names: list[str]) -> Run:
    """One run from its shards' runs (``names``: their files, for messages)."""
    if not runs:
        raise ShardError("merge needs the shards' JSON reports")
    wheels = {run.wheel.get("sha256", "") for run in runs}
    if len(wheels) > 1:
        described = ", ".join(
            f"{n}: {r.wheel.get('sha256', '?')[:16]}" for n, r in zip(names, runs, strict=True)
        )
        raise ShardError(f"the shards tested different wheels ({described})")
    counts = {run.shard.split("/")[-1] for run in runs}
    if "" in {run.shard for run in runs} or len(counts) > 1:
        raise ShardError("every report must be a shard of one run (run --shard I/N, the same N)")
    plans = {tuple(run.planned) for run in runs}
    if len(plans) > 1:
        raise ShardError("the shards planned different cells (other options or scenarios?)")
    seen: dict[str, str] = {}
    merged = Run(wheel=runs[0].wheel, interpreter=runs[0].interpreter, kind=runs[0].kind)
    merged.planned = list(runs[0].planned)
    merged.started = min(run.started for run in runs)
    merged.host = ", ".join(dict.fromkeys(run.host for run in runs))
    merged.selection = runs[0].selection
    merged.seconds = max(run.seconds for run in runs)  # the shards ran side by side
    merged.harness_cpu = round(sum(run.harness_cpu for run in runs), 1)  # each machine's harness
    for name, run in zip(names, runs, strict=True):
        for project, version in run.engines.items():
            if merged.engines.get(project, "unknown") == "unknown":  # a shard of n/a cells knows none
                merged.engines[project] = version
        for cell in run.cells:
            key = cell_id(cell.scenario, cell.interpreter, cell.project)
            if key in seen:
                raise ShardError(f"cell {key} is in two reports: {seen[key]} and {name}")
            seen[key] = name
            cell.shard, cell.host = run.shard, run.host
    missing = [key for key in merged.planned if key not in seen]
    if missing:
        raise ShardError(f"{len(missing)} planned cells are in no report: {', '.join(missing[:10])}")
    cells = {cell_id(c.scenario, c.interpreter, c.project): c for run in runs for c in run.cells}
    merged.cells = [cells[key] for key in merged.planned]
    return merged
