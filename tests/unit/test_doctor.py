"""doctor names what is missing and the command that installs it."""

from __future__ import annotations

from pyscript_storage_harness.config import Config, Project, ServerConfig
from pyscript_storage_harness.doctor import checks


def test_missing_browser_is_reported_with_its_install_command() -> None:
    config = Config(
        ServerConfig(),
        (Project("chromium", "chromium", "playwright", executable="/nonexistent/chromium"),),
    )
    found = {check.what: check for check in checks(config)}
    chromium = found["chromium (Playwright)"]
    assert not chromium.ok
    assert chromium.fix == "apt-get install -y chromium"
    assert "/nonexistent/chromium" in chromium.found
