"""pytest-playwright's recording options: a scratch folder only when something is recorded."""

from __future__ import annotations

import tempfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from pyscript_storage_harness.pytest_plugin import _recording


def config(**options: Any) -> Any:
    values = {"headed": False, "slowmo": 0, "tracing": "off", "video": "off", **options}
    return SimpleNamespace(
        pluginmanager=SimpleNamespace(hasplugin=lambda name: name == "playwright"),
        getoption=values.__getitem__,
    )


def scratch_folders() -> set[Path]:
    return set(Path(tempfile.gettempdir()).glob("pyscript-storage-rec-*"))


def test_nothing_to_record_leaves_no_scratch_folder_behind() -> None:
    before = scratch_folders()
    assert _recording(config()) is None
    assert scratch_folders() == before


@pytest.mark.parametrize("option", [{"tracing": "on"}, {"video": "retain-on-failure"}, {"headed": True}])
def test_a_recording_has_a_scratch_folder_finish_removes(option: dict[str, Any], tmp_path: Path) -> None:
    recording = _recording(config(**option))
    assert recording is not None and recording.scratch.is_dir()
    assert recording.finish(tmp_path, "tests/test_x.py::test_y", failed=False) is None
    assert not recording.scratch.exists()
