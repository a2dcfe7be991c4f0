"""A function as page code: run here on CPython, it must behave as the function, lines and all."""

from __future__ import annotations

import ast
import asyncio
import traceback
from typing import Any

import pytest

from pyscript_storage_harness.page_code import page_code


def run_here(function: Any, *args: Any) -> dict[str, Any]:
    """Run page code as the page does (top-level await allowed) in a fresh namespace."""
    code = page_code(function, *args)
    compiled = compile(code.python, code.filename, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    namespace: dict[str, Any] = {}
    coroutine = eval(compiled, namespace)  # noqa: S307 - the test's own code
    if coroutine is not None:
        asyncio.run(coroutine)
    return namespace


def add(a: int, b: int) -> int:
    return a + b


async def fetch_twice(key: str) -> list[str]:
    import asyncio

    await asyncio.sleep(0)
    return [key, key]


def fails(limit: int) -> None:
    values = list(range(limit))
    assert len(values) > limit, "too few"  # FAILS HERE


def test_a_function_runs_with_json_arguments_and_leaves_its_value_in_result() -> None:
    assert run_here(add, 2, 3)["result"] == 5
    assert run_here(fetch_twice, "k")["result"] == ["k", "k"]


def test_a_failure_names_the_functions_own_file_and_line() -> None:
    with pytest.raises(AssertionError) as raised:
        run_here(fails, 3)
    frame = traceback.extract_tb(raised.value.__traceback__)[-1]
    assert frame.filename == __file__ and "# FAILS HERE" in (frame.line or "")
    with open(__file__) as source:
        assert "# FAILS HERE" in source.read().splitlines()[frame.lineno - 1]


def tag(function: Any) -> Any:
    """A decorator that returns the function itself (as pytest's marks do)."""
    return function


def test_nested_and_decorated_functions_keep_their_lines() -> None:
    @tag
    def inner(x: int) -> int:
        return x * 2

    code = page_code(inner, 21)
    with open(__file__) as source:
        line = next(n for n, text in enumerate(source, 1) if text.strip() == "def inner(x: int) -> int:")
    assert code.python.splitlines()[line - 1].strip() == "def inner(x: int) -> int:"
    assert "@tag" not in code.python
    assert run_here(inner, 21)["result"] == 42


@pytest.mark.parametrize("bad", [lambda: 1, print])
def test_what_has_no_source_is_refused(bad: Any) -> None:
    with pytest.raises(TypeError, match="plain def"):
        page_code(bad)


def test_arguments_that_are_not_json_are_refused() -> None:
    with pytest.raises(TypeError, match="travel as JSON"):
        page_code(add, object(), 1)
