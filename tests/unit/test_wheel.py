"""Building the wheel under test from this checkout."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pyscript_storage_harness.wheel import build, find_source


def test_two_builds_at_once_in_one_tree_both_give_the_same_wheel(tmp_path: Path) -> None:
    # pytest -n 2 and two CLI runs started together build in the same tree; setuptools
    # shares its build/ folder there, and the second build once failed with "File exists".
    source = find_source(Path(__file__))
    assert source is not None
    with ThreadPoolExecutor(2) as pool:
        first, second = pool.map(lambda n: build(tmp_path / f"out{n}", source), (1, 2))
    assert first.path.name == second.path.name
    assert first.sha256 == second.sha256  # reproducible: SOURCE_DATE_EPOCH
