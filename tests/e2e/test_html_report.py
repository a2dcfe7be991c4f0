"""The HTML report, opened in real headless Chromium: the matrix renders and the screenshot loads."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyscript_storage_harness.config import load
from pyscript_storage_harness.report import write_html
from pyscript_storage_harness.results import Cell, Run
from pyscript_storage_harness.runner import Session


def test_html_report_renders_in_chromium(storage_session: Session, tmp_path: Path) -> None:
    chromium = next((p for p in load().projects if p.engine == "chromium"), None)
    if chromium is None or not chromium.executable or not Path(chromium.executable).exists():
        pytest.fail("the HTML report is checked in Chromium, which is not configured here")
    browser = storage_session.playwright.chromium.launch(
        executable_path=chromium.executable, args=list(chromium.args), headless=True
    )
    try:
        page = browser.new_page(viewport={"width": 1000, "height": 700})
        # A real screenshot for the failed cell: the report page's own first render.
        shot = tmp_path / "shot.png"
        page.set_content("<h1 style='color:red'>the page when reload failed</h1>")
        page.screenshot(path=str(shot))
        run = Run(
            wheel={"name": "pyscript-storage", "version": "0.1.0", "sha256": "ab" * 32},
            interpreter="Pyodide 314.0.7",
            engines={"chromium": "Chromium 156", "firefox": "Firefox 153"},
            seconds=3.5,
        )
        run.cells = [
            Cell("reload", "chromium", "passed", 1.5, "Chromium 156"),
            Cell("reload", "firefox", "failed", 2.0, "Firefox 153", "AssertionError: lost", str(shot)),
        ]
        report = tmp_path / "suite.html"
        write_html(run, report)
        page.goto(report.as_uri())
        assert page.locator("#matrix tr").count() == 2
        assert page.locator("#matrix td.failed").inner_text().startswith("FAIL")
        assert page.locator("#matrix td.passed").inner_text().startswith("pass")
        image = page.locator("img")
        assert image.evaluate("img => img.complete && img.naturalWidth") == 1000
        assert "AssertionError: lost" in page.locator("pre").inner_text()
        out = Path(storage_session.artifacts or tmp_path) / "html-report.png"
        out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out), full_page=True)
    finally:
        browser.close()
