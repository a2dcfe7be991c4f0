"""PyScript's CDN addresses map to the pinned packages, or say exactly what is missing."""

from __future__ import annotations

import pytest

from pyscript_storage_harness import assets
from pyscript_storage_harness.app import switch_interpreter
from pyscript_storage_harness.cdn import CdnMiss, resolve, rewrite


@pytest.mark.parametrize(
    ("address", "package", "file"),
    [
        ("pyscript.net/releases/2026.7.3/core.js", assets.PYSCRIPT_CORE, "dist/core.js"),
        ("cdn.jsdelivr.net/npm/@pyscript/core@0.7.31/dist/core.css", assets.PYSCRIPT_CORE, "dist/core.css"),
        (
            "cdn.jsdelivr.net/pyodide/v314.0.2/full/pyodide.mjs",
            assets.PYODIDE_PYSCRIPT_DEFAULT,
            "pyodide.mjs",
        ),
        ("cdn.jsdelivr.net/pyodide/v314.0.7/full/python_stdlib.zip", assets.PYODIDE, "python_stdlib.zip"),
        (
            "cdn.jsdelivr.net/npm/@micropython/micropython-webassembly-pyscript@1.28.0-6/micropython.mjs",
            assets.MICROPYTHON,
            "micropython.mjs",
        ),
    ],
)
def test_known_addresses_map_to_a_pinned_file(address: str, package: assets.NpmPackage, file: str) -> None:
    assert resolve(address) == (package, file)


@pytest.mark.parametrize(
    ("address", "said"),
    [
        (
            "pyscript.net/releases/2024.1.1/core.js",
            "PyScript release 2024.1.1 is not held; the harness holds 2026.7.3",
        ),
        ("cdn.jsdelivr.net/npm/@pyscript/core@0.6.0/dist/core.js", "@pyscript/core 0.6.0 is not held"),
        (
            "cdn.jsdelivr.net/pyodide/v0.26.4/full/pyodide.mjs",
            "pyodide 0.26.4 is not held; the harness holds pyodide@",
        ),
        ("cdn.jsdelivr.net/npm/left-pad@1.0.0/index.js", "not a PyScript, Pyodide or MicroPython address"),
        ("cdn.jsdelivr.net/pyodide/v314.0.7/full/../../../etc/passwd", "not a file of the package"),
    ],
)
def test_what_is_not_held_is_named_with_what_is(address: str, said: str) -> None:
    missed = resolve(address)
    assert isinstance(missed, CdnMiss) and said in str(missed) and address in str(missed)


def test_rewrite_points_both_cdns_at_the_origin_and_nothing_else() -> None:
    text = (
        '<script src="https://pyscript.net/releases/2026.7.3/core.js"></script>'
        "`https://cdn.jsdelivr.net/pyodide/v${e}/full/pyodide.mjs` https://example.com/x"
    )
    assert rewrite(text, "http://127.0.0.1:5000") == (
        '<script src="http://127.0.0.1:5000/__cdn__/pyscript.net/releases/2026.7.3/core.js"></script>'
        "`http://127.0.0.1:5000/__cdn__/cdn.jsdelivr.net/pyodide/v${e}/full/pyodide.mjs` https://example.com/x"
    )


def test_a_page_switches_interpreter_both_ways() -> None:
    page = (
        '<py-config>x</py-config><script type="py" src="main.py"></script>'
        "<button py-click='go'>go</button><script type=\"py-editor\"></script>"
    )
    on_micropython = switch_interpreter(page, "micropython")
    assert on_micropython == (
        '<mpy-config>x</mpy-config><script type="mpy" src="main.py"></script>'
        "<button mpy-click='go'>go</button><script type=\"py-editor\"></script>"
    )
    assert switch_interpreter(on_micropython, "pyodide") == page
