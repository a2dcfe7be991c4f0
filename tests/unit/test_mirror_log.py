"""The mirror's log file format (pyscript_storage/mirror_worker.js), run in Node over files in memory.

The mirror scenario runs the worker for real in Chromium (a discard restored, a
compaction, a rewrite); these cases pin what a kill can leave in a file, which a
scenario cannot aim at: a line cut anywhere, a snapshot cut while a compaction wrote it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(NODE is None, reason="Node.js is needed (bin/setup installs it)")


def run_case(name: str) -> Any:
    script = Path(__file__).with_name("mirror_log_run.mjs")
    worker = ROOT / "pyscript_storage" / "mirror_worker.js"
    done = subprocess.run(
        [str(NODE), str(script), str(worker), name], capture_output=True, text=True, timeout=60, check=True
    )
    return json.loads(done.stdout)


def test_every_line_form_replays_to_the_state_written() -> None:
    result = run_case("roundTrip")
    assert result["state"] == [
        [["k", 2], '"x"'],
        ["b", '{"t":"raw"}'],
        ["c", "[2]"],
        ["nl", '"line\nbreak"'],
        ["lone", "\ud800 alone"],
        ["é", '"héllo ✓ 🐍"'],
    ]
    # JSON text goes as it is; a newline or a lone surrogate makes the line JSON
    assert result["forms"] == ["{", "{", "[", "[", "{", "{"]


def test_a_line_cut_by_a_kill_is_skipped_and_cut_off() -> None:
    result = run_case("tornTail")
    assert result["state"] == [["a", "1"], ["b", "2"]]
    assert result["cut"] > 0


@pytest.mark.parametrize("case", ["tornThenAppended", "tornInCharacter", "tornAfterTab"])
def test_a_torn_line_another_page_appended_after_stays_skipped(case: str) -> None:
    assert run_case(case)["state"] == [["a", "1"], ["c", "3"]]


def test_compaction_moves_the_log_to_the_other_file() -> None:
    result = run_case("compaction")
    assert result["state"] == [["a", "1"], ["n", "69"]]
    assert result["sizes"][0] == 0 and result["sizes"][1] > 0
    assert result["generation"] == 2


def test_a_snapshot_cut_while_written_leaves_the_older_file_as_the_log() -> None:
    result = run_case("tornSnapshot")
    assert result == {"state": [["a", "1"], ["b", "2"]], "index": 0}
