"""--storage-shard: the plugin keeps one shard of the collected tests; the shards cover all once."""

from __future__ import annotations

import re

import pytest

pytest_plugins = ["pytester"]


def test_three_shards_cover_every_test_once(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        **{f"test_m{m}": "\n".join(f"def test_{n}(): pass" for n in range(4)) for m in range(3)}
    )
    ran: list[str] = []
    for index in (1, 2, 3):
        result = pytester.runpytest("-v", "-p", "no:randomly", "--storage-shard", f"{index}/3")
        result.assert_outcomes(passed=4)
        ran += re.findall(r"(test_m\d\.py::test_\d) PASSED", result.stdout.str())
    assert sorted(ran) == sorted(f"test_m{m}.py::test_{n}" for m in range(3) for n in range(4))


def test_a_bad_shard_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_one="def test_one(): pass")
    result = pytester.runpytest("--storage-shard", "4/3")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--storage-shard takes I/N with 1 <= I <= N*"])
