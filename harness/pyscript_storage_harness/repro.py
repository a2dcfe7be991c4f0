"""``repro``: run a developer's Python file in a real page, one step at a time.

A snippet is split into steps by marker comments on lines of their own:

    # %%              a new step on the same page (variables carry over)
    # %% reload       reload the page first: a new interpreter, same IndexedDB
    # %% restart      quit the browser and start it again on the same profile
    # %% kill         SIGKILL the browser (no clean close), then start it again on the profile
    # %% origin 1     open the runner page on another origin (0 is the first)

Each step's output, result and Python traceback are printed as it runs.
Afterwards the origin's stores can be dumped, decoded, as JSON.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from .drivers import Driver, StepFailed
from .runner import Session, browser_action
from .scenarios import Interpreter, Kill, Reload, Restart, Step, Visit

__all__ = ["Snippet", "parse", "parse_size", "quota_argument", "join_negative_values", "run", "DUMP_STORES"]

_MARKER = re.compile(r"^#\s*%%\s*(?P<action>[A-Za-z]+)?\s*(?P<arg>\S+)?\s*$")


@dataclass(frozen=True)
class Snippet:
    """One piece of the file: a browser action (or none) and the Python after it."""

    action: Step | None
    python: str | None  # padded with blank lines so tracebacks give the file's line numbers
    first_line: int


def parse(text: str, filename: str = "<snippet>", origins: int = 2) -> list[Snippet]:
    """Split a snippet at its markers and compile each piece, before any browser starts.

    ValueError names the line of a bad marker, an origin the server does not have
    (``origins`` of them), or a syntax error (with the file's line number).
    """
    pieces: list[Snippet] = []
    action: Step | None = None
    lines: list[str] = []
    first = 1

    def close() -> None:
        code = "\n".join(lines)
        python = "\n" * (first - 1) + code + "\n" if code.strip() else None
        if action is not None or python is not None:
            pieces.append(Snippet(action, python, first))

    for number, line in enumerate(text.splitlines(), 1):
        match = _MARKER.match(line.strip()) if line.lstrip().startswith("#") else None
        if match is None:
            lines.append(line)
            continue
        close()
        lines, first = [], number + 1
        verb, arg = match["action"], match["arg"]
        if verb is None:
            action = None
        elif verb == "reload" and arg is None:
            action = Reload()
        elif verb == "restart" and arg is None:
            action = Restart()
        elif verb == "kill" and arg is None:
            action = Kill()
        elif verb == "origin" and arg is not None and arg.isdigit():
            if int(arg) >= origins:
                raise ValueError(
                    f"line {number}: origin {arg} does not exist: the server has {origins} origins "
                    f"(0 to {origins - 1}; more ports in the config's server.ports give more)"
                )
            action = Visit(int(arg))
        else:
            raise ValueError(
                f"line {number}: unknown marker {line.strip()!r} "
                "(use '# %%', '# %% reload', '# %% restart', '# %% kill' or '# %% origin N')"
            )
    close()
    if not any(piece.python for piece in pieces):
        raise ValueError("the snippet has no Python to run")
    for piece in pieces:
        if piece.python is not None:
            _check_syntax(piece.python, filename)
    return pieces


def _check_syntax(python: str, filename: str) -> None:
    try:
        compile(python, filename, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)
    except SyntaxError as error:
        where = f"{filename}, line {error.lineno}"
        source = f"\n    {error.text.rstrip()}" if error.text else ""
        raise ValueError(f"{where}: SyntaxError: {error.msg}{source}") from None


_UNITS = {
    "": 1,
    "b": 1,
    "kb": 1000,
    "kib": 1024,
    "mb": 1000**2,
    "mib": 1024**2,
    "gb": 1000**3,
    "gib": 1024**3,
}


def parse_size(text: str) -> int:
    """Bytes in "2MB", "512KiB" or "3000000"; ValueError otherwise."""
    match = re.fullmatch(r"\s*(-?\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*", text)
    unit = match[2].lower() if match else None
    if match is None or unit not in _UNITS:
        raise ValueError(
            f"not a size: {text!r}: a number and a unit, one of B, kB, KiB, MB, MiB, GB, GiB "
            "(e.g. 2MB, 512KiB; a plain number is bytes)"
        )
    size = int(float(match[1]) * _UNITS[unit])
    if size <= 0:
        raise ValueError(f"a quota must be more than 0 bytes, not {text!r}")
    return size


def quota_argument(text: str) -> int:
    """parse_size for argparse: its message, not argparse's 'invalid value'."""
    try:
        return parse_size(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def join_negative_values(argv: list[str], options: tuple[str, ...] = ("--quota",)) -> list[str]:
    """``--quota -5MB`` as ``--quota=-5MB``: argparse would take -5MB for an option."""
    joined: list[str] = []
    index = 0
    while index < len(argv):
        if argv[index] in options and index + 1 < len(argv) and re.match(r"-\d", argv[index + 1]):
            joined.append(f"{argv[index]}={argv[index + 1]}")
            index += 2
            continue
        joined.append(argv[index])
        index += 1
    return joined


# Python run on the page: every store of the origin, decoded, as JSON text.
DUMP_STORES = """
import base64, js, json
from pyscript_storage.indexeddb import IndexedDBBackend, DATABASE_PREFIX


def _plain(value):
    if isinstance(value, (bytearray, memoryview)):
        return {f"<{type(value).__name__}>": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


_dump = {}
for _info in (await js.indexedDB.databases()).to_py():
    _name = _info["name"]
    if not _name.startswith(DATABASE_PREFIX):
        continue
    _entries = await IndexedDBBackend(_name.removeprefix(DATABASE_PREFIX)).load()
    # JSON keys are text: a key of another type says its type ("<int> 7"), so 7 and "7" differ.
    _dump[_name.removeprefix(DATABASE_PREFIX)] = {
        (k if isinstance(k, str) else f"<{type(k).__name__}> {k!r}"): _plain(v) for k, v in _entries.items()
    }
result = json.dumps(_dump, ensure_ascii=False, indent=2, sort_keys=True)
"""


def run(
    pieces: list[Snippet],
    driver: Driver,
    session: Session,
    console: Console,
    *,
    keep_going: bool = False,
    timeout_ms: int = 120_000,
    interpreter: Interpreter = "pyodide",
    filename: str = "<snippet>",
) -> bool:
    """Run the pieces on ``driver`` (already on the runner page); True if every step passed."""
    ok = True
    for index, piece in enumerate(pieces, 1):
        what = type(piece.action).__name__.lower() if piece.action else "step"
        console.rule(f"step {index}: {what}, from line {piece.first_line}")
        try:
            if piece.action is not None:
                browser_action(session, driver, piece.action, interpreter)
            if piece.python is not None:
                outcome = driver.run_python_outcome(piece.python, timeout_ms=timeout_ms, filename=filename)
                if outcome.get("output"):
                    console.print(outcome["output"], end="", markup=False, highlight=False)
                if outcome.get("result") is not None:
                    console.print(f"result = {outcome['result']!r}", markup=False, highlight=False)
                console.print("[green]ok[/green]")
        except StepFailed as failure:
            ok = False
            console.print(str(failure), markup=False, highlight=False)
            console.print("[bold red]failed[/bold red]")
            if not keep_going:
                break
    return ok


def dump(driver: Driver, path: Path | None, console: Console) -> None:
    """Print (or write to ``path``) the current origin's stores, decoded, as JSON."""
    text = str(driver.run_python(DUMP_STORES, timeout_ms=120_000))
    if path is None:
        console.rule("stores on this origin (decoded)")
        console.print(text, markup=False, highlight=False)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n", "utf-8")
        console.print(f"stores written to {path} ({len(json.loads(text))} stores)")
