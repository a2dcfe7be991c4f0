"""The drop-in's pieces that need no browser: ``python -m pyscript_storage add`` and the file
list and worker code inside dropin.js (tests/e2e/test_dropin.py runs it in the engines)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pyscript_storage.__main__ import PACKAGE, main, module_files

DROPIN = (PACKAGE / "dropin.js").read_text("utf-8")

PAGE = """<!doctype html>
<html><head>
    <script type="module" src="https://pyscript.net/releases/2026.7.3/core.js"></script>
</head><body><script type="py">print(1)</script></body></html>
"""


def test_the_dropin_lists_every_file_of_the_module() -> None:
    listed = re.search(r"const FILES = (\[.*?\]);", DROPIN, re.DOTALL)
    assert listed is not None
    files = json.loads(re.sub(r",\s*\]", "]", listed[1]))
    assert files == [file.name for file in module_files() if file.name != "dropin.js"]


def test_the_workers_code_is_python() -> None:
    template = re.search(r"const WORKER_SWAP = `(.*?)`;", DROPIN, re.DOTALL)
    assert template is not None
    swap = re.search(r'const SWAP = "(.*?)";', DROPIN)
    assert swap is not None
    code = template[1].replace("${JSON.stringify(HERE)}", '"http://host/app/pyscript_storage/"')
    code = code.replace("${JSON.stringify(FILES)}", '["storage.py"]').replace("${TAG}", "drop-in")
    code = code.replace("${SWAP}", swap[1].encode().decode("unicode_escape"))
    assert "${" not in code
    compile(code, "worker-swap", "exec")


def test_add_copies_the_module_and_puts_the_tag_after_core_js(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "index.html").write_text(PAGE)
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "about.html").write_text(PAGE)
    assert main(["add", str(tmp_path), "--page", "index.html", "--page", "pages/about.html"]) == 0
    copied = sorted(file.name for file in (tmp_path / "pyscript_storage").iterdir())
    assert copied == [file.name for file in module_files()] and "dropin.js" in copied
    html = (tmp_path / "index.html").read_text()
    core = '    <script type="module" src="https://pyscript.net/releases/2026.7.3/core.js"></script>\n'
    block = (
        '    <script type="module">\n'
        '      import { hooks } from "https://pyscript.net/releases/2026.7.3/core.js";\n'
        '      import { install } from "./pyscript_storage/dropin.js";\n'
        "      install(hooks);\n"
        "    </script>\n"
    )
    assert block + core in html  # before core.js: its hooks are in before PyScript starts
    assert 'from "../pyscript_storage/dropin.js"' in (tmp_path / "pages" / "about.html").read_text()
    said = capsys.readouterr().out
    assert f"copied {len(copied)} files to {tmp_path / 'pyscript_storage'}" in said
    assert said.count(": added the drop-in before its core.js") == 2
    # Again (a newer wheel): the copy is replaced, a stale file goes, the page keeps one tag.
    (tmp_path / "pyscript_storage" / "old.py").write_text("")
    assert main(["add", str(tmp_path), "--page", "index.html"]) == 0
    assert not (tmp_path / "pyscript_storage" / "old.py").exists()
    assert (tmp_path / "index.html").read_text() == html
    assert "index.html: already loads the drop-in" in capsys.readouterr().out


def test_add_without_pages_says_what_to_add(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["add", str(tmp_path)]) == 0
    said = capsys.readouterr().out
    assert 'import { install } from "./pyscript_storage/dropin.js";\n  install(hooks);' in said


@pytest.mark.parametrize(
    ("prepare", "args", "message"),
    [
        (None, ["add", "{tmp}/nowhere"], "nowhere: no such folder"),
        ("own-folder", ["add", "{tmp}"], "pyscript_storage exists and is not a copy of the drop-in"),
        (None, ["add", "{tmp}", "--page", "missing.html"], "missing.html: no such page"),
        ("no-core", ["add", "{tmp}", "--page", "index.html"], "loads no PyScript core.js"),
    ],
)
def test_add_refuses_clearly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], prepare: str | None, args: list[str], message: str
) -> None:
    if prepare == "own-folder":
        (tmp_path / "pyscript_storage").mkdir()
        (tmp_path / "pyscript_storage" / "mine.py").write_text("")
    if prepare == "no-core":
        (tmp_path / "index.html").write_text("<html><script type='py'>print(1)</script></html>")
    assert main([arg.format(tmp=tmp_path) for arg in args]) == 1
    assert message in capsys.readouterr().err
    if prepare == "own-folder":
        assert (tmp_path / "pyscript_storage" / "mine.py").exists()  # nothing of the user's removed


def test_help_teaches_the_tag(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["add", "--help"])
    said = capsys.readouterr().out
    assert 'import { install } from "./pyscript_storage/dropin.js";' in said
    assert "python -m pyscript_storage add ./app --page index.html" in said
