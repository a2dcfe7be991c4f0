"""repro's snippet format and sizes: what a developer types must mean one thing, or fail clearly."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from pyscript_storage_harness.cli import main
from pyscript_storage_harness.repro import join_negative_values, parse, parse_size
from pyscript_storage_harness.scenarios import Reload, Restart, Visit

SNIPPET = """\
from pyscript_storage import storage
s = await storage("x")
# %% reload
s = await storage("x")
#%%
print(1)
# %% restart
# %% origin 1
print(2)
"""


def test_markers_split_the_snippet_and_keep_line_numbers() -> None:
    pieces = parse(SNIPPET)
    assert [type(p.action).__name__ if p.action else None for p in pieces] == [
        None,
        "Reload",
        None,
        "Restart",
        "Visit",
    ]
    assert isinstance(pieces[1].action, Reload) and isinstance(pieces[3].action, Restart)
    assert pieces[4].action == Visit(1)
    assert pieces[3].python is None  # a restart with nothing after it
    assert [p.first_line for p in pieces] == [1, 4, 6, 8, 9]
    # Blank lines in front: a traceback's line number is the file's.
    assert pieces[1].python is not None and pieces[1].python.splitlines()[3] == 's = await storage("x")'


@pytest.mark.parametrize("bad", ["# %% reboot", "# %% origin x", "# %% reload now"])
def test_an_unknown_marker_names_its_line(bad: str) -> None:
    with pytest.raises(ValueError, match="line 2: unknown marker"):
        parse(f"x = 1\n{bad}\n")


def test_a_snippet_without_python_is_refused() -> None:
    with pytest.raises(ValueError, match="no Python"):
        parse("# %% reload\n\n")


def test_sizes() -> None:
    assert parse_size("2MB") == 2_000_000
    assert parse_size("512KiB") == 524_288
    assert parse_size("3000000") == 3_000_000
    assert parse_size("1.5 MiB") == 1_572_864
    for bad in ("", "2 parsecs", "-1MB", "0"):
        with pytest.raises(ValueError):
            parse_size(bad)


def test_a_syntax_error_is_found_before_any_browser_starts(tmp_path: Path) -> None:
    snippet = tmp_path / "bug.py"
    snippet.write_text("x = 1\n# %% reload\nprint(x\n")
    with pytest.raises(ValueError, match=r"bug.py, line 3: SyntaxError: .*\n    print\(x"):
        parse(snippet.read_text(), str(snippet))
    started = time.monotonic()
    code = main(["repro", str(snippet)])  # exit 2 at once: no wheel built, no browser started
    assert code == 2 and time.monotonic() - started < 5


def test_an_origin_the_server_does_not_have_is_refused() -> None:
    with pytest.raises(ValueError, match="line 2: origin 5 does not exist: the server has 2 origins"):
        parse("x = 1\n# %% origin 5\nprint(x)\n", origins=2)
    assert parse("# %% origin 2\nprint(1)\n", origins=3)[0].action == Visit(2)


def test_size_errors_name_the_units_and_a_negative_size_reaches_the_check(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(ValueError, match="B, kB, KiB, MB, MiB, GB, GiB"):
        parse_size("lots")
    assert join_negative_values(["repro", "x.py", "--quota", "-5MB"]) == ["repro", "x.py", "--quota=-5MB"]
    for bad, said in (("lots", "not a size: 'lots'"), ("-5MB", "more than 0 bytes, not '-5MB'")):
        with pytest.raises(SystemExit):
            main(["repro", "x.py", "--quota", bad])
        assert said in capsys.readouterr().err
