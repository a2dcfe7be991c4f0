"""An app at an older release, as a user's app is: the release's core from npm (a near
patch when npm lacks it, said), integrity= refused or dropped, another release on request."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PAGE = """<!doctype html>
<html><head><meta charset="utf-8">
<script type="module" src="https://pyscript.net/releases/{release}/core.js"{integrity}></script>
</head><body><p id="out">...</p>
<script type="py" async>
from pyscript import document, storage
store = await storage("counter")
store["n"] = store.get("n", 0) + 1
await store.sync()
document.querySelector("#out").innerText = f"n={{store['n']}}"
</script></body></html>
"""


def app(tmp_path: Path, release: str, integrity: str = "") -> Path:
    folder = tmp_path / f"app-{release}"
    folder.mkdir()
    attribute = f' integrity="{integrity}" crossorigin="anonymous"' if integrity else ""
    (folder / "index.html").write_text(PAGE.format(release=release, integrity=attribute))
    return folder


def check(folder: Path, *options: str) -> tuple[subprocess.CompletedProcess[str], list[dict[str, object]]]:
    report = folder.with_suffix(".json")
    done = subprocess.run(
        [sys.executable, "-m", "pyscript_storage_harness", "app", str(folder), "--engine", "chromium",
         "--interpreter", "pyodide", "--json", str(report), *options],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    cells = json.loads(report.read_text())["cells"] if report.exists() else []
    return done, cells


def test_a_release_npm_lacks_is_served_by_its_nearest_patch_and_said(tmp_path: Path) -> None:
    done, cells = check(app(tmp_path, "2024.6.2"))
    assert done.returncode == 0, done.stdout[-4000:]
    notes = cells[0]["notes"]
    assert isinstance(notes, list)
    assert any(
        "2024.6.2 is core 0.4.50, which npm does not have: served @pyscript/core@0.4.51" in n for n in notes
    )
    assert any(
        n.startswith("served from npm: @pyscript/core@0.4.51") and "pyodide@0.26.1" in n for n in notes
    )
    refused, _ = check(tmp_path / "app-2024.6.2", "--exact-versions")
    assert refused.returncode == 1
    assert "which npm does not have; its nearest later patch 0.4.51 is served without --exact-versions" in (
        refused.stdout.replace("\n", " ")
    )


def test_integrity_on_a_file_the_harness_serves_is_an_error_naming_it_unless_dropped(tmp_path: Path) -> None:
    folder = app(tmp_path, "2024.9.1", integrity="sha384-" + "A" * 64)
    refused, _ = check(folder)
    said = refused.stdout.replace("\n", " ")
    assert refused.returncode == 1
    assert "index.html: <script ... integrity=...> for https://pyscript.net/releases/2024.9.1/core.js" in said
    assert "--drop-integrity" in said and "--storage-drop-integrity" in said
    dropped, cells = check(folder, "--drop-integrity")
    assert dropped.returncode == 0, dropped.stdout[-4000:]
    assert any(
        "integrity= dropped for https://pyscript.net/releases/2024.9.1/core.js" in n
        for n in cells[0]["notes"]
    )  # type: ignore[union-attr]


@pytest.mark.parametrize("release", ["2026.7.3"])
def test_pages_run_under_another_release_on_request(tmp_path: Path, release: str) -> None:
    done, cells = check(app(tmp_path, "2024.9.1"), "--pyscript", release)
    assert done.returncode == 0, done.stdout[-4000:]
    notes = cells[0]["notes"]
    assert isinstance(notes, list)
    assert any("served from npm: @pyscript/core@0.7.31" in n for n in notes), notes
    assert not any("@pyscript/core@0.5.12" in n for n in notes)
    unknown, _ = check(tmp_path / "app-2024.9.1", "--pyscript", "2031.1.1")
    assert unknown.returncode == 2 and "'2031.1.1' is not a release" in unknown.stdout
