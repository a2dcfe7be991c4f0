"""playwright.config.toml checks itself: each mistake stops the run naming the key and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyscript_storage_harness.config import DEFAULT_PATH, ConfigError, load
from pyscript_storage_harness.drivers import make_driver

GOOD = """
[server]
host = "127.0.0.1"
ports = [0, 0]

[[project]]
name = "chromium"
engine = "chromium"
driver = "playwright"
executable = "/usr/lib/chromium/chromium"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def test_the_packaged_config_loads() -> None:
    assert [p.name for p in load(DEFAULT_PATH).projects] == ["chromium", "firefox", "webkit"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (GOOD + 'colour = "red"\n', "project[0]: unknown key 'colour'"),
        (GOOD.replace('driver = "playwright"', "driver = 3"), "project[0].driver: expected str"),
        (GOOD.replace('engine = "chromium"', 'engine = "opera"'), "project[0].engine: 'opera' is not one of"),
        (GOOD.replace("ports = [0, 0]", "ports = [0]"), "server.ports: give at least two"),
        (GOOD.replace('name = "chromium"\n', ""), "project[0]: missing key 'name'"),
        (GOOD + 'connect = "http://x"\n', "project[0].connect: a Playwright server's ws:// address"),
        (GOOD + 'webdriver_url = "http://x"\n', 'webdriver_url needs driver = "webkitgtk" or "webdriver"'),
        (
            GOOD.replace('driver = "playwright"', 'driver = "webdriver"'),
            'driver = "webdriver" needs webdriver_url',
        ),
        (
            GOOD.replace('driver = "playwright"', 'driver = "webdriver"\nwebdriver_url = "http://x"'),
            "capabilities needs browserName",
        ),
        (GOOD + 'capabilities = { browserName = "chrome" }\n', 'capabilities is for driver = "webdriver"'),
        (GOOD + "headless = 'yes'\n", "project[0].headless: expected bool"),
        ("[serve]\n", "top level: unknown key 'serve'"),
        (GOOD + GOOD.split("[server]")[0] + GOOD.split("ports = [0, 0]")[1], "project names must be unique"),
        ("[server\n", "config.toml"),
    ],
)
def test_mistakes_are_named(tmp_path: Path, change: str, message: str) -> None:
    with pytest.raises(ConfigError, match=None) as caught:
        load(write(tmp_path, change))
    assert message in str(caught.value), str(caught.value)


def test_a_missing_browser_names_its_path_and_the_fix(tmp_path: Path) -> None:
    project = load(write(tmp_path, GOOD.replace("/usr/lib/chromium/chromium", "/nowhere/chromium"))).projects[
        0
    ]
    with pytest.raises(ConfigError, match="/nowhere/chromium not found .*playwright.config.toml"):
        make_driver(project, tmp_path, playwright=None)


def test_a_missing_file_says_how_to_pass_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="absent.toml: not found .* with --config PATH"):
        load(tmp_path / "absent.toml")
    # The pytest plugin names its own option, the one pytest knows.
    with pytest.raises(ConfigError, match="with --storage-config PATH"):
        load(tmp_path / "absent.toml", option="--storage-config")


def test_this_checkouts_own_config_loads_beside_the_packaged_one() -> None:
    own = Path(__file__).resolve().parents[2] / "playwright.config.toml"
    assert own != DEFAULT_PATH and DEFAULT_PATH.parent.name == "defaults"
    assert [p.engine for p in load(own).projects] == ["chromium", "firefox", "webkit"]


def test_a_webdriver_endpoint_project_keeps_its_capabilities(tmp_path: Path) -> None:
    text = GOOD.replace(
        'driver = "playwright"',
        'driver = "webdriver"\nwebdriver_url = "http://127.0.0.1:4444"\n'
        'capabilities = { browserName = "safari", "safari:automaticInspection" = false }',
    )
    project = load(write(tmp_path, text)).projects[0]
    assert project.capabilities == {"browserName": "safari", "safari:automaticInspection": False}
    assert (
        project.remote
        and type(make_driver(project, tmp_path, playwright=None)).__name__ == "WebDriverEndpointDriver"
    )
