"""Shards: a stable, balanced split, and a merge that equals the single run or says why not."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyscript_storage_harness.results import Cell, Run
from pyscript_storage_harness.shard import ShardError, cell_id, load_run, merge, parse_shard, schedule, split

CELLS = [
    cell_id(s, i, p) for p in ("chromium", "webkit") for s in ("a", "b", "c", "d", "e") for i in ("pyodide",)
]


def test_parse_shard() -> None:
    assert parse_shard("2/3") == (2, 3) and parse_shard(" 1 / 1 ") == (1, 1)
    for bad in ("0/3", "4/3", "3", "a/b", "-1/2"):
        with pytest.raises(ShardError, match="I/N"):
            parse_shard(bad)


def test_by_count_every_cell_once_in_plan_order_and_stable() -> None:
    shards = split(CELLS, 3)
    assert sorted(c for shard in shards for c in shard) == sorted(CELLS)
    assert [len(shard) for shard in shards] == [4, 3, 3]
    assert all(shard == sorted(shard, key=CELLS.index) for shard in shards)
    assert split(CELLS, 3) == shards and split(list(CELLS), 3) == shards


def test_by_duration_the_longest_cells_spread_out() -> None:
    durations = dict.fromkeys(CELLS, 1.0) | {CELLS[0]: 30.0, CELLS[1]: 29.0, CELLS[2]: 28.0}
    shards = split(CELLS, 3, durations)
    loads = [sum(durations[c] for c in shard) for shard in shards]
    assert max(loads) - min(loads) <= 3, loads
    assert all(sum(c in shard for c in CELLS[:3]) == 1 for shard in shards)  # one long cell each
    assert split(CELLS, 3, durations) == shards


def shard_runs(tmp_path: Path, count: int) -> list[Path]:
    paths = []
    for index, shard in enumerate(split(CELLS, count), 1):
        run = Run(
            wheel={"name": "w", "version": "1", "sha256": "ab" * 32},
            interpreter="P",
            shard=f"{index}/{count}",
        )
        run.planned = list(CELLS)
        run.host = f"machine-{index}"
        for key in shard:
            scenario, interpreter, project = key.split("|")
            run.cells.append(Cell(scenario, project, "passed", 1.0, "v", interpreter=interpreter))
        run.engines = {c.project: "v" for c in run.cells}
        path = tmp_path / f"shard-{index}.json"
        run.write_json(path)
        paths.append(path)
    return paths


def test_merged_shards_are_the_whole_plan_in_order_with_shard_and_machine(tmp_path: Path) -> None:
    paths = shard_runs(tmp_path, 3)
    merged = merge([load_run(p) for p in paths], [str(p) for p in paths])
    assert [cell_id(c.scenario, c.interpreter, c.project) for c in merged.cells] == CELLS
    assert {c.shard for c in merged.cells} == {"1/3", "2/3", "3/3"}
    assert merged.cells[0].host == "machine-1" and merged.host == "machine-1, machine-2, machine-3"
    merged.write_json(tmp_path / "merged.json")
    assert len(load_run(tmp_path / "merged.json").cells) == len(CELLS)


def test_a_missing_or_doubled_shard_or_another_wheel_is_refused(tmp_path: Path) -> None:
    paths = shard_runs(tmp_path, 3)
    runs = [load_run(p) for p in paths]
    with pytest.raises(ShardError, match="planned cells are in no report"):
        merge(runs[:2], ["1", "2"])
    with pytest.raises(ShardError, match="is in two reports: 1 and 1b"):
        merge([runs[0], load_run(paths[0]), *runs[1:]], ["1", "1b", "2", "3"])
    runs[2].wheel = {**runs[2].wheel, "sha256": "cd" * 32}
    with pytest.raises(ShardError, match="different wheels"):
        merge(runs, ["1", "2", "3"])
    with pytest.raises(ShardError, match="not a JSON report"):
        (tmp_path / "bad.json").write_text("{}")
        load_run(tmp_path / "bad.json")


def test_workers_take_engines_in_turn_or_the_longest_cells_first() -> None:
    plan = [cell_id(s, "pyodide", p) for p in ("chromium", "firefox", "webkit") for s in ("a", "b")]
    assert schedule(plan) == [
        "a|pyodide|chromium",
        "a|pyodide|firefox",
        "a|pyodide|webkit",
        "b|pyodide|chromium",
        "b|pyodide|firefox",
        "b|pyodide|webkit",
    ]
    lopsided = [*plan, cell_id("c", "pyodide", "webkit")]
    assert schedule(lopsided)[-2:] == ["b|pyodide|webkit", "c|pyodide|webkit"]
    durations = {"a|pyodide|chromium": 1.0, "b|pyodide|webkit": 9.0, "b|pyodide|firefox": 3.0}
    ordered = schedule(plan, durations)
    assert sorted(ordered) == sorted(plan)  # every cell once
    assert ordered[:3] == ["a|pyodide|firefox", "a|pyodide|webkit", "b|pyodide|chromium"]  # unknown: long
    assert ordered[3:] == ["b|pyodide|webkit", "b|pyodide|firefox", "a|pyodide|chromium"]


def test_a_shard_of_only_na_cells_does_not_hide_an_engines_version(tmp_path: Path) -> None:
    """An n/a cell starts no browser, so its shard knows the engine as "unknown"."""
    paths = shard_runs(tmp_path, 3)
    runs = [load_run(p) for p in paths]
    runs[0].engines = dict.fromkeys(runs[0].engines, "unknown")
    merged = merge(runs, [str(p) for p in paths])
    assert merged.engines and set(merged.engines.values()) == {"v"}
