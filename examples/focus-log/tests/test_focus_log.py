"""The focus log, pinned to PyScript 2024.9.1 and styled from jsDelivr, in real browsers:
what it saves survives a reload and a restart, and still opens after an upgrade of PyScript."""

from __future__ import annotations

import pytest

from pyscript_storage_harness.pytest_plugin import AppPage

NEXT_RELEASE = "2026.7.3"
CORES = {"2024.9.1": "0.5.12", "2026.7.3": "0.7.31"}  # each release's @pyscript/core


def log_session(app: AppPage, label: str, minutes: int, expected: str) -> None:
    app.fill("#label", label)
    app.fill("#minutes", str(minutes))
    app.click("#log")
    app.wait_for("#status", text=expected)


def shown(app: AppPage) -> list[str]:
    return list(app.js("return [...document.querySelectorAll('#sessions li')].map((li) => li.innerText)"))


def test_sessions_survive_a_reload_and_a_restart(storage_app: AppPage) -> None:
    storage_app.open()
    assert storage_app.text("#status") == "0 sessions, 0 min loaded"
    log_session(storage_app, "writing", 25, "1 sessions, 25 min saved")
    log_session(storage_app, "review", 10, "2 sessions, 35 min saved")
    storage_app.reload()
    assert shown(storage_app) == ["writing: 25 min", "review: 10 min"]
    storage_app.restart()
    assert storage_app.text("#status") == "2 sessions, 35 min loaded"
    assert storage_app.stores() == {
        "focus-log": {
            "sessions": [{"label": "writing", "minutes": 25}, {"label": "review", "minutes": 10}],
            "total": 35,
            "settings": {"default_minutes": 25, "created_by": "focus-log 1.0"},
        }
    }


def test_the_page_runs_its_own_release_and_bootstrap_from_jsdelivr(
    storage_app: AppPage, request: pytest.FixtureRequest
) -> None:
    storage_app.open()
    release = request.config.getoption("storage_pyscript") or "2024.9.1"
    assert f"@pyscript/core@{CORES[release]}" in storage_app.served
    assert "bootstrap@5.3.3" in storage_app.served
    color = storage_app.js("return getComputedStyle(document.querySelector('#log')).backgroundColor")
    assert color == "rgb(13, 110, 253)"  # Bootstrap 5.3's primary blue


def test_what_was_saved_opens_after_upgrading_pyscript(storage_app: AppPage) -> None:
    storage_app.open()
    log_session(storage_app, "before the upgrade", 50, "1 sessions, 50 min saved")
    before = storage_app.stores()
    storage_app.upgrade(NEXT_RELEASE)
    assert f"@pyscript/core@{CORES[NEXT_RELEASE]}" in storage_app.served
    assert storage_app.text("#status") == "1 sessions, 50 min loaded"
    assert storage_app.stores() == before
    log_session(storage_app, "after the upgrade", 5, "2 sessions, 55 min saved")
    storage_app.reload()  # still under the new release
    assert shown(storage_app) == ["before the upgrade: 50 min", "after the upgrade: 5 min"]
