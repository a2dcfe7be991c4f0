"""The CI recipes in examples/ci parse as YAML, shard the suite 1..N, merge every shard, and each
harness command in them is one the command line accepts."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from pyscript_storage_harness.cli import _parser

RECIPES = Path(__file__).resolve().parents[2] / "examples" / "ci"


def commands(recipe: Any) -> list[str]:
    """Every shell line in a GitHub Actions or GitLab CI document."""
    found: list[str] = []
    if isinstance(recipe, dict):
        for key, value in recipe.items():
            if key in ("run", "script") and isinstance(value, str):
                found.append(value)
            elif key == "script" and isinstance(value, list):
                found += [line for line in value if isinstance(line, str)]
            else:
                found += commands(value)
    elif isinstance(recipe, list):
        for item in recipe:
            found += commands(item)
    return found


def harness_args(line: str, shard: int, total: int) -> list[str] | None:
    line = line.replace("${{ matrix.shard }}", str(shard)).replace("${CI_NODE_INDEX}", str(shard))
    line = line.replace("${CI_NODE_TOTAL}", str(total))
    words = shlex.split(line)
    starts = [i for i, word in enumerate(words) if word.endswith("pyscript-storage-harness")]
    return words[starts[0] + 1 :] if starts else None


@pytest.mark.parametrize("name", ["github-actions.yml", "gitlab-ci.yml"])
def test_a_recipe_shards_the_suite_and_merges_every_shard(name: str) -> None:
    recipe = yaml.safe_load((RECIPES / name).read_text())
    total = 3
    runs, merges = [], []
    for shard in range(1, total + 1):
        for line in commands(recipe):
            args = harness_args(line, shard, total)
            if args is None:
                continue
            parsed = _parser().parse_args(args)  # SystemExit if the CLI would refuse it
            (runs if parsed.command == "run" else merges).append(parsed)
    assert sorted(parsed.shard for parsed in runs) == [f"{i}/{total}" for i in range(1, total + 1)]
    assert all(parsed.json and str(parsed.json).endswith(f"shard-{parsed.shard[0]}.json") for parsed in runs)
    merge = merges[0]
    assert merge.command == "merge" and [p.name for p in merge.reports] == [
        f"shard-{i}.json" for i in range(1, total + 1)
    ]
    assert merge.html and merge.junit
